/**
 * Chunk verification. All cells of all chunks go into one c-kzg verifyCellKzgProofBatch call (the
 * universal verification equation with a random linear combination); when the batch fails, it is
 * bisected so each bad chunk is found with O(log n) further batches and named with the reason.
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
import type { Kzg } from "./kzg.js";
import { checkCosetLink } from "./link.js";
import { cosetCommitmentsOf, type BlobHeader, type Chunk } from "./types.js";

/** Throws InvalidBlobHeaderError unless the header's commitments are well-formed and linked. */
export function verifyBlobHeader(kzg: Kzg, params: CodingParams, header: BlobHeader, blobIndex = 0): void {
  const commitments = cosetCommitmentsOf(header);
  if (commitments.length !== params.cosets) {
    throw new InvalidBlobHeaderError(
      blobIndex,
      `ratio ${params.ratio} needs ${params.cosets} coset commitment(s), found ${commitments.length}`,
    );
  }
  for (const c of commitments) {
    if (c.length !== BYTES_PER_COMMITMENT) {
      throw new InvalidBlobHeaderError(blobIndex, `a commitment is ${c.length} bytes, not ${BYTES_PER_COMMITMENT}`);
    }
  }
  const reason = checkCosetLink(kzg, params.ratio, commitments, header.link);
  if (reason) throw new InvalidBlobHeaderError(blobIndex, reason);
}

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

type CellClaim = { commitment: Uint8Array; cellIndex: number; cell: Uint8Array; proof: Uint8Array };

function claimsOf(params: CodingParams, header: BlobHeader, chunk: Chunk): CellClaim[] {
  const commitments = cosetCommitmentsOf(header);
  return cellsOfChunk(params, chunk.index).map((cell, i) => ({
    commitment: commitments[Math.floor(cell / CELLS_PER_COSET)]!,
    cellIndex: cell % CELLS_PER_COSET,
    cell: chunk.data.subarray(i * BYTES_PER_CELL, (i + 1) * BYTES_PER_CELL),
    proof: chunk.proofs.subarray(i * BYTES_PER_PROOF, (i + 1) * BYTES_PER_PROOF),
  }));
}

function batchHolds(kzg: Kzg, claims: readonly CellClaim[]): boolean {
  if (claims.length === 0) return true;
  try {
    return kzg.verifyCellKzgProofBatch(
      claims.map((c) => c.commitment),
      claims.map((c) => c.cellIndex),
      claims.map((c) => c.cell),
      claims.map((c) => c.proof),
    );
  } catch {
    // c-kzg throws on bytes that are not field elements / curve points: the batch does not hold.
    return false;
  }
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
