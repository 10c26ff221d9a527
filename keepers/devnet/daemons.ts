/**
 * The devnet's keeper daemons: each is the real CLI daemon (`vcloud keeper <name>` without --once) run as a
 * supervised child process, its stdout and stderr appended to <dataDir>/keepers/<name>.log, restarted with
 * exponential backoff when it exits, and stopped with SIGTERM (SIGKILL after a grace period) on shutdown.
 *
 * Passes are counted from the daemon's own output: a result document on stdout (`--json`) or its pino line
 * "<name> pass" on stderr; "… pass failed" lines record the last error. The supervisor writes the status of
 * every daemon to <dataDir>/keepers/status.json whenever it changes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import type { Logger } from "../lib/logger.js";
import { PROJECT_ROOT } from "../lib/paths.js";

export type DaemonSpec = {
  /** Short name (`rewards`, `buyback`, …); also the log file's name. */
  name: string;
  /** Arguments after `vcloud` (e.g. ["--json", "keeper", "rewards", "--interval", "5"]). */
  args: string[];
  /** Extra environment (signing keys go here rather than on the command line). */
  env?: Record<string, string>;
};

export type DaemonStatus = {
  name: string;
  state: "starting" | "running" | "backoff" | "stopped";
  pid: number | null;
  restarts: number;
  passes: number;
  lastPassAt: string | null;
  lastError: string | null;
  log: string;
};

export type DaemonSupervisor = {
  status: () => DaemonStatus[];
  /** Resolves once every daemon has completed at least `passes` passes, or rejects after `timeoutMs`. */
  waitForPasses: (passes: number, timeoutMs: number) => Promise<void>;
  stop: () => Promise<void>;
};

/** Backoff before restart number `attempt` (1-based): 1 s doubling up to 30 s (pure). */
export function restartDelayMs(attempt: number): number {
  return Math.min(30_000, 1_000 * 2 ** Math.max(0, attempt - 1));
}

/** What one output line of a daemon says about its passes (pure). */
export function classifyLine(line: string, stream: "stdout" | "stderr"): "pass" | { error: string } | undefined {
  const text = line.trim();
  if (stream === "stdout") return text.startsWith("{") || text.startsWith("[") ? "pass" : undefined;
  if (!text.startsWith("{")) return text.startsWith("error:") ? { error: text.slice(6).trim() } : undefined;
  let entry: { msg?: unknown; err?: { message?: unknown } };
  try {
    entry = JSON.parse(text) as typeof entry;
  } catch {
    return undefined;
  }
  if (typeof entry.msg !== "string") return undefined;
  if (/ pass failed/.test(entry.msg)) return { error: String(entry.err?.message ?? entry.msg) };
  if (/ pass$/.test(entry.msg)) return "pass";
  return undefined;
}

const STOP_GRACE_MS = 10_000;

type Running = {
  spec: DaemonSpec;
  status: DaemonStatus;
  child?: ChildProcess;
  log: WriteStream;
  timer?: NodeJS.Timeout;
  startedAt: number;
  failures: number;
};

