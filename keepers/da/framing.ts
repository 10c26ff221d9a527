/**
 * Payload <-> blobs framing. A blob is 4096 field elements of 32 bytes, big-endian (the EIP-4844 / EIP-7594
 * layout). Every element starts with a 0x00 byte and carries 31 payload bytes, so it is always canonical
 * (< BLS_MODULUS). The byte stream spread over the blobs is
 *
 *   header (31 bytes: version u8 = 1, payload length u64 big-endian, 22 zero bytes) || payload || zero padding
 *
 * cut into 126,976-byte pieces, one per blob. The decoder checks every rule (top bytes, version, length,
 * padding) and names the element or field that breaks it.
 */
import { InvalidBlobError } from "./errors.js";
import { BLS_MODULUS } from "./field.js";

export const FIELD_ELEMENTS_PER_BLOB = 4096;
export const BYTES_PER_BLOB = FIELD_ELEMENTS_PER_BLOB * 32;
/** Payload bytes carried per field element (the top byte is always 0x00). */
export const BYTES_PER_ELEMENT_PAYLOAD = 31;
/** Framed bytes per blob: 4096 x 31 = 126,976. */
export const PAYLOAD_BYTES_PER_BLOB = FIELD_ELEMENTS_PER_BLOB * BYTES_PER_ELEMENT_PAYLOAD;
export const FRAMING_VERSION = 1;
export const HEADER_BYTES = BYTES_PER_ELEMENT_PAYLOAD;
/** Largest payload the 64-bit length field and JS safe integers allow. */
export const MAX_PAYLOAD_BYTES = Number.MAX_SAFE_INTEGER - HEADER_BYTES;

/** Number of blobs a payload of `length` bytes occupies (at least one, even for an empty payload). */
export function blobCountFor(length: number): number {
  assertLength(length);
  return Math.max(1, Math.ceil((length + HEADER_BYTES) / PAYLOAD_BYTES_PER_BLOB));
}

function assertLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_PAYLOAD_BYTES) {
    throw new InvalidBlobError("payload length", `must be an integer in 0..${MAX_PAYLOAD_BYTES}, got ${length}`);
  }
}

export function encodeHeader(length: number): Uint8Array {
  assertLength(length);
  const header = new Uint8Array(HEADER_BYTES);
  header[0] = FRAMING_VERSION;
  new DataView(header.buffer).setBigUint64(1, BigInt(length));
  return header;
}

export function decodeHeader(header: Uint8Array): { version: number; length: number } {
  const version = header[0]!;
  if (version !== FRAMING_VERSION) {
    throw new InvalidBlobError("framing version", `expected ${FRAMING_VERSION}, found ${version}`);
  }
  const length = new DataView(header.buffer, header.byteOffset, HEADER_BYTES).getBigUint64(1);
  if (length > BigInt(MAX_PAYLOAD_BYTES)) throw new InvalidBlobError("payload length", `${length} is too large`);
  for (let i = 9; i < HEADER_BYTES; i++) {
    if (header[i] !== 0) throw new InvalidBlobError("framing header", `reserved byte ${i} is ${header[i]}, not 0`);
  }
  return { version, length: Number(length) };
}

/** Spreads 126,976 framed bytes over a blob: a 0x00 byte before every 31 bytes. */
export function packBlob(framed: Uint8Array): Uint8Array {
  if (framed.length !== PAYLOAD_BYTES_PER_BLOB) {
    throw new RangeError(`packBlob needs ${PAYLOAD_BYTES_PER_BLOB} bytes, got ${framed.length}`);
  }
  const blob = new Uint8Array(BYTES_PER_BLOB);
  for (let i = 0; i < FIELD_ELEMENTS_PER_BLOB; i++) {
    blob.set(framed.subarray(i * 31, i * 31 + 31), i * 32 + 1);
  }
  return blob;
}

/** Inverse of `packBlob`; rejects a blob whose elements do not start with 0x00. */
export function unpackBlob(blob: Uint8Array, blobIndex = 0): Uint8Array {
  assertBlobSize(blob, `blob ${blobIndex}`);
  const framed = new Uint8Array(PAYLOAD_BYTES_PER_BLOB);
  for (let i = 0; i < FIELD_ELEMENTS_PER_BLOB; i++) {
    if (blob[i * 32] !== 0) {
      throw new InvalidBlobError(
        `blob ${blobIndex} element ${i}`,
        `top byte is 0x${blob[i * 32]!.toString(16).padStart(2, "0")}; framed payload elements start with 0x00`,
      );
    }
    framed.set(blob.subarray(i * 32 + 1, i * 32 + 32), i * 31);
  }
  return framed;
}

export function assertBlobSize(blob: Uint8Array, field = "blob"): void {
  if (blob.length !== BYTES_PER_BLOB) {
    throw new InvalidBlobError(field, `must be exactly ${BYTES_PER_BLOB} bytes, got ${blob.length}`);
  }
}

