import {
  getAddress,
  isAddressEqual,
  parseEventLogs,
  zeroAddress,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem";

import {
  backingEigenAbi,
  canonicalForkRegistryAbi,
  eigenAbi,
  forkChallengeManagerAbi,
  forkDistributorAbi,
  forkFactoryAbi,
} from "../lib/abis.js";
import { contractAddress, type Deployment } from "../lib/deployments.js";
import { InvalidInputError, VcloudError } from "../lib/errors.js";
import { sendContractWrite } from "../lib/tx.js";
import { claimableLeafOf, type StakeSnapshot } from "./snapshot.js";

/** Fork challenge actions: read the state, validate the input against it, then send one transaction. */

export type ForkContracts = {
  backingEigen: Address;
  eigen: Address;
  challengeManager: Address;
  registry: Address;
  factory: Address;
};

export type ForkClients = {
  publicClient: PublicClient<Transport, Chain>;
  walletClient?: WalletClient<Transport, Chain, Account>;
  /** Bound on each receipt wait (default 120 s). */
  receiptTimeoutMs?: number;
};

export const CHALLENGE_STATUS = ["none", "open", "fork-accepted", "rejected", "expired"] as const;

/** The fork contracts of a deployment, by the names deploy/VCloud.ts gives them. */
export function forkContracts(deployment: Deployment): ForkContracts {
  return {
    backingEigen: contractAddress(deployment, "BackingEigen"),
    eigen: contractAddress(deployment, "Eigen"),
    challengeManager: contractAddress(deployment, "ForkChallengeManager"),
    registry: contractAddress(deployment, "CanonicalForkRegistry"),
    factory: contractAddress(deployment, "ForkFactory"),
  };
}

function signer(clients: ForkClients): WalletClient<Transport, Chain, Account> {
  if (!clients.walletClient) throw new InvalidInputError("--private-key", "required to send transactions");
  return clients.walletClient;
}

/**
 * Sends one contract call and waits for it (bounded, a lost reply recognised by hash: keepers/lib/tx.ts); a
 * revert, simulated or mined, is an error naming the function.
 */
async function send<const abi extends Abi, name extends ContractFunctionName<abi, "nonpayable" | "payable">>(
  clients: ForkClients,
  call: {
    address: Address;
    abi: abi;
    functionName: name;
    args: ContractFunctionArgs<abi, "nonpayable" | "payable", name>;
  },
): Promise<TransactionReceipt> {
  const walletClient = signer(clients);
  const { receipt } = await sendContractWrite({ publicClient: clients.publicClient, walletClient }, call, {
    receiptTimeoutMs: clients.receiptTimeoutMs,
  });
  return receipt;
}

async function ensureAllowance(clients: ForkClients, token: Address, spender: Address, amount: bigint) {
  const owner = signer(clients).account.address;
  const allowance = await clients.publicClient.readContract({
    address: token,
    abi: backingEigenAbi,
    functionName: "allowance",
    args: [owner, spender],
  });
  if (allowance < amount) {
    await send(clients, { address: token, abi: backingEigenAbi, functionName: "approve", args: [spender, amount] });
  }
}

// --- Reads ---------------------------------------------------------------------------------------------

export type ForkSummary = {
  forkId: bigint;
  token: Address;
  distributor: Address;
  canonical: boolean;
  stakeRoot: Hex;
  stakedClaimable: bigint;
  stakedExcluded: bigint;
  reward: bigint;
  supplyAtTimepoint: bigint;
  excludedSupply: bigint;
  totalClaimed: bigint;
  unclaimed: bigint;
  redeemEnd: bigint;
  snapshotURI: string;
};

export async function readForkSummary(
  client: PublicClient<Transport, Chain>,
  params: { contracts: ForkContracts; forkId: bigint },
): Promise<ForkSummary & { challengeId: bigint; parent: Address; challenger: Address }> {
  const { registry } = params.contracts;
  const count = await client.readContract({
    address: registry,
    abi: canonicalForkRegistryAbi,
    functionName: "forkCount",
  });
  if (params.forkId === 0n || params.forkId >= count)
    throw new InvalidInputError("--fork", `no fork ${params.forkId} (forks 1..${count - 1n} exist)`);
  const fork = await client.readContract({
    address: registry,
    abi: canonicalForkRegistryAbi,
    functionName: "getFork",
    args: [params.forkId],
  });
  const d = { address: fork.distributor, abi: forkDistributorAbi } as const;
  const [config, excludedSupply, totalClaimed, unclaimed, canonicalForkId] = await Promise.all([
    client.readContract({ ...d, functionName: "config" }),
    client.readContract({ ...d, functionName: "excludedSupply" }),
    client.readContract({ ...d, functionName: "totalClaimed" }),
    client.readContract({ ...d, functionName: "unclaimed" }),
    client.readContract({ address: registry, abi: canonicalForkRegistryAbi, functionName: "canonicalForkId" }),
  ]);
  return {
    forkId: params.forkId,
    challengeId: fork.challengeId,
    parent: fork.parent,
    token: fork.token,
    distributor: fork.distributor,
    canonical: canonicalForkId === params.forkId,
    challenger: config.challenger,
    stakeRoot: config.stakeRoot,
    stakedClaimable: config.stakedClaimable,
    stakedExcluded: config.stakedExcluded,
    reward: config.reward,
    supplyAtTimepoint: config.supplyAtTimepoint,
    excludedSupply,
    totalClaimed,
    unclaimed,
    redeemEnd: BigInt(config.redeemEnd),
    snapshotURI: config.snapshotURI,
  };
}

/** The state of challenge `challengeId` (default: the latest), its forks, the canonical fork and EIGEN. */
export async function readForkStatus(
  client: PublicClient<Transport, Chain>,
  params: { contracts: ForkContracts; challengeId?: bigint },
) {
  const { challengeManager, registry, eigen } = params.contracts;
  const m = { address: challengeManager, abi: forkChallengeManagerAbi } as const;
  const [count, [frozen, activeId], requiredCommitment, canonicalForkId, canonicalToken, backing, forkCount] =
    await Promise.all([
      client.readContract({ ...m, functionName: "challengeCount" }),
      client.readContract({ ...m, functionName: "activeChallenge" }),
      client.readContract({ ...m, functionName: "requiredCommitment" }),
      client.readContract({ address: registry, abi: canonicalForkRegistryAbi, functionName: "canonicalForkId" }),
      client.readContract({ address: registry, abi: canonicalForkRegistryAbi, functionName: "canonicalToken" }),
      client.readContract({ address: eigen, abi: eigenAbi, functionName: "backing" }),
      client.readContract({ address: registry, abi: canonicalForkRegistryAbi, functionName: "forkCount" }),
    ]);
  const base = {
    challengeCount: count,
    wrapsFrozen: frozen,
    activeChallengeId: frozen ? activeId : null,
    requiredCommitment,
    canonicalForkId,
    canonicalToken,
    eigenBacking: backing,
  };
  const challengeId = params.challengeId ?? count;
  if (challengeId === 0n) return { ...base, challenge: null, forks: [] };
  if (challengeId > count) throw new InvalidInputError("--challenge", `no challenge ${challengeId} (${count} exist)`);
  const [c, status] = await Promise.all([
    client.readContract({ ...m, functionName: "getChallenge", args: [challengeId] }),
    client.readContract({ ...m, functionName: "statusOf", args: [challengeId] }),
  ]);
  const forks = [];
  for (let id = 1n; id < forkCount; id++) {
    const f = await client.readContract({
      address: registry,
      abi: canonicalForkRegistryAbi,
      functionName: "getFork",
      args: [id],
    });
    if (f.challengeId !== challengeId) continue;
    const {
      challengeId: _c,
      parent: _p,
      challenger: _ch,
      ...summary
    } = await readForkSummary(client, { contracts: params.contracts, forkId: id });
    forks.push(summary);
  }
  return {
    ...base,
    challenge: {
      challengeId,
      status: CHALLENGE_STATUS[status] ?? "none",
      challenger: c.challenger,
      token: c.token,
      timepoint: BigInt(c.timepoint),
      expiresAt: BigInt(c.expiresAt),
      commitment: c.commitment,
      accused: c.accused,
      evidenceHash: c.evidenceHash,
      evidencePointer: c.evidencePointer,
    },
    forks,
  };
}

// --- Writes --------------------------------------------------------------------------------------------

/** Pure: the accused list as the contract wants it (strictly ascending, no zero address, no duplicates). */
export function normalizeAccused(accused: Address[]): Address[] {
  if (accused.length === 0) throw new InvalidInputError("--accused", "name at least one operator");
  const list = accused.map((a) => getAddress(a));
  if (list.some((a) => a === zeroAddress))
    throw new InvalidInputError("--accused", "the zero address is not an operator");
  const sorted = [...list].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i] === sorted[i - 1]) throw new InvalidInputError("--accused", `${sorted[i]} is listed twice`);
  return sorted;
}

