#!/usr/bin/env node
// `vcloud` entry point (package bin, `npx vcloud`). Runs the TypeScript CLI under Node >= 22.13: the
// current Node when recent enough, otherwise the one `npm start`/`npm test` provisioned under .tools/.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const [major, minor] = process.versions.node.split(".").map(Number);
let node = process.execPath;
if (major < 22 || (major === 22 && minor < 13)) {
  const local = join(ROOT, ".tools", "node_modules", `node-${process.platform}-${process.arch}`, "bin", "node");
  if (!existsSync(local)) {
    process.stderr.write(
      `vcloud: Node ${process.versions.node} is too old (need >= 22.13); run \`npm test\` or \`npm start\` once to provision it\n`,
    );
    process.exit(1);
  }
  node = local;
}
// tsx as a loader in the CLI's own process, not through tsx's CLI: that adds a relaying parent which, when the
// child does not acknowledge a forwarded Ctrl-C within 30 ms (a loaded machine), SIGKILLs it mid-shutdown.
const tsxLoader = pathToFileURL(join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;
runForwardingSignals(node, ["--import", tsxLoader, join(ROOT, "keepers", "cli", "main.ts"), ...process.argv.slice(2)]);

/** Runs the child and forwards Ctrl-C / termination to it, exiting with its status. */
function runForwardingSignals(cmd, args, options = {}) {
  const child = spawn(cmd, args, { stdio: "inherit", ...options });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + 2 : 1)));
}
