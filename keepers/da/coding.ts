/**
 * Erasure-coding geometry. A blob is the polynomial p (degree < 4096) whose evaluations on the 4096-point
 * domain are the blob's elements (EIP-4844). Coding ratio R extends it to N = 4096 * R evaluation points:
 * the N-th roots of unity, split into R/2 cosets g^k * H of PeerDAS's 8192-point domain H (g a primitive
 * N-th root). On coset k the blob is the PeerDAS extension of q_k(x) = p(g^k x), so c-kzg's
 * computeCellsAndKzgProofs gives its 128 cells (64 elements each) with KZG multiproofs against the commitment
 * of q_k. Cells are numbered coset-major (cell = 128 k + c); a chunk is `cellsPerChunk` consecutive cells.
 * Any 4096 of the N points determine p, so any 1/R of the chunks rebuilds the blob.
 */
import { InvalidCodingParamsError } from "./errors.js";
import { bitReversalPermutation, pow, rootOfUnity } from "./field.js";

export const SUPPORTED_RATIOS = [2, 4, 8] as const;
export type CodingRatio = (typeof SUPPORTED_RATIOS)[number];
export const DEFAULT_RATIO: CodingRatio = 8;
export const FIELD_ELEMENTS_PER_CELL = 64;
export const BYTES_PER_CELL = FIELD_ELEMENTS_PER_CELL * 32;
export const CELLS_PER_COSET = 128;
export const BYTES_PER_PROOF = 48;
export const BYTES_PER_COMMITMENT = 48;
/** Chunk sizes in field elements: 64 (one cell) up to 4096 (64 cells), powers of two. */
export const CHUNK_SIZES = [64, 128, 256, 512, 1024, 2048, 4096] as const;
export const DEFAULT_CHUNK_SIZE = 64;

/** Validated coding parameters with everything derived from them. */
export type CodingParams = {
  ratio: CodingRatio;
  /** Field elements per chunk (a multiple of 64). */
  chunkSize: number;
  cellsPerChunk: number;
  /** R / 2 cosets of the 8192-point domain. */
  cosets: number;
  cellsPerBlob: number;
  chunksPerBlob: number;
  /** Chunks needed to rebuild a blob: chunksPerBlob / ratio. */
  chunksToRecover: number;
  /** Bytes of one chunk's cell data. */
  chunkDataBytes: number;
};

export function codingParams(options: { ratio?: number; chunkSize?: number } = {}): CodingParams {
  const ratio = options.ratio ?? DEFAULT_RATIO;
  if (!(SUPPORTED_RATIOS as readonly number[]).includes(ratio)) {
    throw new InvalidCodingParamsError("ratio", `must be one of ${SUPPORTED_RATIOS.join(", ")}, got ${ratio}`);
  }
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!(CHUNK_SIZES as readonly number[]).includes(chunkSize)) {
    throw new InvalidCodingParamsError(
      "chunk size",
      `must be one of ${CHUNK_SIZES.join(", ")} field elements, got ${chunkSize}`,
    );
  }
  const cellsPerChunk = chunkSize / FIELD_ELEMENTS_PER_CELL;
  const cosets = ratio / 2;
  const cellsPerBlob = cosets * CELLS_PER_COSET;
  const chunksPerBlob = cellsPerBlob / cellsPerChunk;
  return {
    ratio: ratio as CodingRatio,
    chunkSize,
    cellsPerChunk,
    cosets,
    cellsPerBlob,
    chunksPerBlob,
    chunksToRecover: chunksPerBlob / ratio,
    chunkDataBytes: cellsPerChunk * BYTES_PER_CELL,
  };
}

/** The global cell indices (coset-major) of chunk `chunkIndex`. */
export function cellsOfChunk(params: CodingParams, chunkIndex: number): number[] {
  const first = chunkIndex * params.cellsPerChunk;
  return Array.from({ length: params.cellsPerChunk }, (_, i) => first + i);
}

export function splitCell(cell: number): { coset: number; cellInCoset: number } {
  return { coset: Math.floor(cell / CELLS_PER_COSET), cellInCoset: cell % CELLS_PER_COSET };
}

/** g^k: the shift of coset k in the N = 4096 * ratio point domain. */
export function cosetShift(ratio: number, coset: number): bigint {
  return pow(rootOfUnity(4096 * ratio), BigInt(coset));
}

/**
 * Exponent e (of the primitive N-th root g) of the j-th evaluation point of a global cell: cell c of coset k
 * holds, in order, q_k at the PeerDAS points w^brp13(64c + j) of the 8192-point domain (w = g^(R/2)).
 */
export function cellPointExponents(ratio: number, cell: number): number[] {
  const { coset, cellInCoset } = splitCell(cell);
  const brp = bitReversalPermutation(8192);
  const cosets = ratio / 2;
  return Array.from(
    { length: FIELD_ELEMENTS_PER_CELL },
    (_, j) => coset + cosets * brp[cellInCoset * FIELD_ELEMENTS_PER_CELL + j]!,
  );
}
