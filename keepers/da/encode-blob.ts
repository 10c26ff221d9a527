/**
 * Encodes one blob: its commitment C and the R/2 coset extensions with their cells and multiproofs (c-kzg).
 * Coset k >= 1 is q_k(x) = p(g^k x) proven under the shifted setup for g^k (kzg.ts), so every proof verifies
 * against C itself: no coset commitments, no link proof. Runs in whichever thread calls it (a pool worker in
 * the file pipeline).
 */
import { BYTES_PER_CELL, BYTES_PER_PROOF, type CodingParams, cosetShift } from "./coding.js";
import { InvalidBlobError } from "./errors.js";
import { bitReverse, fft, readElements, scaleCoefficients, writeElements } from "./field.js";
import { assertCanonicalBlob } from "./framing.js";
import { kzgForCoset, type Kzg } from "./kzg.js";
import type { BlobHeader, Chunk } from "./types.js";

/** A blob's header and all its cells/proofs in flat buffers (cheap to move between threads). */
export type EncodedBlob = {
  header: BlobHeader;
  /** cellsPerBlob x 2048 bytes, coset-major. */
  cells: Uint8Array;
  /** cellsPerBlob x 48 bytes. */
  proofs: Uint8Array;
};

/** `kzg` is this thread's standard-setup instance (coset 0); shifted setups come from kzgForCoset. */
export function encodeBlob(kzg: Kzg, blob: Uint8Array, params: CodingParams): EncodedBlob {
  assertCanonicalBlob(blob);
  const m = params.cosets;
  const cells = new Uint8Array(params.cellsPerBlob * BYTES_PER_CELL);
  const proofs = new Uint8Array(params.cellsPerBlob * BYTES_PER_PROOF);
  const addCoset = (k: number, setup: Kzg, cosetBlob: Uint8Array) => {
    const [cs, ps] = setup.computeCellsAndKzgProofs(cosetBlob);
    for (let c = 0; c < cs.length; c++) {
      cells.set(cs[c]!, (k * 128 + c) * BYTES_PER_CELL);
      proofs.set(ps[c]!, (k * 128 + c) * BYTES_PER_PROOF);
    }
  };
  let commitment: Uint8Array;
  try {
    commitment = kzg.blobToKzgCommitment(blob);
    addCoset(0, kzg, blob);
  } catch (error) {
    throw new InvalidBlobError("blob", (error as Error).message, { cause: error });
  }
  if (m > 1) {
    // p's coefficients from its evaluations (blob order is bit-reversed), then q_k = p(g^k x) on the
    // 4096-point domain, again in bit-reversed order.
    const { values } = readElements(blob, 4096);
    const coeffs = fft(bitReverse(values), true);
    for (let k = 1; k < m; k++) {
      const shifted = bitReverse(fft(scaleCoefficients(coeffs, cosetShift(params.ratio, k))));
      addCoset(k, kzgForCoset(params.ratio, k), writeElements(shifted));
    }
  }
  return { header: { commitment }, cells, proofs };
}

/** Cuts an encoded blob into its chunks. */
export function chunksOf(encoded: EncodedBlob, params: CodingParams, blobIndex: number): Chunk[] {
  const dataBytes = params.cellsPerChunk * BYTES_PER_CELL;
  const proofBytes = params.cellsPerChunk * BYTES_PER_PROOF;
  return Array.from({ length: params.chunksPerBlob }, (_, index) => ({
    blobIndex,
    index,
    commitment: encoded.header.commitment,
    data: encoded.cells.subarray(index * dataBytes, (index + 1) * dataBytes),
    proofs: encoded.proofs.subarray(index * proofBytes, (index + 1) * proofBytes),
  }));
}
