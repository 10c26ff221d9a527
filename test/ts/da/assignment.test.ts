import { describe, expect, it } from "vitest";

import { assignChunks, proveAssignmentSafe } from "../../../keepers/da/assignment.js";
import { IncompatibleThresholdsError, InvalidCodingParamsError } from "../../../keepers/da/errors.js";
import { rng } from "./helpers.js";

const op = (i: number) => `0x${i.toString(16).padStart(40, "0")}`;

describe("chunk assignment by stake", () => {
  it("gives operator i ceil((n - m) stake_i / total) contiguous chunks, sorted by id, from index 0", () => {
    const a = assignChunks({
      numChunks: 512,
      ratio: 8,
      maxOperators: 100,
      operators: [
        { operator: op(3), stake: 50n },
        { operator: op(1), stake: 30n },
        { operator: op(2), stake: 20n },
      ],
    });
    // (512 - 100) = 412 chunks shared: 30% -> 124 (ceil 123.6), 20% -> 83 (ceil 82.4), 50% -> 206 capped at 64.
    expect(a.ranges).toEqual([
      { operator: op(1), stake: 30n, start: 0, count: 64 },
      { operator: op(2), stake: 20n, start: 64, count: 64 },
      { operator: op(3), stake: 50n, start: 128, count: 64 },
    ]);
    const b = assignChunks({
      numChunks: 8192,
      ratio: 8,
      maxOperators: 3537,
      operators: [
        { operator: op(2), stake: 1n },
        { operator: op(1), stake: 999n },
      ],
    });
    expect(b.ranges.map((r) => [r.start, r.count])).toEqual([
      [0, 1024],
      [1024, 5],
    ]);
  });

  it("proves EigenDA's mainnet parameters safe at 55/33 and names the inequality", () => {
    const proof = proveAssignmentSafe({
      numChunks: 8192,
      ratio: 8,
      maxOperators: 3537,
      confirmationThreshold: 55,
      adversaryThreshold: 33,
    });
    expect(proof.requiredChunks).toBe(1024);
    expect(proof.guaranteedChunks).toBeGreaterThanOrEqual(1024);
    expect(proof.reconstructionThresholdPercent).toBe(22);
    expect(proof.statement).toBe("8 x (8192 - 3537) x (55 - 33) = 819280 >= 100 x 8192 = 819200");
  });

  it("throws IncompatibleThresholdsError when thresholds and ratio cannot be safe", () => {
    const params = { numChunks: 512, maxOperators: 200, confirmationThreshold: 55, adversaryThreshold: 33 };
    expect(() => proveAssignmentSafe({ ...params, ratio: 2 })).toThrow(IncompatibleThresholdsError);
    expect(() => proveAssignmentSafe({ ...params, ratio: 2 })).toThrow(/= 13728 < 100 x numChunks = 51200/);
    expect(() => proveAssignmentSafe({ ...params, ratio: 8, confirmationThreshold: 33 })).toThrow(/must exceed/);
    expect(() => proveAssignmentSafe({ ...params, ratio: 8, maxOperators: 512 })).toThrow(InvalidCodingParamsError);
  });

  it("property: every operator set holding (confirmation - adversary) of the stake holds >= n / ratio distinct chunks", () => {
    const r = rng(42);
    for (let trial = 0; trial < 40; trial++) {
      const count = 1 + r.int(10);
      const operators = Array.from({ length: count }, (_, i) => ({
        operator: op(1000 - i * 7),
        stake: BigInt(1 + r.int(r.next() < 0.2 ? 1_000_000 : 1000)),
      }));
      const params = { numChunks: 512, ratio: 8, maxOperators: 200 };
      const thresholds = { confirmationThreshold: 55, adversaryThreshold: 33 };
      const assignment = assignChunks({ ...params, operators });
      proveAssignmentSafe({ ...params, ...thresholds, assignment });
      const total = assignment.totalStake;
      for (let mask = 1; mask < 1 << count; mask++) {
        const members = assignment.ranges.filter((_, i) => mask & (1 << i));
        const stake = members.reduce((s, m) => s + m.stake, 0n);
        if (stake * 100n < total * 22n) continue;
        const held = new Set(members.flatMap((m) => Array.from({ length: m.count }, (_, k) => m.start + k)));
        expect(held.size).toBeGreaterThanOrEqual(512 / 8);
      }
    }
  });

  it("rejects a tampered assignment and bad operator lists", () => {
    const params = { numChunks: 512, ratio: 8, maxOperators: 100 };
    const operators = [
      { operator: op(1), stake: 10n },
      { operator: op(2), stake: 90n },
    ];
    const assignment = assignChunks({ ...params, operators });
    assignment.ranges[0]!.count = 1;
    expect(() =>
      proveAssignmentSafe({ ...params, confirmationThreshold: 55, adversaryThreshold: 33, assignment }),
    ).toThrow(/fewer than its stake share/);
    expect(() => assignChunks({ ...params, operators: [...operators, operators[0]!] })).toThrow(/listed twice/);
    expect(() => assignChunks({ ...params, operators: [{ operator: op(1), stake: 0n }] })).toThrow(
      /total stake is zero/,
    );
  });
});