/** Starts every daemon in `specs` under one supervisor. */
export function startDaemons(options: { specs: DaemonSpec[]; dataDir: string; logger: Logger }): DaemonSupervisor {
  const dir = join(options.dataDir, "keepers");
  mkdirSync(dir, { recursive: true });
  const statusFile = join(dir, "status.json");
  let stopping = false;
  const daemons: Running[] = options.specs.map((spec) => {
    const log = join(dir, `${spec.name}.log`);
    return {
      spec,
      log: createWriteStream(log, { flags: "a" }),
      startedAt: 0,
      failures: 0,
      status: {
        name: spec.name,
        state: "starting",
        pid: null,
        restarts: 0,
        passes: 0,
        lastPassAt: null,
        lastError: null,
        log,
      },
    };
  });
  const listeners = new Set<() => void>();
  const changed = () => {
    writeFileSync(
      statusFile,
      JSON.stringify(
        daemons.map((d) => d.status),
        null,
        2,
      ),
    );
    for (const fn of listeners) fn();
  };

  const launch = (d: Running) => {
    d.timer = undefined;
    if (stopping) return;
    // The CLI's main module under tsx in one process (not through bin/vcloud.mjs, whose wrapper would put
    // two more processes between the supervisor and the daemon): the pid is the daemon's own.
    // parent-watchdog.ts stops the daemon if this process dies without stopping it.
    const main = join(PROJECT_ROOT, "keepers", "cli", "main.ts");
    const watchdog = pathToFileURL(join(PROJECT_ROOT, "keepers", "devnet", "parent-watchdog.ts")).href;
    const child = spawn(process.execPath, ["--import", "tsx", "--import", watchdog, main, ...d.spec.args], {
      cwd: PROJECT_ROOT,
      // Info level at least: the supervisor counts passes from the daemons' "… pass" log lines.
      env: { ...process.env, VCLOUD_LOG_LEVEL: "info", ...d.spec.env, FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    d.child = child;
    d.startedAt = Date.now();
    Object.assign(d.status, { state: "running", pid: child.pid ?? null });
    d.log.write(`--- ${new Date().toISOString()} start: vcloud ${d.spec.args.join(" ")}\n`);
    for (const stream of ["stdout", "stderr"] as const) {
      let pending = "";
      child[stream]!.on("data", (chunk: Buffer) => {
        d.log.write(chunk);
        pending += chunk.toString();
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        let any = false;
        for (const line of lines) {
          const kind = classifyLine(line, stream);
          if (kind === "pass") {
            d.status.passes += 1;
            d.status.lastPassAt = new Date().toISOString();
            d.failures = 0;
            any = true;
          } else if (kind) {
            d.status.lastError = kind.error;
            any = true;
          }
        }
        if (any) changed();
      });
    }
    child.once("error", (error) => {
      d.status.lastError = error.message;
    });
    child.once("close", (code, signal) => {
      d.child = undefined;
      d.log.write(`--- ${new Date().toISOString()} exit: code ${code} signal ${signal}\n`);
      if (stopping) {
        Object.assign(d.status, { state: "stopped", pid: null });
        changed();
        return;
      }
      // A daemon that ran a minute before dying starts its backoff over.
      d.failures = Date.now() - d.startedAt > 60_000 ? 1 : d.failures + 1;
      const delay = restartDelayMs(d.failures);
      options.logger.warn({ keeper: d.spec.name, code, signal, restartInMs: delay }, "keeper daemon exited");
      Object.assign(d.status, { state: "backoff", pid: null, restarts: d.status.restarts + 1 });
      if (d.status.lastError === null) d.status.lastError = `exited with code ${code ?? signal}`;
      changed();
      d.timer = setTimeout(() => launch(d), delay);
    });
  };
  for (const d of daemons) launch(d);
  changed();

  return {
    status: () => daemons.map((d) => ({ ...d.status })),
    waitForPasses: (passes, timeoutMs) =>
      new Promise<void>((resolvePromise, reject) => {
        const check = () => {
          if (daemons.every((d) => d.status.passes >= passes)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolvePromise();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          const late = daemons.filter((d) => d.status.passes < passes);
          reject(
            new Error(
              `keeper daemons without ${passes} pass(es) after ${timeoutMs} ms: ` +
                late
                  .map((d) => `${d.spec.name} (${d.status.lastError ?? d.status.state}; log ${d.status.log})`)
                  .join(", "),
            ),
          );
        }, timeoutMs);
        timer.unref();
        listeners.add(check);
        check();
      }),
    stop: async () => {
      stopping = true;
      await Promise.all(
        daemons.map(async (d) => {
          if (d.timer) clearTimeout(d.timer);
          const child = d.child;
          if (child) {
            const exited = new Promise<void>((r) => child.once("close", () => r()));
            child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
            await exited;
            clearTimeout(timer);
          }
          Object.assign(d.status, { state: "stopped", pid: null });
          await new Promise<void>((r) => d.log.end(() => r()));
        }),
      );
      changed();
    },
  };
}

/** One line per daemon for the printed summary (pure). */
export function renderDaemons(status: DaemonStatus[]): string {
  return [
    "keeper daemons:",
    ...status.map(
      (s) =>
        `  ${s.name.padEnd(13)} ${s.state.padEnd(8)} pid ${String(s.pid ?? "-").padEnd(8)} restarts ${s.restarts}  passes ${s.passes}` +
        `${s.lastPassAt ? `  last pass ${s.lastPassAt}` : ""}${s.lastError ? `  last error: ${s.lastError}` : ""}  log ${s.log}`,
    ),
  ].join("\n");
}
