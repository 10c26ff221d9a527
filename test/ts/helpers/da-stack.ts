/**
 * An in-process chain with the restaking core (deploy/modules/Restaking.ts) and vcloud's DA AVS
 * (registrar + certificate registry), plus `count` onboarded DA operators with their BLS keys.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";

import { network } from "hardhat";
import {
  parseEther,
  type Account,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

import { DevnetCoreModule } from "../../../deploy/modules/DevnetStake.js";
import { BlsKey } from "../../../keepers/bls/bls.js";
import {
  advanceBlocks,
  certificateRegistryConfig,
  createDaOperatorSet,
  onboardDaOperator,
  send,
  syncDaStakes,
  WAD,
} from "../../../keepers/da-network/setup.js";
import { PROJECT_ROOT } from "../../../keepers/lib/paths.js";

export const DEVNET_RESTAKING = {
  minWithdrawalDelayBlocks: 10,
  deallocationDelay: 10,
  allocationConfigurationDelay: 15,
  slashResolutionDelayBlocks: 5,
};

export async function deployDaStack(options: { stakes: bigint[]; sockets?: string[]; rpcUrl?: string }) {
  // With rpcUrl: the same stack over JSON-RPC (e.g. an in-process chain served to a CLI child process).
  const connection = options.rpcUrl
    ? await network.create({ network: "localhost", override: { url: options.rpcUrl } })
    : await network.create();
  const { viem, ignition } = connection;
  const publicClient = (await viem.getPublicClient()) as unknown as PublicClient<Transport, Chain>;
  const wallets = (await viem.getWalletClients()) as unknown as WalletClient<Transport, Chain, Account>[];
  const [governance, avs, feeJar] = wallets as [
    WalletClient<Transport, Chain, Account>,
    WalletClient<Transport, Chain, Account>,
    WalletClient<Transport, Chain, Account>,
  ];
  const deploymentId = options.rpcUrl ? `test-da-${process.pid}-${Date.now()}` : undefined;
  const core = await ignition.deploy(DevnetCoreModule, {
    parameters: { Restaking: DEVNET_RESTAKING },
    displayUi: false,
    ...(options.rpcUrl ? { config: { blockPollingInterval: 50 }, deploymentId } : {}),
  });
  // Over HTTP Ignition keeps a journal on disk; this stack is throwaway.
  if (deploymentId)
    rmSync(join(PROJECT_ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
  const token = core.vcloudTestToken.address as Address;
  const strategy = core.testTokenStrategy.address as Address;
  const registrar = await viem.deployContract("BLSAVSRegistrar", [
    core.allocationManager.address,
    avs.account.address,
    0,
    [{ strategy, multiplier: WAD }],
  ]);
  const registry = await viem.deployContract("BlobCertificateRegistry", [
    certificateRegistryConfig({
      registrar: registrar.address,
      governance: governance.account.address,
      feeJar: feeJar.account.address,
    }),
  ]);
  const clients = { publicClient };
  await createDaOperatorSet(clients, avs, {
    allocationManager: core.allocationManager.address,
    registrar: registrar.address,
    certificateRegistry: registry.address,
    strategies: [strategy],
  });
  const operators = wallets.slice(3, 3 + options.stakes.length);
  const keys = operators.map((_, i) => BlsKey.fromSeed(new Uint8Array(32).fill(0x40 + i)));
  for (const [i, operator] of operators.entries()) {
    await send(clients, governance, {
      address: token,
      abi: core.vcloudTestToken.abi,
      functionName: "mint",
      args: [operator.account.address, options.stakes[i]!],
    });
    await onboardDaOperator(clients, operator, {
      delegationManager: core.delegationManager.address,
      strategyManager: core.strategyManager.address,
      allocationManager: core.allocationManager.address,
      registrar: registrar.address,
      avs: avs.account.address,
      token,
      strategy,
      stake: options.stakes[i]!,
      magnitude: WAD / 2n,
      blsKey: keys[i]!,
      socket: options.sockets?.[i] ?? `http://127.0.0.1:1/operator-${i}`,
      allocationConfigurationDelay: DEVNET_RESTAKING.allocationConfigurationDelay,
    });
  }
  // Allocations take effect after the operator's allocation delay (0 here) — one block on.
  await advanceBlocks(publicClient, 2);
  await syncDaStakes(
    clients,
    governance,
    registrar.address,
    operators.map((o) => o.account.address),
  );
  await advanceBlocks(publicClient, 1);
  return {
    connection,
    viem,
    publicClient,
    governance,
    avs,
    feeJar,
    core,
    registrar,
    registry,
    operators,
    keys,
    token,
    strategy,
    clients,
  };
}

export const ether = parseEther;
