import type { CosetLink } from "./link.js";

/** What a verifier needs to check the chunks of one blob. */
export type BlobHeader = {
  /** C = C_0: the blob's KZG commitment, byte-identical to c-kzg's blobToKzgCommitment. */
  commitment: Uint8Array;
  /** C_1..C_{R/2-1}: commitments of the coset polynomials q_k(x) = p(g^k x) (empty for ratio 2). */
  cosetCommitments: Uint8Array[];
  /** Proof that every C_k is the shift of C (null for ratio 2). */
  link: CosetLink | null;
};

/** One chunk: `cellsPerChunk` consecutive cells of one blob's extension, each with its KZG multiproof. */
export type Chunk = {
  blobIndex: number;
  /** Chunk index within the blob, 0..chunksPerBlob-1. */
  index: number;
  /** The blob commitment C_0 this chunk claims to belong to. */
  commitment: Uint8Array;
  /** cellsPerChunk x 2048 bytes: the chunk's evaluations, 32-byte big-endian field elements. */
  data: Uint8Array;
  /** cellsPerChunk x 48 bytes: one KZG multiproof per cell. */
  proofs: Uint8Array;
};

/** The commitments for all R/2 cosets, coset 0 first. */
export function cosetCommitmentsOf(header: BlobHeader): Uint8Array[] {
  return [header.commitment, ...header.cosetCommitments];
}
