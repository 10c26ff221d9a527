/**
 * Pure builders: CLI argument strings -> validated contract call parameters for the restaking contracts.
 * Every failure is an InvalidInputError naming the flag, raised before anything is sent.
 */
import { getAddress, isAddress, isHex, type Address, type Hex } from "viem";

import { InvalidInputError } from "../lib/errors.js";

export const WAD = 10n ** 18n;
export const MAX_UINT32 = 2n ** 32n - 1n;

/** Parses one address flag. */
export function parseAddress(value: unknown, flag: string): Address {
  if (typeof value !== "string" || !isAddress(value, { strict: false }))
    throw new InvalidInputError(flag, "must be a 0x-prefixed 20-byte hex address");
  return getAddress(value);
}

/** Parses a comma-separated (or repeated) list of addresses; at least one. */
export function parseAddressList(value: unknown, flag: string): Address[] {
  const parts = (Array.isArray(value) ? value : [value])
    .flatMap((v) => (typeof v === "string" ? v.split(",") : [v]))
    .map((v) => (typeof v === "string" ? v.trim() : v))
    .filter((v) => v !== "");
  if (parts.length === 0) throw new InvalidInputError(flag, "must name at least one address");
  return parts.map((p) => parseAddress(p, flag));
}

/** Parses a non-negative integer (decimal digits) into a bigint, optionally bounded. */
export function parseUint(value: unknown, flag: string, max?: bigint): bigint {
  const s = typeof value === "number" || typeof value === "bigint" ? String(value) : value;
  if (typeof s !== "string" || !/^\d+$/.test(s.trim()))
    throw new InvalidInputError(flag, "must be a non-negative integer");
  const n = BigInt(s.trim());
  if (max !== undefined && n > max) throw new InvalidInputError(flag, `must be at most ${max}`);
  return n;
}

/** A uint32 such as an operator set id or a block count. */
export function parseUint32(value: unknown, flag: string): number {
  return Number(parseUint(value, flag, MAX_UINT32));
}

/** Parses a list of uint32 ids ("0,1,2"). */
export function parseUint32List(value: unknown, flag: string): number[] {
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v ?? "").split(",")).filter((v) => v);
  if (parts.length === 0) throw new InvalidInputError(flag, "must name at least one id");
  const ids = parts.map((p) => parseUint32(p.trim(), flag));
  if (new Set(ids).size !== ids.length) throw new InvalidInputError(flag, "lists an id twice");
  return ids;
}

/**
 * A fraction of WAD: "50%" / "12.5%" (percent, up to 16 decimals) or a raw integer wad ("500000000000000000").
 * Bounded to [0, WAD]; `positive` also refuses 0.
 */
export function parseWad(value: unknown, flag: string, options: { positive?: boolean } = {}): bigint {
  if (typeof value !== "string" || value.trim() === "")
    throw new InvalidInputError(flag, 'must be a percentage ("50%") or an integer wad (1e18 = 100%)');
  const s = value.trim();
  let wad: bigint;
  const pct = /^(\d+)(?:\.(\d{1,16}))?%$/.exec(s);
  if (pct) {
    const whole = BigInt(pct[1]!);
    const frac = BigInt((pct[2] ?? "").padEnd(16, "0"));
    wad = whole * 10n ** 16n + frac;
  } else if (/^\d+$/.test(s)) {
    wad = BigInt(s);
  } else {
    throw new InvalidInputError(flag, 'must be a percentage ("50%") or an integer wad (1e18 = 100%)');
  }
  if (wad > WAD) throw new InvalidInputError(flag, `must be at most 100% (${WAD})`);
  if (options.positive && wad === 0n) throw new InvalidInputError(flag, "must be above 0");
  return wad;
}

/** A list of wads, one per strategy; a single value applies to every strategy. */
export function parseWadList(value: unknown, flag: string, count: number, options: { positive?: boolean } = {}) {
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v ?? "").split(",")).filter((v) => v);
  if (parts.length === 0) throw new InvalidInputError(flag, "is required");
  const wads = parts.map((p) => parseWad(p.trim(), flag, options));
  if (wads.length === 1) return Array.from({ length: count }, () => wads[0]!);
  if (wads.length !== count) throw new InvalidInputError(flag, `gives ${wads.length} values for ${count} strategies`);
  return wads;
}

