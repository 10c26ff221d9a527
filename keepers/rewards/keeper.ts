import type { Account, Address, Chain, Hash, PublicClient, Transport, WalletClient } from "viem";

import { send } from "../da-network/setup.js";

import { iAllocationManagerAbi, iRewardsCoordinatorAbi } from "../lib/abis.js";
import { VcloudError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import { accumulate, computePeriod, splitAt, type Earnings, type Submission } from "./calc.js";
import {
  blockBefore,
  readRewardsConfig,
  readSplitChanges,
  readStakeSnapshot,
  readSubmissions,
  type Client,
  type RewardsContracts,
} from "./read.js";
import type { RewardsStore } from "./store.js";
import { buildRewardsTree, earningsOfTree } from "./tree.js";

export type RewardsPassResult = {
  /** What the pass did. */
  action: "posted" | "reconciled" | "up-to-date" | "nothing-earned" | "computed";
  /** Periods computed in this pass (start timestamps). */
  periods: number[];
  endTimestamp?: number;
  root?: string;
  earners?: number;
  txHash?: Hash;
};

/** The rewards updater is not the keeper's account; posting would revert. */
export class NotRewardsUpdaterError extends VcloudError {
  override name = "NotRewardsUpdaterError";
  constructor(account: Address, updater: Address) {
    super(`${account} is not the rewards updater (${updater}); set --private-key to the updater's key`);
  }
}

/** Operator sets named in submissions, with the strategies their rewards weigh. */
async function setsOf(client: Client, am: Address, submissions: Submission[], blockNumber: bigint) {
  const keys = [...new Set(submissions.map((s) => s.operatorSet))];
  return Promise.all(
    keys.map(async (key) => {
      const [avs, id] = key.split(":") as [Address, string];
      const strategies = await client.readContract({
        address: am,
        abi: iAllocationManagerAbi,
        functionName: "getStrategiesInOperatorSet",
        args: [{ avs, id: Number(id) }],
        blockNumber,
      });
      return { avs, id: Number(id), strategies: [...strategies] };
    }),
  );
}

/**
 * One pass of the rewards keeper: reconcile a root computed but not yet posted; then compute every complete
 * period after the last posted root (stake sampled at the last block before each period ends), add them to
 * the cumulative earnings, build the Merkle tree, store it (SQLite) and post its root. Idempotent: a second
 * pass, or a pass after a crash, never posts the same period twice, and recomputing a period gives the same
 * root.
 */
export async function runRewardsOnce(
  publicClient: Client,
  walletClient: WalletClient<Transport, Chain, Account> | undefined,
  params: {
    contracts: RewardsContracts;
    store: RewardsStore;
    logger?: Logger;
    dryRun?: boolean;
    /** Bound on the root's receipt wait (default 120 s). */
    receiptTimeoutMs?: number;
  },
): Promise<RewardsPassResult> {
  const { contracts, store, logger } = params;
  const rc = contracts.rewardsCoordinator;
  const config = await readRewardsConfig(publicClient, rc);

  // 1. Reconcile: a root computed by an earlier pass whose post may or may not have landed.
  const pending = store.latest();
  if (pending && pending.status === "computed") {
    if (config.currentEnd >= pending.endTimestamp) {
      store.markPosted(pending.endTimestamp, null);
      logger?.info({ end: pending.endTimestamp }, "root was already posted; checkpoint updated");
      return { action: "reconciled", periods: [], endTimestamp: pending.endTimestamp, root: pending.root };
    }
    // Never landed: recompute (deterministically) below.
    store.dropComputed(pending.endTimestamp);
  }
  // A root this keeper recorded as posted but the chain does not have (a reorg dropped the block that
  // posted it): forget it, or its earnings would be counted again on top of the recomputed periods.
  const reorged = store.dropAfter(config.currentEnd);
  if (reorged > 0)
    logger?.warn(
      { currentEnd: config.currentEnd, dropped: reorged },
      "posted roots missing on chain (reorg); recomputing",
    );
  const posted = store.latestPosted();
  if ((posted?.endTimestamp ?? 0) < config.currentEnd)
    throw new VcloudError(
      `the coordinator's calculation end (${config.currentEnd}) is past this keeper's last root (${posted?.endTimestamp ?? "none"}): another updater posts roots; use its database`,
    );

  // 2. Which periods are complete and not yet posted.
  const latestBlock = await publicClient.getBlock({ blockTag: "latest" });
  const now = Number(latestBlock.timestamp);
  const interval = config.interval;
  const submissions = await readSubmissions(publicClient, rc, latestBlock.number);
  if (submissions.length === 0) return { action: "up-to-date", periods: [] };
  const firstStart = Math.min(...submissions.map((s) => s.startTimestamp));
  let from = config.currentEnd > 0 ? config.currentEnd : firstStart - (firstStart % interval);
  // submitRoot needs end < block.timestamp; the pre-flight simulation runs at the latest block's
  // timestamp, so a period ending exactly at `now` waits for the next pass.
  const lastEnd = Math.floor((now - 1) / interval) * interval;
  if (lastEnd <= from) return { action: "up-to-date", periods: [] };

  // 3. Compute each period from stake at its last block.
  const splitChanges = await readSplitChanges(publicClient, rc, latestBlock.number);
  let cumulative: Earnings = posted ? earningsOfTree(posted.tree) : new Map();
  const periods: number[] = [];
  for (; from < lastEnd; from += interval) {
    const active = submissions.filter((s) => s.startTimestamp <= from && from < s.startTimestamp + s.duration);
    periods.push(from);
    if (active.length === 0) continue;
    const block = await blockBefore(publicClient, from + interval, latestBlock.number);
    if (block === undefined) continue;
    const sets = await setsOf(publicClient, contracts.allocationManager, active, block);
    const snapshot = await readStakeSnapshot(publicClient, { ...contracts, blockNumber: block, operatorSets: sets });
    const earned = computePeriod({
      periodStart: from,
      interval,
      submissions: active,
      snapshot,
      splitOf: (operator, set) => splitAt(splitChanges, operator, set, from),
    });
    cumulative = accumulate(cumulative, earned);
  }
  const endTimestamp = lastEnd;
  if (cumulative.size === 0) return { action: "nothing-earned", periods };
  const tree = buildRewardsTree(cumulative);
  // Periods in which nobody earned leave the cumulative tree as it was: posting it again would only
  // spend gas, and claims against the posted root already pay everything owed.
  if (posted && tree.root.toLowerCase() === posted.root.toLowerCase()) return { action: "up-to-date", periods };
  const earners = cumulative.size;
  logger?.info({ end: endTimestamp, root: tree.root, earners, periods: periods.length }, "rewards root computed");
  if (params.dryRun || !walletClient) return { action: "computed", periods, endTimestamp, root: tree.root, earners };
  store.saveComputed(endTimestamp, tree);

  // 4. Post (one transaction).
  const updater = await publicClient.readContract({
    address: rc,
    abi: iRewardsCoordinatorAbi,
    functionName: "rewardsUpdater",
  });
  if (updater.toLowerCase() !== walletClient.account.address.toLowerCase())
    throw new NotRewardsUpdaterError(walletClient.account.address, updater);
  // Through `send`: a bounded receipt wait, and a nonce-manager reset when the transaction is lost, so a
  // daemon's next pass fills the free nonce instead of queueing behind it (issue 13).
  const txHash = await send(
    {
      publicClient: publicClient as PublicClient<Transport, Chain>,
      ...(params.receiptTimeoutMs !== undefined ? { receiptTimeoutMs: params.receiptTimeoutMs } : {}),
    },
    walletClient,
    {
      address: rc,
      abi: iRewardsCoordinatorAbi,
      functionName: "submitRoot",
      args: [tree.root as `0x${string}`, endTimestamp],
    },
  );
  store.markPosted(endTimestamp, txHash);
  logger?.info({ txHash, end: endTimestamp }, "rewards root posted");
  return { action: "posted", periods, endTimestamp, root: tree.root, earners, txHash };
}
