import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

import { createPublicClient, http } from "viem";

import { VcloudError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import { PROJECT_ROOT } from "../lib/paths.js";

export type DevnetNode = {
  url: string;
  process: ChildProcess;
  /** Stops the node: SIGTERM, then SIGKILL if it has not exited after 5 s. */
  stop: () => Promise<void>;
};

export class PortInUseError extends VcloudError {
  override name = "PortInUseError";
  constructor(host: string, port: number) {
    super(`port ${port} on ${host} is already in use; choose another with --port`, { exitCode: 2 });
  }
}

/** Resolves when nothing listens on host:port, rejects with PortInUseError otherwise. */
export async function assertPortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolvePromise, reject) => {
    const server = createServer();
    server.once("error", () => reject(new PortInUseError(host, port)));
    server.listen(port, host, () => server.close(() => resolvePromise()));
  });
}

/** Polls eth_chainId until the endpoint answers or the deadline passes. */
export async function waitForRpc(
  url: string,
  timeoutMs = 60_000,
  isAlive: () => boolean = () => true,
): Promise<number> {
  const client = createPublicClient({ transport: http(url, { retryCount: 0, timeout: 2_000 }) });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await client.getChainId();
    } catch {
      if (!isAlive()) throw new VcloudError(`the devnet node exited before serving ${url}`);
      if (Date.now() > deadline)
        throw new VcloudError(`no JSON-RPC endpoint answered at ${url} within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Starts `hardhat node` on host:port as a child process (from node_modules, not npx, so the PID is the
 * server's) and waits until it serves JSON-RPC.
 */
export async function startHardhatNode(options: { host: string; port: number; logger: Logger }): Promise<DevnetNode> {
  const { host, port, logger } = options;
  await assertPortFree(host, port);
  const cli = join(PROJECT_ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");
  const child = spawn(process.execPath, [cli, "node", "--hostname", host, "--port", String(port)], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: process.env,
  });
  let exited = false;
  child.once("exit", (code, signal) => {
    exited = true;
    logger.debug({ code, signal }, "hardhat node exited");
  });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(chunk.toString());
    if (tail.length > 50) tail.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://${host}:${port}`;
  try {
    await waitForRpc(url, 90_000, () => !exited);
  } catch (error) {
    child.kill("SIGKILL");
    throw new VcloudError((error as Error).message, { details: tail.join("") });
  }
  // Hardhat node logs every request; drop the buffered output once it is up to keep memory flat.
  child.stdout?.off("data", keep);
  child.stdout?.resume();
  child.stderr?.off("data", keep);
  child.stderr?.on("data", (chunk: Buffer) => logger.debug({ stderr: chunk.toString() }, "hardhat node"));
  logger.info({ url, pid: child.pid }, "devnet node started");
  const stop = async () => {
    if (exited) return;
    const done = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await done;
    clearTimeout(timer);
  };
  return { url, process: child, stop };
}
