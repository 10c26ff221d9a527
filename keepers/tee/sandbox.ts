/**
 * The worker sandbox: runs a program bundle in a child process with OS-enforced limits.
 *
 *   unshare --net --pid --fork --kill-child   (new network + PID namespaces; --user --map-root-user when
 *                                               not root): no network interfaces but a down loopback,
 *                                               and every process dies with the namespace's first process
 *   prlimit --cpu --data --fsize --nofile --core [--nproc]   kernel resource limits
 *   setpriv --reuid/--regid 65534 --clear-groups --no-new-privs (only when the worker runs as root)
 *   sh -c '"$@" 3>&-; echo $? >&3'             reports the program's exit status (128+signal) on fd 3
 *
 * plus, from the parent: a fresh temporary working directory, a minimal environment, a wall-clock timer
 * that kills the process group, and a stdout byte cap. See docs/tee.md for what this does not protect.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import { VcloudError } from "../lib/errors.js";
import { validateBundle, type ProgramBundle } from "./bundle.js";

export type SandboxLimits = {
  /** CPU seconds (RLIMIT_CPU, per process): SIGXCPU at the limit. */
  cpuSeconds: number;
  /** Bytes of heap and private writable memory (RLIMIT_DATA): allocations beyond it fail. */
  memoryBytes: number;
  /** Wall-clock milliseconds before the whole process tree is killed. */
  wallMs: number;
  /** Bytes of stdout (the task output) accepted; beyond it the program is killed. */
  maxOutputBytes: number;
  /** Largest file the program may write in its working directory (RLIMIT_FSIZE). */
  maxFileBytes: number;
  /** Open file descriptors (RLIMIT_NOFILE). */
  maxOpenFiles: number;
  /** Processes of the sandbox user (RLIMIT_NPROC); applied only when the worker drops root to nobody. */
  maxProcesses: number;
  /**
   * Give the program the host network. Default false: a fresh network namespace with only a down loopback
   * (refused with SandboxUnavailableError where the machine cannot create one). Here, at the sandbox, it is
   * what runs; `runTask` (and the dispatcher and executors above it) sets it from the app's bundle
   * (`ProgramBundle.network`), see worker.ts.
   */
  network: boolean;
};

export const DEFAULT_LIMITS: SandboxLimits = Object.freeze({
  cpuSeconds: 10,
  memoryBytes: 512 * 1024 * 1024,
  wallMs: 30_000,
  maxOutputBytes: 16 * 1024 * 1024,
  maxFileBytes: 64 * 1024 * 1024,
  maxOpenFiles: 256,
  maxProcesses: 64,
  network: false,
});

/** Stderr kept for error messages. */
const STDERR_KEEP = 64 * 1024;
const SANDBOX_UID = 65534;
const PATH = "/usr/local/bin:/usr/bin:/bin";

// Errors ---------------------------------------------------------------------------------------------

export type SandboxLimit = "cpu" | "memory" | "wall-time" | "output-size" | "file-size";

/** The program broke one of the sandbox's limits and was stopped; no output is returned. */
export class SandboxLimitError extends VcloudError {
  override name = "SandboxLimitError";
  readonly limit: SandboxLimit;
  constructor(limit: SandboxLimit, message: string, details?: string) {
    super(`task stopped: ${limit} limit exceeded: ${message}`, { details });
    this.limit = limit;
  }
}

export class CpuTimeLimitError extends SandboxLimitError {
  override name = "CpuTimeLimitError";
  constructor(seconds: number, stderr?: string) {
    super("cpu", `used more than ${seconds} s of CPU time (SIGXCPU)`, stderr);
  }
}

export class MemoryLimitError extends SandboxLimitError {
  override name = "MemoryLimitError";
  constructor(bytes: number, stderr?: string) {
    super("memory", `could not allocate within ${bytes} bytes (RLIMIT_DATA)`, stderr);
  }
}

export class WallTimeLimitError extends SandboxLimitError {
  override name = "WallTimeLimitError";
  constructor(ms: number) {
    super("wall-time", `still running after ${ms} ms; process tree killed`);
  }
}

export class OutputLimitError extends SandboxLimitError {
  override name = "OutputLimitError";
  constructor(bytes: number) {
    super("output-size", `wrote more than ${bytes} bytes to stdout; process tree killed`);
  }
}

export class FileSizeLimitError extends SandboxLimitError {
  override name = "FileSizeLimitError";
  constructor(bytes: number) {
    super("file-size", `wrote a file larger than ${bytes} bytes (SIGXFSZ)`);
  }
}

