/**
 * Load generator for one DA node (`npx tsx scripts/load-da-node.ts`): an in-process chain with the DA AVS,
 * the node as a separate `vcloud da node` process on loopback (reaching the chain over a JSON-RPC bridge),
 * and N concurrent clients, each looping: store a new certificate's chunks (the node verifies every KZG
 * proof and commits to LMDB before it signs), then read back a random certificate stored earlier.
 * Reports requests/s, chunk MB/s, p50/p99 latency per operation, errors, and the node process's RSS
 * (sampled from /proc every 250 ms). Afterwards it checks that every acknowledged certificate is served.
 *
 *   --clients N        concurrent clients (default 64)
 *   --duration S       seconds of load (default 60)
 *   --payload-bytes B  payload per certificate before encoding (default 20000: one blob, 64 chunks here)
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";

import { storeResponseSchema } from "../keepers/da-network/protocol.js";
import { spawnDaNodeProcess, startRpcBridge, storeRequestFactory } from "../test/ts/helpers/da-child-node.js";
import { payloadOf } from "../test/ts/helpers/da-fleet.js";
import { deployDaStack, ether } from "../test/ts/helpers/da-stack.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} needs a positive integer`);
  return v;
}
const clients = arg("clients", 64);
const durationS = arg("duration", 60);
const payloadBytes = arg("payload-bytes", 20_000);

const OPERATOR = 3;
const stack = await deployDaStack({ stakes: [ether("100"), ether("200"), ether("300"), ether("400")] });
const bridge = await startRpcBridge(stack.connection.provider as never);
const dataDir = mkdtempSync(join(tmpdir(), "vcloud-da-load-"));
const factory = await storeRequestFactory({ stack, operatorIndex: OPERATOR, payload: payloadOf(payloadBytes, 7) });
const node = await spawnDaNodeProcess({ stack, operatorIndex: OPERATOR, rpcUrl: bridge.url, dataDir });

/** RSS (bytes) of a process, from /proc. */
function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}
let peakRss = 0;
const rssSamples: number[] = [];
const sampler = setInterval(() => {
  const rss = rssOf(node.child.pid!);
  rssSamples.push(rss);
  peakRss = Math.max(peakRss, rss);
}, 250);

// Warm-up (KZG setup load in the node) outside the measured window.
{
  const { body } = factory.next();
  const r = await fetch(`${node.url}/v1/store`, { method: "POST", body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`warm-up store failed: ${r.status} ${await r.text()}`);
}
const rssStart = rssOf(node.child.pid!);

const latencies = { store: [] as number[], read: [] as number[] };
const errors: Record<string, number> = {};
const acked: string[] = [];
let readBytes = 0;
const load0 = loadavg()[0]!;
const cpu0 = process.cpuUsage();
const started = performance.now();
const deadline = started + durationS * 1000;

async function timedFetch(kind: "store" | "read", url: string, init?: RequestInit): Promise<Response | undefined> {
  const t = performance.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(120_000) });
    const text = await response.text();
    latencies[kind].push(performance.now() - t);
    if (!response.ok) {
      errors[`${kind} ${response.status}`] = (errors[`${kind} ${response.status}`] ?? 0) + 1;
      return undefined;
    }
    if (kind === "read") readBytes += text.length;
    return new Response(text);
  } catch (error) {
    const key = `${kind} ${(error as Error).name}`;
    errors[key] = (errors[key] ?? 0) + 1;
    return undefined;
  }
}

async function client(): Promise<void> {
  while (performance.now() < deadline) {
    const { id, body } = factory.next();
    const stored = await timedFetch("store", `${node.url}/v1/store`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (stored) {
      const answer = storeResponseSchema.parse(await stored.json());
      if (answer.certificateId !== id) throw new Error(`node signed ${answer.certificateId}, sent ${id}`);
      acked.push(id);
    }
    if (performance.now() >= deadline || acked.length === 0) continue;
    await timedFetch("read", `${node.url}/v1/certificates/${acked[Math.floor(Math.random() * acked.length)]}`);
  }
}
await Promise.all(Array.from({ length: clients }, client));
const elapsed = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpu0);
clearInterval(sampler);

// Every acknowledged certificate is served, with all its chunks.
let missing = 0;
for (const id of acked) {
  const r = await fetch(`${node.url}/v1/certificates/${id}`);
  if (r.status !== 200) missing++;
  else await r.arrayBuffer();
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const mib = (b: number) => (b / 1024 / 1024).toFixed(0);
const stores =
  latencies.store.length -
  Object.entries(errors)
    .filter(([k]) => k.startsWith("store"))
    .reduce((n, [, v]) => n + v, 0);
console.log(
  `DA node load: ${clients} clients, ${elapsed.toFixed(1)} s, payload ${payloadBytes} B -> ${factory.chunkBytes} B of chunks per store, ${availableParallelism()} cores, load average ${load0.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}`,
);
console.log(`load generator + chain process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s\n`);
console.log("| operation | ok | req/s | MB/s | p50 ms | p99 ms |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
console.log(
  `| store (verify + durable commit + sign) | ${stores} | ${(stores / elapsed).toFixed(1)} | ${((stores * factory.chunkBytes) / 1e6 / elapsed).toFixed(2)} | ${pct(latencies.store, 50).toFixed(0)} | ${pct(latencies.store, 99).toFixed(0)} |`,
);
const reads =
  latencies.read.length -
  Object.entries(errors)
    .filter(([k]) => k.startsWith("read"))
    .reduce((n, [, v]) => n + v, 0);
console.log(
  `| read (all chunks of a certificate) | ${reads} | ${(reads / elapsed).toFixed(1)} | ${(readBytes / 1e6 / elapsed).toFixed(2)} | ${pct(latencies.read, 50).toFixed(0)} | ${pct(latencies.read, 99).toFixed(0)} |`,
);
console.log(
  `\nnode RSS: ${mib(rssStart)} MiB after warm-up, peak ${mib(peakRss)} MiB, median ${mib(pct(rssSamples, 50))} MiB; errors: ${JSON.stringify(errors)}; acknowledged ${acked.length}, missing afterwards ${missing}`,
);

node.child.kill("SIGTERM");
await node.exited;
await bridge.close();
rmSync(dataDir, { recursive: true, force: true });
process.exit(missing === 0 ? 0 : 1);
