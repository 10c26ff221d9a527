/**
 * vcloud DA encoding: the public API. See docs/da.md.
 *
 *   encodePayload / decodeChunks / verifyChunks / verifyHeader   in-memory (api.ts)
 *   encodeFile / decodeDir                                       on disk, streaming (files.ts)
 *   assignChunks / proveAssignmentSafe                           stake-proportional chunk assignment
 *   WorkerPool / InlineRunner                                    where the KZG work runs
 */
export { decodeChunks, encodePayload, verifyChunks, verifyHeader } from "./api.js";
export type { EncodedPayload, EncodePayloadOptions, VerifyChunksResult } from "./api.js";
export { assignChunks, proveAssignmentSafe } from "./assignment.js";
export type { Assignment, AssignmentParams, ChunkRange, OperatorStake, SafetyProof, Thresholds } from "./assignment.js";
export { chunkFileName, parseChunk, serializeChunk } from "./chunk-file.js";
export { codingParams, DEFAULT_CHUNK_SIZE, DEFAULT_RATIO, SUPPORTED_RATIOS } from "./coding.js";
export type { CodingParams, CodingRatio } from "./coding.js";
export * from "./errors.js";
export { decodeDir, encodeFile, readManifest } from "./files.js";
export { blobCountFor, blobsToPayload, payloadToBlobs, PAYLOAD_BYTES_PER_BLOB, BYTES_PER_BLOB } from "./framing.js";
export { blobToCommitment, loadKzg } from "./kzg.js";
export { entryToHeader, headerToEntry, manifestSchema, validateManifest } from "./manifest.js";
export type { Manifest, ManifestBlob } from "./manifest.js";
export { defaultWorkerCount, InlineRunner, WorkerPool } from "./pool.js";
export type { PoolOptions, TaskRunner } from "./pool.js";
export type { BlobHeader, Chunk } from "./types.js";
