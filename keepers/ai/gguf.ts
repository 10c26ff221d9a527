/**
 * A minimal GGUF (version 3) writer: header, metadata key/values, tensor infos and aligned tensor data,
 * as documented in ggml's `docs/gguf.md`. Enough to write the llama-architecture test models that
 * `vcloud ai model create` makes; reading is left to node-llama-cpp's `readGgufFileInfo`.
 *
 * Layout (all little-endian):
 *   "GGUF" u32 version=3 u64 tensorCount u64 kvCount
 *   kv*:     string key, u32 valueType, value
 *   tensor*: string name, u32 nDims, u64 dims[nDims] (dims[0] is the contiguous one), u32 ggmlType,
 *            u64 offset (from the start of the data section, a multiple of the alignment)
 *   padding to `general.alignment` (32), then the tensor data, each tensor padded to the alignment.
 * A string is u64 byteLength + UTF-8 bytes; an array is u32 elementType + u64 count + elements.
 */

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_VERSION = 3;
export const GGUF_ALIGNMENT = 32;

/** GGUF metadata value types. */
export enum GgufValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/** The ggml tensor types this writer can encode. */
export enum GgmlTensorType {
  F32 = 0,
  F16 = 1,
  Q8_0 = 8,
}

export type GgufScalar =
  | { type: GgufValueType.UINT32 | GgufValueType.INT32 | GgufValueType.FLOAT32; value: number }
  | { type: GgufValueType.UINT64; value: bigint }
  | { type: GgufValueType.BOOL; value: boolean }
  | { type: GgufValueType.STRING; value: string };

export type GgufValue =
  | GgufScalar
  | { type: GgufValueType.ARRAY; itemType: GgufValueType.STRING; value: readonly string[] }
  | {
      type: GgufValueType.ARRAY;
      itemType: GgufValueType.INT32 | GgufValueType.UINT32 | GgufValueType.FLOAT32;
      value: readonly number[];
    };

export type GgufTensor = {
  name: string;
  /** ggml order: dims[0] is the row length (contiguous), dims[1] the number of rows. */
  dims: readonly number[];
  type: GgmlTensorType;
  /** Row-major f32 values, `product(dims)` of them; encoded to `type` by the writer. */
  data: Float32Array;
};

export const Q8_0_BLOCK = 32;

class ByteSink {
  private chunks: Uint8Array[] = [];
  length = 0;

  bytes(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    this.bytes(b);
  }
  i32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v, true);
    this.bytes(b);
  }
  u64(v: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v, true);
    this.bytes(b);
  }
  f32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.bytes(b);
  }
  string(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u64(BigInt(b.length));
    this.bytes(b);
  }
  pad(alignment: number): void {
    const rem = this.length % alignment;
    if (rem !== 0) this.bytes(new Uint8Array(alignment - rem));
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

function writeValue(sink: ByteSink, v: GgufValue): void {
  sink.u32(v.type);
  switch (v.type) {
    case GgufValueType.UINT32:
      sink.u32(v.value);
      return;
    case GgufValueType.INT32:
      sink.i32(v.value);
      return;
    case GgufValueType.FLOAT32:
      sink.f32(v.value);
      return;
    case GgufValueType.UINT64:
      sink.u64(v.value);
      return;
    case GgufValueType.BOOL:
      sink.bytes(Uint8Array.of(v.value ? 1 : 0));
      return;
    case GgufValueType.STRING:
      sink.string(v.value);
      return;
    case GgufValueType.ARRAY:
      sink.u32(v.itemType);
      sink.u64(BigInt(v.value.length));
      if (v.itemType === GgufValueType.STRING) for (const s of v.value) sink.string(s);
      else if (v.itemType === GgufValueType.INT32) for (const n of v.value) sink.i32(n);
      else if (v.itemType === GgufValueType.UINT32) for (const n of v.value) sink.u32(n);
      else for (const n of v.value) sink.f32(n);
      return;
  }
}

/** IEEE 754 binary32 -> binary16 bits, round to nearest even (as ggml's `GGML_FP32_TO_FP16`). */
export function f32ToF16Bits(value: number): number {
  const f = new DataView(new ArrayBuffer(4));
  f.setFloat32(0, value, true);
  const x = f.getUint32(0, true);
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0); // inf / nan
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow -> inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow -> signed zero
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rounded = mant + half - 1 + ((mant >>> shift) & 1);
    return sign | (rounded >>> shift);
  }
  const rounded = mant + 0xfff + ((mant >>> 13) & 1);
  if (rounded & 0x800000) {
    mant = 0;
    e += 1;
    if (e >= 0x1f) return sign | 0x7c00;
  } else {
    mant = rounded;
  }
  return sign | (e << 10) | (mant >>> 13);
}

