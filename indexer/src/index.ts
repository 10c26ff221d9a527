/**
 * Indexing functions: one per event of every indexed contract. Each stores the decoded log in `event`,
 * then, for the restaking events, updates the derived tables (keepers/indexer/sources.ts picks the
 * contracts, ponder.config.ts the addresses).
 */
import { ponder } from "ponder:registry";
import schema from "ponder:schema";
import type { Abi } from "viem";

import config from "../ponder.config.js";
import { eventKeys } from "../../keepers/indexer/sources.js";
import { jsonArgs } from "../../keepers/indexer/json.js";

const WAD = 10n ** 18n;

type Log = {
  id: string;
  args: Record<string, unknown>;
  log: { address: `0x${string}`; logIndex: number };
  block: { number: bigint; timestamp: bigint };
  transaction: { hash: `0x${string}` };
};
// Ponder's context is typed per event; the handlers below only use its table API.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = any;
type Handler = (e: Log, db: Db) => Promise<void>;

const lower = (a: unknown) => String(a).toLowerCase() as `0x${string}`;
const setOf = (args: Record<string, unknown>) => {
  const set = args.operatorSet as { avs: string; id: number };
  return { avs: lower(set.avs), setId: Number(set.id) };
};

async function operatorStrategy(db: Db, operator: `0x${string}`, strategy: `0x${string}`) {
  const id = `${operator}-${strategy}`;
  const row = await db.find(schema.operatorStrategy, { id });
  if (row) return row;
  const fresh = { id, operator, strategy, shares: 0n, maxMagnitude: WAD, encumberedMagnitude: 0n };
  await db.insert(schema.operatorStrategy).values(fresh);
  return fresh;
}

/** The operator's row, created on first sight (shares move in `registerAsOperator` before OperatorRegistered). */
async function operatorRow(db: Db, id: `0x${string}`, block: bigint) {
  const row = await db.find(schema.operator, { id });
  if (row) return row;
  const fresh = { id, metadataURI: "", registeredBlock: block, delegatedShares: 0n, slashCount: 0 };
  await db.insert(schema.operator).values(fresh);
  return fresh;
}

async function addOperatorShares(e: Log, db: Db, strategy: `0x${string}`, delta: bigint) {
  const operator = lower(e.args.operator);
  const row = await operatorStrategy(db, operator, strategy);
  await db.update(schema.operatorStrategy, { id: row.id }).set({ shares: row.shares + delta });
  const op = await operatorRow(db, operator, e.block.number);
  await db.update(schema.operator, { id: operator }).set({ delegatedShares: op.delegatedShares + delta });
}

