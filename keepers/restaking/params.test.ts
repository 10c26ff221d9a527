import { describe, expect, it } from "vitest";

import { InvalidInputError } from "../lib/errors.js";
import {
  buildAllocateParams,
  buildCreateSetParams,
  buildQueueWithdrawal,
  buildSlashingParams,
  checkAllocation,
  checkDeallocation,
  parseTokenAmount,
  parseUint32List,
  parseVictims,
  parseWad,
  WAD,
} from "./params.js";

const A = "0x1000000000000000000000000000000000000001";
const B = "0x2000000000000000000000000000000000000002";
const C = "0x0300000000000000000000000000000000000003";

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidInputError) return error.field;
    throw error;
  }
  throw new Error("did not throw");
}

describe("parseWad", () => {
  it("reads percentages and raw wads", () => {
    expect(parseWad("50%", "--wad")).toBe(WAD / 2n);
    expect(parseWad("12.5%", "--wad")).toBe(125n * 10n ** 15n);
    expect(parseWad("100%", "--wad")).toBe(WAD);
    expect(parseWad("0.0000000000000001%", "--wad")).toBe(1n);
    expect(parseWad("1000", "--wad")).toBe(1000n);
  });

  it("refuses values above 100%, zero when positive, and junk", () => {
    expect(() => parseWad("100.1%", "--wad")).toThrow("invalid --wad: must be at most 100%");
    expect(() => parseWad(String(WAD + 1n), "--wad")).toThrow(/at most 100%/);
    expect(() => parseWad("0%", "--wad", { positive: true })).toThrow("invalid --wad: must be above 0");
    expect(() => parseWad("half", "--magnitude")).toThrow(/invalid --magnitude/);
    expect(() => parseWad("-1", "--wad")).toThrow(/percentage/);
  });
});

describe("buildSlashingParams", () => {
  it("sorts strategies ascending and carries each wad with its strategy", () => {
    const p = buildSlashingParams({
      operator: A,
      operatorSetId: "3",
      strategies: `${B},${C},${A}`,
      wads: "10%,20%,30%",
      description: "double sign",
    });
    expect(p.strategies).toEqual([C, A, B]);
    expect(p.wadsToSlash).toEqual([WAD / 5n, (WAD * 3n) / 10n, WAD / 10n]);
    expect(p.operatorSetId).toBe(3);
    expect(p.description).toBe("double sign");
  });

  it("applies one wad to every strategy", () => {
    const p = buildSlashingParams({ operator: A, operatorSetId: "0", strategies: [A, B], wads: "50%" });
    expect(p.wadsToSlash).toEqual([WAD / 2n, WAD / 2n]);
  });

  it("names the bad flag", () => {
    expect(fieldOf(() => buildSlashingParams({ operator: "0x12", operatorSetId: 0, strategies: A, wads: "1%" }))).toBe(
      "--operator",
    );
    expect(fieldOf(() => buildSlashingParams({ operator: A, operatorSetId: "-1", strategies: A, wads: "1%" }))).toBe(
      "--operator-set",
    );
    expect(fieldOf(() => buildSlashingParams({ operator: A, operatorSetId: 2 ** 32, strategies: A, wads: "1%" }))).toBe(
      "--operator-set",
    );
    expect(
      fieldOf(() => buildSlashingParams({ operator: A, operatorSetId: 0, strategies: `${A},${A}`, wads: "1%" })),
    ).toBe("--strategy");
    expect(fieldOf(() => buildSlashingParams({ operator: A, operatorSetId: 0, strategies: A, wads: "0" }))).toBe(
      "--wad",
    );
    expect(
      fieldOf(() => buildSlashingParams({ operator: A, operatorSetId: 0, strategies: `${A},${B}`, wads: "1%,2%,3%" })),
    ).toBe("--wad");
  });
});

