import { getAddress, type Address } from "viem";
import { describe, expect, it } from "vitest";

import { InvalidInputError } from "../lib/errors.js";
import {
  buildStakeLeaves,
  claimableLeafOf,
  snapshotFromJson,
  snapshotToJson,
  summarizeLeaves,
  type StakePosition,
  type StakeSnapshot,
} from "./snapshot.js";

const a = (n: number) => getAddress(`0x${n.toString(16).padStart(40, "0")}`) as Address;
const [alice, bob, carol, good, bad] = [a(0xa1), a(0xb0), a(0xc0), a(0x600d), a(0xbad)];

const positions: StakePosition[] = [
  { staker: alice, operator: good, amount: 100n, source: "delegated" },
  { staker: bob, operator: bad, amount: 50n, source: "delegated" },
  // carol moved from the bad operator to the good one: her queued withdrawal is still the bad one's
  { staker: carol, operator: good, amount: 30n, source: "delegated" },
  { staker: carol, operator: bad, amount: 20n, source: "queued-withdrawal" },
  { staker: alice, operator: good, amount: 0n, source: "queued-withdrawal" },
];

describe("stake snapshot", () => {
  it("excludes every position through an accused operator, including queued withdrawals", () => {
    const leaves = buildStakeLeaves(positions, [bad]);
    expect(leaves).toEqual([
      { staker: alice, amount: 100n, excluded: false },
      { staker: bob, amount: 50n, excluded: true },
      { staker: carol, amount: 30n, excluded: false },
      { staker: carol, amount: 20n, excluded: true },
    ]);
    const { stakedClaimable, stakedExcluded } = summarizeLeaves(leaves);
    expect(stakedClaimable).toBe(130n);
    expect(stakedExcluded).toBe(70n);
  });

  it("matches accused operators whatever their letter case", () => {
    const leaves = buildStakeLeaves(positions, [bad.toLowerCase() as Address]);
    expect(summarizeLeaves(leaves).stakedExcluded).toBe(70n);
  });

  it("gives the same root whatever order the positions were read in", () => {
    const one = summarizeLeaves(buildStakeLeaves(positions, [bad])).root;
    const two = summarizeLeaves(buildStakeLeaves([...positions].reverse(), [bad])).root;
    expect(two).toBe(one);
  });

  it("hands a proof only to claimable stakers and says why otherwise", () => {
    const leaves = buildStakeLeaves(positions, [bad]);
    expect(claimableLeafOf(leaves, alice).amount).toBe(100n);
    expect(() => claimableLeafOf(leaves, bob)).toThrow(/accused operator/);
    expect(() => claimableLeafOf(leaves, a(0xdead))).toThrow(InvalidInputError);
  });

  it("round-trips through JSON and refuses a file whose root does not match its leaves", () => {
    const leaves = buildStakeLeaves(positions, [bad]);
    const snapshot: StakeSnapshot = {
      challengeId: 1n,
      blockNumber: 7n,
      strategy: good,
      accused: [bad],
      ...summarizeLeaves(leaves),
      poolBalance: 200n,
      leaves,
      positions: [],
    };
    const text = snapshotToJson(snapshot);
    expect(snapshotFromJson(text).root).toBe(snapshot.root);
    const tampered = text.replace('"amount": "100"', '"amount": "1000"');
    expect(() => snapshotFromJson(tampered)).toThrow(/does not match its leaves/);
    expect(() => snapshotFromJson("{")).toThrow(InvalidInputError);
  });
});
