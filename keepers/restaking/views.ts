/**
 * Read-only views of restaking state for the CLI and the devnet story: a staker's position, an operator's
 * allocations, an AVS's operator sets. Reads only; every function takes the client first.
 */
import {
  erc20Abi,
  getAddress,
  zeroAddress,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";

import { iAllocationManagerAbi, iDelegationManagerAbi, iStrategyAbi, iStrategyManagerAbi } from "../lib/abis.js";
import { indexerSlashes } from "../indexer/reads.js";
import type { OperatorSet } from "./params.js";

export type Client = PublicClient<Transport, Chain>;

export type RestakingAddresses = {
  strategyManager: Address;
  delegationManager: Address;
  allocationManager: Address;
};

const setKey = (s: OperatorSet) => `${getAddress(s.avs)}:${s.id}`;

/** Pure: the part of `shares` a set can slash, given the allocation and the max magnitude (floor). */
export function slashableShares(shares: bigint, currentMagnitude: bigint, maxMagnitude: bigint): bigint {
  if (maxMagnitude === 0n) return 0n;
  return (shares * currentMagnitude) / maxMagnitude;
}

export type TokenInfo = { token: Address; symbol: string; decimals: number };

export async function strategyToken(client: Client, strategy: Address): Promise<TokenInfo> {
  const token = await client.readContract({ address: strategy, abi: iStrategyAbi, functionName: "underlyingToken" });
  const [symbol, decimals] = await Promise.all([
    client.readContract({ address: token, abi: erc20Abi, functionName: "symbol" }).catch(() => "?"),
    client.readContract({ address: token, abi: erc20Abi, functionName: "decimals" }).catch(() => 18),
  ]);
  return { token, symbol, decimals };
}

export type SlashRecord = {
  operator: Address;
  operatorSet: OperatorSet;
  strategies: Address[];
  wadSlashed: bigint[];
  description: string;
  blockNumber: bigint;
  transactionHash: Hex;
};

/** Every OperatorSlashed event of the AllocationManager from `fromBlock` (the operator is not indexed). */
export async function readSlashes(client: Client, allocationManager: Address, fromBlock = 0n): Promise<SlashRecord[]> {
  const logs = await client.getContractEvents({
    address: allocationManager,
    abi: iAllocationManagerAbi,
    eventName: "OperatorSlashed",
    fromBlock,
    toBlock: "latest",
  });
  return logs.map((log) => ({
    operator: getAddress(log.args.operator!),
    operatorSet: { avs: getAddress(log.args.operatorSet!.avs), id: log.args.operatorSet!.id },
    strategies: [...log.args.strategies!].map((s) => getAddress(s)),
    wadSlashed: [...log.args.wadSlashed!],
    description: log.args.description ?? "",
    blockNumber: log.blockNumber,
    transactionHash: log.transactionHash,
  }));
}

/** Block of the latest StakerDelegated(staker, operator) at or before `atOrBefore`, or undefined. */
async function delegationBlock(
  client: Client,
  delegationManager: Address,
  staker: Address,
  operator: Address,
  fromBlock: bigint,
  atOrBefore?: bigint,
): Promise<bigint | undefined> {
  const logs = await client.getContractEvents({
    address: delegationManager,
    abi: iDelegationManagerAbi,
    eventName: "StakerDelegated",
    args: { staker, operator },
    fromBlock,
    toBlock: "latest",
  });
  const blocks = logs.map((l) => l.blockNumber).filter((b) => atOrBefore === undefined || b <= atOrBefore);
  return blocks.length ? blocks[blocks.length - 1] : undefined;
}

export type StakerPosition = {
  staker: Address;
  delegatedTo: Address | null;
  block: bigint;
  strategies: {
    strategy: Address;
    token: Address;
    symbol: string;
    depositShares: bigint;
    withdrawableShares: bigint;
    withdrawableTokens: bigint;
  }[];
  slashable: {
    operator: Address;
    operatorSet: OperatorSet;
    strategy: Address;
    magnitude: bigint;
    maxMagnitude: bigint;
    /** Everything the set can slash: the delegated part plus the queued part. */
    slashableShares: bigint;
    /** The part of slashableShares from withdrawable shares still delegated to the operator. */
    delegatedSlashableShares: bigint;
    /** The part of slashableShares from queued withdrawals that are not completable yet. */
    queuedSlashableShares: bigint;
  }[];
  queuedWithdrawals: {
    root: Hex;
    delegatedTo: Address;
    startBlock: number;
    completableAtBlock: bigint;
    /** True while the withdrawal is inside the delay: its shares can still be slashed. */
    slashable: boolean;
    strategies: Address[];
    shares: bigint[];
  }[];
  slashes: (SlashRecord & { via: "delegation" | "queued withdrawal" })[];
};

/**
 * A staker's position: deposit and withdrawable shares per strategy, what each operator set can slash of
 * it (withdrawable shares plus queued shares still inside the withdrawal delay, times allocation / max
 * magnitude), its queued withdrawals, and the slashes that hit it (slashes of its operator after it
 * delegated, in strategies it holds; and slashes of a queued withdrawal's operator before it became
 * completable, in that withdrawal's strategies).
 */
export async function readStakerPosition(
  client: Client,
  addresses: RestakingAddresses,
  staker: Address,
  options: { fromBlock?: bigint; indexerUrl?: string } = {},
): Promise<StakerPosition> {
  const { strategyManager, delegationManager: dm, allocationManager: am } = addresses;
  const fromBlock = options.fromBlock ?? 0n;
  const block = await client.getBlockNumber();
  const [strategies, depositShares] = await client.readContract({
    address: strategyManager,
    abi: iStrategyManagerAbi,
    functionName: "getDeposits",
    args: [staker],
  });
  const delegated = getAddress(
    await client.readContract({ address: dm, abi: iDelegationManagerAbi, functionName: "delegatedTo", args: [staker] }),
  );
  const delegatedTo = delegated === zeroAddress ? null : delegated;
  const [withdrawable] =
    strategies.length > 0
      ? await client.readContract({
          address: dm,
          abi: iDelegationManagerAbi,
          functionName: "getWithdrawableShares",
          args: [staker, strategies],
        })
      : [[] as readonly bigint[]];
  const rows: StakerPosition["strategies"] = [];
  for (const [i, strategy] of strategies.entries()) {
    const info = await strategyToken(client, strategy);
    const shares = withdrawable[i] ?? 0n;
    const tokens = await client.readContract({
      address: strategy,
      abi: iStrategyAbi,
      functionName: "sharesToUnderlyingView",
      args: [shares],
    });
    rows.push({
      strategy: getAddress(strategy),
      token: getAddress(info.token),
      symbol: info.symbol,
      depositShares: depositShares[i] ?? 0n,
      withdrawableShares: shares,
      withdrawableTokens: tokens,
    });
  }

  const minDelay = BigInt(
    await client.readContract({ address: dm, abi: iDelegationManagerAbi, functionName: "minWithdrawalDelayBlocks" }),
  );
  const [withdrawals, queuedShares] = await client.readContract({
    address: dm,
    abi: iDelegationManagerAbi,
    functionName: "getQueuedWithdrawals",
    args: [staker],
  });
  const queued: StakerPosition["queuedWithdrawals"] = [];
  for (const [i, w] of withdrawals.entries()) {
    const root = await client.readContract({
      address: dm,
      abi: iDelegationManagerAbi,
      functionName: "calculateWithdrawalRoot",
      args: [w],
    });
    queued.push({
      root,
      delegatedTo: getAddress(w.delegatedTo),
      startBlock: w.startBlock,
      completableAtBlock: BigInt(w.startBlock) + minDelay + 1n,
      slashable: w.delegatedTo !== zeroAddress && block < BigInt(w.startBlock) + minDelay + 1n,
      strategies: w.strategies.map((s) => getAddress(s)),
      shares: [...(queuedShares[i] ?? [])],
    });
  }

  // Shares each operator can still slash: delegated withdrawable shares + queued shares inside the delay
  // (the DelegationManager keeps a queued withdrawal slashable until it is completable).
  const exposure = new Map<Address, Map<Address, { delegated: bigint; queued: bigint }>>();
  const add = (operator: Address, strategy: Address, shares: bigint, part: "delegated" | "queued") => {
    const perStrategy = exposure.get(operator) ?? new Map<Address, { delegated: bigint; queued: bigint }>();
    const entry = perStrategy.get(strategy) ?? { delegated: 0n, queued: 0n };
    entry[part] += shares;
    perStrategy.set(strategy, entry);
    exposure.set(operator, perStrategy);
  };
  if (delegatedTo) rows.forEach((r) => add(delegatedTo, r.strategy, r.withdrawableShares, "delegated"));
  for (const w of queued) {
    if (!w.slashable) continue;
    w.strategies.forEach((s, i) => add(w.delegatedTo, s, w.shares[i] ?? 0n, "queued"));
  }
  const slashable: StakerPosition["slashable"] = [];
  for (const [operator, perStrategy] of exposure) {
    const sets = await client.readContract({
      address: am,
      abi: iAllocationManagerAbi,
      functionName: "getAllocatedSets",
      args: [operator],
    });
    for (const [strategy, { delegated, queued: inQueue }] of perStrategy) {
      const maxMagnitude = await client.readContract({
        address: am,
        abi: iAllocationManagerAbi,
        functionName: "getMaxMagnitude",
        args: [operator, strategy],
      });
      for (const set of sets) {
        const allocation = await client.readContract({
          address: am,
          abi: iAllocationManagerAbi,
          functionName: "getAllocation",
          args: [operator, set, strategy],
        });
        if (allocation.currentMagnitude === 0n) continue;
        const delegatedPart = slashableShares(delegated, allocation.currentMagnitude, maxMagnitude);
        const queuedPart = slashableShares(inQueue, allocation.currentMagnitude, maxMagnitude);
        slashable.push({
          operator,
          operatorSet: { avs: getAddress(set.avs), id: set.id },
          strategy,
          magnitude: allocation.currentMagnitude,
          maxMagnitude,
          slashableShares: delegatedPart + queuedPart,
          delegatedSlashableShares: delegatedPart,
          queuedSlashableShares: queuedPart,
        });
      }
    }
  }

  // Slashes that hit the position.
  // Slash history from the indexer when one is configured, else from RPC logs (the same records).
  const all = options.indexerUrl
    ? await indexerSlashes(options.indexerUrl, fromBlock)
    : await readSlashes(client, am, fromBlock);
  const slashes: StakerPosition["slashes"] = [];
  const held = new Set(rows.map((r) => r.strategy));
  if (delegatedTo) {
    const since = await delegationBlock(client, dm, staker, delegatedTo, fromBlock);
    for (const s of all)
      if (s.operator === delegatedTo && since !== undefined && s.blockNumber >= since)
        if (s.strategies.some((x) => held.has(x))) slashes.push({ ...s, via: "delegation" });
  }
  for (const w of queued) {
    if (w.delegatedTo === zeroAddress) continue;
    const since = await delegationBlock(client, dm, staker, w.delegatedTo, fromBlock, BigInt(w.startBlock));
    for (const s of all) {
      if (s.operator !== w.delegatedTo || since === undefined) continue;
      if (s.blockNumber < since || s.blockNumber >= w.completableAtBlock) continue;
      if (!s.strategies.some((x) => w.strategies.includes(x))) continue;
      if (!slashes.some((x) => x.transactionHash === s.transactionHash && x.operator === s.operator))
        slashes.push({ ...s, via: "queued withdrawal" });
    }
  }
  slashes.sort((a, b) => Number(a.blockNumber - b.blockNumber));
  return { staker, delegatedTo, block, strategies: rows, slashable, queuedWithdrawals: queued, slashes };
}

export type OperatorView = {
  operator: Address;
  isOperator: boolean;
  allocationDelay: { isSet: boolean; delay: number };
  registeredSets: OperatorSet[];
  strategies: {
    strategy: Address;
    operatorShares: bigint;
    maxMagnitude: bigint;
    encumberedMagnitude: bigint;
    allocatableMagnitude: bigint;
    slashableSharesInQueue: bigint;
  }[];
  allocations: {
    operatorSet: OperatorSet;
    strategy: Address;
    currentMagnitude: bigint;
    pendingDiff: bigint;
    effectBlock: number;
    allocatedStake: bigint;
  }[];
};

/** An operator's registration, sets, magnitudes and allocations (strategies: allocated ones + `extra`). */
export async function readOperatorView(
  client: Client,
  addresses: RestakingAddresses,
  operator: Address,
  extraStrategies: Address[] = [],
): Promise<OperatorView> {
  const { delegationManager: dm, allocationManager: am } = addresses;
  const isOperator = await client.readContract({
    address: dm,
    abi: iDelegationManagerAbi,
    functionName: "isOperator",
    args: [operator],
  });
  const [isSet, delay] = await client.readContract({
    address: am,
    abi: iAllocationManagerAbi,
    functionName: "getAllocationDelay",
    args: [operator],
  });
  const registered = await client.readContract({
    address: am,
    abi: iAllocationManagerAbi,
    functionName: "getRegisteredSets",
    args: [operator],
  });
  const allocatedSets = await client.readContract({
    address: am,
    abi: iAllocationManagerAbi,
    functionName: "getAllocatedSets",
    args: [operator],
  });
  const sets = new Map<string, OperatorSet>();
  for (const s of [...registered, ...allocatedSets]) sets.set(setKey(s), { avs: getAddress(s.avs), id: s.id });
  const strategySet = new Set<Address>(extraStrategies.map((s) => getAddress(s)));
  for (const set of sets.values()) {
    const inSet = await client.readContract({
      address: am,
      abi: iAllocationManagerAbi,
      functionName: "getStrategiesInOperatorSet",
      args: [set],
    });
    inSet.forEach((s) => strategySet.add(getAddress(s)));
  }
  const strategies: OperatorView["strategies"] = [];
  for (const strategy of strategySet) {
    const [operatorShares, maxMagnitude, encumberedMagnitude, allocatableMagnitude, slashableSharesInQueue] =
      await Promise.all([
        client.readContract({
          address: dm,
          abi: iDelegationManagerAbi,
          functionName: "operatorShares",
          args: [operator, strategy],
        }),
        client.readContract({
          address: am,
          abi: iAllocationManagerAbi,
          functionName: "getMaxMagnitude",
          args: [operator, strategy],
        }),
        client.readContract({
          address: am,
          abi: iAllocationManagerAbi,
          functionName: "getEncumberedMagnitude",
          args: [operator, strategy],
        }),
        client.readContract({
          address: am,
          abi: iAllocationManagerAbi,
          functionName: "getAllocatableMagnitude",
          args: [operator, strategy],
        }),
        client.readContract({
          address: dm,
          abi: iDelegationManagerAbi,
          functionName: "getSlashableSharesInQueue",
          args: [operator, strategy],
        }),
      ]);
    strategies.push({
      strategy,
      operatorShares,
      maxMagnitude,
      encumberedMagnitude,
      allocatableMagnitude,
      slashableSharesInQueue,
    });
  }
  const allocations: OperatorView["allocations"] = [];
  for (const set of sets.values()) {
    for (const strategy of strategySet) {
      const a = await client.readContract({
        address: am,
        abi: iAllocationManagerAbi,
        functionName: "getAllocation",
        args: [operator, set, strategy],
      });
      if (a.currentMagnitude === 0n && a.pendingDiff === 0n) continue;
      const [[stake]] = (await client.readContract({
        address: am,
        abi: iAllocationManagerAbi,
        functionName: "getAllocatedStake",
        args: [set, [operator], [strategy]],
      })) as readonly (readonly bigint[])[] as [[bigint]];
      allocations.push({
        operatorSet: set,
        strategy,
        currentMagnitude: a.currentMagnitude,
        pendingDiff: a.pendingDiff,
        effectBlock: a.effectBlock,
        allocatedStake: stake,
      });
    }
  }
  return {
    operator,
    isOperator,
    allocationDelay: { isSet, delay },
    registeredSets: registered.map((s) => ({ avs: getAddress(s.avs), id: s.id })),
    strategies,
    allocations,
  };
}

export type OperatorSetView = {
  operatorSet: OperatorSet;
  exists: boolean;
  redistributing: boolean;
  redistributionRecipient: Address;
  slasher: Address;
  pendingSlasher: { slasher: Address; effectBlock: number };
  strategies: Address[];
  members: Address[];
  slashCount: bigint;
  allocatedStake: { operator: Address; strategy: Address; shares: bigint }[];
  pendingSlashes: { slashId: bigint; resolutionBlock: number; strategies: Address[]; shares: bigint[] }[];
};

/** The ids of `avs`'s operator sets, from OperatorSetCreated events (ids are chosen by the AVS). */
export async function readOperatorSetIds(client: Client, allocationManager: Address, avs: Address, fromBlock = 0n) {
  const logs = await client.getContractEvents({
    address: allocationManager,
    abi: iAllocationManagerAbi,
    eventName: "OperatorSetCreated",
    fromBlock,
    toBlock: "latest",
  });
  return logs
    .map((l) => l.args.operatorSet!)
    .filter((s) => getAddress(s.avs) === getAddress(avs))
    .map((s) => s.id);
}

/** One operator set: configuration, members, allocated stake and slashes awaiting clearing. */
export async function readOperatorSet(
  client: Client,
  addresses: RestakingAddresses,
  operatorSet: OperatorSet,
): Promise<OperatorSetView> {
  const am = addresses.allocationManager;
  const read = <F extends string>(functionName: F, args: readonly unknown[]) =>
    client.readContract({
      address: am,
      abi: iAllocationManagerAbi,
      functionName: functionName as never,
      args: args as never,
    });
  const exists = (await read("isOperatorSet", [operatorSet])) as boolean;
  const strategies = ((await read("getStrategiesInOperatorSet", [operatorSet])) as readonly Address[]).map((s) =>
    getAddress(s),
  );
  const members = ((await read("getMembers", [operatorSet])) as readonly Address[]).map((s) => getAddress(s));
  const [pendingSlasher, effectBlock] = (await read("getPendingSlasher", [operatorSet])) as readonly [Address, number];
  const allocatedStake: OperatorSetView["allocatedStake"] = [];
  if (members.length > 0 && strategies.length > 0) {
    const stake = (await read("getAllocatedStake", [
      operatorSet,
      members,
      strategies,
    ])) as readonly (readonly bigint[])[];
    members.forEach((operator, i) =>
      strategies.forEach((strategy, j) => allocatedStake.push({ operator, strategy, shares: stake[i]?.[j] ?? 0n })),
    );
  }
  const slashIds = await client.readContract({
    address: addresses.strategyManager,
    abi: iStrategyManagerAbi,
    functionName: "getPendingSlashIds",
    args: [operatorSet],
  });
  const pendingSlashes: OperatorSetView["pendingSlashes"] = [];
  for (const slashId of slashIds) {
    const [ss, shares] = await client.readContract({
      address: addresses.strategyManager,
      abi: iStrategyManagerAbi,
      functionName: "getBurnOrRedistributableShares",
      args: [operatorSet, slashId],
    });
    const resolutionBlock = await client.readContract({
      address: addresses.strategyManager,
      abi: iStrategyManagerAbi,
      functionName: "getSlashResolutionBlock",
      args: [operatorSet, slashId],
    });
    pendingSlashes.push({ slashId, resolutionBlock, strategies: ss.map((s) => getAddress(s)), shares: [...shares] });
  }
  return {
    operatorSet,
    exists,
    redistributing: (await read("isRedistributingOperatorSet", [operatorSet])) as boolean,
    redistributionRecipient: getAddress((await read("getRedistributionRecipient", [operatorSet])) as Address),
    slasher: getAddress((await read("getSlasher", [operatorSet])) as Address),
    pendingSlasher: { slasher: getAddress(pendingSlasher), effectBlock },
    strategies,
    members,
    slashCount: (await read("getSlashCount", [operatorSet])) as bigint,
    allocatedStake,
    pendingSlashes,
  };
}
