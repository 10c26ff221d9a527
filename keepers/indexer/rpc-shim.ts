/**
 * A JSON-RPC pass-through for the indexer on a local Hardhat/EDR chain. `hardhat_mine` with a count > 1
 * makes EDR "reserve" blocks whose `parentHash` reads as 0x00…00; Ponder's realtime sync takes that for a
 * reorg and stalls at the block before. The shim forwards every call unchanged except block headers with
 * that zero parent hash, whose parent hash it sets to the hash of block n-1 as the same node reports it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

const ZERO_HASH = `0x${"0".repeat(64)}`;

type RpcRequest = { id?: unknown; method?: string; params?: unknown[] };
type RpcResponse = { id?: unknown; result?: unknown; error?: unknown };
type Block = { number?: string; hash?: string; parentHash?: string };

/** True when a block header has EDR's zero parent hash above genesis (pure). */
export function hasMissingParent(result: unknown): result is Block & { number: string } {
  const block = result as Block | null;
  return (
    !!block &&
    typeof block === "object" &&
    block.parentHash === ZERO_HASH &&
    typeof block.number === "string" &&
    BigInt(block.number) > 0n
  );
}

async function call(upstream: string, body: unknown): Promise<unknown> {
  const res = await fetch(upstream, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return res.json();
}

async function repair(upstream: string, request: RpcRequest, response: RpcResponse): Promise<RpcResponse> {
  if (request.method !== "eth_getBlockByNumber" && request.method !== "eth_getBlockByHash") return response;
  if (!hasMissingParent(response.result)) return response;
  const parentNumber = `0x${(BigInt(response.result.number) - 1n).toString(16)}`;
  const parent = (await call(upstream, {
    jsonrpc: "2.0",
    id: 1,
    method: "eth_getBlockByNumber",
    params: [parentNumber, false],
  })) as RpcResponse;
  const hash = (parent.result as Block | null)?.hash;
  return hash ? { ...response, result: { ...response.result, parentHash: hash } } : response;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export type RpcShim = { url: string; close: () => Promise<void> };

/** Serves the shim for `upstream` on host (a free port) and resolves with its URL. */
export async function startRpcShim(options: { upstream: string; host: string }): Promise<RpcShim> {
  const { upstream } = options;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const raw = await readBody(req);
      const parsed = JSON.parse(raw) as RpcRequest | RpcRequest[];
      const answer = (await call(upstream, parsed)) as RpcResponse | RpcResponse[];
      let fixed: unknown = answer;
      if (Array.isArray(parsed) && Array.isArray(answer)) {
        fixed = await Promise.all(answer.map((r) => repair(upstream, parsed.find((q) => q.id === r.id) ?? {}, r)));
      } else if (!Array.isArray(parsed) && !Array.isArray(answer)) {
        fixed = await repair(upstream, parsed, answer);
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(fixed));
    } catch (error) {
      res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32603, message: (error as Error).message } }));
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(0, options.host, () => resolvePromise());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
