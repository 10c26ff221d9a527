/**
 * Mutation testing of the slashing maths: applies one simple mutation at a time to
 * contracts/libraries/SlashingLib.sol (and the slash path of contracts/core/AllocationManager.sol), runs the
 * Solidity tests that cover it, and reports which mutants the suite kills.
 *
 *   npx tsx scripts/mutation-slashing.ts [--only id1,id2] [--tests a.t.sol,b.t.sol] [--json] [--min-kill-rate 100]
 *
 * With --min-kill-rate P the script exits 1 when fewer than P% of the compiling mutants are killed (or when
 * none compiles): the deep profile (`npm run test:deep`) runs it with 100.
 *
 * A mutant is "killed" when the tests fail, "survived" when they pass, and "invalid" when it does not compile
 * (excluded from the kill rate). The mutated file is ALWAYS restored (try/finally, plus SIGINT/SIGTERM
 * handlers and a backup copy in the OS temp dir); the script refuses to start when either target file has
 * uncommitted changes, so a restore can never discard someone's work.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const LIB = "contracts/libraries/SlashingLib.sol";
const ALLOC = "contracts/core/AllocationManager.sol";

/** Tests run against every mutant: the unit and fuzz tests of the maths, the slash flows, the invariants. */
const DEFAULT_TESTS = [
  "test/sol/core/SlashingLib.t.sol",
  "test/sol/core/Slashing.t.sol",
  "test/sol/core/AllocationManager.t.sol",
  "test/sol/core/invariants/Restaking.invariants.t.sol",
];

interface Mutant {
  id: string;
  file: string;
  description: string;
  /** Exact source text replaced; it must occur exactly once in the file. */
  find: string;
  replace: string;
}

