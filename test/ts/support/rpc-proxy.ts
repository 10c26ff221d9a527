import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { Socket } from "node:net";

import {
  createPublicClient,
  createWalletClient,
  http,
  keccak256,
  type Account,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

/**
 * A JSON-RPC proxy on loopback that sits between a keeper and the chain and injects faults:
 *  - `down`: the endpoint stops listening (connections refused) until `up()`;
 *  - `slow`: every reply is held back `delayMs`;
 *  - `error`: matching calls get a JSON-RPC error (or an HTTP status) instead of a reply;
 *  - `drop-tx`: `eth_sendRawTransaction` is answered with the transaction's hash but never forwarded, as a
 *    node whose pool lost it (the account's next nonce stays free; anything signed after it sits in a gap);
 *  - `lose-reply`: matching calls are forwarded and executed, but the client's connection is cut before the
 *    reply (the client cannot tell whether a transaction landed);
 *  - `hook`: runs the test's `before` action ahead of forwarding a matching call and its `after` action (with
 *    the call's result) ahead of replying, e.g. a reorg exactly while a client waits for a receipt.
 * A fault applies to the next `count` matching calls (default: until `clear()`). Every call is counted.
 */
export type Fault =
  | { kind: "slow"; delayMs: number }
  | { kind: "error"; code?: number; message?: string; httpStatus?: number }
  | { kind: "drop-tx" }
  | { kind: "lose-reply" }
  | { kind: "hook"; before?: () => Promise<void>; after?: (result: unknown) => Promise<void> };

export type FaultOptions = {
  /** JSON-RPC methods the fault applies to (default: all; `drop-tx` always means eth_sendRawTransaction). */
  methods?: string[];
  /** How many matching calls it applies to before clearing itself (default: until `clear()`). */
  count?: number;
  /** Narrows the matching calls further, e.g. to raw transactions sent to one contract. */
  match?: (call: { method: string; params: readonly unknown[] }) => boolean;
};

export type RpcProxy = {
  url: string;
  /** Calls seen, by method. */
  calls: Map<string, number>;
  /** Sees every call as it arrives, before any fault (e.g. to count a keeper's passes by their first read). */
  onCall?: (call: { method: string; params: readonly unknown[] }) => void;
  /** Hashes of raw transactions forwarded to the chain / swallowed by `drop-tx`. */
  forwardedTxs: Hex[];
  droppedTxs: Hex[];
  /** Calls a fault was applied to. */
  faulted: number;
  inject: (fault: Fault, options?: FaultOptions) => void;
  clear: () => void;
  /** Stops listening and cuts open connections; `up()` listens again on the same port. */
  down: () => Promise<void>;
  up: () => Promise<void>;
  close: () => Promise<void>;
};

type RpcCall = { id?: unknown; method?: string; params?: unknown[] };

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function forward(target: URL, body: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: { "content-type": "application/json", "content-length": body.length },
      },
      (res) => {
        readBody(res).then((b) => resolve({ status: res.statusCode ?? 502, body: b }), reject);
      },
    );
    req.once("error", reject);
    req.end(body);
  });
}

/** An in-process chain (EIP-1193, e.g. a Hardhat network connection's `provider`). */
export type Eip1193 = { request: (args: { method: string; params?: unknown[] }) => Promise<unknown> };

/** Answers one JSON-RPC body from an EIP-1193 provider, errors included, as a node would over HTTP. */
async function viaProvider(provider: Eip1193, body: Buffer): Promise<{ status: number; body: Buffer }> {
  const parsed = JSON.parse(body.toString("utf8")) as RpcCall | RpcCall[];
  const one = async (c: RpcCall) => {
    try {
      const result = await provider.request({ method: c.method ?? "", params: c.params ?? [] });
      return { jsonrpc: "2.0", id: c.id, result: result ?? null };
    } catch (error) {
      const e = error as { code?: number; message?: string; data?: unknown };
      return {
        jsonrpc: "2.0",
        id: c.id,
        error: { code: e.code ?? -32603, message: e.message ?? String(error), data: e.data },
      };
    }
  };
  const reply = Array.isArray(parsed) ? await Promise.all(parsed.map(one)) : await one(parsed);
  return {
    status: 200,
    body: Buffer.from(JSON.stringify(reply, (_k, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v))),
  };
}

