/**
 * `npm test`: every check, in order, continuing past failures so one run shows everything that is wrong.
 * Prints a table of the checks and a closing `N passed, N failed` line counting individual tests.
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
  { name: "abis", cmd: [node, tsx, join(PROJECT_ROOT, "scripts", "gen-abis.ts")] },
  { name: "typecheck", cmd: [node, bin("typescript", "bin", "tsc"), "--noEmit", "-p", PROJECT_ROOT] },
  { name: "lint-ts", cmd: [node, bin("eslint", "bin", "eslint.js"), "--max-warnings", "0", "."] },
  // solhint (security rules at error level) + Solidity compiler warnings as errors
  { name: "lint-sol", cmd: [node, tsx, join(PROJECT_ROOT, "scripts", "lint-sol.ts")] },
  { name: "format", cmd: [node, bin("prettier", "bin", "prettier.cjs"), "--check", "--log-level", "warn", "."] },
  { name: "sol", cmd: [node, hardhat, "test", "solidity"], counts: countHardhat },
  { name: "ts", cmd: [node, bin("vitest", "vitest.mjs"), "run"], counts: countVitest },
  // Deep profile only (`npm run test:deep`): mutation testing of the slashing maths, failing below 100% killed.
  ...(process.env.VCLOUD_TEST_PROFILE === "deep"
    ? [
        {
          name: "mutation",
          cmd: [node, tsx, join(PROJECT_ROOT, "scripts", "mutation-slashing.ts"), "--min-kill-rate", "100"],
        },
      ]
    : []),
];

function runCheck(check: Check): Promise<{ code: number; out: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolvePromise) => {
    const child = spawn(check.cmd[0]!, check.cmd.slice(1), {
      cwd: PROJECT_ROOT,
      env: { ...process.env, FORCE_COLOR: "0", ...check.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      process.stdout.write(chunk);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", (error) => resolvePromise({ code: 127, out: String(error), ms: performance.now() - started }));
    child.on("close", (code) => resolvePromise({ code: code ?? 1, out, ms: performance.now() - started }));
  });
}

async function main() {
  const onlyIndex = process.argv.indexOf("--only");
  const only = onlyIndex >= 0 ? new Set((process.argv[onlyIndex + 1] ?? "").split(",")) : undefined;
  const checks = only ? CHECKS.filter((c) => only.has(c.name)) : CHECKS;
  if (only && checks.length !== only.size) {
    console.error(`unknown check in --only; known: ${CHECKS.map((c) => c.name).join(", ")}`);
    process.exit(2);
  }
  const rows: { name: string; ok: boolean; s: string; passed: number; failed: number }[] = [];
  for (const check of checks) {
    process.stdout.write(
      `\n=== ${check.name}: ${check.cmd
        .slice(1)
        .map((a) => a.replace(PROJECT_ROOT + "/", ""))
        .join(" ")}\n`,
    );
    const { code, out, ms } = await runCheck(check);
    const counts = check.counts?.(out) ?? { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 };
    if (code !== 0 && counts.failed === 0) counts.failed = 1;
    rows.push({ name: check.name, ok: code === 0, s: (ms / 1000).toFixed(1), ...counts });
  }
  const passed = rows.reduce((n, r) => n + r.passed, 0);
  const failed = rows.reduce((n, r) => n + r.failed, 0);
  console.log("\n=== summary");
  for (const r of rows)
    console.log(
      `  ${r.ok ? "ok  " : "FAIL"}  ${r.name.padEnd(10)} ${r.s.padStart(6)} s  ${r.passed} passed, ${r.failed} failed`,
    );
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(rows.every((r) => r.ok) ? 0 : 1);
}

await main();
