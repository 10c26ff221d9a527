import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  getAddress,
  isAddressEqual,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";

import {
  backingEigenAbi,
  delegationManagerAbi,
  forkChallengeManagerAbi,
  strategyBaseAbi,
  strategyManagerAbi,
} from "../lib/abis.js";
import { InvalidInputError, VcloudError } from "../lib/errors.js";

/**
 * Stake snapshots for fork challenges (docs/fork.md, "Who is excluded"). The bEIGEN strategy pools every
 * staker's bEIGEN, so who held how much restaked bEIGEN at a challenge's timepoint, and through which
 * operator, lives in the restaking core (DelegationManager, StrategyManager), not in bEIGEN balances. The
 * snapshot reads the core's state at the challenge's block and commits to it with a Merkle root of
 * (staker, amount, excluded) leaves; anyone re-running it on the same chain gets the same root.
 */

/** One restaked position at the timepoint: active shares (delegated to `operator`) or a queued withdrawal
 * (still slashable, attributed to the operator it was delegated to when queued). */
export type StakePosition = {
  staker: Address;
  operator: Address;
  amount: bigint;
  source: "delegated" | "queued-withdrawal";
};

export type StakeLeaf = { staker: Address; amount: bigint; excluded: boolean };

export type StakeSnapshot = {
  challengeId: bigint;
  blockNumber: bigint;
  strategy: Address;
  accused: Address[];
  root: Hex;
  stakedClaimable: bigint;
  stakedExcluded: bigint;
  poolBalance: bigint;
  leaves: StakeLeaf[];
  positions: StakePosition[];
};

export const LEAF_ENCODING = ["address", "uint256", "bool"] as const;

/**
 * Pure: one claimable and one excluded leaf per staker (positions through an accused operator are
 * excluded; unattributed pool tokens, such as slashed shares awaiting burn or rounding dust, get no leaf).
 * Leaves are sorted (staker, excluded) so the root does not depend on read order.
 */
export function buildStakeLeaves(positions: StakePosition[], accused: Address[]): StakeLeaf[] {
  const totals = new Map<string, { staker: Address; claimable: bigint; excluded: bigint }>();
  for (const p of positions) {
    if (p.amount === 0n) continue;
    const key = getAddress(p.staker);
    const entry = totals.get(key) ?? { staker: key, claimable: 0n, excluded: 0n };
    if (accused.some((a) => isAddressEqual(a, p.operator))) entry.excluded += p.amount;
    else entry.claimable += p.amount;
    totals.set(key, entry);
  }
  const leaves: StakeLeaf[] = [];
  for (const e of [...totals.values()].sort((a, b) => a.staker.toLowerCase().localeCompare(b.staker.toLowerCase()))) {
    if (e.claimable > 0n) leaves.push({ staker: e.staker, amount: e.claimable, excluded: false });
    if (e.excluded > 0n) leaves.push({ staker: e.staker, amount: e.excluded, excluded: true });
  }
  return leaves;
}

/** Pure: the OpenZeppelin StandardMerkleTree over the leaves (the format ForkDistributor verifies). */
export function stakeTree(leaves: StakeLeaf[]) {
  if (leaves.length === 0) throw new VcloudError("no stake at the timepoint: nothing to snapshot");
  return StandardMerkleTree.of(
    leaves.map((l) => [l.staker, l.amount.toString(), l.excluded]),
    [...LEAF_ENCODING],
  );
}

/** Pure: totals and root of a set of leaves. */
export function summarizeLeaves(leaves: StakeLeaf[]): { root: Hex; stakedClaimable: bigint; stakedExcluded: bigint } {
  let stakedClaimable = 0n;
  let stakedExcluded = 0n;
  for (const l of leaves) {
    if (l.excluded) stakedExcluded += l.amount;
    else stakedClaimable += l.amount;
  }
  return { root: stakeTree(leaves).root as Hex, stakedClaimable, stakedExcluded };
}

/** Pure: the proof of `staker`'s claimable leaf, or an error naming the staker when it has none. */
export function claimableLeafOf(leaves: StakeLeaf[], staker: Address): { amount: bigint; proof: Hex[] } {
  const tree = stakeTree(leaves);
  for (const [i, [addr, amount, excluded]] of tree.entries()) {
    if (!excluded && isAddressEqual(addr as Address, staker)) {
      return { amount: BigInt(amount as string), proof: tree.getProof(i) as Hex[] };
    }
  }
  const excluded = leaves.some((l) => l.excluded && isAddressEqual(l.staker, staker));
  throw new InvalidInputError(
    "--staker",
    excluded
      ? `${staker} was delegated to an accused operator at the timepoint: its stake is excluded from the fork`
      : `${staker} has no stake in the snapshot`,
  );
}

/** The block that opened challenge `challengeId`: its state is the snapshot's (balances at the timepoint). */
export async function challengeBlock(
  client: PublicClient<Transport, Chain>,
  params: { challengeManager: Address; challengeId: bigint },
): Promise<bigint> {
  const logs = await client.getContractEvents({
    address: params.challengeManager,
    abi: forkChallengeManagerAbi,
    eventName: "ChallengeOpened",
    args: { challengeId: params.challengeId },
    fromBlock: 0n,
  });
  const log = logs[0];
  if (!log?.blockNumber) throw new InvalidInputError("--challenge", `no challenge ${params.challengeId} on this chain`);
  return log.blockNumber;
}