export const MUTANTS: Mutant[] = [
  {
    id: "mulWad-ceil",
    file: LIB,
    description: "mulWad rounds up instead of down",
    find: "return Math.mulDiv(x, y, WAD);",
    replace: "return Math.mulDiv(x, y, WAD, Math.Rounding.Ceil);",
  },
  {
    id: "divWad-ceil",
    file: LIB,
    description: "divWad rounds up instead of down",
    find: "return Math.mulDiv(x, WAD, y);",
    replace: "return Math.mulDiv(x, WAD, y, Math.Rounding.Ceil);",
  },
  {
    id: "mulWadRoundUp-floor",
    file: LIB,
    description: "mulWadRoundUp rounds down",
    find: "return Math.mulDiv(x, y, WAD, Math.Rounding.Ceil);",
    replace: "return Math.mulDiv(x, y, WAD);",
  },
  {
    id: "scalingFactor-zero",
    file: LIB,
    description: "a stored factor of 0 is used as 0, not WAD",
    find: "return storedFactor == 0 ? WAD : storedFactor;",
    replace: "return storedFactor;",
  },
  {
    id: "withdrawable-roundup",
    file: LIB,
    description: "withdrawable shares: outer mulWad -> mulWadRoundUp",
    find: "return mulWad(mulWad(depositShares, scalingFactor(dsf)), slashingFactor);",
    replace: "return mulWadRoundUp(mulWad(depositShares, scalingFactor(dsf)), slashingFactor);",
  },
  {
    id: "withdrawable-drop-m",
    file: LIB,
    description: "withdrawable shares ignore the slashing factor",
    find: "return mulWad(mulWad(depositShares, scalingFactor(dsf)), slashingFactor);",
    replace: "return mulWad(depositShares, scalingFactor(dsf));",
  },
  {
    id: "depositShares-mul",
    file: LIB,
    description: "deposit shares: outer divWad -> mulWad",
    find: "return divWad(divWad(withdrawable, scalingFactor(dsf)), slashingFactor);",
    replace: "return mulWad(divWad(withdrawable, scalingFactor(dsf)), slashingFactor);",
  },
  {
    id: "queue-roundup",
    file: LIB,
    description: "queued scaled shares round up",
    find: "return mulWad(depositShares, scalingFactor(dsf));",
    replace: "return mulWadRoundUp(depositShares, scalingFactor(dsf));",
  },
  {
    id: "complete-roundup",
    file: LIB,
    description: "completed withdrawal shares round up",
    find: "return mulWad(scaledShares, slashingFactor);",
    replace: "return mulWadRoundUp(scaledShares, slashingFactor);",
  },
  {
    id: "complete-drop-m",
    file: LIB,
    description: "completed withdrawal ignores slashes during the delay",
    find: "return mulWad(scaledShares, slashingFactor);",
    replace: "return scaledShares;",
  },
  {
    id: "slashed-remove-zero-guard",
    file: LIB,
    description: "remove `if (prevMax == 0) return 0;`",
    find: "if (prevMax == 0) return 0;",
    replace: "",
  },
  {
    id: "slashed-floor-remaining",
    file: LIB,
    description: "remaining operator shares round down (slashed amount rounds up)",
    find: "return operatorShares - Math.mulDiv(operatorShares, newMax, prevMax, Math.Rounding.Ceil);",
    replace: "return operatorShares - Math.mulDiv(operatorShares, newMax, prevMax);",
  },
  {
    id: "slashed-returns-remaining",
    file: LIB,
    description: "slashed amount returns the remaining shares instead",
    find: "return operatorShares - Math.mulDiv(operatorShares, newMax, prevMax, Math.Rounding.Ceil);",
    replace: "return Math.mulDiv(operatorShares, newMax, prevMax, Math.Rounding.Ceil);",
  },
  {
    id: "update-branch-negated",
    file: LIB,
    description: "`if (prev == 0)` -> `if (prev != 0)`",
    find: "if (prev == 0) {",
    replace: "if (prev != 0) {",
  },
  {
    id: "update-first-mul",
    file: LIB,
    description: "first deposit: k' = k * m instead of k / m",
    find: "newDsf = divWad(scalingFactor(dsf), slashingFactor);",
    replace: "newDsf = mulWad(scalingFactor(dsf), slashingFactor);",
  },
  {
    id: "update-plus-to-minus",
    file: LIB,
    description: "`current + added` -> `current - added`",
    find: "divWad(current + added, prev + added)",
    replace: "divWad(current - added, prev + added)",
  },
  {
    id: "update-drop-added-denominator",
    file: LIB,
    description: "`prev + added` -> `prev` in the denominator",
    find: "divWad(current + added, prev + added)",
    replace: "divWad(current + added, prev)",
  },
  {
    id: "update-remove-zero-revert",
    file: LIB,
    description: "remove `if (newDsf == 0) revert InvalidDepositScalingFactor();`",
    find: "if (newDsf == 0) revert InvalidDepositScalingFactor();",
    replace: "",
  },
  {
    id: "am-slashMagnitude-floor",
    file: ALLOC,
    description: "slashed magnitude rounds down (mulWadRoundUp -> mulWad)",
    find: "uint256(allocation.currentMagnitude).mulWadRoundUp(wadToSlash)",
    replace: "uint256(allocation.currentMagnitude).mulWad(wadToSlash)",
  },
  {
    id: "am-pending-floor",
    file: ALLOC,
    description: "slashed pending deallocation rounds down",
    find: "uint256(uint128(-allocation.pendingDiff)).mulWadRoundUp(wadToSlash)",
    replace: "uint256(uint128(-allocation.pendingDiff)).mulWad(wadToSlash)",
  },
  {
    id: "am-pending-not-shrunk",
    file: ALLOC,
    description: "a pending deallocation is not shrunk by the slash",
    find: "allocation.pendingDiff += int128(uint128(slashedPending.toUint64()));",
    replace: "slashedPending;",
  },
  {
    id: "am-remove-wad-check",
    file: ALLOC,
    description: "remove the wadToSlash range check (0 < wad <= WAD)",
    find: "if (params.wadsToSlash[i] == 0 || params.wadsToSlash[i] > WAD) {",
    replace: "if (false) {",
  },
  {
    id: "am-remove-slasher-check",
    file: ALLOC,
    description: "remove `msg.sender != getSlasher(operatorSet)` (anyone can slash)",
    find: "if (msg.sender != getSlasher(operatorSet)) revert InvalidCaller(msg.sender);",
    replace: "",
  },
  {
    id: "am-remove-slashable-check",
    file: ALLOC,
    description: "remove the isOperatorSlashable check",
    find: "if (!isOperatorSlashable(params.operator, operatorSet)) {",
    replace: "if (false) {",
  },
  {
    id: "am-strategy-order-lt",
    file: ALLOC,
    description: "strategy order check `<=` -> `<` (duplicates allowed)",
    find: "uint160(address(strategy)) <= uint160(address(params.strategies[i - 1]))",
    replace: "uint160(address(strategy)) < uint160(address(params.strategies[i - 1]))",
  },
  {
    id: "am-encumbered-not-reduced",
    file: ALLOC,
    description: "encumbered magnitude not reduced by the slash",
    find: "info.encumberedMagnitude -= slashedMagnitude;",
    replace: "",
  },
];

