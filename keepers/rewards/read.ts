import { getAddress, type Address, type Chain, type PublicClient, type Transport } from "viem";

import { iAllocationManagerAbi, iDelegationManagerAbi, iRewardsCoordinatorAbi } from "../lib/abis.js";
import { operatorSetKey, type OperatorStake, type SplitChange, type StakeSnapshot, type Submission } from "./calc.js";

export type Client = PublicClient<Transport, Chain>;

export type RewardsContracts = {
  rewardsCoordinator: Address;
  allocationManager: Address;
  delegationManager: Address;
};

export type RewardsConfig = {
  interval: number;
  currentEnd: number;
  activationDelay: number;
};

export async function readRewardsConfig(client: Client, rc: Address): Promise<RewardsConfig> {
  const [interval, currentEnd, activationDelay] = await Promise.all([
    client.readContract({ address: rc, abi: iRewardsCoordinatorAbi, functionName: "CALCULATION_INTERVAL_SECONDS" }),
    client.readContract({
      address: rc,
      abi: iRewardsCoordinatorAbi,
      functionName: "currRewardsCalculationEndTimestamp",
    }),
    client.readContract({ address: rc, abi: iRewardsCoordinatorAbi, functionName: "ACTIVATION_DELAY" }),
  ]);
  return { interval, currentEnd, activationDelay };
}

/** Every rewards submission up to `toBlock`, from the coordinator's events (amounts net of the fee). */
export async function readSubmissions(client: Client, rc: Address, toBlock: bigint): Promise<Submission[]> {
  const logs = await client.getContractEvents({
    address: rc,
    abi: iRewardsCoordinatorAbi,
    fromBlock: 0n,
    toBlock,
  });
  const out: Submission[] = [];
  for (const log of logs) {
    if (log.eventName === "OperatorSetRewardsSubmissionCreated") {
      const { operatorSet, submission: s } = log.args;
      out.push({
        kind: "stake",
        operatorSet: operatorSetKey(operatorSet!.avs, operatorSet!.id),
        token: getAddress(s!.token),
        amount: s!.amount,
        startTimestamp: s!.startTimestamp,
        duration: s!.duration,
        strategies: s!.strategiesAndMultipliers.map((x) => ({
          strategy: getAddress(x.strategy),
          multiplier: x.multiplier,
        })),
      });
    } else if (log.eventName === "OperatorDirectedOperatorSetRewardsSubmissionCreated") {
      const { operatorSet, submission: s } = log.args;
      out.push({
        kind: "directed",
        operatorSet: operatorSetKey(operatorSet!.avs, operatorSet!.id),
        token: getAddress(s!.token),
        operatorRewards: s!.operatorRewards.map((r) => ({ operator: getAddress(r.operator), amount: r.amount })),
        startTimestamp: s!.startTimestamp,
        duration: s!.duration,
        strategies: s!.strategiesAndMultipliers.map((x) => ({
          strategy: getAddress(x.strategy),
          multiplier: x.multiplier,
        })),
      });
    }
  }
  return out;
}

/** Operator split changes, in order, from the coordinator's events. */
export async function readSplitChanges(client: Client, rc: Address, toBlock: bigint): Promise<SplitChange[]> {
  const logs = await client.getContractEvents({
    address: rc,
    abi: iRewardsCoordinatorAbi,
    eventName: "OperatorSetSplitBipsSet",
    fromBlock: 0n,
    toBlock,
  });
  return logs.map((l) => ({
    operator: getAddress(l.args.operator!),
    operatorSet: operatorSetKey(l.args.operatorSet!.avs, l.args.operatorSet!.id),
    activatedAt: l.args.activatedAt!,
    newSplitBips: l.args.newSplitBips!,
  }));
}

/** The last block whose timestamp is before `timestamp` (binary search), or undefined if none. */
export async function blockBefore(client: Client, timestamp: number, latest: bigint): Promise<bigint | undefined> {
  let lo = 0n;
  let hi = latest;
  const ts = async (n: bigint) => Number((await client.getBlock({ blockNumber: n })).timestamp);
  if ((await ts(0n)) >= timestamp) return undefined;
  if ((await ts(hi)) < timestamp) return hi;
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if ((await ts(mid)) < timestamp) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Who is delegated to whom at `blockNumber`, replaying the DelegationManager's events. */
export async function readDelegations(
  client: Client,
  delegationManager: Address,
  blockNumber: bigint,
): Promise<Map<Address, Address[]>> {
  const logs = await client.getContractEvents({
    address: delegationManager,
    abi: iDelegationManagerAbi,
    fromBlock: 0n,
    toBlock: blockNumber,
  });
  const operatorOf = new Map<Address, Address>();
  for (const log of logs) {
    if (log.eventName === "StakerDelegated")
      operatorOf.set(getAddress(log.args.staker!), getAddress(log.args.operator!));
    else if (log.eventName === "StakerUndelegated" || log.eventName === "StakerForceUndelegated")
      operatorOf.delete(getAddress(log.args.staker!));
  }
  const stakersOf = new Map<Address, Address[]>();
  for (const [staker, operator] of operatorOf) stakersOf.set(operator, [...(stakersOf.get(operator) ?? []), staker]);
  return stakersOf;
}

/**
 * The stake snapshot of the given operator sets at `blockNumber`: members, their allocated (unique) stake
 * and total shares per strategy, and their stakers' withdrawable shares, all read at that block.
 */
export async function readStakeSnapshot(
  client: Client,
  params: RewardsContracts & {
    blockNumber: bigint;
    operatorSets: { avs: Address; id: number; strategies: Address[] }[];
  },
): Promise<StakeSnapshot> {
  const { blockNumber } = params;
  const stakersOf = await readDelegations(client, params.delegationManager, blockNumber);
  const snapshot: StakeSnapshot = new Map();
  for (const set of params.operatorSets) {
    const operatorSet = { avs: set.avs, id: set.id };
    const members = (
      await client.readContract({
        address: params.allocationManager,
        abi: iAllocationManagerAbi,
        functionName: "getMembers",
        args: [operatorSet],
        blockNumber,
      })
    ).map((m) => getAddress(m));
    if (members.length === 0) continue;
    const allocated = await client.readContract({
      address: params.allocationManager,
      abi: iAllocationManagerAbi,
      functionName: "getAllocatedStake",
      args: [operatorSet, members, set.strategies],
      blockNumber,
    });
    const operators: OperatorStake[] = await Promise.all(
      members.map(async (operator, i) => {
        const operatorShares = await client.readContract({
          address: params.delegationManager,
          abi: iDelegationManagerAbi,
          functionName: "getOperatorShares",
          args: [operator, set.strategies],
          blockNumber,
        });
        const strategies = Object.fromEntries(
          set.strategies.map((s, j) => [s, { allocated: allocated[i]![j]!, operatorShares: operatorShares[j]! }]),
        ) as OperatorStake["strategies"];
        const stakers = await Promise.all(
          (stakersOf.get(operator) ?? []).map(async (staker) => {
            const [withdrawable] = await client.readContract({
              address: params.delegationManager,
              abi: iDelegationManagerAbi,
              functionName: "getWithdrawableShares",
              args: [staker, set.strategies],
              blockNumber,
            });
            return {
              staker,
              shares: Object.fromEntries(set.strategies.map((s, j) => [s, withdrawable[j]!])) as Record<
                Address,
                bigint
              >,
            };
          }),
        );
        return { operator, strategies, stakers };
      }),
    );
    snapshot.set(operatorSetKey(set.avs, set.id), operators);
  }
  return snapshot;
}