/** The program exited non-zero or was killed by a signal that is not a limit. */
export class ProgramFailedError extends VcloudError {
  override name = "ProgramFailedError";
  readonly exitStatus: number;
  readonly stderr: string;
  constructor(exitStatus: number, stderr: string) {
    const tail = stderr.trim().split("\n").slice(-1)[0] ?? "";
    super(
      `program failed with ${exitStatus > 128 ? `signal ${exitStatus - 128}` : `exit code ${exitStatus}`}${tail ? `: ${tail.slice(0, 200)}` : ""}`,
      { details: stderr },
    );
    this.exitStatus = exitStatus;
    this.stderr = stderr;
  }
}

/** The machine lacks a mechanism the limits require (e.g. network isolation). */
export class SandboxUnavailableError extends VcloudError {
  override name = "SandboxUnavailableError";
  constructor(message: string) {
    super(`sandbox unavailable: ${message}`);
  }
}

// Capabilities ---------------------------------------------------------------------------------------

export type SandboxCapabilities = {
  /** How namespaces are created: as root, through an unprivileged user namespace, or not at all. */
  namespaces: "root" | "user" | "none";
  prlimit: boolean;
  /** Drop to uid/gid 65534 (worker runs as root and setpriv exists). */
  dropPrivileges: boolean;
};

let cachedCapabilities: SandboxCapabilities | undefined;

function works(cmd: string, args: string[]): boolean {
  const result = spawnSync(cmd, args, { stdio: "ignore", timeout: 5000 });
  return result.status === 0;
}

const UNSHARE_ROOT = ["--net", "--pid", "--fork", "--kill-child"];
const UNSHARE_USER = ["--user", "--map-root-user", ...UNSHARE_ROOT];

/** Probes once which isolation mechanisms this machine offers. */
export function sandboxCapabilities(): SandboxCapabilities {
  if (cachedCapabilities) return cachedCapabilities;
  const isRoot = process.getuid?.() === 0;
  let namespaces: SandboxCapabilities["namespaces"] = "none";
  if (isRoot && works("unshare", [...UNSHARE_ROOT, "--", "true"])) namespaces = "root";
  else if (works("unshare", [...UNSHARE_USER, "--", "true"])) namespaces = "user";
  cachedCapabilities = {
    namespaces,
    prlimit: works("prlimit", ["--cpu=1", "--", "true"]),
    dropPrivileges: isRoot && works("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", "true"]),
  };
  return cachedCapabilities;
}

// Running --------------------------------------------------------------------------------------------

export type SandboxRun = {
  stdout: Buffer;
  stderr: string;
  wallMs: number;
  /** The mechanisms this run used, for logs and the worker's report. */
  mechanisms: string[];
};

