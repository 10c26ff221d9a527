import { readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { resolve } from "node:path";

import type { Command } from "commander";
import { bytesToHex } from "viem";
import { z } from "zod";

import { blobCountFor, BYTES_PER_BLOB } from "../../da/framing.js";
import { DEFAULT_PRECOMPUTE, blobToCommitment, loadKzg } from "../../da/kzg.js";
import { decodeDir, encodeFile, readManifest } from "../../da/files.js";
import { defaultWorkerCount, WorkerPool } from "../../da/pool.js";
import { parseOptions } from "../../lib/config.js";
import { InvalidInputError } from "../../lib/errors.js";
import { action, type CommandContext } from "../context.js";

type Bar = { start(total: number, value: number): void; update(value: number): void; stop(): void };
const require = createRequire(import.meta.url);

/** A cli-progress bar on stderr when it is a terminal and the job is large; otherwise nothing. */
function progressBar(label: string): { onProgress: (done: number, total: number) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { onProgress: () => undefined, stop: () => undefined };
  const { SingleBar, Presets } = require("cli-progress") as {
    SingleBar: new (options: object, preset: object) => Bar;
    Presets: { shades_classic: object };
  };
  let bar: Bar | undefined;
  return {
    onProgress: (done, total) => {
      if (!bar && total >= 4) {
        bar = new SingleBar(
          { format: `${label} [{bar}] {value}/{total} blobs | {percentage}% | ETA {eta}s`, stream: process.stderr },
          Presets.shades_classic,
        );
        bar.start(total, 0);
      }
      bar?.update(done);
    },
    stop: () => bar?.stop(),
  };
}

const zPositiveInt = (what: string) =>
  z.coerce.number().int(`${what} must be an integer`).positive(`${what} must be positive`);

const encodeSchema = z.object({
  out: z.string().min(1, "required"),
  ratio: z.coerce.number().refine((v) => [2, 4, 8].includes(v), "must be 2, 4 or 8"),
  chunkSize: z.coerce
    .number()
    .refine((v) => [64, 128, 256, 512, 1024, 2048, 4096].includes(v), "must be 64, 128, ..., 4096 field elements"),
  workers: zPositiveInt("workers").max(256).optional(),
  precompute: z.coerce.number().int().min(0, "must be 0..15").max(15, "must be 0..15"),
});

const decodeSchema = z.object({
  out: z.string().min(1, "required"),
  workers: zPositiveInt("workers").max(256).optional(),
});

async function withPool<T>(
  blobs: number,
  workers: number | undefined,
  precompute: number,
  run: (pool: WorkerPool) => Promise<T>,
) {
  const pool = await WorkerPool.create({
    workers: Math.max(1, Math.min(workers ?? defaultWorkerCount(), blobs)),
    precompute,
  });
  try {
    return await run(pool);
  } finally {
    await pool.close();
  }
}

async function commit(ctx: CommandContext, raw: { blob?: string }) {
  const file = parseOptions(z.object({ blob: z.string().min(1, "required") }), raw).blob;
  let blob: Uint8Array;
  try {
    blob = await readFile(file);
  } catch (error) {
    throw new InvalidInputError("--blob", `cannot read ${file}: ${(error as NodeJS.ErrnoException).code}`);
  }
  if (blob.length !== BYTES_PER_BLOB) {
    throw new InvalidInputError("--blob", `${file} must be exactly ${BYTES_PER_BLOB} bytes, got ${blob.length}`);
  }
  loadKzg(0); // commitments do not use the FK20 tables
  const commitment = bytesToHex(blobToCommitment(blob));
  ctx.print({ commitment }, (r: { commitment: string }) => r.commitment);
}

async function encode(ctx: CommandContext, file: string, raw: unknown) {
  const opts = parseOptions(encodeSchema, raw);
  const { size } = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new InvalidInputError("FILE", `cannot read ${file}: ${error.code ?? error.message}`);
  });
  const bar = progressBar("encode");
  const started = performance.now();
  const { manifest, manifestPath } = await withPool(blobCountFor(size), opts.workers, opts.precompute, (runner) =>
    encodeFile({
      input: file,
      outDir: opts.out,
      ratio: opts.ratio,
      chunkSize: opts.chunkSize,
      runner,
      onProgress: bar.onProgress,
    }),
  ).finally(() => bar.stop());
  const seconds = (performance.now() - started) / 1000;
  ctx.logger.debug({ seconds }, "encoded");
  const result = {
    manifest: resolve(manifestPath),
    commitments: manifest.blobs.map((b) => b.commitment),
    blobCount: manifest.blobCount,
    chunkCount: manifest.chunkCount,
    chunksPerBlob: manifest.chunksPerBlob,
    chunksToRecover: manifest.chunksToRecover,
    ratio: manifest.ratio,
    chunkSize: manifest.chunkSize,
    payloadLength: manifest.payloadLength,
    payloadSha256: manifest.payloadSha256,
  };
  ctx.print(result, (r: typeof result) =>
    [
      `encoded ${r.payloadLength} bytes into ${r.blobCount} blob(s), ${r.chunkCount} chunks (ratio ${r.ratio}, ` +
        `${r.chunksToRecover} of ${r.chunksPerBlob} per blob rebuild it) in ${seconds.toFixed(1)} s`,
      `manifest: ${r.manifest}`,
      ...r.commitments.map((c, i) => `  blob ${i}: ${c}`),
    ].join("\n"),
  );
}