/** Opens a challenge: checks no challenge is open, the commitment covers CPF and the balance, approves, opens. */
export async function openChallenge(
  clients: ForkClients,
  params: {
    contracts: ForkContracts;
    accused: Address[];
    evidenceHash: Hex;
    evidencePointer: Hex;
    commitment?: bigint;
  },
) {
  const { challengeManager, registry } = params.contracts;
  const accused = normalizeAccused(params.accused);
  if (/^0x0{64}$/.test(params.evidenceHash)) throw new InvalidInputError("--evidence-hash", "must not be zero");
  if (params.evidencePointer === "0x") throw new InvalidInputError("--evidence", "must not be empty");
  const m = { address: challengeManager, abi: forkChallengeManagerAbi } as const;
  const [[open, activeId], required, token] = await Promise.all([
    clients.publicClient.readContract({ ...m, functionName: "activeChallenge" }),
    clients.publicClient.readContract({ ...m, functionName: "requiredCommitment" }),
    clients.publicClient.readContract({
      address: registry,
      abi: canonicalForkRegistryAbi,
      functionName: "canonicalToken",
    }),
  ]);
  if (open) throw new VcloudError(`challenge ${activeId} is still open; one challenge at a time`);
  const commitment = params.commitment ?? required;
  if (commitment < required)
    throw new InvalidInputError("--commitment", `${commitment} is below CPF of the supply (${required})`);
  const me = signer(clients).account.address;
  const balance = await clients.publicClient.readContract({
    address: token,
    abi: backingEigenAbi,
    functionName: "balanceOf",
    args: [me],
  });
  if (balance < commitment)
    throw new InvalidInputError("--commitment", `${commitment} exceeds the signer's bEIGEN balance ${balance}`);
  await ensureAllowance(clients, token, challengeManager, commitment);
  const receipt = await send(clients, {
    ...m,
    functionName: "openChallenge",
    args: [accused, params.evidenceHash, params.evidencePointer, commitment],
  });
  const [event] = parseEventLogs({ abi: forkChallengeManagerAbi, logs: receipt.logs, eventName: "ChallengeOpened" });
  return { txHash: receipt.transactionHash, challengeId: event!.args.challengeId, commitment, accused };
}

