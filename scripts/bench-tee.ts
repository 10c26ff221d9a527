/**
 * Worker sandbox overhead versus running the program directly.
 *
 *   npx tsx scripts/bench-tee.ts [--runs 20]
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

import { keccak256, toHex } from "viem";

import { devAttester } from "../keepers/tee/attester.js";
import type { ProgramBundle } from "../keepers/tee/bundle.js";
import { DEFAULT_LIMITS, runSandboxed, sandboxCapabilities } from "../keepers/tee/sandbox.js";
import { runTask } from "../keepers/tee/worker.js";

const runsIndex = process.argv.indexOf("--runs");
const RUNS = runsIndex > 0 ? Number(process.argv[runsIndex + 1]) : 20;
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error("error: invalid --runs: must be a positive integer");
  process.exit(2);
}

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
