/**
 * The in-memory library API (what DA nodes and the disperser use): encode a payload into chunks, verify
 * chunks against a manifest, decode a payload from any sufficient set of chunks. Pass a WorkerPool as
 * `runner` to spread the work over threads; by default it runs on the calling thread.
 */
import { codingParams } from "./coding.js";
import { chunksOf } from "./encode-blob.js";
import { InvalidBlobHeaderError } from "./errors.js";
import { entryToHeader, validateManifest, type Manifest } from "./manifest.js";
import { decodeStream, encodeStream, type DecodeSummary, type Progress } from "./pipeline.js";
import { InlineRunner, type TaskRunner } from "./pool.js";
import type { BlobHeader, Chunk } from "./types.js";

export type EncodePayloadOptions = {
  /** Coding ratio 2, 4 or 8 (default 8). */
  ratio?: number;
  /** Field elements per chunk: 64 (default) .. 4096, a power of two. */
  chunkSize?: number;
  runner?: TaskRunner;
  onProgress?: Progress;
};

export type EncodedPayload = {
  manifest: Manifest;
  /** Verified-form headers, one per blob. */
  headers: BlobHeader[];
  /** chunks[blobIndex][chunkIndex]. */
  chunks: Chunk[][];
};

let inline: InlineRunner | undefined;
function runnerOf(runner?: TaskRunner): TaskRunner {
  return runner ?? (inline ??= new InlineRunner());
}

export async function encodePayload(payload: Uint8Array, options: EncodePayloadOptions = {}): Promise<EncodedPayload> {
  const params = codingParams(options);
  const headers: BlobHeader[] = [];
  const chunks: Chunk[][] = [];
  const manifest = await encodeStream({
    params,
    runner: runnerOf(options.runner),
    length: payload.length,
    source: [payload],
    onBlob: (i, encoded) => {
      headers.push(encoded.header);
      chunks.push(chunksOf(encoded, params, i));
    },
    onProgress: options.onProgress,
  });
  return { manifest, headers, chunks };
}

export type VerifyChunksResult = {
  valid: Chunk[];
  rejected: { chunk: Chunk; reason: string }[];
};

/**
 * Checks each chunk's multiproofs (batched per blob and coset) against the manifest's commitments, after
 * checking that each involved blob's commitment is a G1 point. A chunk naming an unknown blob is rejected.
 */
export async function verifyChunks(
  manifestRaw: unknown,
  chunks: readonly Chunk[],
  options: { runner?: TaskRunner } = {},
): Promise<VerifyChunksResult> {
  const { manifest, params } = validateManifest(manifestRaw);
  const runner = runnerOf(options.runner);
  const byBlob = new Map<number, { at: number; chunk: Chunk }[]>();
  chunks.forEach((chunk, at) => {
    const list = byBlob.get(chunk.blobIndex) ?? [];
    list.push({ at, chunk });
    byBlob.set(chunk.blobIndex, list);
  });
  const verdicts: (string | undefined)[] = new Array(chunks.length).fill(undefined);
  await Promise.all(
    [...byBlob].map(async ([blobIndex, list]) => {
      const entry = Number.isInteger(blobIndex) ? manifest.blobs[blobIndex] : undefined;
      if (!entry) {
        for (const { at } of list) verdicts[at] = `blob ${blobIndex} is not in the manifest`;
        return;
      }
      const result = await runner.run({
        kind: "verify",
        coding: { ratio: params.ratio, chunkSize: params.chunkSize },
        blobIndex,
        header: entryToHeader(entry),
        chunks: list.map((l) => l.chunk),
      });
      list.forEach(({ at }, i) => (verdicts[at] = result.verdicts[i]));
    }),
  );
  const result: VerifyChunksResult = { valid: [], rejected: [] };
  chunks.forEach((chunk, at) => {
    const reason = verdicts[at];
    if (reason) result.rejected.push({ chunk, reason });
    else result.valid.push(chunk);
  });
  return result;
}

/** Checks one blob header (its commitment is a G1 point) on the calling runner; throws InvalidBlobHeaderError. */
export async function verifyHeader(
  manifestRaw: unknown,
  blobIndex: number,
  options: { runner?: TaskRunner } = {},
): Promise<void> {
  const { manifest, params } = validateManifest(manifestRaw);
  const entry = manifest.blobs[blobIndex];
  if (!entry) throw new InvalidBlobHeaderError(blobIndex, "not in the manifest");
  const result = await runnerOf(options.runner).run({
    kind: "verify",
    coding: { ratio: params.ratio, chunkSize: params.chunkSize },
    blobIndex,
    header: entryToHeader(entry),
    chunks: [],
  });
  if (result.headerError) throw new InvalidBlobHeaderError(blobIndex, result.headerError);
}

/**
 * Rebuilds the payload from whatever chunks are given (any 1/ratio of each blob's chunks suffices).
 * Chunks whose proof fails are rejected and never influence the output; too few valid chunks for a blob
 * raises NotEnoughChunksError naming how many are missing.
 */
export async function decodeChunks(
  manifestRaw: unknown,
  chunks: readonly Chunk[],
  options: { runner?: TaskRunner; onProgress?: Progress } = {},
): Promise<{ payload: Uint8Array } & DecodeSummary> {
  const { manifest, params } = validateManifest(manifestRaw);
  const byBlob = new Map<number, Chunk[]>();
  for (const chunk of chunks) {
    const list = byBlob.get(chunk.blobIndex) ?? [];
    list.push(chunk);
    byBlob.set(chunk.blobIndex, list);
  }
  const parts: Uint8Array[] = [];
  const summary = await decodeStream({
    manifest,
    params,
    runner: runnerOf(options.runner),
    loadChunks: async (i) => ({ chunks: byBlob.get(i) ?? [], rejected: [] }),
    sink: (bytes) => void parts.push(bytes),
    onProgress: options.onProgress,
  });
  return { payload: new Uint8Array(Buffer.concat(parts)), ...summary };
}
