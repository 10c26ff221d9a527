/**
 * Fuzzes the indexer read path (keepers/indexer/reads.ts: graphql-request against Ponder's GraphQL API) with
 * hostile responses from a real HTTP server on 127.0.0.1: mutated valid pages (wrong types, missing fields,
 * bad addresses and numbers, mismatched arrays, rows out of order or before the requested block), random
 * JSON, GraphQL `errors` arrays, non-JSON bodies, HTTP errors, oversized pages and cursors that never end.
 *
 * Property: `indexerSlashes` / `indexerAllocations` / `indexerBlock` either return exactly the records the response holds, when it
 * is well-formed by the rules stated here (the oracle reads the bytes the server sent, not the code under
 * test), or throw a typed error (IndexerQueryError: the query failed; IndexerResponseError: the answer is
 * malformed, naming the field). Never a TypeError/SyntaxError, never a hang, never a malformed answer
 * accepted. Callers without an indexer use RPC logs (the same records, test/ts/dashboard.test.ts).
 * Runs: min(FUZZ_RUNS, 200) in CI, FUZZ_RUNS in the deep profile.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { getAddress } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  IndexerQueryError,
  IndexerResponseError,
  indexerAllocations,
  indexerBlock,
  indexerSlashes,
} from "../../../keepers/indexer/reads.js";
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, mutateJson, randomJson, Rng } from "./fuzz.js";

const DEEP = process.env.VCLOUD_TEST_PROFILE === "deep";
const RUNS = DEEP ? FUZZ_RUNS : Math.min(FUZZ_RUNS, 200);

type Reply = { status: number; body: string; type?: string };

let server: Server;
let url: string;
/** Replies served in order; the last one repeats (a cursor loop keeps getting the same page). */
let script: Reply[] = [];
let served = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const reply = script[Math.min(served, script.length - 1)]!;
      served++;
      res.writeHead(reply.status, { "content-type": reply.type ?? "application/json" });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const hex = (rng: Rng, bytes: number) => "0x" + Buffer.from(rng.bytes(bytes)).toString("hex");

function validRow(rng: Rng, id: number, block: bigint) {
  const n = rng.int(3);
  return {
    id: String(id).padStart(20, "0"),
    operator: hex(rng, 20),
    avs: hex(rng, 20),
    setId: rng.int(5),
    strategies: Array.from({ length: n }, () => hex(rng, 20)),
    wadSlashed: Array.from({ length: n }, () => String(rng.int(1e9)) + "000000000"),
    description: rng.pick(["", "double sign", "é"]),
    blockNumber: String(block),
    transactionHash: hex(rng, 32),
  };
}

// The oracle: what a well-formed slashings page is, independently of reads.ts.
const isAddr = (v: unknown) => typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v);
const isUint = (v: unknown) => typeof v === "string" && /^\d{1,78}$/.test(v);
function wellFormedRow(r: unknown, fromBlock: bigint): boolean {
  if (r === null || typeof r !== "object" || Array.isArray(r)) return false;
  const o = r as Record<string, unknown>;
  return (
    typeof o.id === "string" &&
    o.id.length > 0 &&
    isAddr(o.operator) &&
    isAddr(o.avs) &&
    typeof o.setId === "number" &&
    Number.isInteger(o.setId) &&
    o.setId >= 0 &&
    o.setId < 2 ** 32 &&
    Array.isArray(o.strategies) &&
    o.strategies.every(isAddr) &&
    Array.isArray(o.wadSlashed) &&
    o.wadSlashed.every(isUint) &&
    o.strategies.length === o.wadSlashed.length &&
    typeof o.description === "string" &&
    isUint(o.blockNumber) &&
    BigInt(o.blockNumber as string) >= fromBlock &&
    typeof o.transactionHash === "string" &&
    /^0x[0-9a-fA-F]{64}$/.test(o.transactionHash)
  );
}

/** The rows of a well-formed response sequence, or undefined when any page is malformed. */
function oracleSlashes(replies: Reply[], fromBlock: bigint): Record<string, unknown>[] | undefined {
  const rows = oraclePages(replies, "slashings", (r) => wellFormedRow(r, fromBlock));
  if (!rows) return undefined;
  for (let i = 1; i < rows.length; i++) if (!((rows[i - 1]!.id as string) < (rows[i]!.id as string))) return undefined;
  return rows;
}

