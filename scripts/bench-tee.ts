/**
 * TEE compute benchmarks (`npm run bench:tee`):
 *
 * 1. Task round trip on an in-process chain (the shared fixture of test/ts/tee: restaking core, four DA
 *    nodes, a compute set of 4 executors): submit (input to DA + createTask) -> dispatcher pass (draw by
 *    stake, executor run, re-execution, attestation check, output to DA, BLS certificate, submitResult) ->
 *    VERIFIED, one task at a time; then tasks per minute for a batch dispatched with 4 workers at once
 *    (and with 1, for comparison).
 * 2. Worker sandbox overhead versus running the program directly.
 *
 *   npx tsx scripts/bench-tee.ts [--runs 20] [--round-trips 5] [--batch 12] [--skip-chain] [--skip-sandbox]
 *
 * For each program: "direct" spawns the entry command in a temp dir with the input on stdin (no limits,
 * no namespaces); "sandbox" runs it through runSandboxed (namespaces, rlimits, uid drop, temp dir with
 * the bundle files); "runTask" adds the bundle digest, hashing and a dev attestation. Prints median and
 * p95 wall time per run in milliseconds and the median overhead over direct.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { getAddress, keccak256, toHex } from "viem";

import { devAttester } from "../keepers/tee/attester.js";
import type { ProgramBundle } from "../keepers/tee/bundle.js";
import { DEFAULT_LIMITS, runSandboxed, sandboxCapabilities } from "../keepers/tee/sandbox.js";
import { runTask } from "../keepers/tee/worker.js";

function intFlag(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index > 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) {
    console.error(`error: invalid ${name}: must be a positive integer`);
    process.exit(2);
  }
  return value;
}
const RUNS = intFlag("--runs", 20);
const ROUND_TRIPS = intFlag("--round-trips", 5);
const BATCH = intFlag("--batch", 12);

const caps = sandboxCapabilities();
const limits = { ...DEFAULT_LIMITS, network: caps.namespaces === "none" };

const programs: { name: string; bundle: ProgramBundle; input: Buffer }[] = [
  { name: "true (empty)", bundle: { entry: ["true"], files: {} }, input: Buffer.alloc(0) },
  {
    name: "hash+upper 1 MiB (sh)",
    bundle: {
      entry: ["sh", "main.sh"],
      files: { "main.sh": "tee in >/dev/null; sha256sum in | cut -c1-64; tr a-z A-Z < in | head -c 64\n" },
    },
    input: Buffer.alloc(2 ** 20, "a"),
  },
  {
    name: "node sum 5e7",
    bundle: {
      entry: [process.execPath, "main.js"],
      files: { "main.js": "let s=0;for(let i=0;i<5e7;i++)s+=i;console.log(s)" },
    },
    input: Buffer.alloc(0),
  },
];

async function direct(bundle: ProgramBundle, input: Buffer): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "vcloud-bench-"));
  for (const [path, content] of Object.entries(bundle.files)) writeFileSync(join(dir, path), content);
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(bundle.entry[0]!, bundle.entry.slice(1), { cwd: dir, stdio: ["pipe", "pipe", "inherit"] });
    child.stdout.resume();
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
  });
  const ms = performance.now() - started;
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p95: at(0.95) };
}

const fmt = (n: number) => n.toFixed(1).padStart(9);

async function benchSandbox() {
  console.log(`sandbox: namespaces=${caps.namespaces} prlimit=${caps.prlimit} dropPrivileges=${caps.dropPrivileges}`);
  console.log(`runs per cell: ${RUNS}; times in ms (wall clock, this machine)\n`);
  console.log(
    `${"program".padEnd(24)}${"mode".padEnd(10)}${"median".padStart(9)}${"p95".padStart(9)}${"overhead".padStart(10)}`,
  );
  const taskHash = keccak256(toHex("bench"));
  for (const { name, bundle, input } of programs) {
    const samples: Record<string, number[]> = { direct: [], sandbox: [], runTask: [] };
    for (let i = 0; i < RUNS; i++) {
      samples.direct!.push(await direct(bundle, input));
      samples.sandbox!.push(await timed(() => runSandboxed(bundle, input, limits, caps)));
      samples.runTask!.push(
        await timed(() => runTask(bundle, input, limits, { taskHash, attester: devAttester, capabilities: caps })),
      );
    }
    const base = stats(samples.direct!).median;
    for (const mode of ["direct", "sandbox", "runTask"]) {
      const s = stats(samples[mode]!);
      const overhead = mode === "direct" ? "" : `${(s.median - base >= 0 ? "+" : "") + (s.median - base).toFixed(1)}`;
      console.log(`${name.padEnd(24)}${mode.padEnd(10)}${fmt(s.median)}${fmt(s.p95)}${overhead.padStart(10)}`);
    }
  }
}

async function benchRoundTrip() {
  const { deployComputeStack, HASH_AND_UPPER } = await import("../test/ts/tee/compute-stack.js");
  const { dispatchOnce } = await import("../keepers/tee/dispatcher.js");
  const { DEVNET_POLICY } = await import("../keepers/tee/policy.js");
  const { bundleDigest } = await import("../keepers/tee/bundle.js");
  const { createLogger } = await import("../keepers/lib/logger.js");
  const fx = await deployComputeStack({ executors: 4 });
  try {
    const appId = await fx.registerApp(HASH_AND_UPPER, "bench");
    const imageDigest = bundleDigest(HASH_AND_UPPER);
    const dir = mkdtempSync(join(tmpdir(), "vcloud-bench-tee-"));
    let fromBlock = (await fx.stack.publicClient.getBlockNumber()) + 1n;
    const common = {
      publicClient: fx.stack.publicClient,
      walletClient: fx.stack.governance,
      mailbox: fx.mailbox,
      registrar: fx.computeRegistrar,
      da: fx.da,
      apps: new Map([[imageDigest, { bundle: HASH_AND_UPPER, measurements: { imageDigest } }]]),
      executors: fx.executors.map((o, i) => ({ operator: getAddress(o.account.address), blsKey: fx.computeKeys[i]! })),
      policy: DEVNET_POLICY,
      attester: devAttester,
      limits: { network: caps.namespaces === "none" },
      logger: createLogger({ level: "silent" }),
    };
    const fee = 10n ** 16n;
    const input = (i: number) => Buffer.from(`vcloud bench task ${i} ${"x".repeat(1024)}`);
    let db = 0;
    const pass = async (concurrency: number) => {
      const outcomes = await dispatchOnce({ ...common, dbPath: join(dir, `d${db++}.sqlite`), fromBlock, concurrency });
      fromBlock = (await fx.stack.publicClient.getBlockNumber()) + 1n;
      if (outcomes.some((o) => o.outcome !== "verified"))
        throw new Error(`not all verified: ${JSON.stringify(outcomes)}`);
      return outcomes.length;
    };

    console.log(`\ntask round trip (in-process chain, 4 DA nodes, 4 executors; ${ROUND_TRIPS} tasks one at a time)`);
    const submitMs: number[] = [];
    const dispatchMs: number[] = [];
    const totalMs: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const t0 = performance.now();
      await fx.createTask({ appId, input: input(i), sla: 3600n, fee });
      const t1 = performance.now();
      await pass(1);
      const t2 = performance.now();
      submitMs.push(t1 - t0);
      dispatchMs.push(t2 - t1);
      totalMs.push(t2 - t0);
    }
    console.log(`${"phase".padEnd(44)}${"median".padStart(9)}${"p95".padStart(9)}`);
    for (const [name, samples] of [
      ["submit (input to DA + createTask)", submitMs],
      ["dispatch (run, re-run, DA, certify, submit)", dispatchMs],
      ["round trip submit -> VERIFIED", totalMs],
    ] as const) {
      const s = stats(samples);
      console.log(`${name.padEnd(44)}${fmt(s.median)}${fmt(s.p95)}`);
    }

    console.log(`\nthroughput: ${BATCH} tasks posted, then one dispatcher pass`);
    for (const workers of [1, 4]) {
      const t0 = performance.now();
      for (let i = 0; i < BATCH; i++) await fx.createTask({ appId, input: input(1000 * workers + i), sla: 3600n, fee });
      const t1 = performance.now();
      const n = await pass(workers);
      const t2 = performance.now();
      const perMin = (x: number) => ((n / x) * 60_000).toFixed(1);
      console.log(
        `${workers} worker(s): dispatch ${(t2 - t1).toFixed(0)} ms = ${perMin(t2 - t1)} tasks/min; with submission ${(t2 - t0).toFixed(0)} ms = ${perMin(t2 - t0)} tasks/min`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
  } finally {
    await fx.close();
  }
}

if (!process.argv.includes("--skip-sandbox")) await benchSandbox();
if (!process.argv.includes("--skip-chain")) await benchRoundTrip();
process.exit(0);
