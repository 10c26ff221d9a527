import { getAddress, type Address } from "viem";
import { describe, expect, it } from "vitest";

import { NoEligibleSignersError, periodRewards, splitByStake } from "./split.js";

const A = getAddress("0x00000000000000000000000000000000000000a1");
const B = getAddress("0x00000000000000000000000000000000000000b2");
const C = getAddress("0x00000000000000000000000000000000000000c3");
const CERT = `0x${"11".repeat(32)}` as const;

/** Deterministic 32-bit LCG so the property runs replay exactly. */
function lcg(seed: number) {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
}

describe("DA fee split by signed stake", () => {
  it("splits in proportion to stake and gives the dust to the largest signer", () => {
    const out = splitByStake(CERT, 100n, [
      { operator: A, stake: 1n },
      { operator: B, stake: 1n },
      { operator: C, stake: 2n },
    ]);
    expect([...out.entries()]).toEqual([
      [A, 25n],
      [B, 25n],
      [C, 50n],
    ]);
    const dusty = splitByStake(CERT, 10n, [
      { operator: A, stake: 1n },
      { operator: B, stake: 1n },
      { operator: C, stake: 1n },
    ]);
    // 3 + 3 + 3, one wei of dust: equal stakes, so the lowest address takes it
    expect(dusty.get(A)).toBe(4n);
    expect(dusty.get(B)).toBe(3n);
    expect(dusty.get(C)).toBe(3n);
  });

  it("pays nothing to signers without stake and refuses a certificate with no staked signer", () => {
    const out = splitByStake(CERT, 7n, [
      { operator: A, stake: 0n },
      { operator: B, stake: 5n },
    ]);
    expect([...out.entries()]).toEqual([[B, 7n]]);
    expect(() => splitByStake(CERT, 7n, [{ operator: A, stake: 0n }])).toThrow(NoEligibleSignersError);
    expect(() => splitByStake(CERT, 7n, [])).toThrow(/has no signer with stake/);
  });

  it("sums a period per operator, ascending by address, without zero amounts", () => {
    const rewards = periodRewards([
      {
        certificateId: CERT,
        amount: 6n,
        signers: [
          { operator: C, stake: 1n },
          { operator: A, stake: 2n },
        ],
      },
      { certificateId: CERT, amount: 0n, signers: [] },
      {
        certificateId: CERT,
        amount: 1n,
        signers: [
          { operator: B, stake: 1n },
          { operator: C, stake: 9n },
        ],
      },
    ]);
    expect(rewards).toEqual([
      { operator: A, amount: 4n },
      { operator: C, amount: 3n },
    ]);
  });

  it("property: every split sums to the amount and each share is within the dust of exact", () => {
    const next = lcg(7);
    const operators: Address[] = Array.from({ length: 8 }, (_, i) =>
      getAddress(`0x${(i + 1).toString(16).padStart(40, "0")}`),
    );
    for (let run = 0; run < 500; run++) {
      const count = 1 + (next() % operators.length);
      const signers = operators.slice(0, count).map((operator) => ({
        operator,
        stake: BigInt(next() % 1000) * 10n ** BigInt(next() % 19),
      }));
      if (signers.every((s) => s.stake === 0n)) signers[0]!.stake = 1n;
      const amount = BigInt(next()) * BigInt(next());
      const out = splitByStake(CERT, amount, signers);
      expect([...out.values()].reduce((a, b) => a + b, 0n)).toBe(amount);
      const total = signers.reduce((a, s) => a + s.stake, 0n);
      for (const s of signers) {
        const share = out.get(s.operator) ?? 0n;
        const exactFloor = (amount * s.stake) / total;
        expect(share >= exactFloor).toBe(true);
        expect(share - exactFloor < BigInt(count)).toBe(true);
      }
    }
  });
});