/** The rows of every page of a well-formed sequence for plural query `field`, or undefined. */
function oraclePages(
  replies: Reply[],
  field: string,
  rowOk: (r: unknown) => boolean,
): Record<string, unknown>[] | undefined {
  const rows: Record<string, unknown>[] = [];
  let after: string | null = null;
  for (let i = 0; i < 10_000; i++) {
    const reply = replies[Math.min(i, replies.length - 1)]!;
    if (reply.status !== 200) return undefined;
    let doc: unknown;
    try {
      doc = JSON.parse(reply.body);
    } catch {
      return undefined;
    }
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return undefined;
    const { data, errors } = doc as { data?: unknown; errors?: unknown };
    if (errors !== undefined) return undefined;
    const page = (data as Record<string, unknown> | null | undefined)?.[field] as
      { items?: unknown; pageInfo?: { hasNextPage?: unknown; endCursor?: unknown } } | undefined;
    if (!page || typeof page !== "object" || !Array.isArray(page.items) || page.items.length > 1000) return undefined;
    const info = page.pageInfo;
    if (!info || typeof info !== "object" || typeof info.hasNextPage !== "boolean") return undefined;
    if (!(info.endCursor === null || typeof info.endCursor === "string")) return undefined;
    if (!page.items.every(rowOk)) return undefined;
    rows.push(...(page.items as Record<string, unknown>[]));
    if (!info.hasNextPage) break;
    if (!info.endCursor || info.endCursor === after) return undefined;
    after = info.endCursor;
    if (i === 9_999) return undefined;
  }
  return rows;
}

// The oracle for allocation pages: one row per (operator set, strategy) of the requested operator (the
// indexer's primary key), magnitude a uint64 and effect block a uint32; the answer sorted by avs, set, strategy.
function wellFormedAllocation(r: unknown, operator: string): boolean {
  if (r === null || typeof r !== "object" || Array.isArray(r)) return false;
  const o = r as Record<string, unknown>;
  return (
    isAddr(o.operator) &&
    (o.operator as string).toLowerCase() === operator.toLowerCase() &&
    isAddr(o.avs) &&
    typeof o.setId === "number" &&
    Number.isInteger(o.setId) &&
    o.setId >= 0 &&
    o.setId < 2 ** 32 &&
    isAddr(o.strategy) &&
    isUint(o.magnitude) &&
    BigInt(o.magnitude as string) < 2n ** 64n &&
    isUint(o.effectBlock) &&
    BigInt(o.effectBlock as string) < 2n ** 32n
  );
}
const allocationKey = (r: Record<string, unknown>) =>
  `${(r.avs as string).toLowerCase()}/${String(r.setId).padStart(10, "0")}/${(r.strategy as string).toLowerCase()}`;
function oracleAllocations(replies: Reply[], operator: string): Record<string, unknown>[] | undefined {
  const rows = oraclePages(replies, "allocations", (r) => wellFormedAllocation(r, operator));
  if (!rows) return undefined;
  const keys = rows.map(allocationKey);
  if (new Set(keys).size !== keys.length) return undefined;
  return [...rows].sort((a, b) => (allocationKey(a) < allocationKey(b) ? -1 : 1));
}

