#!/usr/bin/env node
// Entry point for `npm start` and `npm test` on a fresh clone.
// Runs under any Node >= 18 with no dependencies: it provisions Node >= 22.13 from the npm registry
// when the system Node is older (Hardhat 3 needs it), installs the project's packages when
// package.json or the lockfile changed, then re-runs the real command under that Node.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const NODE_VERSION = "22.23.3";
const MIN_NODE = [22, 13];
const TOOLS = join(ROOT, ".tools");

const COMMANDS = {
  start: ["scripts/start.ts"],
  test: ["scripts/test-all.ts"],
};

function log(message) {
  process.stderr.write(`[vcloud] ${message}\n`);
}

function fail(message, code = 1) {
  log(`error: ${message}`);
  process.exit(code);
}

function nodeIsRecentEnough(version) {
  const [major, minor] = version.split(".").map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

function run(cmd, args, env, options = {}) {
  const result = spawnSync(cmd, args, { cwd: ROOT, stdio: "inherit", env, ...options });
  if (result.error) fail(`could not run ${cmd}: ${result.error.message}`);
  return result.status ?? 1;
}

/** Returns the bin directory of a Node >= 22.13, provisioning one under .tools/ if needed. */
function ensureNode() {
  if (nodeIsRecentEnough(process.versions.node)) return dirname(process.execPath);
  const platform = { linux: "linux", darwin: "darwin" }[process.platform];
  const arch = { x64: "x64", arm64: "arm64" }[process.arch];
  if (!platform || !arch)
    fail(
      `Node ${process.versions.node} is too old and no Node ${NODE_VERSION} package exists for ${process.platform}-${process.arch}; install Node >= 22.13`,
    );
  const pkg = `node-${platform}-${arch}`;
  const bin = join(TOOLS, "node_modules", pkg, "bin");
  if (!existsSync(join(bin, "node"))) {
    log(`system Node ${process.versions.node} < ${MIN_NODE.join(".")}: installing ${pkg}@${NODE_VERSION} into .tools/`);
    const status = run(
      "npm",
      [
        "install",
        "--no-save",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
        "--prefix",
        TOOLS,
        `${pkg}@${NODE_VERSION}`,
      ],
      process.env,
    );
    if (status !== 0 || !existsSync(join(bin, "node")))
      fail(`could not install ${pkg}@${NODE_VERSION} from the npm registry`);
  }
  return bin;
}

function installStamp() {
  const hash = createHash("sha256");
  for (const file of ["package.json", "package-lock.json"]) {
    const path = join(ROOT, file);
    if (existsSync(path)) hash.update(readFileSync(path));
  }
  return hash.digest("hex");
}

/** Runs `npm install` under the provisioned Node when dependencies changed since the last install. */
function ensureInstall(env) {
  const stampFile = join(ROOT, "node_modules", ".vcloud-install-stamp");
  const want = installStamp();
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === want) return;
  log("installing packages (npm install)");
  // `npm ci` fails here: the lockfile lacks EDR's non-linux optional packages. `npm install` honours it.
  const status = run("npm", ["install", "--no-audit", "--no-fund"], env);
  if (status !== 0) fail("npm install failed");
  writeFileSync(stampFile, installStamp());
}

const [command, ...args] = process.argv.slice(2);
if (!COMMANDS[command])
  fail(`unknown command '${command ?? ""}'; expected one of: ${Object.keys(COMMANDS).join(", ")}`, 2);

const nodeBin = ensureNode();
const env = { ...process.env, PATH: `${nodeBin}${delimiter}${process.env.PATH ?? ""}` };
ensureInstall(env);
const tsx = join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
const child = spawn(join(nodeBin, "node"), [tsx, ...COMMANDS[command], ...args], { cwd: ROOT, stdio: "inherit", env });
// Forward Ctrl-C and termination so the devnet (and its hardhat node) shut down cleanly.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
