/**
 * The units of work the encoder and decoder hand to a thread: encode one blob, decode one blob from its
 * chunks, verify chunks of one blob. Results are plain data (failures included), so they cross
 * worker_threads unchanged and the caller turns them into typed errors.
 */
import { BYTES_PER_CELL, codingParams, cellsOfChunk } from "./coding.js";
import { encodeBlob, type EncodedBlob } from "./encode-blob.js";
import { InvalidBlobHeaderError } from "./errors.js";
import type { Kzg } from "./kzg.js";
import { recoverBlob } from "./recover.js";
import type { BlobHeader, Chunk } from "./types.js";
import { verifyBlobHeader, verifyChunkBatch } from "./verify.js";

export type CodingOptions = { ratio: number; chunkSize: number };

export type EncodeTask = { kind: "encode"; coding: CodingOptions; blob: Uint8Array };
export type VerifyTask = {
  kind: "verify";
  coding: CodingOptions;
  blobIndex: number;
  header: BlobHeader;
  chunks: Chunk[];
};
export type DecodeTask = {
  kind: "decode";
  coding: CodingOptions;
  blobIndex: number;
  header: BlobHeader;
  chunks: Chunk[];
};
export type Task = EncodeTask | VerifyTask | DecodeTask;

export type Rejection = { index: number; reason: string };
export type VerifyResult = { headerError?: string; verdicts: (string | undefined)[] };
export type DecodeResult =
  | { ok: true; blob: Uint8Array; used: number; rejected: Rejection[] }
  | { ok: false; headerError?: string; valid: number; required: number; rejected: Rejection[]; error?: string };

export type TaskResult<T extends Task> = T extends EncodeTask
  ? EncodedBlob
  : T extends VerifyTask
    ? VerifyResult
    : DecodeResult;

export function runTask<T extends Task>(kzg: Kzg, task: T): TaskResult<T> {
  const params = codingParams(task.coding);
  switch (task.kind) {
    case "encode":
      return encodeBlob(kzg, task.blob, params) as TaskResult<T>;
    case "verify": {
      const headerError = headerProblem(kzg, task);
      if (headerError) return { headerError, verdicts: task.chunks.map(() => headerError) } as TaskResult<T>;
      return { verdicts: verifyChunkBatch(kzg, params, headerFor(task), task.chunks) } as TaskResult<T>;
    }
    case "decode":
      return decode(kzg, task) as TaskResult<T>;
  }
  throw new Error(`unknown task ${(task as { kind: string }).kind}`);
}

function headerFor(task: VerifyTask | DecodeTask) {
  return (blobIndex: number) => (blobIndex === task.blobIndex ? task.header : undefined);
}

function headerProblem(kzg: Kzg, task: VerifyTask | DecodeTask): string | undefined {
  try {
    verifyBlobHeader(kzg, task.header, task.blobIndex);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidBlobHeaderError) return error.message;
    throw error;
  }
}

/**
 * Verifies just enough chunks (systematic ones first, they make recovery free), replacing rejected ones
 * with others until chunksToRecover are valid, then rebuilds the blob and checks it against the commitment.
 */
function decode(kzg: Kzg, task: DecodeTask): DecodeResult {
  const params = codingParams(task.coding);
  const required = params.chunksToRecover;
  const headerError = headerProblem(kzg, task);
  if (headerError) return { ok: false, headerError, valid: 0, required, rejected: [] };
  const rejected: Rejection[] = [];
  const queue = [...task.chunks].sort((a, b) => a.index - b.index);
  const accepted = new Map<number, Chunk>();
  while (accepted.size < required && queue.length > 0) {
    const batch: Chunk[] = [];
    const deferred: Chunk[] = [];
    while (batch.length < required - accepted.size && queue.length > 0) {
      const next = queue.shift()!;
      if (accepted.has(next.index)) continue;
      // Another candidate for the same index is in this batch: keep this one in case that one fails.
      if (batch.some((c) => c.index === next.index)) deferred.push(next);
      else batch.push(next);
    }
    queue.unshift(...deferred);
    const verdicts = verifyChunkBatch(kzg, params, headerFor(task), batch);
    batch.forEach((chunk, i) => {
      const reason = verdicts[i];
      if (reason) rejected.push({ index: chunk.index, reason });
      else accepted.set(chunk.index, chunk);
    });
  }
  if (accepted.size < required) return { ok: false, valid: accepted.size, required, rejected };
  const cells = new Map<number, Uint8Array>();
  for (const chunk of accepted.values()) {
    cellsOfChunk(params, chunk.index).forEach((cell, i) =>
      cells.set(cell, chunk.data.subarray(i * BYTES_PER_CELL, (i + 1) * BYTES_PER_CELL)),
    );
  }
  let blob: Uint8Array;
  try {
    blob = recoverBlob(params, cells);
  } catch (error) {
    return { ok: false, valid: accepted.size, required, rejected, error: (error as Error).message };
  }
  const commitment = kzg.blobToKzgCommitment(blob);
  if (!Buffer.from(commitment).equals(Buffer.from(task.header.commitment))) {
    return { ok: false, valid: accepted.size, required, rejected, error: "rebuilt blob does not match its commitment" };
  }
  return { ok: true, blob, used: accepted.size, rejected };
}

/** The ArrayBuffers a result can hand over without copying. */
export function transferablesOf(result: unknown): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const visit = (v: unknown) => {
    if (v instanceof Uint8Array) {
      if (v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) {
        out.add(v.buffer);
      }
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") Object.values(v).forEach(visit);
  };
  visit(result);
  return [...out];
}
