/**
 * Chain reads the keepers and the CLI can answer from the indexer's GraphQL API (graphql-request) or, with
 * no indexer configured, from RPC logs. Both paths return the same records in the same order, which
 * test/ts/dashboard.test.ts checks on one chain.
 */
import { GraphQLClient, gql } from "graphql-request";
import { getAddress, type Address, type Chain, type Hex, type PublicClient, type Transport } from "viem";

import { iAllocationManagerAbi } from "../lib/abis.js";
import { InvalidInputError, VcloudError } from "../lib/errors.js";
import type { SlashRecord } from "../restaking/views.js";

type Client = PublicClient<Transport, Chain>;

/** The latest AllocationUpdated of one operator, operator set and strategy. */
export type AllocationRecord = {
  operator: Address;
  operatorSet: { avs: Address; id: number };
  strategy: Address;
  magnitude: bigint;
  effectBlock: bigint;
};

export class IndexerQueryError extends VcloudError {
  override name = "IndexerQueryError";
  constructor(url: string, cause: unknown) {
    super(`the indexer at ${url} did not answer the query: ${(cause as Error).message?.split("\n")[0] ?? cause}`, {
      cause,
    });
  }
}

const PAGE = 1000;

type Page<T> = { items: T[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

/** Every row of a plural Ponder query, following cursors. */
async function allPages<T>(url: string, query: string, field: string, variables: Record<string, unknown>) {
  const client = new GraphQLClient(url);
  const rows: T[] = [];
  let after: string | null = null;
  for (;;) {
    let data: Record<string, Page<T>>;
    try {
      data = await client.request<Record<string, Page<T>>>(query, { ...variables, after, limit: PAGE });
    } catch (error) {
      throw new IndexerQueryError(url, error);
    }
    const page = data[field]!;
    rows.push(...page.items);
    if (!page.pageInfo.hasNextPage) return rows;
    after = page.pageInfo.endCursor;
  }
}

const SLASHINGS = gql`
  query Slashings($fromBlock: BigInt!, $after: String, $limit: Int) {
    slashings(
      where: { blockNumber_gte: $fromBlock }
      orderBy: "id"
      orderDirection: "asc"
      after: $after
      limit: $limit
    ) {
      items {
        id
        operator
        avs
        setId
        strategies
        wadSlashed
        description
        blockNumber
        transactionHash
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

type SlashingRow = {
  id: string;
  operator: Hex;
  avs: Hex;
  setId: number;
  strategies: string[];
  wadSlashed: string[];
  description: string;
  blockNumber: string;
  transactionHash: Hex;
};

/** Ponder event ids sort in chain order (they encode block and log position as fixed-width digits). */
export async function indexerSlashes(url: string, fromBlock = 0n): Promise<SlashRecord[]> {
  const rows = await allPages<SlashingRow>(url, SLASHINGS, "slashings", { fromBlock: fromBlock.toString() });
  return rows.map((r) => ({
    operator: getAddress(r.operator),
    operatorSet: { avs: getAddress(r.avs), id: r.setId },
    strategies: r.strategies.map((s) => getAddress(s)),
    wadSlashed: r.wadSlashed.map(BigInt),
    description: r.description,
    blockNumber: BigInt(r.blockNumber),
    transactionHash: r.transactionHash,
  }));
}

const ALLOCATIONS = gql`
  query Allocations($operator: String!, $after: String, $limit: Int) {
    allocations(where: { operator: $operator }, orderBy: "id", orderDirection: "asc", after: $after, limit: $limit) {
      items {
        operator
        avs
        setId
        strategy
        magnitude
        effectBlock
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

type AllocationRow = { operator: Hex; avs: Hex; setId: number; strategy: Hex; magnitude: string; effectBlock: string };

const allocationOrder = (a: AllocationRecord, b: AllocationRecord) =>
  a.operatorSet.avs.toLowerCase().localeCompare(b.operatorSet.avs.toLowerCase()) ||
  a.operatorSet.id - b.operatorSet.id ||
  a.strategy.toLowerCase().localeCompare(b.strategy.toLowerCase());

/** An operator's latest allocation per operator set and strategy, from the indexer. */
export async function indexerAllocations(url: string, operator: Address): Promise<AllocationRecord[]> {
  const rows = await allPages<AllocationRow>(url, ALLOCATIONS, "allocations", { operator: operator.toLowerCase() });
  return rows
    .map((r) => ({
      operator: getAddress(r.operator),
      operatorSet: { avs: getAddress(r.avs), id: r.setId },
      strategy: getAddress(r.strategy),
      magnitude: BigInt(r.magnitude),
      effectBlock: BigInt(r.effectBlock),
    }))
    .sort(allocationOrder);
}

/** The same, from the AllocationManager's AllocationUpdated logs over RPC (the operator is not indexed). */
export async function rpcAllocations(
  client: Client,
  allocationManager: Address,
  operator: Address,
  fromBlock = 0n,
): Promise<AllocationRecord[]> {
  const logs = await client.getContractEvents({
    address: allocationManager,
    abi: iAllocationManagerAbi,
    eventName: "AllocationUpdated",
    fromBlock,
    toBlock: "latest",
  });
  const latest = new Map<string, AllocationRecord>();
  for (const log of logs) {
    if (getAddress(log.args.operator!) !== getAddress(operator)) continue;
    const record: AllocationRecord = {
      operator: getAddress(log.args.operator!),
      operatorSet: { avs: getAddress(log.args.operatorSet!.avs), id: log.args.operatorSet!.id },
      strategy: getAddress(log.args.strategy!),
      magnitude: log.args.magnitude!,
      effectBlock: BigInt(log.args.effectBlock!),
    };
    latest.set(`${record.operatorSet.avs}-${record.operatorSet.id}-${record.strategy}`, record);
  }
  return [...latest.values()].sort(allocationOrder);
}

/** Where reads come from: the indexer when a URL is configured, RPC logs otherwise. */
export type ReadSource = { indexerUrl?: string };

/** The indexed chain head, or null while the indexer has not finished its first sync. */
export async function indexerBlock(url: string): Promise<bigint | null> {
  try {
    const data = await new GraphQLClient(url).request<{
      _meta: { status: Record<string, { ready?: boolean; block?: { number: number } | null }> };
    }>(gql`
      {
        _meta {
          status
        }
      }
    `);
    const chains = Object.values(data._meta.status ?? {});
    const chain = chains[0];
    if (!chain?.ready || !chain.block) return null;
    return BigInt(chain.block.number);
  } catch (error) {
    throw new IndexerQueryError(url, error);
  }
}

/** The `--indexer-url` flag (or VCLOUD_INDEXER_URL): an http(s) GraphQL endpoint, or undefined for RPC reads. */
export function parseIndexerUrl(value: unknown, flag = "--indexer-url"): string | undefined {
  const raw = value ?? process.env.VCLOUD_INDEXER_URL;
  if (raw === undefined || raw === "") return undefined;
  if (typeof raw !== "string" || !/^https?:\/\/[^\s]+$/.test(raw))
    throw new InvalidInputError(flag, `must be an http(s) URL of the indexer's GraphQL API, got '${String(raw)}'`);
  return raw;
}

export const INDEXER_URL_HELP =
  "read history from this Ponder indexer's GraphQL API instead of RPC logs (env VCLOUD_INDEXER_URL)";