/** binary16 bits -> number. */
export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/**
 * Q8_0 as in ggml's `quantize_row_q8_0_ref`: blocks of 32 values, each an f16 scale
 * d = max|x| / 127 followed by 32 int8 q = round(x / d).
 */
export function quantizeQ8_0(data: Float32Array): Uint8Array {
  if (data.length % Q8_0_BLOCK !== 0) throw new RangeError(`Q8_0 needs a multiple of 32 values, got ${data.length}`);
  const blocks = data.length / Q8_0_BLOCK;
  const out = new Uint8Array(blocks * 34);
  const view = new DataView(out.buffer);
  for (let b = 0; b < blocks; b++) {
    let amax = 0;
    for (let j = 0; j < Q8_0_BLOCK; j++) amax = Math.max(amax, Math.abs(data[b * Q8_0_BLOCK + j]!));
    const d = Math.fround(amax / 127);
    const id = d !== 0 ? Math.fround(1 / d) : 0;
    view.setUint16(b * 34, f32ToF16Bits(d), true);
    for (let j = 0; j < Q8_0_BLOCK; j++) {
      const x0 = Math.fround(data[b * Q8_0_BLOCK + j]! * id);
      // roundf: half away from zero
      const q = Math.sign(x0) * Math.round(Math.abs(x0));
      view.setInt8(b * 34 + 2 + j, Math.max(-128, Math.min(127, q)));
    }
  }
  return out;
}

export function encodeTensorData(tensor: GgufTensor): Uint8Array {
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  if (tensor.data.length !== count) {
    throw new RangeError(`tensor ${tensor.name}: ${tensor.data.length} values for dims [${tensor.dims.join(", ")}]`);
  }
  switch (tensor.type) {
    case GgmlTensorType.F32:
      return new Uint8Array(tensor.data.buffer.slice(tensor.data.byteOffset, tensor.data.byteOffset + count * 4));
    case GgmlTensorType.F16: {
      const out = new Uint8Array(count * 2);
      const view = new DataView(out.buffer);
      for (let i = 0; i < count; i++) view.setUint16(i * 2, f32ToF16Bits(tensor.data[i]!), true);
      return out;
    }
    case GgmlTensorType.Q8_0:
      if (tensor.dims[0]! % Q8_0_BLOCK !== 0) {
        throw new RangeError(`tensor ${tensor.name}: Q8_0 rows must be a multiple of 32, got ${tensor.dims[0]}`);
      }
      return quantizeQ8_0(tensor.data);
  }
}

/** Serialises a complete GGUF v3 file. Metadata is written in the given (insertion) order. */
export function writeGguf(metadata: ReadonlyMap<string, GgufValue>, tensors: readonly GgufTensor[]): Uint8Array {
  const encoded = tensors.map(encodeTensorData);
  const sink = new ByteSink();
  sink.u32(GGUF_MAGIC);
  sink.u32(GGUF_VERSION);
  sink.u64(BigInt(tensors.length));
  sink.u64(BigInt(metadata.size));
  for (const [key, value] of metadata) {
    sink.string(key);
    writeValue(sink, value);
  }
  let offset = 0;
  tensors.forEach((t, i) => {
    sink.string(t.name);
    sink.u32(t.dims.length);
    for (const d of t.dims) sink.u64(BigInt(d));
    sink.u32(t.type);
    sink.u64(BigInt(offset));
    offset += encoded[i]!.length;
    offset += (GGUF_ALIGNMENT - (offset % GGUF_ALIGNMENT)) % GGUF_ALIGNMENT;
  });
  sink.pad(GGUF_ALIGNMENT);
  for (const data of encoded) {
    sink.bytes(data);
    sink.pad(GGUF_ALIGNMENT);
  }
  return sink.concat();
}

// Reading: a bounded structural scan -------------------------------------------------------------------

/** A file that is not a well-formed GGUF header; `offset` is where the scan stopped. */
export class GgufFormatError extends Error {
  override name = "GgufFormatError";
  constructor(
    reason: string,
    readonly offset: number,
  ) {
    super(`${reason} (at byte ${offset})`);
  }
}

export type GgufScan = {
  version: number;
  kvCount: number;
  tensors: { name: string; dims: number[]; type: number }[];
};

const GGML_MAX_DIMS = 4;
const FIXED_SIZE: Partial<Record<number, number>> = {
  [GgufValueType.UINT8]: 1,
  [GgufValueType.INT8]: 1,
  [GgufValueType.BOOL]: 1,
  [GgufValueType.UINT16]: 2,
  [GgufValueType.INT16]: 2,
  [GgufValueType.UINT32]: 4,
  [GgufValueType.INT32]: 4,
  [GgufValueType.FLOAT32]: 4,
  [GgufValueType.UINT64]: 8,
  [GgufValueType.INT64]: 8,
  [GgufValueType.FLOAT64]: 8,
};