describe("fuzz: indexer GraphQL responses", () => {
  it(
    `indexerSlashes: ${RUNS} hostile response sequences -> the exact records or a typed error`,
    { timeout: FUZZ_TIMEOUT_MS },
    async () => {
      const rng = new Rng(0x6a9f1);
      const tally = { accepted: 0, malformed: 0, queryFailed: 0 };
      for (let i = 0; i < RUNS; i++) {
        const fromBlock = BigInt(rng.int(3) * 10);
        const pages = 1 + rng.int(3);
        let id = 1;
        const valid: Reply[] = [];
        for (let p = 0; p < pages; p++) {
          const items = Array.from({ length: rng.int(4) }, () => validRow(rng, id++, fromBlock + BigInt(rng.int(100))));
          const last = p === pages - 1;
          const doc = {
            data: { slashings: { items, pageInfo: { hasNextPage: !last, endCursor: last ? null : `c${p}` } } },
          };
          valid.push({ status: 200, body: JSON.stringify(doc) });
        }
        const replies = structuredClone(valid);
        const target = rng.int(replies.length);
        switch (rng.int(10)) {
          case 0:
          case 1:
          case 2:
            replies[target]!.body = JSON.stringify(mutateJson(JSON.parse(replies[target]!.body), rng));
            break;
          case 3:
            replies[target]!.body = JSON.stringify(randomJson(rng));
            break;
          case 4:
            replies[target]!.body = JSON.stringify({
              errors: [{ message: rng.pick(["boom", "", "x".repeat(500)]) }],
              data: rng.int(2) ? null : JSON.parse(replies[target]!.body).data,
            });
            break;
          case 5:
            replies[target] = rng.pick<Reply>([
              { status: 200, body: "" },
              { status: 200, body: "<html>oops</html>", type: "text/html" },
              { status: 200, body: '{"data": {"slashings": ' },
              { status: 500, body: '{"errors":[{"message":"internal"}]}' },
              { status: 502, body: "bad gateway", type: "text/plain" },
              { status: 404, body: "" },
            ]);
            break;
          case 6: {
            // an oversized page (more rows than asked for), or a large valid one
            const count = rng.pick([1001, 1500, 1000, 800]);
            const items = Array.from({ length: count }, (_, k) => validRow(rng, 100_000 + k, fromBlock));
            replies.length = 0;
            replies.push({
              status: 200,
              body: JSON.stringify({
                data: { slashings: { items, pageInfo: { hasNextPage: false, endCursor: null } } },
              }),
            });
            break;
          }
          case 7: {
            // a cursor that never moves on, or a next page without a cursor
            const doc = JSON.parse(replies[0]!.body) as { data: { slashings: { pageInfo: unknown } } };
            doc.data.slashings.pageInfo = { hasNextPage: true, endCursor: rng.pick(["same", null, ""]) };
            replies.length = 0;
            replies.push({ status: 200, body: JSON.stringify(doc) });
            break;
          }
          default:
            break; // well-formed
        }
        script = replies;
        served = 0;
        const label = `case ${i}: ${replies.map((r) => `${r.status} ${r.body.slice(0, 300)}`).join(" | ")}`;
        const want = oracleSlashes(replies, fromBlock);
        let got: Awaited<ReturnType<typeof indexerSlashes>> | undefined;
        let error: unknown;
        try {
          got = await indexerSlashes(url, fromBlock);
        } catch (e) {
          error = e;
        }
        if (error !== undefined) {
          expect(
            error instanceof IndexerQueryError || error instanceof IndexerResponseError,
            `${label}\n  untyped error: ${String((error as Error)?.stack ?? error)}`,
          ).toBe(true);
          expect(want, `${label}\n  a well-formed response was refused: ${(error as Error).message}`).toBeUndefined();
          if (error instanceof IndexerResponseError) tally.malformed++;
          else tally.queryFailed++;
          continue;
        }
        expect(want, `${label}\n  a malformed response was accepted`).toBeDefined();
        expect(got).toEqual(
          want!.map((r) => ({
            operator: getAddress(r.operator as string),
            operatorSet: { avs: getAddress(r.avs as string), id: r.setId },
            strategies: (r.strategies as string[]).map((s) => getAddress(s)),
            wadSlashed: (r.wadSlashed as string[]).map(BigInt),
            description: r.description,
            blockNumber: BigInt(r.blockNumber as string),
            transactionHash: r.transactionHash,
          })),
        );
        tally.accepted++;
      }
      expect(tally.accepted).toBeGreaterThan(0);
      expect(tally.malformed).toBeGreaterThan(0);
      expect(tally.queryFailed).toBeGreaterThan(0);
    },
  );

  it(
    `indexerAllocations: ${RUNS} hostile response sequences -> the exact latest allocations or a typed error`,
    { timeout: FUZZ_TIMEOUT_MS },
    async () => {
      const rng = new Rng(0xa110c);
      const tally = { accepted: 0, malformed: 0, queryFailed: 0 };
      const operator = getAddress(hex(rng, 20));
      const sets = [hex(rng, 20), hex(rng, 20)];
      const strategies = [hex(rng, 20), hex(rng, 20), hex(rng, 20)];
      for (let i = 0; i < RUNS; i++) {
        // Distinct (avs, set, strategy) keys in indexer (id) order; the addresses in mixed case at times.
        const keys: { avs: string; setId: number; strategy: string }[] = [];
        for (const avs of sets)
          for (const setId of [0, 1]) for (const strategy of strategies) keys.push({ avs, setId, strategy });
        const chosen = keys.filter(() => rng.int(3) === 0);
        const caseOf = (a: string) => (rng.int(4) === 0 ? a.toUpperCase().replace("0X", "0x") : a);
        const rows = chosen.map((k) => ({
          operator: caseOf(operator.toLowerCase()),
          avs: caseOf(k.avs),
          setId: k.setId,
          strategy: caseOf(k.strategy),
          magnitude: String(rng.int(1e9)) + "000000000",
          effectBlock: String(rng.int(1e6)),
        }));
        const pages = 1 + rng.int(3);
        const per = Math.ceil(rows.length / pages) || 1;
        const valid: Reply[] = [];
        for (let p = 0; p < pages; p++) {
          const items = rows.slice(p * per, (p + 1) * per);
          const last = p === pages - 1;
          valid.push({
            status: 200,
            body: JSON.stringify({
              data: { allocations: { items, pageInfo: { hasNextPage: !last, endCursor: last ? null : `c${p}` } } },
            }),
          });
        }
        const replies = structuredClone(valid);
        const target = rng.int(replies.length);
        const pageOf = (r: Reply) =>
          JSON.parse(r.body) as { data: { allocations: { items: Record<string, unknown>[]; pageInfo: unknown } } };
        switch (rng.int(12)) {
          case 0:
          case 1:
          case 2:
            replies[target]!.body = JSON.stringify(mutateJson(JSON.parse(replies[target]!.body), rng));
            break;
          case 3:
            replies[target]!.body = JSON.stringify(randomJson(rng));
            break;
          case 4:
            replies[target]!.body = JSON.stringify({ errors: [{ message: "boom" }], data: null });
            break;
          case 5:
            replies[target] = rng.pick<Reply>([
              { status: 200, body: "<html>oops</html>", type: "text/html" },
              { status: 200, body: '{"data": {"allocations": ' },
              { status: 503, body: "unavailable", type: "text/plain" },
            ]);
            break;
          case 6: {
            // the same (set, strategy) twice, on one page or across pages, possibly in another letter case
            const doc = pageOf(replies[target]!);
            const any = rows[rng.int(Math.max(rows.length, 1))];
            if (any) {
              const twin = { ...any, avs: (any.avs as string).toLowerCase(), magnitude: "1" };
              doc.data.allocations.items.push(twin);
              replies[target]!.body = JSON.stringify(doc);
            }
            break;
          }
          case 7: {
            // a row of another operator
            const doc = pageOf(replies[target]!);
            doc.data.allocations.items.push({
              ...(rows[0] ?? {}),
              operator: hex(rng, 20),
              avs: sets[0],
              setId: 7,
              strategy: strategies[0],
              magnitude: "5",
              effectBlock: "5",
            });
            replies[target]!.body = JSON.stringify(doc);
            break;
          }
          case 8: {
            const doc = pageOf(replies[0]!);
            doc.data.allocations.pageInfo = { hasNextPage: true, endCursor: rng.pick(["same", null, ""]) };
            replies.length = 0;
            replies.push({ status: 200, body: JSON.stringify(doc) });
            break;
          }
          default:
            break; // well-formed
        }
        script = replies;
        served = 0;
        const label = `case ${i}: ${replies.map((r) => `${r.status} ${r.body.slice(0, 400)}`).join(" | ")}`;
        const want = oracleAllocations(replies, operator);
        let got: Awaited<ReturnType<typeof indexerAllocations>> | undefined;
        let error: unknown;
        try {
          got = await indexerAllocations(url, operator);
        } catch (e) {
          error = e;
        }
        if (error !== undefined) {
          expect(
            error instanceof IndexerQueryError || error instanceof IndexerResponseError,
            `${label}\n  untyped error: ${String((error as Error)?.stack ?? error)}`,
          ).toBe(true);
          expect(want, `${label}\n  a well-formed response was refused: ${(error as Error).message}`).toBeUndefined();
          if (error instanceof IndexerResponseError) tally.malformed++;
          else tally.queryFailed++;
          continue;
        }
        expect(want, `${label}\n  a malformed response was accepted`).toBeDefined();
        expect(got, label).toEqual(
          want!.map((r) => ({
            operator,
            operatorSet: { avs: getAddress(r.avs as string), id: r.setId },
            strategy: getAddress(r.strategy as string),
            magnitude: BigInt(r.magnitude as string),
            effectBlock: BigInt(r.effectBlock as string),
          })),
        );
        tally.accepted++;
      }
      expect(tally.accepted).toBeGreaterThan(0);
      expect(tally.malformed).toBeGreaterThan(0);
      expect(tally.queryFailed).toBeGreaterThan(0);
    },
  );

  it("indexerAllocations: a non-decimal magnitude or effect block is an IndexerResponseError (regression, 100k run)", async () => {
    const operator = "0x" + "11".repeat(20);
    const row = {
      operator,
      avs: "0x" + "22".repeat(20),
      setId: 0,
      strategy: "0x" + "33".repeat(20),
      magnitude: "5",
      effectBlock: "7",
    };
    for (const [field, bad] of [
      ["effectBlock", { ...row, effectBlock: "Z748132" }],
      ["magnitude", { ...row, magnitude: "5e3" }],
    ] as const) {
      script = [
        {
          status: 200,
          body: JSON.stringify({
            data: { allocations: { items: [bad], pageInfo: { hasNextPage: false, endCursor: null } } },
          }),
        },
      ];
      served = 0;
      const error = await indexerAllocations(url, getAddress(operator)).catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(IndexerResponseError);
      expect((error as IndexerResponseError).field).toBe(`data.allocations.items.0.${field}`);
    }
  });

  it("indexerAllocations: a second row for one (operator set, strategy) is refused (regression)", async () => {
    const operator = "0x" + "11".repeat(20);
    const row = {
      operator,
      avs: "0x" + "22".repeat(20),
      setId: 0,
      strategy: "0x" + "33".repeat(20),
      magnitude: "5",
      effectBlock: "7",
    };
    const twin = { ...row, avs: row.avs.toUpperCase().replace("0X", "0x"), magnitude: "9" };
    script = [
      {
        status: 200,
        body: JSON.stringify({
          data: { allocations: { items: [row, twin], pageInfo: { hasNextPage: false, endCursor: null } } },
        }),
      },
    ];
    served = 0;
    const error = await indexerAllocations(url, getAddress(operator)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexerResponseError);
    expect((error as IndexerResponseError).field).toBe("allocations.items.1");
  });

  it(
    `indexerBlock: ${RUNS} hostile _meta answers -> a block, null while syncing, or a typed error`,
    { timeout: FUZZ_TIMEOUT_MS },
    async () => {
      const rng = new Rng(0x3e7a);
      const valid = { data: { _meta: { status: { devnet: { ready: true, block: { number: 42, timestamp: 1 } } } } } };
      for (let i = 0; i < RUNS; i++) {
        const doc = rng.int(4) === 0 ? randomJson(rng) : mutateJson(valid, rng);
        script = [{ status: 200, body: JSON.stringify(doc) }];
        served = 0;
        const label = `case ${i}: ${JSON.stringify(doc).slice(0, 300)}`;
        const result = await indexerBlock(url).then(
          (block) => ({ block }),
          (e: unknown) => ({ e }),
        );
        if ("e" in result) {
          expect(
            result.e instanceof IndexerQueryError || result.e instanceof IndexerResponseError,
            `${label}\n  untyped error: ${String(result.e)}`,
          ).toBe(true);
          continue;
        }
        // Accepted: the answer is what the first chain's status says.
        const status = (doc as { data?: { _meta?: { status?: Record<string, unknown> } } })?.data?._meta?.status;
        const chain = status
          ? (Object.values(status)[0] as { ready?: unknown; block?: { number?: unknown } })
          : undefined;
        const expected = chain?.ready === true && chain.block ? BigInt(chain.block.number as number) : null;
        expect(result.block, label).toBe(expected);
      }
    },
  );
});
