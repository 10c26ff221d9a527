/**
 * Sets up vcloud's DA AVS on a chain that has the restaking core, and onboards DA operators: the steps
 * AVS governance and operators take, as one-call actions for the devnet and tests.
 */
import {
  BaseError,
  encodeAbiParameters,
  NonceTooHighError,
  parseEther,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

import { g2ToSol, type BlsKey } from "../bls/bls.js";
import {
  blobCertificateRegistryAbi,
  bLSApkRegistryAbi,
  bLSAVSRegistrarAbi,
  iAllocationManagerAbi,
  iDelegationManagerAbi,
  iRewardsCoordinatorAbi,
  iStrategyManagerAbi,
} from "../lib/abis.js";
import { VcloudError } from "../lib/errors.js";
import { DEFAULT_RECEIPT_TIMEOUT_MS, waitForReceipt } from "../lib/tx.js";

type Clients = {
  publicClient: PublicClient<Transport, Chain>;
  /** How long to wait for a receipt (default 120 s): a transaction a node's pool lost never gets one. */
  receiptTimeoutMs?: number;
};
type Wallet = WalletClient<Transport, Chain, Account>;

export const DA_OPERATOR_SET_ID = 0;
export const WAD = 10n ** 18n;

/** Default bound on a receipt wait (viem's own default is 180 s). */
export { DEFAULT_RECEIPT_TIMEOUT_MS };

/**
 * Sends a contract write after simulating it (so a revert names its custom error) and waits for it, at most
 * `receiptTimeoutMs`. When the broadcast or the receipt wait fails, the account's local nonce manager (if
 * any) is reset so the next send re-reads the chain's pending count: a dropped transaction leaves its nonce
 * free, and without the reset every later send from this process would sit behind that gap (issue 13).
 */
export async function send(
  clients: Clients,
  wallet: Wallet,
  call: { address: Address; abi: readonly unknown[]; functionName: string; args?: readonly unknown[]; value?: bigint },
): Promise<Hex> {
  const { request } = await clients.publicClient.simulateContract({ account: wallet.account, ...call } as never);
  const resetNonce = () =>
    wallet.account.nonceManager?.reset({ address: wallet.account.address, chainId: wallet.chain.id });
  let hash: Hex;
  try {
    hash = await wallet.writeContract(request as never);
  } catch (error) {
    resetNonce();
    // The local count ran ahead of the chain (a reorg dropped this account's transactions, or one was lost):
    // nothing was accepted, so one more try with the nonce re-read from the chain is safe.
    if (!(error instanceof BaseError && error.walk((e) => e instanceof NonceTooHighError))) throw error;
    try {
      hash = await wallet.writeContract(request as never);
    } catch (again) {
      resetNonce();
      throw again;
    }
  }
  let receipt;
  try {
    receipt = await waitForReceipt(clients.publicClient, hash, clients.receiptTimeoutMs ?? DEFAULT_RECEIPT_TIMEOUT_MS);
  } catch (error) {
    resetNonce();
    throw error;
  }
  if (receipt.status !== "success") throw new VcloudError(`${call.functionName} reverted in ${hash}`);
  return hash;
}

/** Mines (or waits for) `blocks` blocks: on the in-process chain and hardhat node, `hardhat_mine`. */
export async function advanceBlocks(publicClient: PublicClient<Transport, Chain>, blocks: number): Promise<void> {
  await publicClient.request({ method: "hardhat_mine" as never, params: [`0x${blocks.toString(16)}`] as never });
}

export type DaAvsConfig = {
  allocationManager: Address;
  registrar: Address;
  certificateRegistry: Address;
  strategies: Address[];
  /** With both: the AVS appoints the DA fee distributor to fund rewards for its sets (setRewardsSubmitter). */
  feeDistributor?: Address;
  rewardsCoordinator?: Address;
};

/**
 * AVS governance: publishes metadata, creates the DA operator set (slasher: the certificate registry),
 * points the AllocationManager at the registrar and, given a fee distributor, appoints it as the AVS's
 * rewards submitter so that it can pay DA fees to the signers. The registrar, registry and distributor must
 * already be deployed (deploy/modules/DataAvailability.ts does it on the devnet).
 */
export async function createDaOperatorSet(clients: Clients, avs: Wallet, config: DaAvsConfig): Promise<void> {
  await createBlsOperatorSet(clients, avs, {
    allocationManager: config.allocationManager,
    registrar: config.registrar,
    slasher: config.certificateRegistry,
    strategies: config.strategies,
    operatorSetId: DA_OPERATOR_SET_ID,
    metadataURI: "https://vcloud.invalid/avs/da.json",
  });
  if (config.feeDistributor && config.rewardsCoordinator)
    await send(clients, avs, {
      address: config.rewardsCoordinator,
      abi: iRewardsCoordinatorAbi,
      functionName: "setRewardsSubmitter",
      args: [config.feeDistributor, true],
    });
}

export type BlsOperatorSetConfig = {
  allocationManager: Address;
  /** The set's BLSAVSRegistrar (one per AVS: the AllocationManager calls one registrar per AVS). */
  registrar: Address;
  /** The contract allowed to slash the set's operators (the AVS's accountability contract). */
  slasher: Address;
  strategies: Address[];
  operatorSetId: number;
  metadataURI: string;
};

/** AVS governance, any BLS-signing AVS: metadata, the operator set with its slasher, and the registrar. */
export async function createBlsOperatorSet(clients: Clients, avs: Wallet, config: BlsOperatorSetConfig): Promise<void> {
  const am = { address: config.allocationManager, abi: iAllocationManagerAbi } as const;
  await send(clients, avs, {
    ...am,
    functionName: "updateAVSMetadataURI",
    args: [avs.account.address, config.metadataURI],
  });
  await send(clients, avs, {
    ...am,
    functionName: "createOperatorSets",
    args: [
      avs.account.address,
      [{ operatorSetId: config.operatorSetId, strategies: config.strategies, slasher: config.slasher }],
    ],
  });
  await send(clients, avs, { ...am, functionName: "setAVSRegistrar", args: [avs.account.address, config.registrar] });
}

export type OnboardOperatorParams = {
  delegationManager: Address;
  strategyManager: Address;
  allocationManager: Address;
  registrar: Address;
  avs: Address;
  token: Address;
  strategy: Address;
  /** Tokens the operator restakes itself (it must already hold them). */
  stake: bigint;
  /** Fraction of the stake allocated to the DA set (WAD). */
  magnitude: bigint;
  blsKey: BlsKey;
  socket: string;
  /** The AllocationManager's allocation configuration delay (blocks). */
  allocationConfigurationDelay: number;
};

/**
 * Operator: deposits, registers as operator (self-delegated), registers its BLS key with a proof of
 * possession, joins the DA set with its socket, and allocates `magnitude` of its stake to it.
 */
export async function onboardDaOperator(clients: Clients, operator: Wallet, p: OnboardOperatorParams): Promise<void> {
  const erc20 = [
    {
      type: "function",
      name: "approve",
      stateMutability: "nonpayable",
      inputs: [{ type: "address" }, { type: "uint256" }],
      outputs: [{ type: "bool" }],
    },
  ] as const;
  await send(clients, operator, {
    address: p.token,
    abi: erc20,
    functionName: "approve",
    args: [p.strategyManager, p.stake],
  });
  await send(clients, operator, {
    address: p.strategyManager,
    abi: iStrategyManagerAbi,
    functionName: "depositIntoStrategy",
    args: [p.strategy, p.token, p.stake],
  });
  await send(clients, operator, {
    address: p.delegationManager,
    abi: iDelegationManagerAbi,
    functionName: "registerAsOperator",
    args: ["0x0000000000000000000000000000000000000000", 0, "https://vcloud.invalid/operator.json"],
  });
  // The allocation delay chosen at registration takes effect after the configuration delay.
  await advanceBlocks(clients.publicClient, p.allocationConfigurationDelay + 1);
  await joinBlsOperatorSet(clients, operator, { ...p, operatorSetId: DA_OPERATOR_SET_ID });
}

export type JoinBlsOperatorSetParams = {
  allocationManager: Address;
  registrar: Address;
  avs: Address;
  operatorSetId: number;
  strategy: Address;
  /** Fraction of the stake allocated to the set (WAD). */
  magnitude: bigint;
  blsKey: BlsKey;
  socket: string;
};

/**
 * Operator (already registered, with stake): registers its BLS key with the set's key registry (proof of
 * possession), joins the set with its socket and allocates `magnitude` of its stake to it.
 */
export async function joinBlsOperatorSet(
  clients: Clients,
  operator: Wallet,
  p: JoinBlsOperatorSetParams,
): Promise<void> {
  const address = operator.account.address;
  const apkRegistry = (await clients.publicClient.readContract({
    address: p.registrar,
    abi: bLSAVSRegistrarAbi,
    functionName: "apkRegistry",
  })) as Address;
  const message = (await clients.publicClient.readContract({
    address: apkRegistry,
    abi: bLSApkRegistryAbi,
    functionName: "pubkeyRegistrationMessage",
    args: [address, p.blsKey.pubkeySol],
  })) as Hex;
  await send(clients, operator, {
    address: apkRegistry,
    abi: bLSApkRegistryAbi,
    functionName: "registerBLSPublicKey",
    args: [{ pubkey: p.blsKey.pubkeySol, proofOfPossession: g2ToSol(p.blsKey.sign(message)) }],
  });
  await send(clients, operator, {
    address: p.allocationManager,
    abi: iAllocationManagerAbi,
    functionName: "registerForOperatorSets",
    args: [
      address,
      { avs: p.avs, operatorSetIds: [p.operatorSetId], data: encodeAbiParameters([{ type: "string" }], [p.socket]) },
    ],
  });
  await send(clients, operator, {
    address: p.allocationManager,
    abi: iAllocationManagerAbi,
    functionName: "modifyAllocations",
    args: [
      address,
      [{ operatorSet: { avs: p.avs, id: p.operatorSetId }, strategies: [p.strategy], newMagnitudes: [p.magnitude] }],
    ],
  });
}

/** Anyone: re-reads the operators' weights (after allocations take effect or a slash). */
export async function syncDaStakes(
  clients: Clients,
  wallet: Wallet,
  registrar: Address,
  operators: Address[],
): Promise<void> {
  await send(clients, wallet, {
    address: registrar,
    abi: bLSAVSRegistrarAbi,
    functionName: "syncStakes",
    args: [operators],
  });
}

/** Default devnet/test parameters of the certificate registry. */
export function certificateRegistryConfig(p: { registrar: Address; governance: Address; feeJar: Address }) {
  return {
    registrar: p.registrar,
    governance: p.governance,
    confirmationThresholdBps: 5500,
    adversaryThresholdBps: 3300,
    maxReferenceAge: 300,
    maxTtl: 30n * 24n * 3600n,
    responseWindow: 3600n,
    minChallengeBond: parseEther("0.01"),
    unavailabilitySlashWad: WAD / 10n,
    feePerBytePeriod: 1_000n,
    periodSeconds: 24n * 3600n,
    protocolFeeBps: 2000,
    feeJar: p.feeJar,
  } as const;
}

export { blobCertificateRegistryAbi };