/** Creates the fork of a snapshot's challenge, after checking the snapshot matches the factory's pool. */
export async function createFork(
  clients: ForkClients,
  params: { contracts: ForkContracts; snapshot: StakeSnapshot; snapshotUri: string },
) {
  const { factory } = params.contracts;
  const pool = await clients.publicClient.readContract({
    address: factory,
    abi: forkFactoryAbi,
    functionName: "stakePool",
  });
  if (!isAddressEqual(pool, params.snapshot.strategy))
    throw new InvalidInputError(
      "--snapshot",
      `snapshot strategy ${params.snapshot.strategy} is not the factory's pool ${pool}`,
    );
  if (params.snapshotUri.length === 0) throw new InvalidInputError("--snapshot-uri", "must not be empty");
  const s = params.snapshot;
  const receipt = await send(clients, {
    address: factory,
    abi: forkFactoryAbi,
    functionName: "createFork",
    args: [s.challengeId, s.root, s.stakedClaimable, s.stakedExcluded, params.snapshotUri],
  });
  const [event] = parseEventLogs({ abi: forkFactoryAbi, logs: receipt.logs, eventName: "ForkCreated" });
  return {
    txHash: receipt.transactionHash,
    forkId: event!.args.forkId,
    token: event!.args.token,
    distributor: event!.args.distributor,
  };
}

