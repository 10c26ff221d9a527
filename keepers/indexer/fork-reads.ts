/**
 * Fork challenges (opened, the fork created for them, resolved) from the indexer's `events` table
 * (graphql-request) or, with no indexer, from the ForkChallengeManager's and ForkFactory's logs over RPC.
 * Both fold the same events with `foldForkChallenges`, so they give the same records
 * (test/ts/dashboard.test.ts checks it on the story's chain).
 */
import { GraphQLClient, gql } from "graphql-request";
import { getAddress, type Address, type Chain, type PublicClient, type Transport } from "viem";

import { iForkChallengeManagerAbi, iForkFactoryAbi } from "../lib/abis.js";
import { IndexerQueryError } from "./reads.js";

type Client = PublicClient<Transport, Chain>;

export type ForkChallengeRecord = {
  challengeId: bigint;
  challenger: Address;
  accused: Address[];
  /** bEIGEN the challenger burned to open the challenge. */
  commitment: bigint;
  openedBlock: bigint;
  /** The fork created for the challenge, if any: its id, the accused's bEIGEN it drops, the challenger's reward. */
  fork: { forkId: bigint; stakedExcluded: bigint; reward: bigint } | null;
  outcome: "open" | "fork accepted" | "rejected";
};

export type ForkEvent = { name: string; args: Record<string, unknown>; blockNumber: bigint; logIndex: number };

const FORK_EVENTS = ["ChallengeOpened", "ChallengeResolved", "ForkCreated"] as const;

/** Folds ChallengeOpened / ForkCreated / ChallengeResolved events into one record per challenge (pure). */
export function foldForkChallenges(events: ForkEvent[]): ForkChallengeRecord[] {
  const ordered = [...events].sort((a, b) => Number(a.blockNumber - b.blockNumber) || a.logIndex - b.logIndex);
  const byId = new Map<string, ForkChallengeRecord>();
  for (const e of ordered) {
    const id = BigInt(String(e.args.challengeId));
    if (e.name === "ChallengeOpened") {
      byId.set(id.toString(), {
        challengeId: id,
        challenger: getAddress(String(e.args.challenger)),
        accused: (e.args.accused as string[]).map((a) => getAddress(a)),
        commitment: BigInt(String(e.args.commitment)),
        openedBlock: e.blockNumber,
        fork: null,
        outcome: "open",
      });
      continue;
    }
    const record = byId.get(id.toString());
    if (!record) continue;
    if (e.name === "ForkCreated")
      record.fork = {
        forkId: BigInt(String(e.args.forkId)),
        stakedExcluded: BigInt(String(e.args.stakedExcluded)),
        reward: BigInt(String(e.args.reward)),
      };
    else if (e.name === "ChallengeResolved") record.outcome = e.args.forkAccepted ? "fork accepted" : "rejected";
  }
  return [...byId.values()];
}

/** Fork challenges from the ForkChallengeManager's and ForkFactory's logs over RPC. */
export async function rpcForkChallenges(
  client: Client,
  contracts: { challengeManager: Address; factory: Address },
  fromBlock = 0n,
): Promise<ForkChallengeRecord[]> {
  const [manager, factory] = await Promise.all([
    client.getContractEvents({
      address: contracts.challengeManager,
      abi: iForkChallengeManagerAbi,
      fromBlock,
      toBlock: "latest",
    }),
    client.getContractEvents({
      address: contracts.factory,
      abi: iForkFactoryAbi,
      eventName: "ForkCreated",
      fromBlock,
      toBlock: "latest",
    }),
  ]);
  return foldForkChallenges(
    [...manager, ...factory].map((l) => ({
      name: l.eventName,
      args: l.args as Record<string, unknown>,
      blockNumber: l.blockNumber,
      logIndex: l.logIndex,
    })),
  );
}

const FORK_EVENTS_QUERY = gql`
  query ForkEvents($names: [String!], $after: String) {
    events(
      where: { contract_in: ["ForkChallengeManager", "ForkFactory"], name_in: $names }
      orderBy: "id"
      orderDirection: "asc"
      limit: 1000
      after: $after
    ) {
      items {
        name
        args
        blockNumber
        logIndex
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

type EventRow = { name: string; args: Record<string, unknown>; blockNumber: string; logIndex: number };

/** The same records from the indexer's `events` table. */
export async function indexerForkChallenges(url: string): Promise<ForkChallengeRecord[]> {
  const client = new GraphQLClient(url);
  const rows: EventRow[] = [];
  let after: string | null = null;
  for (;;) {
    let page: { events: { items: EventRow[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    try {
      page = await client.request(FORK_EVENTS_QUERY, { names: [...FORK_EVENTS], after });
    } catch (error) {
      throw new IndexerQueryError(url, error);
    }
    rows.push(...page.events.items);
    if (!page.events.pageInfo.hasNextPage) break;
    after = page.events.pageInfo.endCursor;
  }
  return foldForkChallenges(rows.map((r) => ({ ...r, blockNumber: BigInt(r.blockNumber) })));
}