/** A decimal token amount ("1.5") in base units for a token with `decimals` decimals; positive. */
export function parseTokenAmount(value: unknown, flag: string, decimals: number): bigint {
  const m = typeof value === "string" ? /^(\d+)(?:\.(\d+))?$/.exec(value.trim()) : null;
  if (!m) throw new InvalidInputError(flag, "must be a decimal token amount such as 100 or 1.5");
  const frac = m[2] ?? "";
  if (frac.length > decimals) throw new InvalidInputError(flag, `has more than ${decimals} decimals`);
  const amount = BigInt(m[1]!) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, "0") || "0");
  if (amount === 0n) throw new InvalidInputError(flag, "must be above 0");
  return amount;
}

/** Optional 0x-hex bytes (registrar data). */
export function parseHexData(value: unknown, flag: string): Hex {
  if (value === undefined) return "0x";
  if (typeof value !== "string" || !isHex(value, { strict: true }) || value.length % 2 !== 0)
    throw new InvalidInputError(flag, "must be 0x-prefixed hex bytes");
  return value;
}

export function parseBytes32(value: unknown, flag: string): Hex {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(value))
    throw new InvalidInputError(flag, "must be 0x followed by 64 hex digits");
  return value as Hex;
}

// Call parameter builders -----------------------------------------------------------------------------

export type OperatorSet = { avs: Address; id: number };

export type AllocateParams = { operatorSet: OperatorSet; strategies: Address[]; newMagnitudes: bigint[] };

/** `modifyAllocations` parameters for one set: strategies (no duplicates) and magnitudes in [0, WAD]. */
export function buildAllocateParams(input: {
  avs: unknown;
  operatorSetId: unknown;
  strategies: unknown;
  magnitudes: unknown;
}): AllocateParams {
  const avs = parseAddress(input.avs, "--avs");
  const id = parseUint32(input.operatorSetId, "--operator-set");
  const strategies = parseAddressList(input.strategies, "--strategy");
  if (new Set(strategies).size !== strategies.length)
    throw new InvalidInputError("--strategy", "lists a strategy twice");
  const newMagnitudes = parseWadList(input.magnitudes, "--magnitude", strategies.length);
  return { operatorSet: { avs, id }, strategies, newMagnitudes };
}

/**
 * Checks a deallocation against the current magnitudes: every new magnitude must be lower than the current
 * one (a higher one is an allocation; use `operator allocate`).
 */
export function checkDeallocation(params: AllocateParams, current: readonly bigint[]): void {
  params.strategies.forEach((strategy, i) => {
    const next = params.newMagnitudes[i]!;
    const now = current[i] ?? 0n;
    if (next >= now)
      throw new InvalidInputError(
        "--magnitude",
        `deallocation of ${strategy} must go below its current magnitude ${now} (got ${next})`,
      );
  });
}

/** Same for allocations: each new magnitude must be above the current one. */
export function checkAllocation(params: AllocateParams, current: readonly bigint[]): void {
  params.strategies.forEach((strategy, i) => {
    const next = params.newMagnitudes[i]!;
    const now = current[i] ?? 0n;
    if (next <= now)
      throw new InvalidInputError(
        "--magnitude",
        `allocation of ${strategy} must go above its current magnitude ${now} (got ${next}); use deallocate to lower it`,
      );
  });
}

export type SlashingParams = {
  operator: Address;
  operatorSetId: number;
  strategies: Address[];
  wadsToSlash: bigint[];
  description: string;
};

/**
 * `slashOperator` parameters: strategies sorted ascending (the AllocationManager requires it) with their
 * wads moved along, each wad in (0, WAD], no duplicates.
 */
export function buildSlashingParams(input: {
  operator: unknown;
  operatorSetId: unknown;
  strategies: unknown;
  wads: unknown;
  description?: unknown;
}): SlashingParams {
  const operator = parseAddress(input.operator, "--operator");
  const operatorSetId = parseUint32(input.operatorSetId, "--operator-set");
  const strategies = parseAddressList(input.strategies, "--strategy");
  const wads = parseWadList(input.wads, "--wad", strategies.length, { positive: true });
  const pairs = strategies.map((s, i) => ({ s, w: wads[i]! }));
  pairs.sort((a, b) => (BigInt(a.s) < BigInt(b.s) ? -1 : BigInt(a.s) > BigInt(b.s) ? 1 : 0));
  for (let i = 1; i < pairs.length; i++)
    if (pairs[i]!.s === pairs[i - 1]!.s) throw new InvalidInputError("--strategy", `lists ${pairs[i]!.s} twice`);
  const description = input.description === undefined ? "" : String(input.description);
  if (description.length > 1024) throw new InvalidInputError("--description", "must be at most 1024 characters");
  return {
    operator,
    operatorSetId,
    strategies: pairs.map((p) => p.s),
    wadsToSlash: pairs.map((p) => p.w),
    description,
  };
}

