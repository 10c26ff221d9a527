/**
 * `npm run lint:sol`: solhint (security rules at error level, see .solhint.json) with no warnings allowed,
 * then the Solidity compiler warnings check (scripts/check-solc-warnings.ts; needs `npm run build` first).
 * Runs both and exits non-zero when either fails.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

import { PROJECT_ROOT } from "../keepers/lib/paths.js";

const run = (args: string[]) => spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, stdio: "inherit" }).status ?? 1;

const solhint = run([
  join(PROJECT_ROOT, "node_modules", "solhint", "solhint.js"),
  "--max-warnings",
  "0",
  "contracts/**/*.sol",
]);
const solc = run([
  join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs"),
  join(PROJECT_ROOT, "scripts", "check-solc-warnings.ts"),
]);
process.exit(solhint !== 0 || solc !== 0 ? 1 : 0);
