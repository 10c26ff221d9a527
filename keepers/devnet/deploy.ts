import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

import type { DeploymentParameters } from "@nomicfoundation/ignition-core";
import lockfile from "proper-lockfile";
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
 * `hardhat build`, one process at a time: a build rewrites Hardhat's compile cache (through
 * cache/compile-cache.json.tmp) even when nothing changed, so two devnets starting together would otherwise
 * race on that file and one would fail.
 */
async function buildContracts(hre: Awaited<ReturnType<typeof projectHre>>): Promise<void> {
  const cacheDir = join(PROJECT_ROOT, "cache");
  mkdirSync(cacheDir, { recursive: true });
  const release = await lockfile.lock(cacheDir, {
    lockfilePath: join(cacheDir, "vcloud-build.lock"),
    // A held lock is refreshed every stale/2; a crashed holder's lock is taken over after a minute.
    stale: 60_000,
    retries: { retries: 900, minTimeout: 200, maxTimeout: 1_000 },
  });
  try {
    await hre.tasks.getTask("build").run({ quiet: true });
  } finally {
    await release();
  }
}

/**
 * Builds the contracts and deploys the whole stack (deploy/VCloud.ts) through Hardhat Ignition to the
 * endpoint at `rpcUrl`. Ignition's journal for a chain lives under ignition/deployments/chain-<chainId>:
 * with `fresh` it is discarded first (a devnet that was restarted has none of the journal's contracts),
 * otherwise an interrupted deployment resumes. With `journal: "none"` (a chain that lives only as long as
 * this devnet) the deployment gets a journal of its own, removed afterwards, so that two devnets on the same
 * chain id (two ports) never share or delete each other's journal.
 */
export async function deployStack(options: {
  rpcUrl: string;
  parametersFile?: string;
  fresh?: boolean;
  journal?: "chain" | "none";
}): Promise<Deployment> {
  const hre = await projectHre();
  await buildContracts(hre);
  const connection = await hre.network.create({ network: "localhost", override: { url: options.rpcUrl } });
  const publicClient = await connection.viem.getPublicClient();
  const chainId = await publicClient.getChainId();
  const [deployer] = await connection.viem.getWalletClients();
  const ownJournal = options.journal === "none";
  const deploymentId = ownJournal ? `devnet-${process.pid}-${Date.now()}` : `chain-${chainId}`;
  const journalDir = join(PROJECT_ROOT, "ignition", "deployments", deploymentId);
  if (options.fresh && !ownJournal) rmSync(journalDir, { recursive: true, force: true });
  const parameters = readParameters(options.parametersFile ?? DEVNET_PARAMETERS);
  // Poll fast: a local chain mines on demand, and the default 1 s polling makes a deploy of ~100 futures slow.
  const result = await connection.ignition
    .deploy(VCloudModule, {
      parameters,
      deploymentId,
      displayUi: false,
      config: { blockPollingInterval: 100 },
    })
    .finally(() => {
      if (ownJournal) rmSync(journalDir, { recursive: true, force: true });
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