/** Claims `staker`'s restaked stake on fork `forkId` with its proof from the snapshot. */
export async function claimStake(
  clients: ForkClients,
  params: { contracts: ForkContracts; forkId: bigint; snapshot: StakeSnapshot; staker: Address },
) {
  const fork = await readForkSummary(clients.publicClient, params);
  if (fork.stakeRoot !== params.snapshot.root)
    throw new InvalidInputError(
      "--snapshot",
      `root ${params.snapshot.root} is not fork ${params.forkId}'s ${fork.stakeRoot}`,
    );
  const { amount, proof } = claimableLeafOf(params.snapshot.leaves, params.staker);
  const claimed = await clients.publicClient.readContract({
    address: fork.distributor,
    abi: forkDistributorAbi,
    functionName: "stakeClaimed",
    args: [params.staker],
  });
  if (claimed) throw new VcloudError(`${params.staker} already claimed its stake on fork ${params.forkId}`);
  const receipt = await send(clients, {
    address: fork.distributor,
    abi: forkDistributorAbi,
    functionName: "claimStaked",
    args: [params.staker, amount, proof],
  });
  return { txHash: receipt.transactionHash, staker: params.staker, amount, forkToken: fork.token };
}

/** Locks parent bEIGEN and claims the same amount of fork tokens (default: the whole remaining allocation). */
export async function lockAndClaim(
  clients: ForkClients,
  params: { contracts: ForkContracts; forkId: bigint; amount?: bigint },
) {
  const fork = await readForkSummary(clients.publicClient, params);
  const me = signer(clients).account.address;
  const d = { address: fork.distributor, abi: forkDistributorAbi } as const;
  const [allocation, claimed, block] = await Promise.all([
    clients.publicClient.readContract({ ...d, functionName: "heldAllocationOf", args: [me] }),
    clients.publicClient.readContract({ ...d, functionName: "heldClaimed", args: [me] }),
    clients.publicClient.getBlock(),
  ]);
  if (block.timestamp >= fork.redeemEnd)
    throw new VcloudError(`the redemption window of fork ${params.forkId} closed at ${fork.redeemEnd}`);
  const remaining = allocation - claimed;
  const amount = params.amount ?? remaining;
  if (amount === 0n)
    throw new InvalidInputError("--amount", `nothing left to claim (${me} held ${allocation}, claimed ${claimed})`);
  if (amount > remaining)
    throw new InvalidInputError("--amount", `${amount} exceeds the remaining allocation ${remaining}`);
  await ensureAllowance(clients, fork.parent, fork.distributor, amount);
  const receipt = await send(clients, { ...d, functionName: "lockAndClaim", args: [amount] });
  const [event] = parseEventLogs({ abi: forkDistributorAbi, logs: receipt.logs, eventName: "LockedAndClaimed" });
  return {
    txHash: receipt.transactionHash,
    lockId: event!.args.lockId,
    amount,
    unlockAt: BigInt(event!.args.unlockAt),
  };
}

/** The challenger redeems its commitment plus reward on fork `forkId`. */
export async function redeemCommitment(clients: ForkClients, params: { contracts: ForkContracts; forkId: bigint }) {
  const fork = await readForkSummary(clients.publicClient, params);
  const me = signer(clients).account.address;
  if (!isAddressEqual(me, fork.challenger))
    throw new InvalidInputError("--private-key", `${me} is not the challenger ${fork.challenger}`);
  const done = await clients.publicClient.readContract({
    address: fork.distributor,
    abi: forkDistributorAbi,
    functionName: "commitmentRedeemed",
  });
  if (done) throw new VcloudError(`the commitment on fork ${params.forkId} was already redeemed`);
  const receipt = await send(clients, {
    address: fork.distributor,
    abi: forkDistributorAbi,
    functionName: "redeemCommitment",
    args: [],
  });
  const [event] = parseEventLogs({ abi: forkDistributorAbi, logs: receipt.logs, eventName: "CommitmentRedeemed" });
  return {
    txHash: receipt.transactionHash,
    commitment: event!.args.commitment,
    reward: event!.args.reward,
    forkToken: fork.token,
  };
}