describe("buildAllocateParams and the direction checks", () => {
  it("builds one AllocateParams", () => {
    const p = buildAllocateParams({ avs: A, operatorSetId: "1", strategies: `${B},${C}`, magnitudes: "10%,0" });
    expect(p).toEqual({ operatorSet: { avs: A, id: 1 }, strategies: [B, C], newMagnitudes: [WAD / 10n, 0n] });
  });

  it("refuses an allocation that does not go up and a deallocation that does not go down", () => {
    const p = buildAllocateParams({ avs: A, operatorSetId: "1", strategies: B, magnitudes: "10%" });
    expect(() => checkAllocation(p, [WAD / 10n])).toThrow(/must go above/);
    expect(() => checkDeallocation(p, [WAD / 20n])).toThrow(/must go below/);
    expect(() => checkAllocation(p, [0n])).not.toThrow();
    expect(() => checkDeallocation(p, [WAD])).not.toThrow();
  });

  it("refuses magnitudes above 100%", () => {
    expect(fieldOf(() => buildAllocateParams({ avs: A, operatorSetId: "1", strategies: B, magnitudes: "101%" }))).toBe(
      "--magnitude",
    );
  });
});

describe("buildCreateSetParams", () => {
  it("builds a normal and a redistributing set", () => {
    expect(buildCreateSetParams({ operatorSetId: "0", strategies: A, slasher: B })).toEqual({
      params: { operatorSetId: 0, strategies: [A], slasher: B },
    });
    expect(
      buildCreateSetParams({ operatorSetId: "1", strategies: A, slasher: B, redistributionRecipient: C })
        .redistributionRecipient,
    ).toBe(C);
  });

  it("refuses the burn address and zero as recipient, and a zero slasher", () => {
    const zero = "0x0000000000000000000000000000000000000000";
    const burn = "0x00000000000000000000000000000000000E16E4";
    expect(
      fieldOf(() =>
        buildCreateSetParams({ operatorSetId: 1, strategies: A, slasher: B, redistributionRecipient: burn }),
      ),
    ).toBe("--redistribution-recipient");
    expect(
      fieldOf(() =>
        buildCreateSetParams({ operatorSetId: 1, strategies: A, slasher: B, redistributionRecipient: zero }),
      ),
    ).toBe("--redistribution-recipient");
    expect(fieldOf(() => buildCreateSetParams({ operatorSetId: 1, strategies: A, slasher: zero }))).toBe("--slasher");
  });
});

describe("buildQueueWithdrawal", () => {
  const held = (s: string) => (s === A ? 100n : 0n);

  it('resolves "all" and explicit shares', () => {
    expect(buildQueueWithdrawal({ staker: C, strategies: A, shares: "all", depositShares: held })).toEqual({
      strategies: [A],
      depositShares: [100n],
      __deprecated_withdrawer: C,
    });
    expect(buildQueueWithdrawal({ staker: C, strategies: A, shares: "40", depositShares: held }).depositShares).toEqual(
      [40n],
    );
  });

  it("refuses more shares than held and nothing to withdraw", () => {
    expect(() => buildQueueWithdrawal({ staker: C, strategies: A, shares: "101", depositShares: held })).toThrow(
      /exceeds the 100 deposit shares/,
    );
    expect(() => buildQueueWithdrawal({ staker: C, strategies: B, shares: "all", depositShares: held })).toThrow(
      /nothing to withdraw/,
    );
    expect(fieldOf(() => buildQueueWithdrawal({ staker: C, strategies: A, shares: "x", depositShares: held }))).toBe(
      "--shares",
    );
  });
});

describe("small parsers", () => {
  it("parses token amounts with decimals", () => {
    expect(parseTokenAmount("1.5", "--amount", 18)).toBe(15n * 10n ** 17n);
    expect(parseTokenAmount("100", "--amount", 6)).toBe(100_000_000n);
    expect(() => parseTokenAmount("0", "--amount", 18)).toThrow("invalid --amount: must be above 0");
    expect(() => parseTokenAmount("1.1234567", "--amount", 6)).toThrow(/more than 6 decimals/);
    expect(() => parseTokenAmount("1e18", "--amount", 18)).toThrow(/decimal token amount/);
  });

  it("parses id lists and victims", () => {
    expect(parseUint32List("0,2", "--operator-set")).toEqual([0, 2]);
    expect(() => parseUint32List("1,1", "--operator-set")).toThrow(/twice/);
    expect(parseVictims([`${A}:1.5`, `${B}:2`], 18)).toEqual({
      victims: [A, B],
      amounts: [15n * 10n ** 17n, 2n * 10n ** 18n],
    });
    expect(fieldOf(() => parseVictims(`${A}`, 18))).toBe("--victim");
    expect(fieldOf(() => parseVictims(`${A}:1,${A}:2`, 18))).toBe("--victim");
  });
});
