/**
 * The BLS12-381 scalar field (the field KZG blobs live in): modular arithmetic on bigints, roots of unity,
 * bit-reversal permutations and radix-2 FFTs. Pure functions; the heavy curve work stays in c-kzg.
 */

/** BLS_MODULUS: the order r of the BLS12-381 G1 group, the field of blob elements. */
export const BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

/** The multiplicative generator the Ethereum specs use to derive roots of unity (PRIMITIVE_ROOT_OF_UNITY). */
export const PRIMITIVE_ROOT_OF_UNITY = 7n;

const P = BLS_MODULUS;

export function mod(a: bigint): bigint {
  const r = a % P;
  return r < 0n ? r + P : r;
}

export function mul(a: bigint, b: bigint): bigint {
  return (a * b) % P;
}

export function add(a: bigint, b: bigint): bigint {
  const r = a + b;
  return r >= P ? r - P : r;
}

export function sub(a: bigint, b: bigint): bigint {
  const r = a - b;
  return r < 0n ? r + P : r;
}

export function pow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

export function inv(a: bigint): bigint {
  if (a === 0n) throw new RangeError("inverse of zero");
  return pow(a, P - 2n);
}

/** Inverts every element with one exponentiation (Montgomery's trick). All inputs must be non-zero. */
export function batchInverse(values: readonly bigint[]): bigint[] {
  const n = values.length;
  const prefix = new Array<bigint>(n);
  let acc = 1n;
  for (let i = 0; i < n; i++) {
    prefix[i] = acc;
    acc = (acc * values[i]!) % P;
  }
  let accInv = inv(acc);
  const out = new Array<bigint>(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = (accInv * prefix[i]!) % P;
    accInv = (accInv * values[i]!) % P;
  }
  return out;
}

/** A primitive `n`-th root of unity (n a power of two, up to 2^32), as the Ethereum specs derive it. */
export function rootOfUnity(n: number): bigint {
  assertPowerOfTwo(n);
  return pow(PRIMITIVE_ROOT_OF_UNITY, (P - 1n) / BigInt(n));
}

export function assertPowerOfTwo(n: number): void {
  if (!Number.isInteger(n) || n < 1 || (n & (n - 1)) !== 0) throw new RangeError(`${n} is not a power of two`);
}

export function log2(n: number): number {
  assertPowerOfTwo(n);
  return 31 - Math.clz32(n);
}

/** Reverses the low `bits` bits of `i`. */
export function reverseBits(i: number, bits: number): number {
  let r = 0;
  for (let b = 0; b < bits; b++) r |= ((i >>> b) & 1) << (bits - 1 - b);
  return r >>> 0;
}

const brpCache = new Map<number, Uint32Array>();

/** The bit-reversal permutation of 0..n-1 (cached). */
export function bitReversalPermutation(n: number): Uint32Array {
  let table = brpCache.get(n);
  if (!table) {
    const bits = log2(n);
    table = new Uint32Array(n);
    for (let i = 0; i < n; i++) table[i] = reverseBits(i, bits);
    brpCache.set(n, table);
  }
  return table;
}

/** Returns a copy of `values` in bit-reversed order (an involution). */
export function bitReverse<T>(values: readonly T[]): T[] {
  const table = bitReversalPermutation(values.length);
  const out = new Array<T>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[table[i]!]!;
  return out;
}

const powersCache = new Map<number, bigint[]>();

/** [w^0, w^1, ..., w^(n-1)] for the primitive n-th root w (cached). */
export function rootsOfUnity(n: number): bigint[] {
  let roots = powersCache.get(n);
  if (!roots) {
    const w = rootOfUnity(n);
    roots = new Array<bigint>(n);
    let x = 1n;
    for (let i = 0; i < n; i++) {
      roots[i] = x;
      x = (x * w) % P;
    }
    powersCache.set(n, roots);
  }
  return roots;
}

/**
 * Evaluates the polynomial with coefficients `coeffs` (length n, a power of two) at w^0..w^(n-1) for the
 * primitive n-th root w, in natural order. With `inverse`, interpolates instead (values -> coefficients).
 */
export function fft(coeffs: readonly bigint[], inverse = false): bigint[] {
  const n = coeffs.length;
  const bits = log2(n);
  const a = bitReverse(coeffs);
  const roots = rootsOfUnity(n);
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let j = 0; j < half; j++) {
        const idx = j * step;
        const w = inverse ? roots[idx === 0 ? 0 : n - idx]! : roots[idx]!;
        const u = a[start + j]!;
        const v = (a[start + j + half]! * w) % P;
        const s = u + v;
        a[start + j] = s >= P ? s - P : s;
        const d = u - v;
        a[start + j + half] = d < 0n ? d + P : d;
      }
    }
  }
  if (inverse && bits > 0) {
    const nInv = inv(BigInt(n));
    for (let i = 0; i < n; i++) a[i] = (a[i]! * nInv) % P;
  }
  return a;
}

/** Multiplies coefficient i by shift^i (so the result evaluates at shift * x what the input evaluates at x). */
export function scaleCoefficients(coeffs: readonly bigint[], shift: bigint): bigint[] {
  const out = new Array<bigint>(coeffs.length);
  let f = 1n;
  for (let i = 0; i < coeffs.length; i++) {
    out[i] = (coeffs[i]! * f) % P;
    f = (f * shift) % P;
  }
  return out;
}

// Bytes <-> field elements (32-byte big-endian, the EIP-4844 serialisation) ------------------------------

export const BYTES_PER_FIELD_ELEMENT = 32;

/** Reads the 32-byte big-endian integer at `offset` (not reduced). */
export function readElement(bytes: Uint8Array, offset: number): bigint {
  return BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset + offset, 32).toString("hex")}`);
}

/** Writes `value` (< 2^256) as 32 bytes big-endian at `offset`. */
export function writeElement(bytes: Uint8Array, offset: number, value: bigint): void {
  bytes.set(Buffer.from(value.toString(16).padStart(64, "0"), "hex"), offset);
}

export function elementToBytes(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  writeElement(out, 0, value);
  return out;
}

/** Parses `count` consecutive elements; returns the index of the first non-canonical one (>= r) or -1. */
export function readElements(bytes: Uint8Array, count: number): { values: bigint[]; firstNonCanonical: number } {
  const values = new Array<bigint>(count);
  let firstNonCanonical = -1;
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, count * 32).toString("hex");
  for (let i = 0; i < count; i++) {
    const v = BigInt(`0x${hex.slice(i * 64, i * 64 + 64)}`);
    if (v >= P && firstNonCanonical < 0) firstNonCanonical = i;
    values[i] = v;
  }
  return { values, firstNonCanonical };
}

export function writeElements(values: readonly bigint[]): Uint8Array {
  let hex = "";
  for (const v of values) hex += v.toString(16).padStart(64, "0");
  return new Uint8Array(Buffer.from(hex, "hex"));
}
