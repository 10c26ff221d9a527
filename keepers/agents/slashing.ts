/**
 * The slashing history of the operator sets that back an agent's validations. Slashes are read from the
 * restaking core's AllocationManager `OperatorSlashed` events (EigenLayer's event shape, none indexed), so
 * the agent's page can show what each backing set has lost for misbehaving.
 */
import { getAddress, parseAbiItem, type Address, type Chain, type Hex, type PublicClient, type Transport } from "viem";

import { indexerSlashes } from "../indexer/reads.js";

export const operatorSlashedEvent = parseAbiItem(
  "event OperatorSlashed(address operator, (address avs, uint32 id) operatorSet, address[] strategies, uint256[] wadSlashed, string description)",
);

export type OperatorSetRef = { avs: Address; id: number };

export type SlashRecord = {
  operator: Address;
  strategies: readonly Address[];
  /** Fraction of the operator's delegated stake slashed per strategy, as WAD (1e18 = 100 %). */
  wadSlashed: readonly bigint[];
  description: string;
  blockNumber: bigint | null;
  transactionHash: Hex | null;
};

export type SlashLog = {
  args: {
    operator?: Address;
    operatorSet?: { avs: Address; id: number };
    strategies?: readonly Address[];
    wadSlashed?: readonly bigint[];
    description?: string;
  };
  blockNumber: bigint | null;
  transactionHash: Hex | null;
};

export function operatorSetKey(set: OperatorSetRef): string {
  return `${getAddress(set.avs)}/${set.id}`;
}

/** Groups decoded OperatorSlashed logs by operator set, keeping only the sets asked for (pure). */
export function slashesBySet(logs: readonly SlashLog[], sets: readonly OperatorSetRef[]): Map<string, SlashRecord[]> {
  const out = new Map<string, SlashRecord[]>(sets.map((s) => [operatorSetKey(s), []]));
  for (const log of logs) {
    const set = log.args.operatorSet;
    if (!set || !log.args.operator) continue;
    const bucket = out.get(operatorSetKey(set));
    if (!bucket) continue;
    bucket.push({
      operator: log.args.operator,
      strategies: log.args.strategies ?? [],
      wadSlashed: log.args.wadSlashed ?? [],
      description: log.args.description ?? "",
      blockNumber: log.blockNumber,
      transactionHash: log.transactionHash,
    });
  }
  return out;
}

/** Reads every OperatorSlashed event of the AllocationManager and returns those of the given sets. */
export async function readSlashingHistory(
  client: PublicClient<Transport, Chain>,
  params: {
    allocationManager: Address;
    operatorSets: readonly OperatorSetRef[];
    fromBlock?: bigint;
    /** Read from this indexer's GraphQL API instead of RPC logs. */
    indexerUrl?: string;
  },
): Promise<Map<string, SlashRecord[]>> {
  if (params.indexerUrl) {
    const records = await indexerSlashes(params.indexerUrl, params.fromBlock ?? 0n);
    const logs: SlashLog[] = records.map((r) => ({
      args: r,
      blockNumber: r.blockNumber,
      transactionHash: r.transactionHash,
    }));
    return slashesBySet(logs, params.operatorSets);
  }
  const logs = await client.getLogs({
    address: params.allocationManager,
    event: operatorSlashedEvent,
    fromBlock: params.fromBlock ?? 0n,
    toBlock: "latest",
  });
  return slashesBySet(logs, params.operatorSets);
}
