import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

import type { DeploymentParameters } from "@nomicfoundation/ignition-core";
import type { Address } from "viem";

import VCloudModule from "../../deploy/VCloud.js";
import config from "../../hardhat.config.js";
import { InvalidInputError } from "../lib/errors.js";
import { type Deployment } from "../lib/deployments.js";
import { PROJECT_ROOT } from "../lib/paths.js";

export const DEVNET_PARAMETERS = join(PROJECT_ROOT, "deploy", "parameters", "devnet.json");

/** A Hardhat runtime for this project, independent of the current directory. */
export async function projectHre() {
  const { createHardhatRuntimeEnvironment } = await import("hardhat/hre");
  return createHardhatRuntimeEnvironment(config, {}, PROJECT_ROOT);
}

export function readParameters(file: string): DeploymentParameters {
  const path = resolve(file);
  if (!existsSync(path)) throw new InvalidInputError("--parameters", `no such file ${path}`);
  try {
    return JSON.parse(readFileSync(path, "utf8")) as DeploymentParameters;
  } catch (cause) {
    throw new InvalidInputError("--parameters", `${path} is not valid JSON`, { cause });
  }
}

/**
 * Builds the contracts and deploys the whole stack (deploy/VCloud.ts) through Hardhat Ignition to the
 * endpoint at `rpcUrl`. With `fresh`, Ignition's journal for that chain is discarded first (a devnet that
 * was restarted has none of the journal's contracts); otherwise an interrupted deployment resumes.
 */
export async function deployStack(options: {
  rpcUrl: string;
  parametersFile?: string;
  fresh?: boolean;
}): Promise<Deployment> {
  const hre = await projectHre();
  await hre.tasks.getTask("build").run({ quiet: true });
  const connection = await hre.network.create({ network: "localhost", override: { url: options.rpcUrl } });
  const publicClient = await connection.viem.getPublicClient();
  const chainId = await publicClient.getChainId();
  const [deployer] = await connection.viem.getWalletClients();
  const deploymentId = `chain-${chainId}`;
  if (options.fresh)
    rmSync(join(PROJECT_ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
  const parameters = readParameters(options.parametersFile ?? DEVNET_PARAMETERS);
  // Poll fast: a local chain mines on demand, and the default 1 s polling makes a deploy of ~100 futures slow.
  const result = await connection.ignition.deploy(VCloudModule, {
    parameters,
    deploymentId,
    displayUi: false,
    config: { blockPollingInterval: 100 },
  });
  const contracts: Record<string, Address> = {};
  for (const [name, contract] of Object.entries(result)) contracts[name] = (contract as { address: Address }).address;
  await connection.close();
  return {
    chainId,
    rpcUrl: options.rpcUrl,
    deployedAt: new Date().toISOString(),
    deployer: deployer?.account.address,
    contracts,
  };
}
