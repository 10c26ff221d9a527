/**
 * Runs the Ponder indexer (indexer/) as a child process for a deployment: `ponder start` on loopback,
 * embedded PGlite unless DATABASE_URL names a PostgreSQL database. Resolves once its GraphQL API answers.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { VcloudError } from "../lib/errors.js";
import type { Deployment } from "../lib/deployments.js";
import type { Logger } from "../lib/logger.js";
import { PROJECT_ROOT } from "../lib/paths.js";
import { indexerBlock } from "./reads.js";

export const INDEXER_ROOT = join(PROJECT_ROOT, "indexer");

export type IndexerProcess = {
  /** The GraphQL endpoint. */
  url: string;
  process: ChildProcess;
  /** Resolves once the indexer has processed every block up to `block` (default: the chain head when called). */
  waitForBlock: (block: bigint, timeoutMs?: number) => Promise<void>;
  stop: () => Promise<void>;
};

export class IndexerStartError extends VcloudError {
  override name = "IndexerStartError";
}

/** A database schema name Ponder accepts (letters, digits, underscores), unique per deployment (pure). */
export function schemaName(deployment: Pick<Deployment, "chainId" | "deployedAt">): string {
  const stamp = Date.parse(deployment.deployedAt);
  return `vcloud_${deployment.chainId}_${Number.isNaN(stamp) ? 0 : stamp}`;
}

/**
 * Starts `ponder start` for `deployment` on host:port. `dataDir` holds the deployment file it reads and,
 * without DATABASE_URL, its PGlite database (wiped first: a devnet chain starts from block 0).
 */
export async function startIndexer(options: {
  deployment: Deployment;
  rpcUrl: string;
  host: string;
  port: number;
  dataDir: string;
  logger: Logger;
  databaseUrl?: string;
  timeoutMs?: number;
}): Promise<IndexerProcess> {
  const { deployment, rpcUrl, host, port, dataDir, logger } = options;
  const pgliteDir = join(dataDir, "pglite");
  rmSync(pgliteDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const deploymentFile = join(dataDir, `${deployment.chainId}.json`);
  writeFileSync(deploymentFile, `${JSON.stringify({ ...deployment, rpcUrl }, null, 2)}\n`);
  const cli = join(PROJECT_ROOT, "node_modules", "ponder", "dist", "esm", "bin", "ponder.js");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    VCLOUD_INDEXER_DEPLOYMENT: deploymentFile,
    VCLOUD_INDEXER_RPC_URL: rpcUrl,
    VCLOUD_INDEXER_PGLITE_DIR: pgliteDir,
    DATABASE_SCHEMA: process.env.DATABASE_SCHEMA || schemaName(deployment),
    // Ponder's telemetry would call out of the machine.
    PONDER_TELEMETRY_DISABLED: "true",
  };
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  else delete env.DATABASE_URL;
  const child = spawn(
    process.execPath,
    [cli, "--root", INDEXER_ROOT, "--log-format", "json", "start", "--hostname", host, "--port", String(port)],
    { cwd: INDEXER_ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let exited = false;
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(chunk.toString());
    if (tail.length > 40) tail.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.once("exit", (code, signal) => {
    exited = true;
    logger.debug({ code, signal }, "indexer exited");
  });
  const url = `http://${host}:${port}/graphql`;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const stop = async () => {
    if (exited) return;
    const done = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await done;
    clearTimeout(timer);
  };
  for (;;) {
    if (exited) throw new IndexerStartError(`the indexer exited before serving ${url}`, { details: tail.join("") });
    if (Date.now() > deadline) {
      await stop();
      throw new IndexerStartError(`the indexer did not serve ${url} in time`, { details: tail.join("") });
    }
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ _meta { status } }" }),
        signal: AbortSignal.timeout(2_000),
      });
      if (res.ok) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  // Keep only recent output for error reports; log it at debug level.
  child.stdout?.off("data", keep);
  child.stderr?.off("data", keep);
  child.stdout?.on("data", (c: Buffer) => logger.debug({ indexer: c.toString().trim() }, "indexer"));
  child.stderr?.on("data", (c: Buffer) => logger.debug({ indexer: c.toString().trim() }, "indexer"));
  logger.info({ url, pid: child.pid }, "indexer started");

  const waitForBlock = async (block: bigint, timeoutMs = 120_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const at = await indexerBlock(url).catch(() => null);
      if (at !== null && at >= block) return;
      if (exited) throw new IndexerStartError("the indexer exited while catching up");
      if (Date.now() > until)
        throw new IndexerStartError(`the indexer has not reached block ${block} (at ${at ?? "none"})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  return { url, process: child, waitForBlock, stop };
}
