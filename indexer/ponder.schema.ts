/**
 * Tables of the vcloud indexer. `event` keeps every decoded log of every vcloud contract (the audit
 * trail the dashboard's DA, TEE, inference, agent and fee pages read); the other tables are the
 * restaking state derived from it: operators, operator sets, allocations, stakers and slashes.
 * Ponder serves all of them over GraphQL (singular and plural queries per table).
 */
import { onchainTable } from "ponder";

/** Every event of every indexed contract, arguments as JSON (big integers as decimal strings). */
export const event = onchainTable("event", (t) => ({
  id: t.text().primaryKey(),
  contract: t.text().notNull(),
  address: t.hex().notNull(),
  name: t.text().notNull(),
  args: t.json().notNull(),
  blockNumber: t.bigint().notNull(),
  logIndex: t.integer().notNull(),
  timestamp: t.bigint().notNull(),
  transactionHash: t.hex().notNull(),
}));

/** A registered operator with its delegated shares summed over strategies. */
export const operator = onchainTable("operator", (t) => ({
  id: t.hex().primaryKey(),
  metadataURI: t.text().notNull(),
  registeredBlock: t.bigint().notNull(),
  delegatedShares: t.bigint().notNull(),
  slashCount: t.integer().notNull(),
}));

/** Per operator and strategy: delegated shares and the max magnitude (1e18 until slashed). */
export const operatorStrategy = onchainTable("operator_strategy", (t) => ({
  id: t.text().primaryKey(),
  operator: t.hex().notNull(),
  strategy: t.hex().notNull(),
  shares: t.bigint().notNull(),
  maxMagnitude: t.bigint().notNull(),
  encumberedMagnitude: t.bigint().notNull(),
}));

/** An operator set of an AVS; redistributing sets send slashed funds to `redistributionRecipient`. */
export const operatorSet = onchainTable("operator_set", (t) => ({
  id: t.text().primaryKey(),
  avs: t.hex().notNull(),
  setId: t.integer().notNull(),
  redistributionRecipient: t.hex(),
  createdBlock: t.bigint().notNull(),
}));

/** The magnitude an operator allocates to one operator set for one strategy (latest update). */
export const allocation = onchainTable("allocation", (t) => ({
  id: t.text().primaryKey(),
  operator: t.hex().notNull(),
  avs: t.hex().notNull(),
  setId: t.integer().notNull(),
  strategy: t.hex().notNull(),
  magnitude: t.bigint().notNull(),
  effectBlock: t.bigint().notNull(),
  updatedBlock: t.bigint().notNull(),
}));

/** A staker: the operator it delegates to (null when undelegated). */
export const staker = onchainTable("staker", (t) => ({
  id: t.hex().primaryKey(),
  operator: t.hex(),
  delegatedBlock: t.bigint(),
}));

/** A staker's deposit shares and deposit scaling factor in one strategy. */
export const stakerStrategy = onchainTable("staker_strategy", (t) => ({
  id: t.text().primaryKey(),
  staker: t.hex().notNull(),
  strategy: t.hex().notNull(),
  depositShares: t.bigint().notNull(),
  depositScalingFactor: t.bigint().notNull(),
}));

/** One OperatorSlashed event. */
export const slashing = onchainTable("slashing", (t) => ({
  id: t.text().primaryKey(),
  operator: t.hex().notNull(),
  avs: t.hex().notNull(),
  setId: t.integer().notNull(),
  /** Strategy addresses and the WAD fractions slashed of each, as JSON arrays (decimal strings). */
  strategies: t.json().notNull(),
  wadSlashed: t.json().notNull(),
  description: t.text().notNull(),
  blockNumber: t.bigint().notNull(),
  timestamp: t.bigint().notNull(),
  transactionHash: t.hex().notNull(),
}));

/** Slashed funds leaving the StrategyManager: to the set's recipient (redistribution) or the burn address. */
export const redistribution = onchainTable("redistribution", (t) => ({
  id: t.text().primaryKey(),
  avs: t.hex().notNull(),
  setId: t.integer().notNull(),
  slashId: t.bigint().notNull(),
  strategy: t.hex().notNull(),
  recipient: t.hex().notNull(),
  amount: t.bigint().notNull(),
  blockNumber: t.bigint().notNull(),
  timestamp: t.bigint().notNull(),
  transactionHash: t.hex().notNull(),
}));