/** Starts the proxy in front of a node's URL, or of an in-process chain's EIP-1193 provider. */
export async function startRpcProxy(targetOrProvider: string | Eip1193): Promise<RpcProxy> {
  const target = typeof targetOrProvider === "string" ? new URL(targetOrProvider) : undefined;
  const upstreamCall = (body: Buffer) =>
    target ? forward(target, body) : viaProvider(targetOrProvider as Eip1193, body);
  let fault: { fault: Fault; methods?: Set<string>; match?: FaultOptions["match"]; remaining: number } | undefined;
  const sockets = new Set<Socket>();
  let port = 0;

  const proxy: RpcProxy = {
    url: "",
    calls: new Map(),
    forwardedTxs: [],
    droppedTxs: [],
    faulted: 0,
    inject(f, options = {}) {
      const methods = f.kind === "drop-tx" ? ["eth_sendRawTransaction"] : options.methods;
      fault = {
        fault: f,
        methods: methods ? new Set(methods) : undefined,
        match: options.match,
        remaining: options.count ?? Infinity,
      };
    },
    clear() {
      fault = undefined;
    },
    down: async () => {
      await new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      });
    },
    up: () => (server.listening ? Promise.resolve() : listen(port)),
    close: async () => {
      if (server.listening) await proxy.down();
    },
  };

  /** The fault for this call, if any (and uses one of its count). */
  function take(method: string, params: readonly unknown[]): Fault | undefined {
    if (!fault || (fault.methods && !fault.methods.has(method))) return undefined;
    if (fault.match && !fault.match({ method, params })) return undefined;
    const f = fault.fault;
    if (--fault.remaining <= 0) fault = undefined;
    proxy.faulted++;
    return f;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const body = await readBody(req);
    let parsed: RpcCall | RpcCall[];
    try {
      parsed = JSON.parse(body.toString("utf8")) as RpcCall | RpcCall[];
    } catch {
      res.writeHead(400).end("bad JSON");
      return;
    }
    const calls = Array.isArray(parsed) ? parsed : [parsed];
    for (const c of calls) {
      proxy.calls.set(c.method ?? "?", (proxy.calls.get(c.method ?? "?") ?? 0) + 1);
      proxy.onCall?.({ method: c.method ?? "?", params: c.params ?? [] });
    }
    // Faults apply to single calls (viem's http transport does not batch unless asked).
    const call = calls[0]!;
    const method = call.method ?? "?";
    const f = Array.isArray(parsed) ? undefined : take(method, call.params ?? []);
    const reply = (status: number, payload: Buffer | string) =>
      res.writeHead(status, { "content-type": "application/json" }).end(payload);
    if (f?.kind === "error") {
      if (f.httpStatus) return reply(f.httpStatus, JSON.stringify({ error: "injected HTTP error" }));
      return reply(
        200,
        JSON.stringify({
          jsonrpc: "2.0",
          id: call.id,
          error: { code: f.code ?? -32603, message: f.message ?? "injected fault: internal error" },
        }),
      );
    }
    if (f?.kind === "drop-tx") {
      const raw = (call.params?.[0] ?? "0x") as Hex;
      const hash = keccak256(raw);
      proxy.droppedTxs.push(hash);
      return reply(200, JSON.stringify({ jsonrpc: "2.0", id: call.id, result: hash }));
    }
    if (f?.kind === "slow") await new Promise((r) => setTimeout(r, f.delayMs));
    if (f?.kind === "hook") await f.before?.();
    if (method === "eth_sendRawTransaction") proxy.forwardedTxs.push(keccak256((call.params?.[0] ?? "0x") as Hex));
    let upstream: { status: number; body: Buffer };
    try {
      upstream = await upstreamCall(body);
    } catch (error) {
      return reply(502, JSON.stringify({ error: `upstream: ${(error as Error).message}` }));
    }
    if (f?.kind === "lose-reply") {
      req.socket.destroy();
      return;
    }
    if (f?.kind === "hook" && f.after) {
      let result: unknown;
      try {
        result = (JSON.parse(upstream.body.toString("utf8")) as { result?: unknown }).result;
      } catch {
        result = undefined;
      }
      await f.after(result);
    }
    reply(upstream.status, upstream.body);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });

  function listen(p: number): Promise<void> {
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(p, "127.0.0.1", () => {
        server.off("error", reject);
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }
  await listen(0);
  proxy.url = `http://127.0.0.1:${port}`;
  return proxy;
}

/**
 * A keeper's chain clients through `proxy`: no transport retries (the keeper's own retry policy is under
 * test), an optional request `timeout` (ms), and a 100 ms polling interval for receipts.
 */
export function proxiedClients(proxy: Pick<RpcProxy, "url">, chain: Chain, account: Account, timeout?: number) {
  const transport = http(proxy.url, { retryCount: 0, ...(timeout ? { timeout } : {}) });
  return {
    publicClient: createPublicClient({ chain, transport, pollingInterval: 100 }) as PublicClient<Transport, Chain>,
    walletClient: createWalletClient({ account, chain, transport, pollingInterval: 100 }) as WalletClient<
      Transport,
      Chain,
      Account
    >,
  };
}
