/**
 * DA encoder benchmark: one run, one table (`npm run bench:da`, i.e. `npx tsx scripts/bench-da.ts`).
 *
 *   --blobs N     blobs in the throughput payload (default 8, about 1 MB)
 *   --workers N   "all workers" (default: one per core)
 *   --big-mib N   size of the big-file run at ratio 8 (default 16; 0 skips it)
 *
 * Baseline: raw c-kzg computeCellsAndKzgProofs (precompute 8) on the same blobs, one thread. Encode and
 * decode run through WorkerPool (1 worker, then all); payload MB/s = payload bytes / wall time (10^6 B).
 * The big run streams a file through `encodeFile` (chunk files on disk) and reports wall time and the
 * process's peak RSS (all threads). Load average and process CPU time are printed, since on a shared
 * machine wall time depends on other tenants.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";

import { decodeChunks, encodePayload, verifyChunks } from "../keepers/da/api.js";
import { encodeFile } from "../keepers/da/files.js";
import { payloadToBlobs, PAYLOAD_BYTES_PER_BLOB, HEADER_BYTES } from "../keepers/da/framing.js";
import { loadKzg } from "../keepers/da/kzg.js";
import { WorkerPool } from "../keepers/da/pool.js";
import type { Chunk } from "../keepers/da/types.js";
import { rng } from "../test/ts/da/helpers.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a non-negative number`);
  return v;
}

const blobs = arg("blobs", 8);
const allWorkers = arg("workers", availableParallelism());
const bigMib = arg("big-mib", 16);
const payloadBytes = blobs * PAYLOAD_BYTES_PER_BLOB - HEADER_BYTES;
const payload = rng(1).bytes(payloadBytes);

type Row = { case: string; bytes: number; seconds: number; cpuSeconds: number; note?: string };
const rows: Row[] = [];
const mbps = (r: Row) => r.bytes / 1e6 / r.seconds;

async function timed<T>(label: string, bytes: number, fn: () => Promise<T> | T, note?: string): Promise<T> {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const result = await fn();
  const cpuUsed = process.cpuUsage(cpuStart);
  const row = {
    case: label,
    bytes,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (cpuUsed.user + cpuUsed.system) / 1e6,
    note,
  };
  rows.push(row);
  process.stderr.write(`  ${label}: ${row.seconds.toFixed(2)} s, ${mbps(row).toFixed(3)} MB/s\n`);
  return result;
}

const cpu0 = process.cpuUsage();
const load0 = loadavg();
process.stderr.write(`bench-da: ${blobs} blobs (${payloadBytes} B payload), ${availableParallelism()} cores\n`);

// Baseline: raw c-kzg on the same blobs, this thread.
const t0 = performance.now();
const kzg = loadKzg(8);
const setupSeconds = (performance.now() - t0) / 1000;
const blobList = payloadToBlobs(payload);
await timed("raw c-kzg computeCellsAndKzgProofs (1 thread)", payloadBytes, () => {
  for (const b of blobList) kzg.computeCellsAndKzgProofs(b);
});
const baseline = rows[0]!;

const pools = new Map<number, WorkerPool>();
const poolOf = async (n: number) => {
  let p = pools.get(n);
  if (!p) {
    const s = performance.now();
    // Every worker loads the ratio-8 setups (standard + 3 shifted) before timing starts.
    p = await WorkerPool.create({ workers: n, precompute: 8, preloadRatio: 8 });
    process.stderr.write(`  pool of ${n} ready in ${((performance.now() - s) / 1000).toFixed(1)} s\n`);
    pools.set(n, p);
  }
  return p;
};

const encoded = new Map<number, Awaited<ReturnType<typeof encodePayload>>>();
for (const ratio of [2, 8] as const) {
  for (const n of [1, allWorkers]) {
    const runner = await poolOf(n);
    const enc = await timed(`encode ratio ${ratio}, ${n} worker(s)`, payloadBytes, () =>
      encodePayload(payload, { ratio, runner }),
    );
    encoded.set(ratio, enc);
  }
}

const runnerAll = await poolOf(allWorkers);
for (const ratio of [2, 8] as const) {
  const enc = encoded.get(ratio)!;
  const r = rng(ratio);
  const subset: Chunk[] = enc.chunks.flatMap((c) =>
    r.sample(enc.manifest.chunksPerBlob, enc.manifest.chunksToRecover).map((i) => c[i]!),
  );
  const { payload: out } = await timed(
    `decode ratio ${ratio} from random 1/${ratio}, ${allWorkers} worker(s)`,
    payloadBytes,
    () => decodeChunks(enc.manifest, subset, { runner: runnerAll }),
  );
  if (!Buffer.from(out).equals(Buffer.from(payload))) throw new Error("decode mismatch");
}
{
  const enc = encoded.get(8)!;
  const { rejected } = await timed(
    `verify all ${enc.manifest.chunkCount} chunks ratio 8, ${allWorkers} worker(s)`,
    payloadBytes,
    () => verifyChunks(enc.manifest, enc.chunks.flat(), { runner: runnerAll }),
  );
  if (rejected.length) throw new Error("verification failed");
}
for (const p of pools.values()) if (p !== runnerAll) await p.close();

let bigPeakRss = 0;
if (bigMib > 0) {
  // RSS sampled during the big run alone (the whole-run peak also covers the 1-worker pool's setups).
  const sampler = setInterval(() => (bigPeakRss = Math.max(bigPeakRss, process.memoryUsage.rss())), 200);
  const dir = mkdtempSync(join(tmpdir(), "bench-da-"));
  const input = join(dir, "big.bin");
  const big = bigMib * 1024 * 1024;
  writeFileSync(input, rng(16).bytes(big));
  await timed(`${bigMib} MiB file at ratio 8 -> chunk files, ${allWorkers} worker(s)`, big, () =>
    encodeFile({ input, outDir: join(dir, "out"), ratio: 8, runner: runnerAll }),
  );
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
await runnerAll.close();

const cpu = process.cpuUsage(cpu0);
const peakRss = process.resourceUsage().maxRSS * 1024;
const find = (prefix: string) => rows.find((r) => r.case.startsWith(prefix))!;
const enc2one = find("encode ratio 2, 1 ");
const enc8one = find("encode ratio 8, 1 ");
const enc8all = find(`encode ratio 8, ${allWorkers} `);
const enc2all = find(`encode ratio 2, ${allWorkers} `);
const dec8 = find("decode ratio 8");

const lines = [
  `| case | payload | wall | CPU (all threads) | payload MB/s | vs raw c-kzg |`,
  `| --- | ---: | ---: | ---: | ---: | ---: |`,
  ...rows.map(
    (r) =>
      `| ${r.case} | ${(r.bytes / 1e6).toFixed(2)} MB | ${r.seconds.toFixed(2)} s | ${r.cpuSeconds.toFixed(2)} s | ${mbps(r).toFixed(3)} | ${(mbps(r) / mbps(baseline)).toFixed(2)}x |`,
  ),
  "",
  `targets (2 cores): ratio 2 encode >= 0.9x raw: ${(mbps(enc2one) / mbps(baseline)).toFixed(2)}x; ` +
    `ratio 8 encode >= 0.22x raw: ${(mbps(enc8one) / mbps(baseline)).toFixed(2)}x; ` +
    `all/one workers >= 1.7x: ratio 2 ${(mbps(enc2all) / mbps(enc2one)).toFixed(2)}x, ratio 8 ${(mbps(enc8all) / mbps(enc8one)).toFixed(2)}x; ` +
    `decode 1/8 no slower than 2x encode: decode ${dec8.seconds.toFixed(2)} s vs encode ${enc8all.seconds.toFixed(2)} s`,
  `peak RSS (all threads): ${(peakRss / 2 ** 30).toFixed(2)} GiB over the run, ${(bigPeakRss / 2 ** 30).toFixed(2)} GiB during the big file; c-kzg setup load (precompute 8): ${setupSeconds.toFixed(1)} s`,
  `cores: ${availableParallelism()}; load average at start ${load0.map((l) => l.toFixed(1)).join(" ")}, at end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}; process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`,
];
console.log(lines.join("\n"));