/** Reads `read(position, length)` lazily, checking every length against the file size first. */
class BoundedReader {
  offset = 0;
  constructor(
    private readonly size: number,
    private readonly read: (position: number, length: number) => Uint8Array,
  ) {}

  private take(n: number, what: string): Uint8Array {
    if (n < 0 || this.offset + n > this.size) {
      throw new GgufFormatError(`${what} of ${n} bytes runs past the end of the ${this.size}-byte file`, this.offset);
    }
    const b = this.read(this.offset, n);
    this.offset += n;
    return b;
  }
  skip(n: number, what: string): void {
    if (n < 0 || this.offset + n > this.size) {
      throw new GgufFormatError(`${what} of ${n} bytes runs past the end of the ${this.size}-byte file`, this.offset);
    }
    this.offset += n;
  }
  u32(what: string): number {
    const b = this.take(4, what);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  }
  u64(what: string): number {
    const b = this.take(8, what);
    const v = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new GgufFormatError(`${what} ${v} is implausibly large`, this.offset - 8);
    return Number(v);
  }
  string(what: string): string {
    const length = this.u64(`${what} length`);
    return new TextDecoder("utf-8", { fatal: false }).decode(this.take(length, what));
  }
  skipString(what: string): void {
    this.skip(this.u64(`${what} length`), what);
  }
  remaining(): number {
    return this.size - this.offset;
  }
}

function skipValue(r: BoundedReader, type: number, what: string, depth = 0): void {
  const fixed = FIXED_SIZE[type];
  if (fixed !== undefined) return r.skip(fixed, what);
  if (type === GgufValueType.STRING) return r.skipString(what);
  if (type === GgufValueType.ARRAY) {
    if (depth > 2) throw new GgufFormatError(`${what}: arrays nested too deeply`, r.offset);
    const itemType = r.u32(`${what} item type`);
    const count = r.u64(`${what} count`);
    const itemFixed = FIXED_SIZE[itemType];
    if (itemFixed !== undefined) return r.skip(count * itemFixed, what);
    if (itemType !== GgufValueType.STRING && itemType !== GgufValueType.ARRAY) {
      throw new GgufFormatError(`${what}: unknown array item type ${itemType}`, r.offset - 12);
    }
    // Each string or array item takes at least 8 bytes: bound the count before looping.
    if (count * 8 > r.remaining())
      throw new GgufFormatError(`${what}: ${count} items cannot fit in the file`, r.offset);
    for (let i = 0; i < count; i++) skipValue(r, itemType, what, depth + 1);
    return;
  }
  throw new GgufFormatError(`${what}: unknown value type ${type}`, r.offset - 4);
}

/**
 * Walks a GGUF header (magic, version, every key/value, every tensor info) checking each length
 * against the file size before reading, so a corrupt or hostile file fails fast with a
 * GgufFormatError instead of exhausting memory in a parser. Tensor data is not read.
 */
export function scanGguf(size: number, read: (position: number, length: number) => Uint8Array): GgufScan {
  const r = new BoundedReader(size, read);
  const magic = r.u32("magic");
  if (magic !== GGUF_MAGIC) throw new GgufFormatError("no GGUF magic", 0);
  const version = r.u32("version");
  if (version !== 2 && version !== 3) throw new GgufFormatError(`unsupported GGUF version ${version}`, 4);
  const tensorCount = r.u64("tensor count");
  const kvCount = r.u64("metadata count");
  // A key/value takes at least 12 bytes, a tensor info at least 28.
  if (kvCount * 12 + tensorCount * 28 > r.remaining()) {
    throw new GgufFormatError(`${kvCount} key/values and ${tensorCount} tensors cannot fit in the file`, 8);
  }
  for (let i = 0; i < kvCount; i++) {
    const key = r.string(`metadata key ${i}`);
    skipValue(r, r.u32(`type of ${key}`), key);
  }
  const tensors: GgufScan["tensors"] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = r.string(`tensor name ${i}`);
    const nDims = r.u32(`${name} dimension count`);
    if (nDims < 1 || nDims > GGML_MAX_DIMS) throw new GgufFormatError(`${name}: ${nDims} dimensions`, r.offset - 4);
    const dims = Array.from({ length: nDims }, (_, d) => r.u64(`${name} dimension ${d}`));
    const type = r.u32(`${name} type`);
    r.u64(`${name} offset`);
    tensors.push({ name, dims, type });
  }
  return { version, kvCount, tensors };
}