const restaking: Record<string, Handler> = {
  "DelegationManager:OperatorRegistered": async (e, db) => {
    const op = await operatorRow(db, lower(e.args.operator), e.block.number);
    await db.update(schema.operator, { id: op.id }).set({ registeredBlock: e.block.number });
  },
  "DelegationManager:OperatorMetadataURIUpdated": async (e, db) => {
    const op = await operatorRow(db, lower(e.args.operator), e.block.number);
    await db.update(schema.operator, { id: op.id }).set({ metadataURI: String(e.args.metadataURI) });
  },
  "DelegationManager:OperatorSharesIncreased": (e, db) =>
    addOperatorShares(e, db, lower(e.args.strategy), e.args.shares as bigint),
  "DelegationManager:OperatorSharesDecreased": (e, db) =>
    addOperatorShares(e, db, lower(e.args.strategy), -(e.args.shares as bigint)),
  "DelegationManager:OperatorSharesSlashed": (e, db) =>
    addOperatorShares(e, db, lower(e.args.strategy), -(e.args.totalSlashedShares as bigint)),
  "DelegationManager:StakerDelegated": async (e, db) => {
    await db
      .insert(schema.staker)
      .values({ id: lower(e.args.staker), operator: lower(e.args.operator), delegatedBlock: e.block.number })
      .onConflictDoUpdate({ operator: lower(e.args.operator), delegatedBlock: e.block.number });
  },
  "DelegationManager:StakerUndelegated": async (e, db) => {
    await db
      .insert(schema.staker)
      .values({ id: lower(e.args.staker), operator: null, delegatedBlock: null })
      .onConflictDoUpdate({ operator: null, delegatedBlock: null });
  },
  "DelegationManager:DepositScalingFactorUpdated": async (e, db) => {
    const staker = lower(e.args.staker);
    const strategy = lower(e.args.strategy);
    const factor = e.args.newDepositScalingFactor as bigint;
    await db
      .insert(schema.stakerStrategy)
      .values({ id: `${staker}-${strategy}`, staker, strategy, depositShares: 0n, depositScalingFactor: factor })
      .onConflictDoUpdate({ depositScalingFactor: factor });
  },
  "StrategyManager:Deposit": async (e, db) => {
    const staker = lower(e.args.staker);
    const strategy = lower(e.args.strategy);
    const shares = e.args.shares as bigint;
    await db
      .insert(schema.stakerStrategy)
      .values({ id: `${staker}-${strategy}`, staker, strategy, depositShares: shares, depositScalingFactor: WAD })
      .onConflictDoUpdate((row: { depositShares: bigint }) => ({ depositShares: row.depositShares + shares }));
    await db.insert(schema.staker).values({ id: staker, operator: null, delegatedBlock: null }).onConflictDoNothing();
  },
  "StrategyManager:DepositSharesRemoved": async (e, db) => {
    const staker = lower(e.args.staker);
    const strategy = lower(e.args.strategy);
    const removed = e.args.depositShares as bigint;
    await db
      .update(schema.stakerStrategy, { id: `${staker}-${strategy}` })
      .set((row: { depositShares: bigint }) => ({ depositShares: row.depositShares - removed }));
  },
  "AllocationManager:OperatorSetCreated": async (e, db) => {
    const { avs, setId } = setOf(e.args);
    await db
      .insert(schema.operatorSet)
      .values({ id: `${avs}-${setId}`, avs, setId, redistributionRecipient: null, createdBlock: e.block.number })
      .onConflictDoNothing();
  },
  "AllocationManager:RedistributionAddressSet": async (e, db) => {
    const { avs, setId } = setOf(e.args);
    const recipient = lower(e.args.redistributionRecipient);
    await db
      .insert(schema.operatorSet)
      .values({ id: `${avs}-${setId}`, avs, setId, redistributionRecipient: recipient, createdBlock: e.block.number })
      .onConflictDoUpdate({ redistributionRecipient: recipient });
  },
  "AllocationManager:AllocationUpdated": async (e, db) => {
    const { avs, setId } = setOf(e.args);
    const operator = lower(e.args.operator);
    const strategy = lower(e.args.strategy);
    const values = {
      magnitude: e.args.magnitude as bigint,
      effectBlock: BigInt(e.args.effectBlock as number),
      updatedBlock: e.block.number,
    };
    await db
      .insert(schema.allocation)
      .values({ id: `${operator}-${avs}-${setId}-${strategy}`, operator, avs, setId, strategy, ...values })
      .onConflictDoUpdate(values);
  },
  "AllocationManager:MaxMagnitudeUpdated": async (e, db) => {
    const row = await operatorStrategy(db, lower(e.args.operator), lower(e.args.strategy));
    await db.update(schema.operatorStrategy, { id: row.id }).set({ maxMagnitude: e.args.maxMagnitude as bigint });
  },
  "AllocationManager:EncumberedMagnitudeUpdated": async (e, db) => {
    const row = await operatorStrategy(db, lower(e.args.operator), lower(e.args.strategy));
    await db
      .update(schema.operatorStrategy, { id: row.id })
      .set({ encumberedMagnitude: e.args.encumberedMagnitude as bigint });
  },
  "AllocationManager:OperatorSlashed": async (e, db) => {
    const { avs, setId } = setOf(e.args);
    const operator = lower(e.args.operator);
    await db.insert(schema.slashing).values({
      id: e.id,
      operator,
      avs,
      setId,
      strategies: (e.args.strategies as string[]).map(lower),
      wadSlashed: (e.args.wadSlashed as bigint[]).map(String),
      description: String(e.args.description),
      blockNumber: e.block.number,
      timestamp: e.block.timestamp,
      transactionHash: e.transaction.hash,
    });
    const op = await operatorRow(db, operator, e.block.number);
    await db.update(schema.operator, { id: operator }).set({ slashCount: op.slashCount + 1 });
  },
  "StrategyManager:BurnOrRedistributableTokensSent": async (e, db) => {
    const { avs, setId } = setOf(e.args);
    await db.insert(schema.redistribution).values({
      id: e.id,
      avs,
      setId,
      slashId: e.args.slashId as bigint,
      strategy: lower(e.args.strategy),
      recipient: lower(e.args.recipient),
      amount: e.args.amount as bigint,
      blockNumber: e.block.number,
      timestamp: e.block.timestamp,
      transactionHash: e.transaction.hash,
    });
  },
};

for (const [contract, { abi }] of Object.entries(config.contracts as Record<string, { abi: Abi }>)) {
  for (const key of eventKeys(abi)) {
    const name = `${contract}:${key}`;
    const derived = restaking[`${contract}:${key}`];
    // The registry is typed per literal event name; the names here come from the ABIs at run time.
    (ponder.on as (name: string, fn: (a: { event: Log; context: { db: Db } }) => Promise<void>) => void)(
      name,
      async ({ event, context }) => {
        await context.db.insert(schema.event).values({
          id: event.id,
          contract,
          address: lower(event.log.address),
          name: key.split("(")[0]!,
          args: jsonArgs(event.args),
          blockNumber: event.block.number,
          logIndex: event.log.logIndex,
          timestamp: event.block.timestamp,
          transactionHash: event.transaction.hash,
        });
        if (derived) await derived(event, context.db);
      },
    );
  }
}
