/**
 * The on-disk form used by `vcloud da encode/decode`: DIR/manifest.json and one file per chunk under
 * DIR/chunks/. Both directions stream blob by blob; decode writes to a temporary file and renames it only
 * when the whole payload was rebuilt and its hash matched.
 */
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

import { InvalidInputError } from "../lib/errors.js";
import { codingParams } from "./coding.js";
import { chunkFileName, parseChunk, parseChunkFileName, serializeChunk } from "./chunk-file.js";
import { chunksOf } from "./encode-blob.js";
import { InvalidChunkError, InvalidManifestError } from "./errors.js";
import { PAYLOAD_BYTES_PER_BLOB } from "./framing.js";
import { validateManifest, type Manifest } from "./manifest.js";
import { decodeStream, encodeStream, type Progress } from "./pipeline.js";
import type { TaskRunner } from "./pool.js";
import type { Rejection } from "./tasks.js";

export type EncodeFileResult = {
  manifestPath: string;
  manifest: Manifest;
};

export async function encodeFile(options: {
  input: string;
  outDir: string;
  ratio?: number;
  chunkSize?: number;
  runner: TaskRunner;
  onProgress?: Progress;
}): Promise<EncodeFileResult> {
  const params = codingParams(options);
  const info = await stat(options.input).catch((error: NodeJS.ErrnoException) => {
    throw new InvalidInputError("FILE", `cannot read ${options.input}: ${error.code ?? error.message}`);
  });
  if (!info.isFile()) throw new InvalidInputError("FILE", `${options.input} is not a regular file`);
  const chunkDir = join(options.outDir, "chunks");
  await mkdir(chunkDir, { recursive: true });
  const source = createReadStream(options.input, { highWaterMark: PAYLOAD_BYTES_PER_BLOB });
  const manifest = await encodeStream({
    params,
    runner: options.runner,
    length: info.size,
    source: source as AsyncIterable<Buffer>,
    onBlob: async (blobIndex, encoded) => {
      const chunks = chunksOf(encoded, params, blobIndex);
      await Promise.all(
        chunks.map((chunk) =>
          writeFile(join(chunkDir, chunkFileName(blobIndex, chunk.index)), serializeChunk(chunk, params.ratio)),
        ),
      );
    },
    onProgress: options.onProgress,
  });
  const manifestPath = join(options.outDir, "manifest.json");
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifestPath, manifest };
}

export type DecodeDirResult = {
  manifest: Manifest;
  output: string;
  bytes: number;
  usedChunks: number;
  rejectedChunks: Rejection[];
  chunkFilesFound: number;
};

export async function readManifest(dir: string): Promise<ReturnType<typeof validateManifest>> {
  const path = join(dir, "manifest.json");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new InvalidInputError(
      "DIR",
      `no readable manifest.json in ${dir} (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InvalidManifestError("manifest.json", `not JSON: ${(error as Error).message}`);
  }
  return validateManifest(raw, "manifest.json");
}

export async function decodeDir(options: {
  dir: string;
  output: string;
  runner: TaskRunner;
  onProgress?: Progress;
}): Promise<DecodeDirResult> {
  const { manifest, params } = await readManifest(options.dir);
  const chunkDir = join(options.dir, "chunks");
  const names = await readdir(chunkDir).catch(() => [] as string[]);
  const filesByBlob = new Map<number, string[]>();
  for (const name of names) {
    const parsed = parseChunkFileName(name);
    if (!parsed) continue;
    const list = filesByBlob.get(parsed.blobIndex) ?? [];
    list.push(name);
    filesByBlob.set(parsed.blobIndex, list);
  }
  const tmp = join(dirname(options.output), `.${basename(options.output)}.${process.pid}.partial`);
  const handle = await open(tmp, "w").catch((error: NodeJS.ErrnoException) => {
    throw new InvalidInputError("--out", `cannot write next to ${options.output}: ${error.code ?? error.message}`);
  });
  let bytes = 0;
  try {
    const summary = await decodeStream({
      manifest,
      params,
      runner: options.runner,
      loadChunks: async (blobIndex) => {
        const rejected: Rejection[] = [];
        const chunks = [];
        for (const name of filesByBlob.get(blobIndex) ?? []) {
          const fileIndex = parseChunkFileName(name)!.chunkIndex;
          try {
            const { chunk } = parseChunk(await readFile(join(chunkDir, name)), params, `chunk file ${name}`);
            if (chunk.blobIndex !== blobIndex) {
              throw new InvalidChunkError(`chunk file ${name}`, `header says blob ${chunk.blobIndex}`);
            }
            chunks.push(chunk);
          } catch (error) {
            if (!(error instanceof InvalidChunkError)) throw error;
            rejected.push({ index: fileIndex, reason: error.message });
          }
        }
        return { chunks, rejected };
      },
      sink: async (piece) => {
        await handle.write(piece);
        bytes += piece.length;
      },
      onProgress: options.onProgress,
    });
    await handle.close();
    await rename(tmp, options.output);
    return {
      manifest,
      output: options.output,
      bytes,
      usedChunks: summary.usedChunks,
      rejectedChunks: summary.rejectedChunks,
      chunkFilesFound: names.filter((n) => parseChunkFileName(n)).length,
    };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw error;
  }
}
