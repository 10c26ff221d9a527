/**
 * Streaming encode and decode over a TaskRunner. Blobs are produced and consumed in order with at most
 * 2 x runner.size blobs in flight, so memory stays bounded whatever the payload size.
 */
import { createHash } from "node:crypto";

import { bytesToHex } from "viem";

import type { CodingParams } from "./coding.js";
import type { EncodedBlob } from "./encode-blob.js";
import { InvalidBlobHeaderError, InvalidManifestError, NotEnoughChunksError, ReconstructionError } from "./errors.js";
import { BlobFramer, PayloadUnframer } from "./framing.js";
import { entryToHeader, headerToEntry, MANIFEST_FORMAT, type Manifest } from "./manifest.js";
import type { TaskRunner } from "./pool.js";
import type { DecodeResult, Rejection } from "./tasks.js";
import type { Chunk } from "./types.js";

export type Progress = (done: number, total: number) => void;

/** Runs `produce(i)` for i = 0..count-1 with a bounded window, handing results to `consume` in order. */
async function ordered<T>(
  count: number,
  window: number,
  produce: (i: number) => Promise<T>,
  consume: (i: number, value: T) => Promise<void>,
): Promise<void> {
  const inflight: Promise<T>[] = [];
  let next = 0;
  try {
    for (let i = 0; i < count; i++) {
      while (next < count && next - i < window) inflight.push(produce(next++));
      await consume(i, await inflight[i]!);
      delete inflight[i];
    }
  } finally {
    // Do not leave rejected promises unobserved when an earlier blob failed.
    for (const p of inflight) p?.catch(() => undefined);
  }
}

export type EncodeStreamOptions = {
  params: CodingParams;
  runner: TaskRunner;
  /** Exact payload length (the header announces it before the data arrives). */
  length: number;
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** Receives each blob's encoding, in blob order. */
  onBlob: (blobIndex: number, encoded: EncodedBlob) => Promise<void> | void;
  onProgress?: Progress;
};

/** Frames and encodes a payload stream; returns the manifest. */
export async function encodeStream(options: EncodeStreamOptions): Promise<Manifest> {
  const { params, runner, length } = options;
  const framer = new BlobFramer(length);
  const hash = createHash("sha256");
  const iterator = (
    Symbol.asyncIterator in options.source
      ? (options.source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
      : (options.source as Iterable<Uint8Array>)[Symbol.iterator]()
  ) as AsyncIterator<Uint8Array> | Iterator<Uint8Array>;
  const ready: Uint8Array[] = [];
  let done = false;
  const nextBlob = async (): Promise<Uint8Array> => {
    while (ready.length === 0 && !done) {
      const step = await iterator.next();
      if (step.done) {
        done = true;
        ready.push(...framer.finish());
      } else {
        hash.update(step.value);
        ready.push(...framer.push(step.value));
      }
    }
    return ready.shift()!;
  };
  // Blobs must come off the source in order even though several encodes are in flight.
  let chain: Promise<unknown> = Promise.resolve();
  const nextBlobInOrder = (): Promise<Uint8Array> => {
    const p = chain.then(nextBlob);
    chain = p.catch(() => undefined);
    return p;
  };
  const entries: Manifest["blobs"] = [];
  const coding = { ratio: params.ratio, chunkSize: params.chunkSize };
  await ordered(
    framer.blobCount,
    runner.size * 2,
    async (i) => {
      const blob = await nextBlobInOrder();
      if (!blob) throw new ReconstructionError(`payload ended before blob ${i}`);
      return runner.run({ kind: "encode", coding, blob });
    },
    async (i, encoded) => {
      entries.push(headerToEntry(encoded.header));
      await options.onBlob(i, encoded);
      options.onProgress?.(i + 1, framer.blobCount);
    },
  );
  return {
    format: MANIFEST_FORMAT,
    ratio: params.ratio,
    chunkSize: params.chunkSize,
    chunksPerBlob: params.chunksPerBlob,
    chunksToRecover: params.chunksToRecover,
    payloadLength: length,
    payloadSha256: bytesToHex(hash.digest()),
    blobCount: framer.blobCount,
    chunkCount: framer.blobCount * params.chunksPerBlob,
    blobs: entries,
  };
}

export type DecodeStreamOptions = {
  manifest: Manifest;
  params: CodingParams;
  runner: TaskRunner;
  /** The candidate chunks of a blob, plus those already rejected while reading them. */
  loadChunks: (blobIndex: number) => Promise<{ chunks: Chunk[]; rejected: Rejection[] }>;
  /** Receives the payload bytes in order. */
  sink: (bytes: Uint8Array) => Promise<void> | void;
  onProgress?: Progress;
};

export type DecodeSummary = { usedChunks: number; rejectedChunks: Rejection[] };

/** Verifies, rebuilds and unframes every blob; the payload hash is checked against the manifest at the end. */
export async function decodeStream(options: DecodeStreamOptions): Promise<DecodeSummary> {
  const { manifest, params, runner } = options;
  const unframer = new PayloadUnframer(manifest.blobCount, manifest.payloadLength);
  const hash = createHash("sha256");
  const coding = { ratio: params.ratio, chunkSize: params.chunkSize };
  let usedChunks = 0;
  const rejectedChunks: Rejection[] = [];
  await ordered(
    manifest.blobCount,
    runner.size * 2,
    async (i): Promise<DecodeResult & { readRejected: Rejection[] }> => {
      const { chunks, rejected } = await options.loadChunks(i);
      const header = entryToHeader(manifest.blobs[i]!);
      const result = await runner.run({ kind: "decode", coding, blobIndex: i, header, chunks });
      return { ...result, readRejected: rejected };
    },
    async (i, result) => {
      const rejected = [...result.readRejected, ...result.rejected];
      if (!result.ok) {
        if (result.headerError)
          throw new InvalidBlobHeaderError(i, result.headerError.replace(/^blob \d+: invalid header: /, ""));
        if (result.error) throw new ReconstructionError(`blob ${i}: ${result.error}`);
        throw new NotEnoughChunksError(i, result.valid, result.required, rejected.length);
      }
      usedChunks += result.used;
      rejectedChunks.push(...rejected);
      const bytes = unframer.push(result.blob);
      hash.update(bytes);
      await options.sink(bytes);
      options.onProgress?.(i + 1, manifest.blobCount);
    },
  );
  unframer.finish();
  const digest = bytesToHex(hash.digest());
  if (digest !== manifest.payloadSha256.toLowerCase()) {
    throw new InvalidManifestError(
      "manifest payloadSha256",
      `says ${manifest.payloadSha256}, decoded payload hashes to ${digest}`,
    );
  }
  return { usedChunks, rejectedChunks };
}
