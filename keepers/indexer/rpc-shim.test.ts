import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { hasMissingParent, startRpcShim, type RpcShim } from "./rpc-shim.js";

const ZERO = `0x${"0".repeat(64)}`;
const hashOf = (n: number) => `0x${n.toString(16).padStart(64, "a")}`;

/** A JSON-RPC node whose blocks 5..9 are EDR-style reserved blocks (parent hash zero). */
function reservedBlocksNode(): Server {
  const block = (n: number) => ({
    number: `0x${n.toString(16)}`,
    hash: hashOf(n),
    parentHash: n >= 5 && n <= 9 ? ZERO : n === 0 ? ZERO : hashOf(n - 1),
  });
  const answer = (q: { id: number; method: string; params: unknown[] }) => {
    if (q.method === "eth_getBlockByNumber") return { jsonrpc: "2.0", id: q.id, result: block(Number(q.params[0])) };
    if (q.method === "eth_chainId") return { jsonrpc: "2.0", id: q.id, result: "0x7a69" };
    return { jsonrpc: "2.0", id: q.id, error: { code: -32601, message: "method not found" } };
  };
  return createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const parsed = JSON.parse(body) as Parameters<typeof answer>[0] | Parameters<typeof answer>[0][];
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(Array.isArray(parsed) ? parsed.map(answer) : answer(parsed)));
    });
  });
}

let node: Server;
let shim: RpcShim;

async function rpc(body: unknown) {
  const res = await fetch(shim.url, { method: "POST", body: JSON.stringify(body) });
  return res.json() as Promise<unknown>;
}

beforeAll(async () => {
  node = reservedBlocksNode();
  await new Promise<void>((r) => node.listen(0, "127.0.0.1", () => r()));
  shim = await startRpcShim({
    upstream: `http://127.0.0.1:${(node.address() as AddressInfo).port}`,
    host: "127.0.0.1",
  });
});

afterAll(async () => {
  await shim.close();
  await new Promise<void>((r) => node.close(() => r()));
});

describe("RPC shim for EDR reserved blocks", () => {
  it("recognises a zero parent hash above genesis only", () => {
    expect(hasMissingParent({ number: "0x6", parentHash: ZERO })).toBe(true);
    expect(hasMissingParent({ number: "0x0", parentHash: ZERO })).toBe(false);
    expect(hasMissingParent({ number: "0x6", parentHash: hashOf(5) })).toBe(false);
    expect(hasMissingParent(null)).toBe(false);
  });

  it("gives a reserved block its parent's real hash", async () => {
    const r = (await rpc({ jsonrpc: "2.0", id: 1, method: "eth_getBlockByNumber", params: ["0x6", false] })) as {
      result: { parentHash: string };
    };
    expect(r.result.parentHash).toBe(hashOf(5));
  });

  it("passes other blocks, other methods and errors through unchanged, in batches too", async () => {
    const r = (await rpc([
      { jsonrpc: "2.0", id: 1, method: "eth_getBlockByNumber", params: ["0x3", false] },
      { jsonrpc: "2.0", id: 2, method: "eth_getBlockByNumber", params: ["0x9", false] },
      { jsonrpc: "2.0", id: 3, method: "eth_chainId", params: [] },
      { jsonrpc: "2.0", id: 4, method: "nope", params: [] },
    ])) as { id: number; result?: { parentHash?: string } | string; error?: { code: number } }[];
    expect((r[0]!.result as { parentHash: string }).parentHash).toBe(hashOf(2));
    expect((r[1]!.result as { parentHash: string }).parentHash).toBe(hashOf(8));
    expect(r[2]!.result).toBe("0x7a69");
    expect(r[3]!.error?.code).toBe(-32601);
  });

  it("answers a JSON-RPC error when the request is not JSON", async () => {
    const res = await fetch(shim.url, { method: "POST", body: "{not json" });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32603);
  });
});
