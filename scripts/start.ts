/**
 * `npm start [-- --once] [-- --port N] [-- --rpc URL]`: builds, then runs `vcloud devnet start`.
 * The bootstrap (scripts/bootstrap.mjs) has already provisioned Node and installed packages.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

import { PROJECT_ROOT } from "../keepers/lib/paths.js";

const tsx = join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs");
const build = spawnSync(
  process.execPath,
  [join(PROJECT_ROOT, "node_modules", "hardhat", "dist", "src", "cli.js"), "build", "--quiet"],
  {
    cwd: PROJECT_ROOT,
    stdio: "inherit",
  },
);
if (build.status !== 0) process.exit(build.status ?? 1);
const gen = spawnSync(process.execPath, [tsx, join(PROJECT_ROOT, "scripts", "gen-abis.ts")], {
  cwd: PROJECT_ROOT,
  stdio: ["ignore", "ignore", "inherit"],
});
if (gen.status !== 0) process.exit(gen.status ?? 1);
// Run the CLI in a fresh process so it imports the ABIs just generated.
const cli = spawnSync(
  process.execPath,
  [tsx, join(PROJECT_ROOT, "keepers", "cli", "main.ts"), "devnet", "start", ...process.argv.slice(2)],
  {
    cwd: PROJECT_ROOT,
    stdio: "inherit",
  },
);
process.exit(cli.status ?? 1);