async function decode(ctx: CommandContext, dir: string, raw: unknown) {
  const opts = parseOptions(decodeSchema, raw);
  const { manifest } = await readManifest(dir);
  const bar = progressBar("decode");
  const result = await withPool(manifest.blobCount, opts.workers, 0, (runner) =>
    decodeDir({ dir, output: opts.out, runner, onProgress: bar.onProgress }),
  ).finally(() => bar.stop());
  const out = {
    output: resolve(result.output),
    bytes: result.bytes,
    payloadSha256: result.manifest.payloadSha256,
    blobCount: result.manifest.blobCount,
    chunkFilesFound: result.chunkFilesFound,
    usedChunks: result.usedChunks,
    rejectedChunks: result.rejectedChunks.length,
  };
  ctx.print(
    out,
    (r: typeof out) =>
      `decoded ${r.bytes} bytes to ${r.output} from ${r.usedChunks} verified chunks ` +
      `(${r.chunkFilesFound} chunk files found, ${r.rejectedChunks} rejected)`,
  );
}

export function registerDa(program: Command): void {
  const da = program
    .command("da")
    .description("data availability: KZG commitments, erasure-coded chunks with multiproofs, reconstruction");
  da.command("commit")
    .description("print the KZG commitment of a 131072-byte blob (byte-identical to c-kzg)")
    .requiredOption("--blob <file>", "blob file, exactly 131072 bytes of 4096 canonical field elements")
    .action(action(async (ctx, raw: { blob?: string }) => commit(ctx, raw)));
  da.command("encode")
    .description("frame a file into blobs, erasure-code them and write DIR/manifest.json and DIR/chunks/")
    .argument("<file>", "payload file (any size)")
    .requiredOption("--out <dir>", "output directory")
    .option("--ratio <n>", "coding ratio: 2, 4 or 8 (any 1/ratio of the chunks rebuilds the payload)", "8")
    .option("--chunk-size <n>", "field elements per chunk: 64, 128, ..., 4096", "64")
    .option("--workers <n>", "worker threads (default: one per core)")
    .option("--precompute <n>", "c-kzg FK20 precomputation 0..15", String(DEFAULT_PRECOMPUTE))
    .action(action(async (ctx, file: string, raw: unknown) => encode(ctx, file, raw)));
  da.command("decode")
    .description("rebuild the payload from whichever chunk files in DIR verify")
    .argument("<dir>", "directory written by `vcloud da encode`")
    .requiredOption("--out <file>", "where to write the payload")
    .option("--workers <n>", "worker threads (default: one per core)")
    .action(action(async (ctx, dir: string, raw: unknown) => decode(ctx, dir, raw)));
}
