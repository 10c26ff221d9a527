import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

import { PROJECT_ROOT } from "../../../keepers/lib/paths.js";

/**
 * The real attestation fixtures live in shared/fixtures/attestation beside the clone (CI); a worktree one
 * level deeper finds them one directory further up. They are read, never copied or modified: tampered
 * variants are built in memory by each test.
 */
function fixturesDir(): string {
  const candidates = [
    process.env.VCLOUD_ATTESTATION_FIXTURES,
    resolve(PROJECT_ROOT, "..", "shared", "fixtures", "attestation"),
    resolve(PROJECT_ROOT, "..", "..", "shared", "fixtures", "attestation"),
  ].filter((p): p is string => typeof p === "string");
  const found = candidates.find((p) => existsSync(join(p, "README.md")));
  if (!found) throw new Error(`attestation fixtures not found; looked in ${candidates.join(", ")}`);
  return found;
}

export const FIXTURES = fixturesDir();

export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

export function fixturePath(name: string): string {
  return join(FIXTURES, name);
}

/** Verification times inside each fixture's validity window (shared/fixtures/attestation/README.md). */
export const AT = {
  blockyNitro: new Date("2024-09-07T14:37:39Z"),
  blockyNitroDebug: new Date("2024-09-07T14:38:07Z"),
  baseNitro: new Date("2026-01-03T20:41:07Z"),
  phalaTdx: new Date("2025-07-01T00:00:00Z"),
  oak: new Date("2025-06-23T14:23:31Z"),
} as const;
