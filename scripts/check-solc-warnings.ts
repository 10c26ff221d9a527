/**
 * Solidity compiler warnings as errors: reads the compiler output that `hardhat build` keeps for every
 * current artifact (artifacts/build-info/<id>.output.json, cached compilations included, so a warning in a
 * file that was not recompiled this time is still seen) and fails on any solc warning in a project source.
 *
 *   npx tsx scripts/check-solc-warnings.ts      after `npm run build`; exit 1 and every warning printed
 *
 * Ignored, as hardhat itself hides them: contract/initcode size warnings in Solidity test files (forge-std
 * test contracts are never deployed to a real chain). Warnings in dependencies (npm/...) are not ours to fix
 * and are listed without failing.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { PROJECT_ROOT } from "../keepers/lib/paths.js";

export type SolcDiagnostic = {
  severity: string;
  errorCode?: string;
  message: string;
  formattedMessage?: string;
  sourceLocation?: { file: string };
};

/** solc error codes of the contract size (5574) and initcode size (3860) warnings. */
const SIZE_WARNINGS = new Set(["5574", "3860"]);

const isTestSource = (file: string) => file.endsWith(".t.sol") || file.startsWith("project/test/");

/** Splits solc diagnostics into the warnings that fail the check and the dependency ones that do not. */
export function classifyWarnings(diagnostics: SolcDiagnostic[]): {
  failing: SolcDiagnostic[];
  dependency: SolcDiagnostic[];
} {
  const failing: SolcDiagnostic[] = [];
  const dependency: SolcDiagnostic[] = [];
  for (const d of diagnostics) {
    if (d.severity !== "warning") continue;
    const file = d.sourceLocation?.file ?? "";
    if (SIZE_WARNINGS.has(d.errorCode ?? "") && isTestSource(file)) continue;
    if (file.startsWith("npm/")) dependency.push(d);
    else failing.push(d);
  }
  return { failing, dependency };
}

function artifactFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "build-info") out.push(...artifactFiles(path));
    } else if (name.endsWith(".json")) out.push(path);
  }
  return out;
}

/**
 * For each source (`project/contracts/...` as solc names it), the build-info ids its current artifacts come
 * from. A build-info also holds the diagnostics of files compiled with it that were since changed (then their
 * artifacts point to a newer build-info) or deleted (then they have no artifacts): those are stale.
 */
export function currentBuilds(artifactsDir: string): Map<string, Set<string>> {
  const builds = new Map<string, Set<string>>();
  for (const file of artifactFiles(artifactsDir)) {
    const artifact = JSON.parse(readFileSync(file, "utf8")) as { buildInfoId?: unknown; inputSourceName?: unknown };
    if (typeof artifact.buildInfoId !== "string" || typeof artifact.inputSourceName !== "string") continue;
    const ids = builds.get(artifact.inputSourceName) ?? new Set<string>();
    ids.add(artifact.buildInfoId);
    builds.set(artifact.inputSourceName, ids);
  }
  return builds;
}

/** Whether a diagnostic read from build-info `id` is about the current compilation of its file. */
export function isCurrent(d: SolcDiagnostic, id: string, builds: Map<string, Set<string>>): boolean {
  const file = d.sourceLocation?.file;
  if (file === undefined) return true;
  const ids = builds.get(file);
  // A source with no artifact of its own (only free functions, constants or errors): current while it exists.
  if (ids === undefined)
    return file.startsWith("npm/") || existsSync(join(PROJECT_ROOT, file.replace(/^project\//, "")));
  return ids.has(id);
}

function main() {
  const artifactsDir = join(PROJECT_ROOT, "artifacts");
  const builds = currentBuilds(artifactsDir);
  const ids = new Set([...builds.values()].flatMap((set) => [...set]));
  if (ids.size === 0) {
    console.error("no compiled artifacts: run `npm run build` first");
    process.exit(1);
  }
  const diagnostics: SolcDiagnostic[] = [];
  for (const id of ids) {
    const path = join(artifactsDir, "build-info", `${id}.output.json`);
    const output = JSON.parse(readFileSync(path, "utf8")) as { output?: { errors?: SolcDiagnostic[] } };
    diagnostics.push(...(output.output?.errors ?? []).filter((d) => isCurrent(d, id, builds)));
  }
  const { failing, dependency } = classifyWarnings(diagnostics);
  for (const d of dependency) console.log(`dependency warning (not failing): ${d.formattedMessage ?? d.message}`);
  for (const d of failing) console.error(d.formattedMessage ?? d.message);
  if (failing.length > 0) {
    console.error(`${failing.length} Solidity compiler warning(s): warnings are errors in this project`);
    process.exit(1);
  }
  console.log(`no Solidity compiler warnings (${ids.size} compilation(s) checked)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();
