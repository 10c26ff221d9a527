/**
 * Finds Debian's Chromium for the browser tests, installing it with apt-get when it is missing. Never
 * skips: without Chromium and without a working apt-get it throws an error that says what to install.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"];

export class ChromiumUnavailableError extends Error {
  override name = "ChromiumUnavailableError";
}

function found(): string | undefined {
  const fromEnv = process.env.VCLOUD_CHROMIUM;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new ChromiumUnavailableError(`VCLOUD_CHROMIUM=${fromEnv} does not exist`);
    return fromEnv;
  }
  return CANDIDATES.find((p) => existsSync(p));
}

function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    timeout: 600_000,
  });
  return { ok: r.status === 0, out: `${r.error?.message ?? ""}${r.stdout ?? ""}${r.stderr ?? ""}`.slice(-2000) };
}

/** The path of a Chromium binary, installed from Debian's `chromium` package if needed. */
export function ensureChromium(): string {
  const existing = found();
  if (existing) return existing;
  const apt = spawnSync("apt-get", ["--version"], { encoding: "utf8" });
  if (apt.error || apt.status !== 0)
    throw new ChromiumUnavailableError(
      "the browser tests need Chromium: no /usr/bin/chromium and no apt-get to install Debian's `chromium` package; " +
        "install Chromium or set VCLOUD_CHROMIUM to its path",
    );
  // As root (CI, containers) apt-get runs directly; otherwise through passwordless sudo, or fails clearly.
  const aptGet = (...args: string[]) =>
    process.getuid?.() === 0 ? run("apt-get", args) : run("sudo", ["-n", "apt-get", ...args]);
  const update = aptGet("update");
  if (!update.ok) throw new ChromiumUnavailableError(`apt-get update failed while installing Chromium:\n${update.out}`);
  const install = aptGet("install", "-y", "--no-install-recommends", "chromium");
  if (!install.ok) throw new ChromiumUnavailableError(`apt-get install chromium failed:\n${install.out}`);
  const path = found();
  if (!path) throw new ChromiumUnavailableError("apt-get installed `chromium` but no chromium binary was found");
  execFileSync(path, ["--version"], { encoding: "utf8" });
  return path;
}
