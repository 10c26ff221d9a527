/**
 * Fuzzes the `vcloud` command line in-process (`buildProgram().parseAsync`, the same program bin/vcloud.mjs
 * runs): every leaf command of every group gets random flags with hostile values (out-of-range and
 * non-numeric numbers, bad hex and addresses, empty and huge strings, control characters, missing and
 * directory paths, files of random bytes or mutated JSON), unknown flags, missing option values and extra
 * positional arguments.
 *
 * Property: the command ends with exit code 2 and one `error:` line naming the bad flag, argument or file
 * (or a commander usage error naming it), or ends cleanly (exit 0, or exit 1 with one `error:` line: the
 * closed RPC endpoint, a missing deployment). Never an exception escaping the program, never a stack trace,
 * never a hang (each run is bounded), and nothing written outside the case's scratch directory.
 *
 * Isolation: the process works in a scratch directory, VCLOUD_RPC_URL points at a closed port on 127.0.0.1,
 * VCLOUD_DEPLOYMENTS_DIR at an empty directory; keeper daemons always get `--once`; `devnet start` and
 * `devnet deploy` (which would start a chain) run with an invalid VCLOUD_DEVNET_PORT/--parameters pinned.
 * Runs: min(FUZZ_RUNS, 300) in CI, FUZZ_RUNS in the deep profile (VCLOUD_TEST_PROFILE=deep).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Command, Option } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { buildProgram } from "../../../keepers/cli/main.js";
import { PROJECT_ROOT } from "../../../keepers/lib/paths.js";
import { freePort } from "../helpers/cli.js";
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, mutateJson, randomJson, Rng } from "./fuzz.js";

const DEEP = process.env.VCLOUD_TEST_PROFILE === "deep";
const RUNS = DEEP ? FUZZ_RUNS : Math.min(FUZZ_RUNS, 300);
/**
 * A single command, bounded well above anything a rejected input needs. Some generated command lines are
 * valid and do real work (the 100,000-input run drew `da encode` of a small file, which loads four KZG
 * setups: over 20 s on a loaded 2-core machine), so the bound tells a hang from slow work, not a fast reject.
 */
const CASE_TIMEOUT_MS = 60_000;

class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`);
  }
}

type Leaf = { path: string[]; options: Option[]; args: { name: string; required: boolean }[] };

function leaves(command: Command, path: string[] = []): Leaf[] {
  if (command.commands.length === 0) {
    return [
      {
        path,
        options: command.options.filter((o) => o.long !== "--help"),
        args: command.registeredArguments.map((a) => ({ name: a.name(), required: a.required })),
      },
    ];
  }
  return command.commands.flatMap((c) => leaves(c, [...path, c.name()]));
}

type Outcome = { code: number; stdout: string; stderr: string; escaped?: unknown };

/** Runs one argv through the real program, capturing its streams and exit code. */
async function runCli(argv: string[]): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const capture = (sink: (s: string) => void) =>
    ((chunk: unknown, ...rest: unknown[]) => {
      sink(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString());
      const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stdout.write;
  const spies = [
    vi.spyOn(process.stdout, "write").mockImplementation(capture((s) => (stdout += s))),
    vi.spyOn(process.stderr, "write").mockImplementation(capture((s) => (stderr += s))),
    vi.spyOn(process, "exit").mockImplementation(((code?: number) => {
      throw new ExitCalled(code ?? 0);
    }) as typeof process.exit),
  ];
  process.exitCode = undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no exit within ${CASE_TIMEOUT_MS} ms (hang)`)), CASE_TIMEOUT_MS);
    });
    await Promise.race([buildProgram(argv).then((p) => p.parseAsync(["node", "vcloud", ...argv])), timeout]);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } catch (error) {
    if (error instanceof ExitCalled) return { code: error.code, stdout, stderr };
    return { code: -1, stdout, stderr, escaped: error };
  } finally {
    clearTimeout(timer);
    for (const spy of spies) spy.mockRestore();
    process.exitCode = undefined;
  }
}

/** `TASK_HASH`, `task-hash` and `taskHash` name the same argument. */
const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, "");

const COMMANDER_USAGE =
  /error: (unknown option|unknown command|option '[^']+' argument missing|missing required argument|too many arguments|option '[^']+' argument '[^']*' is invalid|required option)/;