type Outcome = "killed" | "survived" | "invalid";

interface Result {
  id: string;
  file: string;
  description: string;
  outcome: Outcome;
  seconds: number;
  failing?: string;
}

function parseArgs(argv: string[]): { only?: Set<string>; tests: string[]; json: boolean; minKillRate?: number } {
  let only: Set<string> | undefined;
  let tests = DEFAULT_TESTS;
  let json = false;
  let minKillRate: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--only") only = new Set((argv[++i] ?? "").split(",").filter(Boolean));
    else if (arg === "--tests") tests = (argv[++i] ?? "").split(",").filter(Boolean);
    else if (arg === "--json") json = true;
    else if (arg === "--min-kill-rate") {
      const raw = argv[++i] ?? "";
      minKillRate = Number(raw);
      if (raw === "" || !Number.isFinite(minKillRate) || minKillRate < 0 || minKillRate > 100) {
        throw new Error(`--min-kill-rate: must be a percentage 0..100, got '${raw}'`);
      }
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (only) {
    for (const id of only) {
      if (!MUTANTS.some((m) => m.id === id)) throw new Error(`--only: unknown mutant id ${id}`);
    }
  }
  return { only, tests, json, minKillRate };
}

function assertClean(files: string[]): void {
  const status = execFileSync("git", ["status", "--porcelain", "--", ...files], { cwd: ROOT, encoding: "utf8" });
  if (status.trim() !== "") {
    throw new Error(`refusing to mutate files with uncommitted changes (commit or stash them first):\n${status}`);
  }
}

function applyMutant(source: string, m: Mutant): string {
  const first = source.indexOf(m.find);
  if (first < 0) throw new Error(`mutant ${m.id}: pattern not found in ${m.file}: ${m.find}`);
  if (source.indexOf(m.find, first + 1) >= 0) throw new Error(`mutant ${m.id}: pattern not unique in ${m.file}`);
  return source.slice(0, first) + m.replace + source.slice(first + m.find.length);
}

let running: ChildProcess | undefined;

/** Runs the tests asynchronously, so SIGINT/SIGTERM handlers run (and restore the sources) mid-run. */
function runTests(tests: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn("npx", ["hardhat", "test", "solidity", ...tests], { cwd: ROOT, detached: true });
    running = child;
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => killRunning(), 15 * 60 * 1000);
    child.on("close", (status) => {
      clearTimeout(timer);
      running = undefined;
      resolvePromise({ status, output });
    });
  });
}

