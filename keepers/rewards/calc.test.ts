import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { getAddress, type Address } from "viem";
import { describe, expect, it } from "vitest";

import {
  accumulate,
  BIPS,
  computePeriod,
  operatorSetKey,
  operatorWeight,
  periodAmount,
  splitAt,
  stakerWeight,
  type OperatorStake,
  type StakeSnapshot,
  type StakeSubmission,
  type Submission,
} from "./calc.js";
import { buildRewardsTree, claimsFor, earningsOfTree } from "./tree.js";

/** Deterministic PRNG (mulberry32) so property runs are reproducible. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const big = (max: bigint) => (BigInt(Math.floor(next() * 2 ** 32)) * BigInt(Math.floor(next() * 2 ** 32))) % max;
  return { next, int: (n: number) => Math.floor(next() * n), big };
}

const addr = (n: number) => getAddress(`0x${n.toString(16).padStart(40, "0")}`) as Address;
const SET = operatorSetKey(addr(0xa5), 1);
const S1 = addr(0x51);
const S2 = addr(0x52);
const TOKEN = addr(0x70);
const DAY = 86_400;

function randomSnapshot(r: ReturnType<typeof rng>): OperatorStake[] {
  const ops: OperatorStake[] = [];
  let next = 0x1000;
  for (let o = 0; o < 1 + r.int(5); ++o) {
    const operator = addr(next++);
    const stakers: OperatorStake["stakers"] = [];
    const totals: Record<Address, bigint> = { [S1]: 0n, [S2]: 0n };
    for (let s = 0; s < 1 + r.int(6); ++s) {
      const shares = { [S1]: r.big(10n ** 24n), [S2]: r.int(2) ? r.big(10n ** 22n) : 0n };
      totals[S1]! += shares[S1]!;
      totals[S2]! += shares[S2]!;
      stakers.push({ staker: s === 0 ? operator : addr(next++), shares });
    }
    // Operator shares may exceed the stakers' sum (rounding up after slashing), never fall below it.
    const strategies = Object.fromEntries(
      [S1, S2].map((s) => {
        const operatorShares = totals[s]! + BigInt(r.int(3));
        const magnitude = r.big(10n ** 18n + 1n);
        return [s, { operatorShares, allocated: (operatorShares * magnitude) / 10n ** 18n }];
      }),
    ) as OperatorStake["strategies"];
    ops.push({ operator, strategies, stakers });
  }
  return ops;
}

describe("periodAmount", () => {
  it("splits a submission over its periods summing to exactly the amount", () => {
    const r = rng(1);
    for (let run = 0; run < 200; ++run) {
      const amount = r.big(10n ** 30n);
      const n = 1 + r.int(30);
      let sum = 0n;
      for (let i = 0; i < n; ++i) sum += periodAmount(amount, 10 * DAY, n * DAY, DAY, 10 * DAY + i * DAY);
      expect(sum).toBe(amount);
      expect(periodAmount(amount, 10 * DAY, n * DAY, DAY, 9 * DAY)).toBe(0n);
      expect(periodAmount(amount, 10 * DAY, n * DAY, DAY, (10 + n) * DAY)).toBe(0n);
    }
  });
});

describe("computePeriod (property, 300 random operator sets)", () => {
  it("pays each earner its unique-stake share within 1 wei, never more than funded, fee split exact", () => {
    const r = rng(42);
    for (let run = 0; run < 300; ++run) {
      const ops = randomSnapshot(r);
      const snapshot: StakeSnapshot = new Map([[SET, ops]]);
      const strategies = [
        { strategy: S1, multiplier: 1n + r.big(3n * 10n ** 18n) },
        { strategy: S2, multiplier: 1n + r.big(3n * 10n ** 18n) },
      ];
      const amount = 1n + r.big(10n ** 27n);
      const splits = new Map(ops.map((o) => [o.operator, r.int(10_001)]));
      const sub: StakeSubmission = {
        kind: "stake",
        operatorSet: SET,
        token: TOKEN,
        amount,
        startTimestamp: 0,
        duration: DAY,
        strategies,
      };
      const earnings = computePeriod({
        periodStart: 0,
        interval: DAY,
        submissions: [sub],
        snapshot,
        splitOf: (o) => splits.get(o)!,
      });
      const T = ops.reduce((sum, o) => sum + operatorWeight(o, strategies), 0n);
      // Expected amount per earner as a rational n/d (operators also earn as their own first staker).
      const expected = new Map<Address, { n: bigint; d: bigint }>();
      const plus = (e: Address, n: bigint, d: bigint) => {
        const prev = expected.get(e);
        expected.set(e, prev ? { n: prev.n * d + n * prev.d, d: prev.d * d } : { n, d });
      };
      let floors = 0; // number of floored terms per earner
      const termsOf = new Map<Address, number>();
      for (const o of ops) {
        const split = BigInt(splits.get(o.operator)!);
        plus(o.operator, amount * operatorWeight(o, strategies) * split, T * BIPS);
        termsOf.set(o.operator, (termsOf.get(o.operator) ?? 0) + 1);
        for (const s of o.stakers) {
          plus(s.staker, amount * stakerWeight(o, s.shares, strategies) * (BIPS - split), T * BIPS);
          termsOf.set(s.staker, (termsOf.get(s.staker) ?? 0) + 1);
          floors++;
        }
      }
      let paid = 0n;
      for (const [earner, { n, d }] of expected) {
        const got = earnings.get(earner)?.get(TOKEN) ?? 0n;
        paid += got;
        // got = sum of floors of its terms: exact - terms < got <= exact, i.e. within 1 wei per term.
        expect(got * d <= n).toBe(true);
        expect((got + BigInt(termsOf.get(earner)!)) * d > n).toBe(true);
      }
      expect(floors).toBeGreaterThan(0);
      expect(paid <= amount).toBe(true);
      // Each operator's split is exactly its fraction of its pot (within the 1-wei floor).
      for (const o of ops) {
        const pot = amount * operatorWeight(o, strategies);
        const opOnly = (pot * BigInt(splits.get(o.operator)!)) / (T * BIPS);
        expect(opOnly * T * BIPS <= pot * BigInt(splits.get(o.operator)!)).toBe(true);
      }
    }
  });

  it("operator-directed rewards go to the named operator and its stakers only", () => {
    const r = rng(7);
    const ops = randomSnapshot(r);
    while (ops.length < 2) ops.push(...randomSnapshot(r));
    const target = ops[0]!;
    const sub: Submission = {
      kind: "directed",
      operatorSet: SET,
      token: TOKEN,
      operatorRewards: [{ operator: target.operator, amount: 1_000_000n }],
      startTimestamp: 0,
      duration: DAY,
      strategies: [{ strategy: S1, multiplier: 10n ** 18n }],
    };
    const earnings = computePeriod({
      periodStart: 0,
      interval: DAY,
      submissions: [sub],
      snapshot: new Map([[SET, ops]]),
      splitOf: () => 1000,
    });
    const others = ops.slice(1).flatMap((o) => [o.operator, ...o.stakers.map((s) => s.staker)]);
    for (const e of others) if (e !== target.operator) expect(earnings.get(e)).toBeUndefined();
    // The operator's fee: exactly 10% of its reward (plus what it earns as its own staker).
    const selfShare =
      (900_000n * stakerWeight(target, target.stakers[0]!.shares, sub.strategies) * BIPS) /
      (operatorWeight(target, sub.strategies) * BIPS);
    expect(earnings.get(target.operator)!.get(TOKEN)).toBe(100_000n + selfShare);
    const total = [...earnings.values()].reduce((s, m) => s + (m.get(TOKEN) ?? 0n), 0n);
    expect(total <= 1_000_000n).toBe(true);
  });

  it("nothing is paid for a set where nobody allocated stake", () => {
    const earnings = computePeriod({
      periodStart: 0,
      interval: DAY,
      submissions: [
        {
          kind: "stake",
          operatorSet: SET,
          token: TOKEN,
          amount: 100n,
          startTimestamp: 0,
          duration: DAY,
          strategies: [{ strategy: S1, multiplier: 1n }],
        },
      ],
      snapshot: new Map(),
      splitOf: () => 1000,
    });
    expect(earnings.size).toBe(0);
  });
});

describe("splits and trees", () => {
  it("applies a split change from its activation time on", () => {
    const op = addr(1);
    const changes = [
      { operator: op, operatorSet: SET, activatedAt: 100, newSplitBips: 2500 },
      { operator: op, operatorSet: SET, activatedAt: 500, newSplitBips: 0 },
    ];
    expect(splitAt(changes, op, SET, 99)).toBe(1000);
    expect(splitAt(changes, op, SET, 100)).toBe(2500);
    expect(splitAt(changes, op, SET, 600)).toBe(0);
    expect(splitAt(changes, addr(2), SET, 600)).toBe(1000);
  });

  it("builds a deterministic tree whose leaves round-trip and give valid claims", () => {
    const a = new Map([[addr(1), new Map([[TOKEN, 5n]])]]);
    const b = new Map([
      [addr(2), new Map([[TOKEN, 7n]])],
      [addr(1), new Map([[TOKEN, 1n]])],
    ]);
    const cumulative = accumulate(a, b);
    const tree = buildRewardsTree(cumulative);
    expect(buildRewardsTree(new Map([...cumulative].reverse())).root).toBe(tree.root);
    expect(earningsOfTree(tree)).toEqual(cumulative);
    const [claim] = claimsFor(tree, addr(1));
    expect(claim!.cumulativeEarnings).toBe(6n);
    expect(tree.verify([addr(1), TOKEN, "6"], claim!.proof)).toBe(true);
    expect(claimsFor(tree, addr(3))).toEqual([]);
  });

  it("is byte-identical to OpenZeppelin's StandardMerkleTree.of (root, proofs, dump)", () => {
    const r = rng(3);
    for (const size of [1, 2, 3, 17, 100]) {
      const cumulative = new Map<Address, Map<Address, bigint>>();
      for (let i = 0; i < size; ++i) cumulative.set(addr(0x100 + i), new Map([[TOKEN, r.big(10n ** 30n)]]));
      const ours = buildRewardsTree(cumulative);
      const leaves = [...cumulative].map(([e, m]) => [e, TOKEN, m.get(TOKEN)!.toString()]);
      const reference = StandardMerkleTree.of(leaves, ["address", "address", "uint256"]);
      expect(ours.root).toBe(reference.root);
      expect(ours.dump().tree).toEqual(reference.dump().tree);
      const loaded = StandardMerkleTree.load(ours.dump());
      expect(loaded.root).toBe(reference.root);
      for (const [e] of cumulative)
        expect(claimsFor(ours, e)[0]!.proof).toEqual(
          reference.getProof([e, TOKEN, cumulative.get(e)!.get(TOKEN)!.toString()]),
        );
    }
  });
});