/** The command line that applies the limits, for a given capability set (pure; exported for tests/docs). */
export function sandboxCommand(
  entry: readonly string[],
  limits: SandboxLimits,
  caps: SandboxCapabilities,
): { argv: string[]; mechanisms: string[] } {
  if (!caps.prlimit) throw new SandboxUnavailableError("prlimit (util-linux) is needed to apply resource limits");
  if (!limits.network && caps.namespaces === "none") {
    throw new SandboxUnavailableError(
      "network isolation needs unshare with root or unprivileged user namespaces; enable them or allow network",
    );
  }
  const argv: string[] = [];
  const mechanisms: string[] = [];
  if (caps.namespaces !== "none") {
    const ns = caps.namespaces === "root" ? UNSHARE_ROOT : UNSHARE_USER;
    argv.push("unshare", ...(limits.network ? ns.filter((f) => f !== "--net") : ns), "--");
    mechanisms.push(
      `${limits.network ? "" : "net+"}pid namespace${caps.namespaces === "user" ? " (user namespace)" : ""}`,
    );
  }
  const rlimits = [
    `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
    `--data=${limits.memoryBytes}`,
    `--fsize=${limits.maxFileBytes}`,
    `--nofile=${limits.maxOpenFiles}`,
    "--core=0",
  ];
  if (caps.dropPrivileges) rlimits.push(`--nproc=${limits.maxProcesses}`);
  argv.push("prlimit", ...rlimits, "--");
  mechanisms.push("rlimits (cpu, data, fsize, nofile, core" + (caps.dropPrivileges ? ", nproc)" : ")"));
  if (caps.dropPrivileges) {
    argv.push("setpriv", `--reuid=${SANDBOX_UID}`, `--regid=${SANDBOX_UID}`, "--clear-groups", "--no-new-privs", "--");
    mechanisms.push("uid/gid 65534, no new privileges");
  }
  argv.push("sh", "-c", '"$@" 3>&-; echo "$?" >&3', "vcloud-task", ...entry);
  mechanisms.push("fresh temp dir, minimal env, wall timer, output cap");
  return { argv, mechanisms };
}

function writeBundle(dir: string, bundle: ProgramBundle, owner: number | undefined): void {
  for (const [path, content] of Object.entries(bundle.files)) {
    const full = join(dir, ...path.split("/"));
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content, { mode: 0o755 });
    if (owner !== undefined) chownSync(full, owner, owner);
  }
  if (owner !== undefined) {
    const chownDirs = (rel: string) => {
      chownSync(join(dir, rel), owner, owner);
    };
    for (const path of Object.keys(bundle.files)) {
      const parts = path.split("/").slice(0, -1);
      for (let i = 1; i <= parts.length; i++) chownDirs(parts.slice(0, i).join("/"));
    }
  }
}

const MEMORY_FAILURE =
  /out of memory|Cannot allocate memory|MemoryError|bad_alloc|allocation failed|ENOMEM|memory exhausted/i;

/**
 * Runs a bundle with `input` on stdin under `limits`; resolves with its stdout when it exits 0 within every
 * limit, rejects with a SandboxLimitError, ProgramFailedError or SandboxUnavailableError otherwise.
 */
export async function runSandboxed(
  bundle: ProgramBundle,
  input: Uint8Array,
  limits: SandboxLimits = DEFAULT_LIMITS,
  caps: SandboxCapabilities = sandboxCapabilities(),
): Promise<SandboxRun> {
  validateBundle(bundle);
  const { argv, mechanisms } = sandboxCommand(bundle.entry, limits, caps);
  const dir = mkdtempSync(join(tmpdir(), "vcloud-task-"));
  const owner = caps.dropPrivileges ? SANDBOX_UID : undefined;
  try {
    chmodSync(dir, 0o700);
    if (owner !== undefined) chownSync(dir, owner, owner);
    writeBundle(dir, bundle, owner);
    const started = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: dir,
      env: { PATH, HOME: dir, TMPDIR: dir, LANG: "C.UTF-8" },
      stdio: ["pipe", "pipe", "pipe", "pipe"],
      detached: true, // own process group, so the wall timer can kill every descendant
    });
    const killTree = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    let stopped: SandboxLimitError | undefined;
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = "";
    let status = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      if (stopped) return;
      stdoutBytes += chunk.length;
      if (stdoutBytes > limits.maxOutputBytes) {
        stopped = new OutputLimitError(limits.maxOutputBytes);
        killTree();
        return;
      }
      stdout.push(chunk);
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      if (stderr.length < STDERR_KEEP) stderr += chunk.toString("utf8").slice(0, STDERR_KEEP - stderr.length);
    });
    (child.stdio[3] as NodeJS.ReadableStream).on("data", (chunk: Buffer) => {
      status += chunk.toString("utf8");
    });
    const timer = setTimeout(() => {
      stopped ??= new WallTimeLimitError(limits.wallMs);
      killTree();
    }, limits.wallMs);
    child.stdin!.on("error", () => {
      // The program may exit without reading its input (EPIPE); its exit status tells what happened.
    });
    child.stdin!.end(Buffer.from(input));
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.on("error", reject);
      // When the wrapper exits, whatever it left running goes too: with a PID namespace the kernel kills
      // it; without one, the process group is killed here, so leftovers cannot hold stdout open.
      child.on("exit", killTree);
      child.on("close", (code, signal) => resolve({ code, signal }));
    });
    clearTimeout(timer);
    const wallMs = performance.now() - started;
    if (stopped) throw stopped;

    const reported = /^(\d+)\s*$/.exec(status.trim().split("\n").slice(-1)[0] ?? "");
    if (!reported) {
      // The wrapper itself died before reporting (killed from outside, or the sandbox could not start).
      throw new ProgramFailedError(exit.code ?? 128, stderr || `sandbox exited with ${exit.signal ?? exit.code}`);
    }
    const exitStatus = Number(reported[1]);
    if (exitStatus === 128 + 24) throw new CpuTimeLimitError(limits.cpuSeconds, stderr);
    if (exitStatus === 128 + 25) throw new FileSizeLimitError(limits.maxFileBytes);
    if (exitStatus !== 0) {
      if (MEMORY_FAILURE.test(stderr)) throw new MemoryLimitError(limits.memoryBytes, stderr);
      throw new ProgramFailedError(exitStatus, stderr);
    }
    return { stdout: Buffer.concat(stdout), stderr, wallMs, mechanisms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
