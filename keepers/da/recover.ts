/**
 * The erasure decoder: rebuilds a blob from ANY 64 of its cells, wherever they lie in the N = 4096 * R point
 * domain (c-kzg's own recovery only works within one 8192-point coset). Method (zero polynomial):
 *
 *   Z(X) = prod over missing cells (X^64 - a_cell) = Z'(X^64), where Z'(Y) = (Y^M - 1) / prod_present (Y - a)
 *   (pZ)(x) = E(x) Z(x) on the domain, with E the known evaluations (0 where missing)
 *   pZ's coefficients by an inverse FFT; evaluate pZ and Z on the 4096 points sigma * w4096^i, where Z has
 *   no roots; divide; interpolate back to p's coefficients; evaluate on the blob domain.
 *
 * Cells are 64-point cosets, so Z' has degree <= M = N / 64 and every division is by M distinct values.
 * Cost: one N-point FFT plus a few 4096-point FFTs of bigints.
 */
import { BYTES_PER_CELL, type CodingParams, cellPointExponents, FIELD_ELEMENTS_PER_CELL } from "./coding.js";
import { ReconstructionError } from "./errors.js";
import {
  batchInverse,
  bitReverse,
  BLS_MODULUS,
  fft,
  inv,
  mul,
  pow,
  readElements,
  rootsOfUnity,
  scaleCoefficients,
  sub,
  writeElements,
} from "./field.js";

const SYSTEMATIC_CELLS = 64;
/** A shift outside every evaluation domain (7 generates the multiplicative group). */
const SIGMA = 7n;

/**
 * Rebuilds the blob (131,072 bytes, EIP-4844 order) from cells keyed by global cell index. The cells must
 * already be verified; at least 64 distinct cells are needed. Only the first 64 given are used.
 */
export function recoverBlob(params: CodingParams, cells: ReadonlyMap<number, Uint8Array>): Uint8Array {
  if (cells.size < SYSTEMATIC_CELLS) {
    throw new ReconstructionError(`need ${SYSTEMATIC_CELLS} cells to rebuild a blob, have ${cells.size}`);
  }
  // Fast path: cells 0..63 of coset 0 are the blob itself (PeerDAS extensions are systematic).
  let systematic = true;
  for (let c = 0; c < SYSTEMATIC_CELLS && systematic; c++) systematic = cells.has(c);
  if (systematic) {
    const blob = new Uint8Array(SYSTEMATIC_CELLS * BYTES_PER_CELL);
    for (let c = 0; c < SYSTEMATIC_CELLS; c++) blob.set(cells.get(c)!, c * BYTES_PER_CELL);
    return blob;
  }

  const N = 4096 * params.ratio;
  const M = N / FIELD_ELEMENTS_PER_CELL;
  const used = [...cells.keys()].sort((a, b) => a - b).slice(0, SYSTEMATIC_CELLS);
  const rootsM = rootsOfUnity(M);

  // E on the N-point domain (natural order), and the present cells' points a = x^64 (M-th roots).
  const E = new Array<bigint>(N).fill(0n);
  const presentA: bigint[] = [];
  for (const cell of used) {
    const exps = cellPointExponents(params.ratio, cell);
    const { values, firstNonCanonical } = readElements(cells.get(cell)!, FIELD_ELEMENTS_PER_CELL);
    if (firstNonCanonical >= 0) throw new ReconstructionError(`cell ${cell} holds a non-canonical element`);
    for (let j = 0; j < FIELD_ELEMENTS_PER_CELL; j++) E[exps[j]!] = values[j]!;
    presentA.push(rootsM[exps[0]! % M]!); // (g^e)^64 = g_M^e
  }

  // Z'(Y) = (Y^M - 1) / prod_present (Y - a): build the divisor, then synthetic division.
  let divisor: bigint[] = [1n]; // coefficients, low degree first
  for (const a of presentA) {
    const next = new Array<bigint>(divisor.length + 1).fill(0n);
    for (let i = 0; i < divisor.length; i++) {
      next[i + 1] = (next[i + 1]! + divisor[i]!) % BLS_MODULUS;
      next[i] = sub(next[i]!, mul(divisor[i]!, a));
    }
    divisor = next;
  }
  const zPrime = divideMonicInto(M, divisor); // degree M - 64, length M - 63

  // Z on the N-domain: Z(g^e) = Z'(g_M^(e mod M)); evaluate Z' on the M-domain once.
  const zPrimePadded = [...zPrime, ...new Array<bigint>(M - zPrime.length).fill(0n)];
  const zOnM = fft(zPrimePadded);
  const EZ = new Array<bigint>(N);
  for (let e = 0; e < N; e++) EZ[e] = E[e] === 0n ? 0n : mul(E[e]!, zOnM[e % M]!);
  const pzCoeffs = fft(EZ, true);

  // Evaluate pZ at sigma * w4096^i (i < 4096): fold the sigma-scaled coefficients mod 4096, then FFT.
  const folded = new Array<bigint>(4096).fill(0n);
  let f = 1n;
  for (let i = 0; i < N; i++) {
    const c = pzCoeffs[i]!;
    if (c !== 0n) folded[i & 4095] = (folded[i & 4095]! + c * f) % BLS_MODULUS;
    f = (f * SIGMA) % BLS_MODULUS;
  }
  const pzShifted = fft(folded);
  // Z(sigma x) for x^4096 = 1: Z'(sigma^64 x^64) where x^64 runs over the 64-th roots of unity.
  const sigma64 = pow(SIGMA, 64n);
  const zShifted = new Array<bigint>(64);
  const roots64 = rootsOfUnity(64);
  for (let t = 0; t < 64; t++) zShifted[t] = evalPoly(zPrime, mul(sigma64, roots64[t]!));
  const zInv = batchInverse(zShifted);
  // x = w4096^i has x^64 = w64^(i mod 64).
  const pShifted = pzShifted.map((v, i) => mul(v, zInv[i & 63]!));
  const pCoeffs = scaleCoefficients(fft(pShifted, true), inv(SIGMA));
  const blobValues = bitReverse(fft(pCoeffs));
  return writeElements(blobValues);
}

/** Quotient of (Y^M - 1) by the monic `divisor` (low degree first); the division must be exact. */
function divideMonicInto(M: number, divisor: readonly bigint[]): bigint[] {
  const d = divisor.length - 1;
  const rem = new Array<bigint>(M + 1).fill(0n);
  rem[M] = 1n;
  rem[0] = BLS_MODULUS - 1n;
  const q = new Array<bigint>(M - d + 1).fill(0n);
  for (let i = M - d; i >= 0; i--) {
    const coef = rem[i + d]!;
    q[i] = coef;
    if (coef === 0n) continue;
    for (let j = 0; j <= d; j++) rem[i + j] = sub(rem[i + j]!, mul(coef, divisor[j]!));
  }
  for (let i = 0; i < d; i++) {
    if (rem[i] !== 0n) throw new ReconstructionError("cell points are not distinct roots of unity");
  }
  return q;
}

function evalPoly(coeffs: readonly bigint[], x: bigint): bigint {
  let acc = 0n;
  for (let i = coeffs.length - 1; i >= 0; i--) acc = (acc * x + coeffs[i]!) % BLS_MODULUS;
  return acc;
}
