/** What a verifier needs to check the chunks of one blob. */
export type BlobHeader = {
  /**
   * C: the blob's KZG commitment, byte-identical to c-kzg's blobToKzgCommitment. Every chunk's proofs
   * verify against C: coset 0 under the standard setup, coset k >= 1 under its shifted setup (kzg.ts).
   */
  commitment: Uint8Array;
};

/** One chunk: `cellsPerChunk` consecutive cells of one blob's extension, each with its KZG multiproof. */
export type Chunk = {
  blobIndex: number;
  /** Chunk index within the blob, 0..chunksPerBlob-1. */
  index: number;
  /** The blob commitment C this chunk claims to belong to. */
  commitment: Uint8Array;
  /** cellsPerChunk x 2048 bytes: the chunk's evaluations, 32-byte big-endian field elements. */
  data: Uint8Array;
  /** cellsPerChunk x 48 bytes: one KZG multiproof per cell. */
  proofs: Uint8Array;
};
