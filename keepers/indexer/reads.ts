/**
 * Chain reads the keepers and the CLI can answer from the indexer's GraphQL API (graphql-request) or, with
 * no indexer configured, from RPC logs. Both paths return the same records in the same order, which
 * test/ts/dashboard.test.ts checks on one chain.
 */
import { GraphQLClient, gql } from "graphql-request";
import { getAddress, type Address, type Chain, type Hex, type PublicClient, type Transport } from "viem";
import { z } from "zod";

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

/** The indexer answered, but not with what the query asks for (a wrong type, a missing field, a broken page). */
export class IndexerResponseError extends VcloudError {
  override name = "IndexerResponseError";
  constructor(
    url: string,
    readonly field: string,
    reason: string,
  ) {
    super(`the indexer at ${url} sent an invalid response: ${field}: ${reason}`);
  }
}

const PAGE = 1000;
/** Bounds a paginated read: a cursor that never ends is an indexer fault, not a reason to loop forever. */
const MAX_PAGES = 10_000;

// Response schemas: every field the read path uses is checked before it is used.
const zGqlAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 20-byte hex address");
// `abort`: later refinements call BigInt(), which throws a SyntaxError on a non-decimal string.
const zGqlUint = z.string().regex(/^\d{1,78}$/, { message: "must be a decimal uint256 string", abort: true });
const zGqlSetId = z
  .number()
  .int("must be an integer")
  .min(0)
  .max(2 ** 32 - 1);
const zPageInfo = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() });

function checked<S extends z.ZodType>(url: string, schema: S, value: unknown, at: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new IndexerResponseError(url, [at, ...issue.path.map(String)].join("."), issue.message);
}

/** Every row of a plural Ponder query, following cursors; each row is checked against `row`. */
async function allPages<S extends z.ZodType>(
  url: string,
  query: string,
  field: string,
  row: S,
  variables: Record<string, unknown>,
): Promise<z.infer<S>[]> {
  const client = new GraphQLClient(url);
  const page = z.object({ [field]: z.object({ items: z.array(row), pageInfo: zPageInfo }) });
  const rows: z.infer<S>[] = [];
  let after: string | null = null;
  for (let n = 0; n < MAX_PAGES; n++) {
    let data: unknown;
    try {
      data = await client.request<unknown>(query, { ...variables, after, limit: PAGE });
    } catch (error) {
      throw new IndexerQueryError(url, error);
    }
    const { items, pageInfo } = (checked(url, page, data, "data") as Record<string, z.infer<typeof page>[string]>)[
      field
    ]!;
    if (items.length > PAGE) throw new IndexerResponseError(url, `${field}.items`, `more than the ${PAGE} asked for`);
    rows.push(...(items as z.infer<S>[]));
    if (!pageInfo.hasNextPage) return rows;
    if (!pageInfo.endCursor || pageInfo.endCursor === after) {
      throw new IndexerResponseError(url, `${field}.pageInfo.endCursor`, "a next page without a new cursor");
    }
    after = pageInfo.endCursor;
  }
  throw new IndexerResponseError(url, `${field}.pageInfo`, `more than ${MAX_PAGES} pages`);
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

const slashingRow = z
  .object({
    id: z.string().min(1),
    operator: zGqlAddress,
    avs: zGqlAddress,
    setId: zGqlSetId,
    strategies: z.array(zGqlAddress),
    wadSlashed: z.array(zGqlUint),
    description: z.string(),
    blockNumber: zGqlUint,
    transactionHash: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 32-byte hex hash"),
  })
  .refine((r) => r.strategies.length === r.wadSlashed.length, {
    message: "strategies and wadSlashed differ in length",
    path: ["wadSlashed"],
  });

/** Ponder event ids sort in chain order (they encode block and log position as fixed-width digits). */
export async function indexerSlashes(url: string, fromBlock = 0n): Promise<SlashRecord[]> {
  const rows = await allPages(url, SLASHINGS, "slashings", slashingRow, { fromBlock: fromBlock.toString() });
  return rows.map((r, i) => {
    if (BigInt(r.blockNumber) < fromBlock) {
      throw new IndexerResponseError(url, `slashings.items.${i}.blockNumber`, `before the requested ${fromBlock}`);
    }
    if (i > 0 && !(rows[i - 1]!.id < r.id)) {
      throw new IndexerResponseError(url, `slashings.items.${i}.id`, "not in ascending order");
    }
    return {
      operator: getAddress(r.operator),
      operatorSet: { avs: getAddress(r.avs), id: r.setId },
      strategies: r.strategies.map((s) => getAddress(s)),
      wadSlashed: r.wadSlashed.map(BigInt),
      description: r.description,
      blockNumber: BigInt(r.blockNumber),
      transactionHash: r.transactionHash as Hex,
    };
  });
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

const allocationRow = z.object({
  operator: zGqlAddress,
  avs: zGqlAddress,
  setId: zGqlSetId,
  strategy: zGqlAddress,
  magnitude: zGqlUint.refine((v) => BigInt(v) < 2n ** 64n, "must fit uint64"),
  effectBlock: zGqlUint.refine((v) => BigInt(v) < 2n ** 32n, "must fit uint32"),
});

const allocationOrder = (a: AllocationRecord, b: AllocationRecord) =>
  a.operatorSet.avs.toLowerCase().localeCompare(b.operatorSet.avs.toLowerCase()) ||
  a.operatorSet.id - b.operatorSet.id ||
  a.strategy.toLowerCase().localeCompare(b.strategy.toLowerCase());

/** An operator's latest allocation per operator set and strategy, from the indexer. */
export async function indexerAllocations(url: string, operator: Address): Promise<AllocationRecord[]> {
  const rows = await allPages(url, ALLOCATIONS, "allocations", allocationRow, { operator: operator.toLowerCase() });
  // The indexer keeps one row per (operator, operator set, strategy): a second one is a broken answer, not
  // a second allocation (the RPC path keeps only the latest update, so both paths must agree).
  const seen = new Set<string>();
  return rows
    .map((r, i) => {
      if (getAddress(r.operator) !== getAddress(operator)) {
        throw new IndexerResponseError(url, `allocations.items.${i}.operator`, `not the requested ${operator}`);
      }
      const key = `${r.avs.toLowerCase()}/${r.setId}/${r.strategy.toLowerCase()}`;
      if (seen.has(key)) {
        throw new IndexerResponseError(
          url,
          `allocations.items.${i}`,
          `a second row for operator set ${r.avs}/${r.setId} and strategy ${r.strategy}`,
        );
      }
      seen.add(key);
      return r;
    })
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
  let data: unknown;
  try {
    data = await new GraphQLClient(url).request<unknown>(gql`
      {
        _meta {
          status
        }
      }
    `);
  } catch (error) {
    throw new IndexerQueryError(url, error);
  }
  const meta = checked(url, metaSchema, data, "data");
  const chain = Object.values(meta._meta.status ?? {})[0];
  if (!chain?.ready || !chain.block) return null;
  return BigInt(chain.block.number);
}

const metaSchema = z.object({
  _meta: z.object({
    status: z
      .record(
        z.string(),
        z.object({
          ready: z.boolean().optional(),
          block: z
            .object({ number: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) })
            .nullable()
            .optional(),
        }),
      )
      .nullable()
      .optional(),
  }),
});

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
