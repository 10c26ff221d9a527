/**
 * `npm test`: every check, continuing past failures so one run shows everything that is wrong. Checks run
 * two at a time once the checks they need have finished (the lints beside the contract build, the type check
 * beside the Solidity tests); nothing starts beside the TypeScript tests. Prints a table of the checks and a closing
 * `N passed, N failed` line counting individual tests.
 * Exits non-zero when any check fails.
 *
 *   npm test                 all checks
 *   npm test -- --only sol   only the named checks (comma-separated names from the table)
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

import { PROJECT_ROOT } from "../keepers/lib/paths.js";

type Check = {
  name: string;
  cmd: string[];
  env?: Record<string, string>;
  counts?: (out: string) => { passed: number; failed: number };
  /** Checks that must have finished first (their outputs are this one's inputs). */
  after?: string[];
  /** No other check starts while it runs (one already running may finish beside it). */
  exclusive?: boolean;
};

const bin = (pkg: string, ...path: string[]) => join(PROJECT_ROOT, "node_modules", pkg, ...path);
const node = process.execPath;
const tsx = bin("tsx", "dist", "cli.mjs");
const hardhat = bin("hardhat", "dist", "src", "cli.js");

function countHardhat(out: string) {
  const sum = (re: RegExp) => [...out.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
  return { passed: sum(/^\s*(\d+) passing/gm), failed: sum(/^\s*(\d+) failing/gm) };
}

function countVitest(out: string) {
  // eslint-disable-next-line no-control-regex
  const clean = out.replace(/\x1b\[[0-9;]*m/g, "");
  const line = /^\s*Tests\s+(.*)$/m.exec(clean)?.[1] ?? "";
  return { passed: Number(/(\d+) passed/.exec(line)?.[1] ?? 0), failed: Number(/(\d+) failed/.exec(line)?.[1] ?? 0) };
}

export const CHECKS: Check[] = [
  { name: "build", cmd: [node, hardhat, "build", "--quiet"] },
  { name: "abis", cmd: [node, tsx, join(PROJECT_ROOT, "scripts", "gen-abis.ts")], after: ["build"] },
  {
    name: "typecheck",
    cmd: [node, bin("typescript", "bin", "tsc"), "--noEmit", "-p", PROJECT_ROOT],
    after: ["abis"],
  },
  { name: "lint-ts", cmd: [node, bin("eslint", "bin", "eslint.js"), "--max-warnings", "0", "."] },
  // solhint with the security rules at error level (.solhint.json), no warnings allowed
  {
    name: "lint-sol",
    cmd: [node, bin("solhint", "solhint.js"), "--max-warnings", "0", "contracts/**/*.sol"],
  },
  { name: "format", cmd: [node, bin("prettier", "bin", "prettier.cjs"), "--check", "--log-level", "warn", "."] },
  // Solidity compiler warnings as errors (reads the build's compiler output)
  {
    name: "solc-warnings",
    cmd: [node, tsx, join(PROJECT_ROOT, "scripts", "check-solc-warnings.ts")],
    after: ["build"],
  },
  { name: "sol", cmd: [node, hardhat, "test", "solidity"], counts: countHardhat, after: ["build"] },
  // Vitest keeps both cores busy itself: it starts beside at most the end of the type check, and nothing
  // starts beside it.
  {
    name: "ts",
    cmd: [node, bin("vitest", "vitest.mjs"), "run"],
    counts: countVitest,
    after: ["abis", "solc-warnings", "sol"],
    exclusive: true,
  },
  // Deep profile only (`npm run test:deep`): mutation testing of the slashing maths, failing below 100% killed.
  ...(process.env.VCLOUD_TEST_PROFILE === "deep"
    ? [
        {
          name: "mutation",
          cmd: [node, tsx, join(PROJECT_ROOT, "scripts", "mutation-slashing.ts"), "--min-kill-rate", "100"],
          after: ["build"],
          exclusive: true,
        },
      ]
    : []),
];

/** Checks run two at a time (CI has two cores), each once the checks it needs have passed or failed. */
const CONCURRENCY = 2;

function runCheck(check: Check, live: boolean): Promise<{ code: number; out: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolvePromise) => {
    const child = spawn(check.cmd[0]!, check.cmd.slice(1), {
      cwd: PROJECT_ROOT,
      env: { ...process.env, FORCE_COLOR: "0", ...check.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Streamed when the check runs alone; otherwise buffered, so that two checks' outputs do not interleave.
    let out = "";
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (live) process.stdout.write(chunk);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", (error) => resolvePromise({ code: 127, out: String(error), ms: performance.now() - started }));
    child.on("close", (code) => resolvePromise({ code: code ?? 1, out, ms: performance.now() - started }));
  });
}

const describe = (check: Check) =>
  check.cmd
    .slice(1)
    .map((a) => a.replace(PROJECT_ROOT + "/", ""))
    .join(" ");

async function main() {
  const onlyIndex = process.argv.indexOf("--only");
  const only = onlyIndex >= 0 ? new Set((process.argv[onlyIndex + 1] ?? "").split(",")) : undefined;
  const checks = only ? CHECKS.filter((c) => only.has(c.name)) : CHECKS;
  if (only && checks.length !== only.size) {
    console.error(`unknown check in --only; known: ${CHECKS.map((c) => c.name).join(", ")}`);
    process.exit(2);
  }
  const selected = new Set(checks.map((c) => c.name));
  const rows = new Map<string, { name: string; ok: boolean; s: string; passed: number; failed: number }>();
  const running = new Map<string, Promise<void>>();
  const pending = [...checks];
  const ready = (c: Check) => (c.after ?? []).every((d) => !selected.has(d) || rows.has(d));
  while (pending.length > 0 || running.size > 0) {
    const exclusiveRunning = [...running.keys()].some((n) => checks.find((c) => c.name === n)!.exclusive);
    // In table order: the first runnable check with a free slot; nothing starts beside an exclusive one.
    const next = exclusiveRunning ? undefined : pending.find((c) => ready(c) && running.size < CONCURRENCY);
    if (next) {
      pending.splice(pending.indexOf(next), 1);
      const live = next.exclusive === true || checks.length === 1;
      process.stdout.write(`\n=== ${next.name}${live ? "" : " started"}: ${describe(next)}\n`);
      running.set(
        next.name,
        runCheck(next, live).then(({ code, out, ms }) => {
          if (!live) process.stdout.write(`\n=== ${next.name}: ${describe(next)}\n${out}`);
          const counts = next.counts?.(out) ?? { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 };
          if (code !== 0 && counts.failed === 0) counts.failed = 1;
          rows.set(next.name, { name: next.name, ok: code === 0, s: (ms / 1000).toFixed(1), ...counts });
          running.delete(next.name);
        }),
      );
      continue;
    }
    await Promise.race(running.values());
  }
  const ordered = checks.map((c) => rows.get(c.name)!);
  const passed = ordered.reduce((n, r) => n + r.passed, 0);
  const failed = ordered.reduce((n, r) => n + r.failed, 0);
  console.log("\n=== summary");
  for (const r of ordered)
    console.log(
      `  ${r.ok ? "ok  " : "FAIL"}  ${r.name.padEnd(13)} ${r.s.padStart(6)} s  ${r.passed} passed, ${r.failed} failed`,
    );
  console.log(`\n${passed} passed, ${failed} failed  (${((performance.now() - STARTED) / 1000).toFixed(0)} s in all)`);
  process.exit(ordered.every((r) => r.ok) ? 0 : 1);
}

const STARTED = performance.now();

await main();