/** Kills the running test process group (started detached, so its pid is the group id). */
function killRunning(): void {
  if (running?.pid !== undefined) {
    try {
      process.kill(-running.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
}

function isCompileError(output: string): boolean {
  return /Compilation failed|CompilerError|TypeError:|DeclarationError:|ParserError:|HHE9\d\d/.test(output);
}

function firstFailing(output: string): string | undefined {
  const m = output.match(/\[FAIL[^\]]*\]\s*([\w_]+\([^)]*\))|✘\s*([\w_]+)|(\w+\(\)) \(gas/);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

async function main(): Promise<void> {
  const { only, tests, json, minKillRate } = parseArgs(process.argv.slice(2));
  const selected = MUTANTS.filter((m) => !only || only.has(m.id));
  const files = [...new Set(selected.map((m) => m.file))];
  assertClean(files);

  // Original contents, kept in memory and on disk, restored whatever happens.
  const originals = new Map(files.map((f) => [f, readFileSync(join(ROOT, f), "utf8")]));
  const backupDir = mkdtempSync(join(tmpdir(), "vcloud-mutation-"));
  for (const f of files) copyFileSync(join(ROOT, f), join(backupDir, f.replaceAll("/", "__")));
  const restore = (): void => {
    for (const [f, text] of originals) writeFileSync(join(ROOT, f), text);
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    killRunning();
    restore();
    process.stderr.write(`\n${sig}: originals restored\n`);
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.stderr.write(`backup of originals: ${backupDir}\n`);

  const results: Result[] = [];
  try {
    process.stderr.write(`baseline: ${tests.join(" ")}\n`);
    const base = await runTests(tests);
    if (base.status !== 0) {
      throw new Error(`the unmutated test suite fails; fix it before mutation testing:\n${base.output.slice(-4000)}`);
    }
    for (const m of selected) {
      const original = originals.get(m.file)!;
      writeFileSync(join(ROOT, m.file), applyMutant(original, m));
      const t0 = Date.now();
      let run: { status: number | null; output: string };
      try {
        run = await runTests(tests);
      } finally {
        writeFileSync(join(ROOT, m.file), original);
      }
      const seconds = (Date.now() - t0) / 1000;
      const outcome: Outcome = run.status === 0 ? "survived" : isCompileError(run.output) ? "invalid" : "killed";
      const failing = outcome === "killed" ? firstFailing(run.output) : undefined;
      results.push({ id: m.id, file: m.file, description: m.description, outcome, seconds, failing });
      process.stderr.write(`${m.id}: ${outcome}${failing ? ` (${failing})` : ""} in ${seconds.toFixed(0)} s\n`);
    }
  } finally {
    restore();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  for (const f of files) {
    if (readFileSync(join(ROOT, f), "utf8") !== originals.get(f)) throw new Error(`${f} was not restored`);
  }
  // The last mutant's bytecode may still sit in artifacts/: rebuild from the restored sources.
  process.stderr.write("rebuilding artifacts from the restored sources\n");
  spawnSync("npx", ["hardhat", "build", "--quiet"], { cwd: ROOT, stdio: "inherit" });

  const valid = results.filter((r) => r.outcome !== "invalid");
  const killed = valid.filter((r) => r.outcome === "killed").length;
  const rate = valid.length === 0 ? 0 : killed / valid.length;
  const belowThreshold = minKillRate !== undefined && (valid.length === 0 || rate * 100 < minKillRate);
  if (belowThreshold) process.exitCode = 1;
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ tests, results, killed, valid: valid.length, killRate: rate }, null, 2)}\n`,
    );
    return;
  }
  const lines = [
    "| mutant | file | mutation | outcome | first failing test |",
    "| --- | --- | --- | --- | --- |",
    ...results.map(
      (r) =>
        `| ${r.id} | ${r.file.split("/").pop()} | ${r.description.replaceAll("|", "\\|")} | ${r.outcome} | ${r.failing ?? ""} |`,
    ),
    "",
    `kill rate: ${killed}/${valid.length} = ${(rate * 100).toFixed(1)}% (${results.length - valid.length} invalid)`,
  ];
  if (belowThreshold) lines.push(`FAIL: kill rate below the required ${minKillRate}%`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

await main();
