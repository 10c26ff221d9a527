import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Address } from "viem";

import VCloudModule from "../../../deploy/VCloud.js";
import { DEVNET_PARAMETERS, projectHre, readParameters } from "../../../keepers/devnet/deploy.js";
import { startHardhatNode, type DevnetNode } from "../../../keepers/devnet/node.js";
import { writeDeployment, type Deployment } from "../../../keepers/lib/deployments.js";
import { createLogger } from "../../../keepers/lib/logger.js";
import { PROJECT_ROOT } from "../../../keepers/lib/paths.js";
import { freePort } from "./cli.js";

export type TestDevnet = { node: DevnetNode; rpcUrl: string; deployment: Deployment; deploymentsDir: string };

/**
 * Starts `hardhat node` on a free loopback port and deploys the whole stack (deploy/VCloud.ts, devnet
 * parameters) through Ignition, as `vcloud devnet start` does, but polling for blocks every 50 ms instead of
 * every second so that a test's deployment takes seconds. Writes deployments/<chainId>.json into a temporary
 * directory for the CLI (pass it as --deployments-dir or VCLOUD_DEPLOYMENTS_DIR).
 */
export async function startTestDevnet(): Promise<TestDevnet> {
  const node = await startHardhatNode({
    host: "127.0.0.1",
    port: await freePort(),
    logger: createLogger({ level: "warn" }),
  });
  try {
    const hre = await projectHre();
    const connection = await hre.network.create({ network: "localhost", override: { url: node.url } });
    const chainId = await (await connection.viem.getPublicClient()).getChainId();
    const deploymentId = `test-${process.pid}-${Date.now()}`;
    const result = await connection.ignition.deploy(VCloudModule, {
      parameters: readParameters(DEVNET_PARAMETERS),
      deploymentId,
      displayUi: false,
      config: { blockPollingInterval: 50 },
    });
    rmSync(join(PROJECT_ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
    const contracts: Record<string, Address> = {};
    for (const [name, contract] of Object.entries(result)) contracts[name] = (contract as { address: Address }).address;
    await connection.close();
    const deployment: Deployment = { chainId, rpcUrl: node.url, deployedAt: new Date().toISOString(), contracts };
    const deploymentsDir = mkdtempSync(join(tmpdir(), "vcloud-test-deployments-"));
    writeDeployment(deployment, deploymentsDir);
    return { node, rpcUrl: node.url, deployment, deploymentsDir };
  } catch (error) {
    await node.stop();
    throw error;
  }
}
