/**
 * Program bundles: what an app registers and a worker runs. A bundle is an entry command (argv) plus a
 * set of files laid out in the task's working directory; its digest (sha256 over a canonical encoding of
 * both) is the "image digest" the app registry records and every attestation binds. A bundle may also
 * ask for the network (`"network": true` in its manifest): the permission is covered by the digest, so it
 * is part of what the app registered, and the worker gives the program the host network only then.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

import type { Hex } from "viem";

import { InvalidInputError } from "../lib/errors.js";

export type ProgramBundle = {
  /** argv of the program; entry[0] is looked up on PATH (/usr/local/bin:/usr/bin:/bin) or is absolute. */
  entry: readonly string[];
  /** Files by relative path ("main.sh", "lib/util.js"), written to the task's working directory. */
  files: Readonly<Record<string, Uint8Array | string>>;
  /**
   * The program may use the network (the host's). Default false: it runs in a fresh network namespace
   * with only a down loopback. Part of the digest, so an app's registration says whether it has network.
   */
  network?: boolean;
};

/** The manifest file of a bundle directory. */
export const BUNDLE_MANIFEST = "vcloud-bundle.json";
const DOMAIN = "vcloud.program-bundle.v1";
const MAX_FILES = 10_000;

/** Throws InvalidInputError unless the bundle is well-formed (safe relative paths, non-empty entry). */
export function validateBundle(bundle: ProgramBundle): void {
  if (bundle.network !== undefined && typeof bundle.network !== "boolean") {
    throw new InvalidInputError("bundle.network", "must be true or false");
  }
  if (!Array.isArray(bundle.entry) || bundle.entry.length === 0 || !bundle.entry[0]) {
    throw new InvalidInputError("bundle.entry", "must be a non-empty argv array");
  }
  for (const arg of bundle.entry) {
    if (typeof arg !== "string" || arg.includes("\0")) throw new InvalidInputError("bundle.entry", "bad argument");
  }
  const paths = Object.keys(bundle.files);
  if (paths.length > MAX_FILES) throw new InvalidInputError("bundle.files", `more than ${MAX_FILES} files`);
  for (const path of paths) {
    const parts = path.split("/");
    if (
      path.length === 0 ||
      path.startsWith("/") ||
      path.includes("\\") ||
      path.includes("\0") ||
      parts.some((p) => p === "" || p === "." || p === "..")
    ) {
      throw new InvalidInputError("bundle.files", `unsafe path ${JSON.stringify(path)} (relative, no . or ..)`);
    }
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

function asBytes(content: Uint8Array | string): Buffer {
  return typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content);
}

/**
 * sha256(domain || u32 argc || (u32 len || arg)* || u32 nfiles || (u32 len || path || u64 len || bytes)*
 * [|| u32 npermissions || (u32 len || permission)*]), files sorted by the bytes of their path; the
 * permissions part (only "network" so far) is present only when the bundle has one, so a bundle without
 * permissions keeps the digest it had before they existed. Independent of object key order and of the machine.
 */
export function bundleDigest(bundle: ProgramBundle): Hex {
  validateBundle(bundle);
  const hash = createHash("sha256");
  hash.update(DOMAIN);
  hash.update(u32(bundle.entry.length));
  for (const arg of bundle.entry) {
    const b = Buffer.from(arg, "utf8");
    hash.update(u32(b.length)).update(b);
  }
  const paths = Object.keys(bundle.files).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  hash.update(u32(paths.length));
  for (const path of paths) {
    const p = Buffer.from(path, "utf8");
    const content = asBytes(bundle.files[path]!);
    hash.update(u32(p.length)).update(p).update(u64(content.length)).update(content);
  }
  const permissions = bundle.network === true ? ["network"] : [];
  if (permissions.length > 0) {
    hash.update(u32(permissions.length));
    for (const permission of permissions) hash.update(u32(permission.length)).update(permission);
  }
  return `0x${hash.digest("hex")}`;
}

/**
 * Reads a bundle directory: `vcloud-bundle.json` ({"entry": [...]}, optionally "network": true) plus every
 * other regular file.
 */
export function loadBundleDir(dir: string): ProgramBundle {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(join(dir, BUNDLE_MANIFEST), "utf8"));
  } catch (cause) {
    throw new InvalidInputError("--bundle", `cannot read ${join(dir, BUNDLE_MANIFEST)}: ${(cause as Error).message}`);
  }
  const entry = (manifest as { entry?: unknown }).entry;
  if (!Array.isArray(entry) || !entry.every((a) => typeof a === "string")) {
    throw new InvalidInputError("--bundle", `${BUNDLE_MANIFEST} must hold {"entry": ["cmd", "arg", ...]}`);
  }
  const network = (manifest as { network?: unknown }).network;
  if (network !== undefined && typeof network !== "boolean") {
    throw new InvalidInputError("--bundle", `${BUNDLE_MANIFEST}: "network" must be true or false`);
  }
  const files: Record<string, Uint8Array> = {};
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const full = join(current, name);
      const rel = relative(dir, full).split(sep).join("/");
      const stat = statSync(full);
      if (stat.isDirectory()) walk(full);
      else if (stat.isFile() && rel !== BUNDLE_MANIFEST) files[rel] = readFileSync(full);
    }
  };
  walk(dir);
  const bundle: ProgramBundle = network === true ? { entry, files, network } : { entry, files };
  validateBundle(bundle);
  return bundle;
}