/** Checks that every element of an arbitrary blob is a canonical field element (< BLS_MODULUS). */
export function assertCanonicalBlob(blob: Uint8Array, field = "blob"): void {
  assertBlobSize(blob, field);
  const modulusHex = BLS_MODULUS.toString(16).padStart(64, "0");
  const hex = Buffer.from(blob.buffer, blob.byteOffset, blob.length).toString("hex");
  for (let i = 0; i < FIELD_ELEMENTS_PER_BLOB; i++) {
    // Fast path: most elements have a top byte below the modulus' 0x73.
    if (blob[i * 32]! < 0x73) continue;
    const element = hex.slice(i * 64, i * 64 + 64);
    if (element >= modulusHex) {
      throw new InvalidBlobError(
        `${field} element ${i}`,
        `0x${element} is not a canonical field element (must be below the BLS12-381 modulus)`,
      );
    }
  }
}

/**
 * Cuts a payload into framed blobs incrementally, so a large file never has to sit in memory. Push payload
 * bytes in any pieces; each call returns the blobs completed so far. `finish()` pads and returns the rest.
 */
export class BlobFramer {
  readonly length: number;
  readonly blobCount: number;
  private buffer = new Uint8Array(PAYLOAD_BYTES_PER_BLOB);
  private filled = 0;
  private received = 0;
  private emitted = 0;

  constructor(length: number) {
    this.length = length;
    this.blobCount = blobCountFor(length);
    this.buffer.set(encodeHeader(length));
    this.filled = HEADER_BYTES;
  }

  push(bytes: Uint8Array): Uint8Array[] {
    if (this.received + bytes.length > this.length) {
      throw new InvalidBlobError("payload", `more than the announced ${this.length} bytes`);
    }
    this.received += bytes.length;
    const out: Uint8Array[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      const take = Math.min(bytes.length - offset, PAYLOAD_BYTES_PER_BLOB - this.filled);
      this.buffer.set(bytes.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === PAYLOAD_BYTES_PER_BLOB) {
        out.push(packBlob(this.buffer));
        this.buffer.fill(0);
        this.filled = 0;
        this.emitted++;
      }
    }
    return out;
  }

  finish(): Uint8Array[] {
    if (this.received !== this.length) {
      throw new InvalidBlobError("payload", `announced ${this.length} bytes but received ${this.received}`);
    }
    const out: Uint8Array[] = [];
    if (this.emitted < this.blobCount) {
      out.push(packBlob(this.buffer));
      this.emitted++;
    }
    return out;
  }
}

/** Frames a whole payload held in memory. */
export function payloadToBlobs(payload: Uint8Array): Uint8Array[] {
  const framer = new BlobFramer(payload.length);
  return [...framer.push(payload), ...framer.finish()];
}

/**
 * Reassembles the payload blob by blob. The first blob's header announces the length; `expectedLength`
 * (from a manifest) must agree with it, and the announced length must fit the announced blob count.
 * Padding after the payload must be zero.
 */
export class PayloadUnframer {
  private index = 0;
  private remaining = -1;
  length = -1;

  constructor(
    private readonly blobCount: number,
    private readonly expectedLength?: number,
  ) {}

  push(blob: Uint8Array): Uint8Array {
    if (this.index >= this.blobCount) throw new InvalidBlobError("blob count", `more than ${this.blobCount} blobs`);
    const framed = unpackBlob(blob, this.index);
    let body = framed;
    if (this.index === 0) {
      const { length } = decodeHeader(framed.subarray(0, HEADER_BYTES));
      if (this.expectedLength !== undefined && length !== this.expectedLength) {
        throw new InvalidBlobError(
          "manifest payloadLength",
          `says ${this.expectedLength} bytes but the blob header says ${length}`,
        );
      }
      const needed = blobCountFor(length);
      if (needed !== this.blobCount) {
        throw new InvalidBlobError(
          "blob count",
          `the payload of ${length} bytes needs ${needed} blob(s) but ${this.blobCount} were given`,
        );
      }
      this.length = length;
      this.remaining = length;
      body = framed.subarray(HEADER_BYTES);
    }
    const take = Math.min(this.remaining, body.length);
    for (let i = take; i < body.length; i++) {
      if (body[i] !== 0) {
        throw new InvalidBlobError(`blob ${this.index} padding`, `byte ${i} after the payload is not zero`);
      }
    }
    this.remaining -= take;
    this.index++;
    return body.subarray(0, take);
  }

  finish(): void {
    if (this.index !== this.blobCount || this.remaining !== 0) {
      throw new InvalidBlobError("blobs", `received ${this.index} of ${this.blobCount} blobs`);
    }
  }
}

export function blobsToPayload(blobs: readonly Uint8Array[], expectedLength?: number): Uint8Array {
  const unframer = new PayloadUnframer(blobs.length, expectedLength);
  const parts = blobs.map((b) => unframer.push(b));
  unframer.finish();
  return new Uint8Array(Buffer.concat(parts));
}
