/**
 * The rewards maths, pure: how much each earner (operator or staker) earns of each token in one
 * calculation period, from the submissions active in it and the stake snapshot taken for it.
 *
 * Stake-weighted submission of `A` tokens for the period, operator set with operators `o`:
 *   W_o   = sum over strategies s of multiplier_s * allocated(o, s)       (unique stake, weighted)
 *   T     = sum of W_o
 *   operator o earns    floor(A * W_o * split_o / (T * 10_000))
 *   staker e of o earns floor(A * w_e * (10_000 - split_o) / (T * 10_000)),
 *     w_e = sum of multiplier_s * floor(shares(e, s) * allocated(o, s) / operatorShares(o, s))
 * Operator-directed submission of `B` for operator o: the operator earns floor(B * split_o / 10_000), its
 * stakers share the rest by w_e / W_o. Each amount is one floor of the exact rational share, so it is
 * within 1 wei of it, and the sum never exceeds what was funded (the dust stays in the coordinator).
 */
import { getAddress, type Address } from "viem";

export const BIPS = 10_000n;
export const DEFAULT_SPLIT_BIPS = 1000;

export type StrategyMultiplier = { strategy: Address; multiplier: bigint };

export type StakeSubmission = {
  kind: "stake";
  operatorSet: string;
  token: Address;
  amount: bigint;
  startTimestamp: number;
  duration: number;
  strategies: StrategyMultiplier[];
};

export type DirectedSubmission = {
  kind: "directed";
  operatorSet: string;
  token: Address;
  operatorRewards: { operator: Address; amount: bigint }[];
  startTimestamp: number;
  duration: number;
  strategies: StrategyMultiplier[];
};

export type Submission = StakeSubmission | DirectedSubmission;

/** One operator's stake in one operator set at the period's snapshot. */
export type OperatorStake = {
  operator: Address;
  /** Per strategy (checksummed address): stake allocated to the set and the operator's total shares. */
  strategies: Record<Address, { allocated: bigint; operatorShares: bigint }>;
  /** Stakers delegated to the operator (the operator itself included) and their withdrawable shares. */
  stakers: { staker: Address; shares: Record<Address, bigint> }[];
};

/** Operator set key (`${avs}:${id}`) -> operators' stakes. */
export type StakeSnapshot = Map<string, OperatorStake[]>;

/** Earner -> token -> amount (checksummed addresses). */
export type Earnings = Map<Address, Map<Address, bigint>>;

export function operatorSetKey(avs: Address, id: number | bigint): string {
  return `${getAddress(avs)}:${id}`;
}

/** The part of `amount` paid in the period starting at `periodStart`: the n periods sum to exactly `amount`. */
export function periodAmount(
  amount: bigint,
  startTimestamp: number,
  duration: number,
  interval: number,
  periodStart: number,
): bigint {
  if (periodStart < startTimestamp || periodStart >= startTimestamp + duration) return 0n;
  const n = BigInt(duration / interval);
  const i = BigInt((periodStart - startTimestamp) / interval);
  return (amount * (i + 1n)) / n - (amount * i) / n;
}

function add(earnings: Earnings, earner: Address, token: Address, amount: bigint): void {
  if (amount === 0n) return;
  let byToken = earnings.get(earner);
  if (!byToken) earnings.set(earner, (byToken = new Map()));
  byToken.set(token, (byToken.get(token) ?? 0n) + amount);
}

/** W_o: the operator's unique stake in the set, weighted by the submission's multipliers. */
export function operatorWeight(op: OperatorStake, strategies: StrategyMultiplier[]): bigint {
  let w = 0n;
  for (const { strategy, multiplier } of strategies) w += multiplier * (op.strategies[strategy]?.allocated ?? 0n);
  return w;
}

/** w_e: a staker's part of its operator's unique stake, weighted. */
export function stakerWeight(
  op: OperatorStake,
  shares: Record<Address, bigint>,
  strategies: StrategyMultiplier[],
): bigint {
  let w = 0n;
  for (const { strategy, multiplier } of strategies) {
    const s = op.strategies[strategy];
    if (!s || s.operatorShares === 0n) continue;
    w += multiplier * (((shares[strategy] ?? 0n) * s.allocated) / s.operatorShares);
  }
  return w;
}

export type PeriodInput = {
  periodStart: number;
  interval: number;
  submissions: Submission[];
  snapshot: StakeSnapshot;
  /** The operator's split in bips for the set at the period. */
  splitOf: (operator: Address, operatorSet: string) => number;
};

/** Earnings of every earner in one period. Pure. */
export function computePeriod(input: PeriodInput): Earnings {
  const earnings: Earnings = new Map();
  for (const sub of input.submissions) {
    const operators = input.snapshot.get(sub.operatorSet) ?? [];
    if (sub.kind === "stake") {
      const amount = periodAmount(sub.amount, sub.startTimestamp, sub.duration, input.interval, input.periodStart);
      if (amount === 0n) continue;
      const weights = operators.map((op) => operatorWeight(op, sub.strategies));
      const total = weights.reduce((a, b) => a + b, 0n);
      if (total === 0n) continue; // nobody allocated stake: the period's amount stays undistributed
      const denominator = total * BIPS;
      operators.forEach((op, i) => {
        const split = BigInt(input.splitOf(op.operator, sub.operatorSet));
        add(earnings, op.operator, sub.token, (amount * weights[i]! * split) / denominator);
        for (const { staker, shares } of op.stakers) {
          const w = stakerWeight(op, shares, sub.strategies);
          add(earnings, staker, sub.token, (amount * w * (BIPS - split)) / denominator);
        }
      });
    } else {
      for (const reward of sub.operatorRewards) {
        const amount = periodAmount(reward.amount, sub.startTimestamp, sub.duration, input.interval, input.periodStart);
        if (amount === 0n) continue;
        const op = operators.find((o) => o.operator === reward.operator);
        if (!op) continue; // not registered in the set at the snapshot: undistributed
        const split = BigInt(input.splitOf(op.operator, sub.operatorSet));
        add(earnings, op.operator, sub.token, (amount * split) / BIPS);
        const W = operatorWeight(op, sub.strategies);
        if (W === 0n) continue;
        const denominator = W * BIPS;
        for (const { staker, shares } of op.stakers) {
          const w = stakerWeight(op, shares, sub.strategies);
          add(earnings, staker, sub.token, (amount * w * (BIPS - split)) / denominator);
        }
      }
    }
  }
  return earnings;
}

/** Adds `period` into `cumulative` (returns a new map). */
export function accumulate(cumulative: Earnings, period: Earnings): Earnings {
  const out: Earnings = new Map([...cumulative].map(([e, m]) => [e, new Map(m)]));
  for (const [earner, byToken] of period) for (const [token, amount] of byToken) add(out, earner, token, amount);
  return out;
}

/** Split history of one operator in one set: `OperatorSetSplitBipsSet` events in order. */
export type SplitChange = { operator: Address; operatorSet: string; activatedAt: number; newSplitBips: number };

/** The split in force at `timestamp` given the changes, in order (default 10%). */
export function splitAt(changes: SplitChange[], operator: Address, operatorSet: string, timestamp: number): number {
  let split = DEFAULT_SPLIT_BIPS;
  for (const c of changes)
    if (c.operator === operator && c.operatorSet === operatorSet && c.activatedAt <= timestamp) split = c.newSplitBips;
  return split;
}