export type CreateSetParams = { operatorSetId: number; strategies: Address[]; slasher: Address };

/** `createOperatorSets` / `createRedistributingOperatorSets` parameters for one set. */
export function buildCreateSetParams(input: {
  operatorSetId: unknown;
  strategies: unknown;
  slasher: unknown;
  redistributionRecipient?: unknown;
}): { params: CreateSetParams; redistributionRecipient?: Address } {
  const operatorSetId = parseUint32(input.operatorSetId, "--operator-set");
  const strategies = parseAddressList(input.strategies, "--strategy");
  if (new Set(strategies).size !== strategies.length)
    throw new InvalidInputError("--strategy", "lists a strategy twice");
  const slasher = parseAddress(input.slasher, "--slasher");
  if (BigInt(slasher) === 0n) throw new InvalidInputError("--slasher", "must not be the zero address");
  if (input.redistributionRecipient === undefined) return { params: { operatorSetId, strategies, slasher } };
  const recipient = parseAddress(input.redistributionRecipient, "--redistribution-recipient");
  if (BigInt(recipient) === 0n || BigInt(recipient) === 0xe16e4n)
    throw new InvalidInputError("--redistribution-recipient", "must be neither zero nor the burn address");
  return { params: { operatorSetId, strategies, slasher }, redistributionRecipient: recipient };
}

export type QueuedWithdrawalParams = {
  strategies: Address[];
  depositShares: bigint[];
  __deprecated_withdrawer: Address;
};

/**
 * `queueWithdrawals` parameters: per strategy a share amount or "all" (resolved against the staker's
 * current deposit shares, which must cover the request).
 */
export function buildQueueWithdrawal(input: {
  staker: Address;
  strategies: unknown;
  shares: unknown;
  depositShares: (strategy: Address) => bigint;
}): QueuedWithdrawalParams {
  const strategies = parseAddressList(input.strategies, "--strategy");
  if (new Set(strategies).size !== strategies.length)
    throw new InvalidInputError("--strategy", "lists a strategy twice");
  const raw = (Array.isArray(input.shares) ? input.shares : [input.shares])
    .flatMap((v) => String(v ?? "").split(","))
    .filter((v) => v);
  if (raw.length === 0) throw new InvalidInputError("--shares", 'is required (an integer or "all")');
  const values = raw.length === 1 ? strategies.map(() => raw[0]!) : raw;
  if (values.length !== strategies.length)
    throw new InvalidInputError("--shares", `gives ${values.length} values for ${strategies.length} strategies`);
  const depositShares = strategies.map((strategy, i) => {
    const held = input.depositShares(strategy);
    const v = values[i]!.trim();
    const shares = v === "all" ? held : parseUint(v, "--shares");
    if (shares === 0n) throw new InvalidInputError("--shares", `nothing to withdraw from ${strategy}`);
    if (shares > held)
      throw new InvalidInputError("--shares", `${shares} exceeds the ${held} deposit shares held in ${strategy}`);
    return shares;
  });
  return { strategies, depositShares, __deprecated_withdrawer: input.staker };
}

/** Victims and amounts owed from "0xabc:100" pairs (token amounts with `decimals`). */
export function parseVictims(value: unknown, decimals: number): { victims: Address[]; amounts: bigint[] } {
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v ?? "").split(",")).filter((v) => v);
  if (parts.length === 0) throw new InvalidInputError("--victim", 'is required, as ADDRESS:AMOUNT (e.g. "0xabc…:100")');
  const victims: Address[] = [];
  const amounts: bigint[] = [];
  for (const part of parts) {
    const [address, amount] = part.trim().split(":");
    victims.push(parseAddress(address, "--victim"));
    amounts.push(parseTokenAmount(amount, "--victim", decimals));
  }
  if (new Set(victims).size !== victims.length) throw new InvalidInputError("--victim", "names a victim twice");
  return { victims, amounts };
}
