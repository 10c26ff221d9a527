/**
 * The devnet's read side: the Ponder indexer (child process) and the dashboard (in process), both on
 * loopback. Started right after the deployment so the dashboard shows the story as it runs.
 */
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

import type { Deployment } from "../lib/deployments.js";
import type { Logger } from "../lib/logger.js";
import { PROJECT_ROOT } from "../lib/paths.js";
import { startDashboard, type DashboardServer } from "../dashboard/server.js";
import { startIndexer, type IndexerProcess } from "../indexer/process.js";
import { startRpcShim } from "../indexer/rpc-shim.js";
import { assertPortFree } from "./node.js";

export type DevnetServices = { indexer: IndexerProcess; dashboard: DashboardServer; stop: () => Promise<void> };

/** A port nothing listens on right now (the kernel's pick). */
export async function freePort(host: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePromise(port));
    });
  });
}

/** Which dashboard page shows what a story step did, by the words in its name (pure). */
export function dashboardPageFor(stepName: string): string {
  const name = stepName.toLowerCase();
  const rules: [RegExp, string][] = [
    [/slash|redistribut|compensat/, "/slashing"],
    [/infer|replay|claim/, "/inference"],
    [/tee|task|attest/, "/tee"],
    [/blob|\bda\b|availability/, "/da"],
    [/agent|validation|reputation|feedback/, "/agents"],
    [/fee|buyback|jar|fork|eigen/, "/fees"],
    [/stak|deposit|delegat/, "/stakers"],
  ];
  return rules.find(([re]) => re.test(name))?.[1] ?? "/operators";
}

/**
 * Starts the indexer for `deployment` and the dashboard over it. Port 0 picks a free one. The indexer's
 * data lives under .vcloud/indexer/<chainId>-<pid> (PGlite, removed on stop) unless DATABASE_URL is set.
 */
export async function startServices(options: {
  deployment: Deployment;
  rpcUrl: string;
  host: string;
  indexerPort: number;
  dashboardPort: number;
  logger: Logger;
}): Promise<DevnetServices> {
  const { host, logger } = options;
  if (options.dashboardPort !== 0) await assertPortFree(host, options.dashboardPort);
  const indexerPort = options.indexerPort === 0 ? await freePort(host) : options.indexerPort;
  await assertPortFree(host, indexerPort);
  // The indexer reads a local chain through the parent-hash shim (see rpc-shim.ts); other chains directly.
  const local = /^https?:\/\/(127\.|localhost|\[::1\])/.test(options.rpcUrl);
  const shim = local ? await startRpcShim({ upstream: options.rpcUrl, host }) : undefined;
  // One directory per devnet process: two devnets of the same chain id (tests) must not share a database.
  const dataDir = join(PROJECT_ROOT, ".vcloud", "indexer", `${options.deployment.chainId}-${process.pid}`);
  let indexer: IndexerProcess;
  try {
    indexer = await startIndexer({
      deployment: options.deployment,
      rpcUrl: shim?.url ?? options.rpcUrl,
      host,
      port: indexerPort,
      dataDir,
      databaseUrl: process.env.DATABASE_URL || undefined,
      logger,
    });
  } catch (error) {
    await shim?.close();
    throw error;
  }
  let dashboard: DashboardServer;
  try {
    dashboard = await startDashboard({
      host,
      port: options.dashboardPort,
      indexerUrl: indexer.url,
      info: { chainId: options.deployment.chainId, contracts: options.deployment.contracts, rpcUrl: options.rpcUrl },
      logger,
    });
  } catch (error) {
    await indexer.stop();
    await shim?.close();
    throw error;
  }
  return {
    indexer,
    dashboard,
    stop: async () => {
      await dashboard.close();
      await indexer.stop();
      await shim?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
