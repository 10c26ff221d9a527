/**
 * Benchmark: the rewards keeper's work for one period with 10,000 earners (100 operators with 99 stakers
 * each, two strategies, two stake-weighted submissions and one operator-directed one): compute every
 * earner's amount, add it to the cumulative earnings, and build the Merkle tree. Prints the time and root.
 *
 *   npx tsx scripts/bench-rewards.ts [operators] [stakersPerOperator]
 */
import { getAddress, type Address } from "viem";

import {
  accumulate,
  computePeriod,
  operatorSetKey,
  type Earnings,
  type OperatorStake,
  type Submission,
} from "../keepers/rewards/calc.js";
import { buildRewardsTree } from "../keepers/rewards/tree.js";

const operatorsCount = Number(process.argv[2] ?? 100);
const stakersPerOperator = Number(process.argv[3] ?? 99);
const addr = (n: number) => getAddress(`0x${n.toString(16).padStart(40, "0")}`) as Address;
const SET = operatorSetKey(addr(0xa5), 1);
const [S1, S2, T1, T2] = [addr(0x51), addr(0x52), addr(0x71), addr(0x72)];
const DAY = 86_400;

// Deterministic synthetic stake.
let seed = 12345;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const big = (max: number) => BigInt(Math.floor(rand() * max)) * 10n ** 15n + 1n;

const operators: OperatorStake[] = [];
let next = 0x10000;
for (let o = 0; o < operatorsCount; ++o) {
  const operator = addr(next++);
  const stakers: OperatorStake["stakers"] = [];
  let t1 = 0n;
  let t2 = 0n;
  for (let s = 0; s <= stakersPerOperator; ++s) {
    const shares = { [S1]: big(1e6), [S2]: big(1e5) } as Record<Address, bigint>;
    t1 += shares[S1]!;
    t2 += shares[S2]!;
    stakers.push({ staker: s === 0 ? operator : addr(next++), shares });
  }
  operators.push({
    operator,
    strategies: {
      [S1]: { operatorShares: t1, allocated: (t1 * BigInt(1 + Math.floor(rand() * 100))) / 100n },
      [S2]: { operatorShares: t2, allocated: (t2 * BigInt(1 + Math.floor(rand() * 100))) / 100n },
    },
    stakers,
  });
}
const strategies = [
  { strategy: S1, multiplier: 10n ** 18n },
  { strategy: S2, multiplier: 2n * 10n ** 18n },
];
const submissions: Submission[] = [
  { kind: "stake", operatorSet: SET, token: T1, amount: 10n ** 24n, startTimestamp: 0, duration: 7 * DAY, strategies },
  { kind: "stake", operatorSet: SET, token: T2, amount: 10n ** 22n, startTimestamp: 0, duration: DAY, strategies },
  {
    kind: "directed",
    operatorSet: SET,
    token: T1,
    operatorRewards: operators.slice(0, 10).map((o) => ({ operator: o.operator, amount: 10n ** 21n })),
    startTimestamp: 0,
    duration: DAY,
    strategies,
  },
];

const started = performance.now();
const period = computePeriod({
  periodStart: 0,
  interval: DAY,
  submissions,
  snapshot: new Map([[SET, operators]]),
  splitOf: () => 1000,
});
const computed = performance.now();
const cumulative: Earnings = accumulate(new Map(), period);
const tree = buildRewardsTree(cumulative);
const done = performance.now();

let leaves = 0;
for (const m of cumulative.values()) leaves += m.size;
console.log(
  JSON.stringify(
    {
      earners: cumulative.size,
      leaves,
      computeMs: Math.round(computed - started),
      treeMs: Math.round(done - computed),
      totalSeconds: Number(((done - started) / 1000).toFixed(3)),
      targetSeconds: 10,
      root: tree.root,
    },
    null,
    2,
  ),
);
