import { decodeEventLog, encodeAbiParameters, encodeEventTopics, getAddress } from "viem";
import { describe, expect, it } from "vitest";

import { operatorSetKey, operatorSlashedEvent, slashesBySet, type SlashLog } from "./slashing.js";

const AVS = getAddress("0x00000000000000000000000000000000000a1a1a");
const OTHER = getAddress("0x00000000000000000000000000000000000b0b0b");
const OPERATOR = getAddress("0x1000000000000000000000000000000000000001");
const STRATEGY = getAddress("0x2000000000000000000000000000000000000002");

/** An OperatorSlashed log as the AllocationManager emits it (EigenLayer's event layout), decoded by viem. */
function slashLog(set: { avs: `0x${string}`; id: number }, wad: bigint, description: string): SlashLog {
  const data = encodeAbiParameters(operatorSlashedEvent.inputs, [OPERATOR, set, [STRATEGY], [wad], description]);
  const [signature] = encodeEventTopics({ abi: [operatorSlashedEvent], eventName: "OperatorSlashed" });
  const decoded = decodeEventLog({ abi: [operatorSlashedEvent], data, topics: [signature as `0x${string}`] });
  return { args: decoded.args ?? {}, blockNumber: 7n, transactionHash: `0x${"cd".repeat(32)}` };
}

describe("slashing history of backing operator sets", () => {
  it("keeps only the slashes of the sets asked for, grouped by set", () => {
    const logs = [
      slashLog({ avs: AVS, id: 1 }, 5n * 10n ** 16n, "wrong inference"),
      slashLog({ avs: AVS, id: 2 }, 10n ** 17n, "missed SLA"),
      slashLog({ avs: OTHER, id: 1 }, 10n ** 18n, "unrelated"),
      slashLog({ avs: AVS, id: 1 }, 10n ** 16n, "second offence"),
    ];
    const bySet = slashesBySet(logs, [
      { avs: AVS, id: 1 },
      { avs: AVS, id: 3 },
    ]);
    expect([...bySet.keys()]).toEqual([`${AVS}/1`, `${AVS}/3`]);
    expect(bySet.get(operatorSetKey({ avs: AVS, id: 1 }))).toEqual([
      {
        operator: OPERATOR,
        strategies: [STRATEGY],
        wadSlashed: [5n * 10n ** 16n],
        description: "wrong inference",
        blockNumber: 7n,
        transactionHash: `0x${"cd".repeat(32)}`,
      },
      expect.objectContaining({ description: "second offence", wadSlashed: [10n ** 16n] }),
    ]);
    expect(bySet.get(`${AVS}/3`)).toEqual([]);
  });

  it("matches sets whatever the address case", () => {
    const logs = [slashLog({ avs: AVS, id: 1 }, 1n, "x")];
    expect(slashesBySet(logs, [{ avs: AVS.toLowerCase() as `0x${string}`, id: 1 }]).get(`${AVS}/1`)).toHaveLength(1);
  });
});