/**
 * Reads every staker's restaked bEIGEN at `blockNumber`: stakers from the StrategyManager's Deposit events,
 * then per staker (at that block) its delegated withdrawable shares and its queued withdrawals, converted
 * to bEIGEN at the strategy's exchange rate then. Needs a node that serves state at past blocks.
 */
export async function readStakePositions(
  client: PublicClient<Transport, Chain>,
  params: { delegationManager: Address; strategyManager: Address; strategy: Address; blockNumber: bigint },
): Promise<StakePosition[]> {
  const { delegationManager, strategyManager, strategy, blockNumber } = params;
  const deposits = await client.getContractEvents({
    address: strategyManager,
    abi: strategyManagerAbi,
    eventName: "Deposit",
    fromBlock: 0n,
    toBlock: blockNumber,
  });
  const stakers = [
    ...new Set(
      deposits.filter((d) => isAddressEqual(d.args.strategy!, strategy)).map((d) => getAddress(d.args.staker!)),
    ),
  ];
  const toTokens = (shares: bigint) =>
    client.readContract({
      address: strategy,
      abi: strategyBaseAbi,
      functionName: "sharesToUnderlyingView",
      args: [shares],
      blockNumber,
    });
  const positions: StakePosition[] = [];
  for (const staker of stakers) {
    const operator = await client.readContract({
      address: delegationManager,
      abi: delegationManagerAbi,
      functionName: "delegatedTo",
      args: [staker],
      blockNumber,
    });
    const [withdrawable] = await client.readContract({
      address: delegationManager,
      abi: delegationManagerAbi,
      functionName: "getWithdrawableShares",
      args: [staker, [strategy]],
      blockNumber,
    });
    const active = withdrawable[0] ?? 0n;
    if (active > 0n) positions.push({ staker, operator, amount: await toTokens(active), source: "delegated" });
    const [withdrawals, shares] = await client.readContract({
      address: delegationManager,
      abi: delegationManagerAbi,
      functionName: "getQueuedWithdrawals",
      args: [staker],
      blockNumber,
    });
    for (let i = 0; i < withdrawals.length; i++) {
      const w = withdrawals[i]!;
      for (let j = 0; j < w.strategies.length; j++) {
        const s = shares[i]?.[j] ?? 0n;
        if (!isAddressEqual(w.strategies[j]!, strategy) || s === 0n) continue;
        positions.push({ staker, operator: w.delegatedTo, amount: await toTokens(s), source: "queued-withdrawal" });
      }
    }
  }
  return positions;
}

/** Reads the positions at the challenge's block and builds the snapshot to commit with the fork. */
export async function computeStakeSnapshot(
  client: PublicClient<Transport, Chain>,
  params: {
    challengeManager: Address;
    delegationManager: Address;
    strategyManager: Address;
    strategy: Address;
    bEigen: Address;
    challengeId: bigint;
  },
): Promise<StakeSnapshot> {
  const blockNumber = await challengeBlock(client, params);
  const challenge = await client.readContract({
    address: params.challengeManager,
    abi: forkChallengeManagerAbi,
    functionName: "getChallenge",
    args: [params.challengeId],
  });
  const positions = await readStakePositions(client, { ...params, blockNumber });
  const accused = challenge.accused.map((a) => getAddress(a));
  const leaves = buildStakeLeaves(positions, accused);
  const poolBalance = await client.readContract({
    address: params.bEigen,
    abi: backingEigenAbi,
    functionName: "balanceOf",
    args: [params.strategy],
    blockNumber,
  });
  return {
    challengeId: params.challengeId,
    blockNumber,
    strategy: getAddress(params.strategy),
    accused,
    ...summarizeLeaves(leaves),
    poolBalance,
    leaves,
    positions,
  };
}

/** JSON form of a snapshot (bigints as decimal strings), as published at the fork's snapshot URI. */
export function snapshotToJson(s: StakeSnapshot): string {
  return JSON.stringify(s, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** Parses a snapshot file written by snapshotToJson, checking that its root matches its leaves. */
export function snapshotFromJson(text: string, field = "--snapshot"): StakeSnapshot {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new InvalidInputError(field, "not valid JSON", { cause });
  }
  try {
    const leaves = (raw.leaves as { staker: string; amount: string; excluded: boolean }[]).map((l) => ({
      staker: getAddress(l.staker),
      amount: BigInt(l.amount),
      excluded: Boolean(l.excluded),
    }));
    const summary = summarizeLeaves(leaves);
    if (summary.root !== raw.root)
      throw new Error(`root ${String(raw.root)} does not match its leaves (${summary.root})`);
    return {
      challengeId: BigInt(raw.challengeId as string),
      blockNumber: BigInt(raw.blockNumber as string),
      strategy: getAddress(raw.strategy as string),
      accused: (raw.accused as string[]).map((a) => getAddress(a)),
      ...summary,
      poolBalance: BigInt(raw.poolBalance as string),
      leaves,
      positions: [],
    };
  } catch (cause) {
    if (cause instanceof VcloudError) throw cause;
    throw new InvalidInputError(field, `not a fork stake snapshot: ${(cause as Error).message}`, { cause });
  }
}
