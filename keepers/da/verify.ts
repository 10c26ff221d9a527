/**
 * Chunk verification. Every cell is checked against the blob commitment C: cells of coset 0 under the
 * standard setup, cells of coset k >= 1 under coset k's shifted setup (kzg.ts). All cells of one coset go
 * into one c-kzg verifyCellKzgProofBatch call (the universal verification equation with a random linear
 * combination); when a batch fails, it is bisected so each bad chunk is found with O(log n) further
 * batches and named with the reason.
 */
import {
  BYTES_PER_CELL,
  BYTES_PER_COMMITMENT,
  BYTES_PER_PROOF,
  CELLS_PER_COSET,
  type CodingParams,
  cellsOfChunk,
} from "./coding.js";
import { InvalidBlobHeaderError } from "./errors.js";
import { kzgForCoset, type Kzg } from "./kzg.js";
import type { BlobHeader, Chunk } from "./types.js";

/**
 * Throws InvalidBlobHeaderError unless the header's commitment is a 48-byte compressed G1 point (the
 * manifest schema checks the length already; this also catches bytes that are not a point).
 */
export function verifyBlobHeader(kzg: Kzg, header: BlobHeader, blobIndex = 0): void {
  if (header.commitment.length !== BYTES_PER_COMMITMENT) {
    throw new InvalidBlobHeaderError(
      blobIndex,
      `the commitment is ${header.commitment.length} bytes, not ${BYTES_PER_COMMITMENT}`,
    );
  }
  try {
    // A proof of C at z = 0 can only be checked if C decodes: c-kzg throws on bytes that are not a G1 point.
    kzg.verifyKzgProof(header.commitment, new Uint8Array(32), new Uint8Array(32), G1_GENERATOR_COMPRESSED);
  } catch (error) {
    throw new InvalidBlobHeaderError(blobIndex, `the commitment is not a G1 point: ${(error as Error).message}`);
  }
}

/** The compressed BLS12-381 G1 generator (any valid point serves as the dummy proof above). */
const G1_GENERATOR_COMPRESSED = Uint8Array.from(
  Buffer.from(
    "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb",
    "hex",
  ),
);

/** Structural checks that need no cryptography; returns why the chunk is malformed, if it is. */
export function chunkShapeError(params: CodingParams, header: BlobHeader, chunk: Chunk): string | undefined {
  if (!Number.isInteger(chunk.index) || chunk.index < 0 || chunk.index >= params.chunksPerBlob) {
    return `chunk index ${chunk.index} outside 0..${params.chunksPerBlob - 1}`;
  }
  if (chunk.data.length !== params.chunkDataBytes) {
    return `chunk data is ${chunk.data.length} bytes, expected ${params.chunkDataBytes}`;
  }
  if (chunk.proofs.length !== params.cellsPerChunk * BYTES_PER_PROOF) {
    return `chunk proofs are ${chunk.proofs.length} bytes, expected ${params.cellsPerChunk * BYTES_PER_PROOF}`;
  }
  if (!Buffer.from(chunk.commitment).equals(Buffer.from(header.commitment))) {
    return "chunk belongs to another blob (commitment differs)";
  }
  return undefined;
}

type CellClaim = { coset: number; commitment: Uint8Array; cellIndex: number; cell: Uint8Array; proof: Uint8Array };

function claimsOf(params: CodingParams, header: BlobHeader, chunk: Chunk): CellClaim[] {
  return cellsOfChunk(params, chunk.index).map((cell, i) => ({
    coset: Math.floor(cell / CELLS_PER_COSET),
    commitment: header.commitment,
    cellIndex: cell % CELLS_PER_COSET,
    cell: chunk.data.subarray(i * BYTES_PER_CELL, (i + 1) * BYTES_PER_CELL),
    proof: chunk.proofs.subarray(i * BYTES_PER_PROOF, (i + 1) * BYTES_PER_PROOF),
  }));
}

/** One batch per coset, each under that coset's setup; holds when every batch holds. */
function batchHolds(kzg: Kzg, ratio: number, claims: readonly CellClaim[]): boolean {
  const byCoset = new Map<number, CellClaim[]>();
  for (const c of claims) {
    const group = byCoset.get(c.coset);
    if (group) group.push(c);
    else byCoset.set(c.coset, [c]);
  }
  for (const [coset, group] of byCoset) {
    const setup = coset === 0 ? kzg : kzgForCoset(ratio, coset, "verify");
    try {
      const holds = setup.verifyCellKzgProofBatch(
        group.map((c) => c.commitment),
        group.map((c) => c.cellIndex),
        group.map((c) => c.cell),
        group.map((c) => c.proof),
      );
      if (!holds) return false;
    } catch {
      // c-kzg throws on bytes that are not field elements / curve points: the batch does not hold.
      return false;
    }
  }
  return true;
}

/**
 * Verifies chunks (of one or more blobs) against their headers, which must already have passed
 * verifyBlobHeader. Returns, per chunk in order, undefined when valid or the reason it was rejected.
 */
export function verifyChunkBatch(
  kzg: Kzg,
  params: CodingParams,
  headerOf: (blobIndex: number) => BlobHeader | undefined,
  chunks: readonly Chunk[],
): (string | undefined)[] {
  const verdicts: (string | undefined)[] = new Array(chunks.length).fill(undefined);
  const candidates: { at: number; claims: CellClaim[] }[] = [];
  chunks.forEach((chunk, at) => {
    const header = headerOf(chunk.blobIndex);
    if (!header) {
      verdicts[at] = `no header for blob ${chunk.blobIndex}`;
      return;
    }
    const shape = chunkShapeError(params, header, chunk);
    if (shape) verdicts[at] = shape;
    else candidates.push({ at, claims: claimsOf(params, header, chunk) });
  });
  const bisect = (group: typeof candidates): void => {
    if (
      group.length === 0 ||
      batchHolds(
        kzg,
        params.ratio,
        group.flatMap((g) => g.claims),
      )
    )
      return;
    if (group.length === 1) {
      verdicts[group[0]!.at] = "KZG multiproof does not verify (data, proof or index corrupted)";
      return;
    }
    const half = group.length >> 1;
    bisect(group.slice(0, half));
    bisect(group.slice(half));
  };
  bisect(candidates);
  return verdicts;
}