describe("fuzz: vcloud command line (every group, in-process)", () => {
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  let scratch: string;
  let program: Command;
  let all: Leaf[];

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "vcloud-cli-fuzz-"));
    mkdirSync(join(scratch, "deployments"));
    mkdirSync(join(scratch, "work"));
    const closed = await freePort();
    process.env.VCLOUD_RPC_URL = `http://127.0.0.1:${closed}`;
    process.env.VCLOUD_DEPLOYMENTS_DIR = join(scratch, "deployments");
    process.env.VCLOUD_DEVNET_PORT = "not-a-port";
    process.env.VCLOUD_LOG_LEVEL = "silent";
    for (const key of ["VCLOUD_PRIVATE_KEY", "VCLOUD_KEYSTORE", "VCLOUD_KEYSTORE_PASSWORD", "VCLOUD_BLS_KEY"]) {
      delete process.env[key];
    }
    process.chdir(join(scratch, "work"));
    program = await buildProgram();
    all = leaves(program);
  });

  afterAll(() => {
    process.chdir(savedCwd);
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
    rmSync(scratch, { recursive: true, force: true });
  });

  it("covers every command group", () => {
    const groups = new Set(all.map((l) => l.path[0]));
    for (const group of ["stake", "operator", "avs", "da", "tee", "ai", "agent", "fees", "fork", "keeper", "devnet"]) {
      expect(groups, group).toContain(group);
    }
    expect(all.length).toBeGreaterThan(50);
  });

  it(`rejects ${RUNS} hostile command lines by name, or fails cleanly`, { timeout: FUZZ_TIMEOUT_MS }, async () => {
    const rng = new Rng(0xc11f022);
    const dir = join(scratch, "files");
    mkdirSync(dir);
    const realJson = [
      join(PROJECT_ROOT, "deploy", "parameters", "devnet.json"),
      join(PROJECT_ROOT, "package.json"),
    ].map((p) => JSON.parse(readFileSync(p, "utf8")) as unknown);
    const hostile = (i: number): string => {
      switch (rng.int(6)) {
        case 0: {
          const file = join(dir, `bytes-${i}`);
          writeFileSync(file, rng.bytes(rng.int(512)));
          return file;
        }
        case 1: {
          const file = join(dir, `json-${i}.json`);
          const doc = rng.int(2) === 0 ? mutateJson(rng.pick(realJson), rng) : randomJson(rng);
          writeFileSync(file, JSON.stringify(doc));
          return file;
        }
        case 2:
          return Array.from({ length: 1 + rng.int(40) }, () => String.fromCharCode(1 + rng.int(0x2ff))).join("");
        default:
          return rng.pick([
            "",
            " ",
            "-1",
            "0",
            "1.5",
            "1e309",
            "NaN",
            "Infinity",
            "99999999999999999999999999999",
            "0x",
            "0xzz",
            "0x" + "f".repeat(64),
            "0x" + "00".repeat(20),
            "0x" + "ab".repeat(19),
            "not-an-address",
            "a=b",
            "=",
            "a:b:c",
            "1,2,,3",
            // Relative: the fuzz runs in its scratch directory, so a valid command that writes there (`da encode
            // --out`) leaves nothing behind (an absolute /nonexistent path was created by a 100k run).
            "missing/vcloud/file",
            dir,
            "\u0000",
            "é☃\u202e",
            "x".repeat(5000),
            "http://",
            "ftp://example.invalid",
            "http://[::1",
            "-",
            "true",
            "2026-13-45T99:99:99Z",
            "all",
            "sample",
            "none",
          ]);
      }
    };

    const tally = { usage: 0, invalid: 0, failed: 0, ok: 0 };
    for (let i = 0; i < RUNS; i++) {
      const leaf = all[i % all.length]!;
      const argv: string[] = [];
      if (rng.int(8) === 0) argv.push("--json");
      argv.push(...leaf.path);
      const daemon = leaf.path[0] === "keeper";
      const candidates = leaf.options.filter(
        (o) => !(leaf.path.join(" ") === "devnet start" && o.long === "--port") && o.long !== "--once",
      );
      // Required options nearly always present (else commander stops before the handler), plus 1-4 random ones.
      const chosen = candidates.filter((o) => o.mandatory && rng.int(12) !== 0);
      const count = 1 + rng.int(4);
      for (let k = 0; k < count && candidates.length > 0; k++) chosen.push(rng.pick(candidates));
      for (const [k, option] of chosen.entries()) {
        const flag = option.long ?? option.short!;
        if (!(option.required || option.optional)) argv.push(flag);
        else {
          // `--flag=value` keeps a value such as "-1" from being read as a flag (commander does the same split)
          const value = hostile(i * 8 + k);
          if (option.long && (value.startsWith("-") || rng.int(2) === 0)) argv.push(`${option.long}=${value}`);
          else argv.push(flag, value);
        }
      }
      const positional = leaf.args.filter((a) => a.required || rng.int(2) === 0).map(() => hostile(i * 8 + 6));
      if (leaf.path.join(" ") === "devnet deploy") argv.push("--parameters", "/nonexistent/vcloud/parameters.json");
      if (daemon) argv.push("--once");
      if (positional.length > 0) argv.push(...(positional.some((p) => p.startsWith("-")) ? ["--"] : []), ...positional);
      switch (rng.int(10)) {
        case 0:
          argv.push(`--no-such-flag-${rng.int(1000)}`);
          break;
        case 1: {
          const valued = candidates.filter((o) => o.required);
          if (valued.length > 0) argv.push(rng.pick(valued).long!);
          break;
        }
        case 2:
          argv.push(...Array.from({ length: 1 + rng.int(3) }, (_, j) => `extra-${j}`));
          break;
      }

      const label = `case ${i}: vcloud ${argv.map((a) => JSON.stringify(a.length > 60 ? a.slice(0, 60) + "…" : a)).join(" ")}`;
      const before = readdirSync(join(scratch, "work"));
      const started = performance.now();
      const outcome = await runCli(argv);
      if (process.env.CLI_FUZZ_DEBUG) {
        const ms = Math.round(performance.now() - started);
        console.log(`${ms} ms`, leaf.path.join(" "), "=>", outcome.code, outcome.stderr.slice(0, 100));
      }
      if (outcome.escaped !== undefined) {
        throw new Error(
          `${label}\n  escaped the program: ${String((outcome.escaped as Error)?.stack ?? outcome.escaped)}`,
        );
      }
      expect([0, 1, 2], `${label}\n  exit ${outcome.code}\n  stderr: ${outcome.stderr}`).toContain(outcome.code);
      expect(outcome.stderr, `${label}: stack trace on stderr`).not.toMatch(/\n\s+at .+:\d+:\d+/);
      if (outcome.code === 0) {
        tally.ok++;
        continue;
      }
      const line = outcome.stderr.split("\n").find((l) => l.startsWith("error:"));
      expect(line, `${label}\n  exit ${outcome.code} without an error line: ${outcome.stderr}`).toBeDefined();
      if (outcome.code === 1) {
        tally.failed++;
        continue;
      }
      if (COMMANDER_USAGE.test(line!)) {
        expect(readdirSync(join(scratch, "work")), `${label}: wrote files`).toEqual(before);
        tally.usage++;
        continue;
      }
      // `error: invalid <field>: <reason>` naming a flag of this command line, a positional argument, an
      // environment variable or a file the command read.
      const field = /^error: invalid ([^:]+):/.exec(line!)?.[1];
      expect(field, `${label}\n  exit 2 without naming the bad input: ${line}`).toBeDefined();
      const named =
        argv.some((a) => field!.includes(a) && a.startsWith("-")) ||
        leaf.args.some((a) => norm(field!).includes(norm(a.name))) ||
        /VCLOUD_[A-Z_]+/.test(field!) ||
        argv.some((a) => a.length > 3 && field!.includes(a)) ||
        leaf.options.some((o) => o.long !== undefined && field!.includes(o.long));
      expect(named, `${label}\n  names ${field}, which is not in the command line`).toBe(true);
      // Nothing persisted from a rejected input: the working directory is as it was before the command.
      expect(readdirSync(join(scratch, "work")), `${label}: wrote files`).toEqual(before);
      tally.invalid++;
    }
    // Most hostile inputs must be refused as bad input (exit 2), not merely fail later.
    expect(tally.usage + tally.invalid).toBeGreaterThan(RUNS / 2);
    console.log(`cli fuzz: ${RUNS} command lines over ${all.length} commands`, tally);

    // No deployment was written (no command reached a chain).
    expect(readdirSync(join(scratch, "deployments"))).toEqual([]);
  });
});
