/**
 * A DA fleet on loopback for tests and benchmarks: the in-process chain of deployDaStack, one real DA node
 * per operator (LMDB in a temporary directory, HTTP on 127.0.0.1:0), sockets registered on-chain, and
 * helpers to stop, restart (same data directory) and put a byzantine proxy in front of a node.
 */
import { mkdtempSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Address, Hex } from "viem";

import type { DisperseParams } from "../../../keepers/da-network/disperser.js";
import { startDaNode, type DaNode, type DaNodeConfig } from "../../../keepers/da-network/node.js";
import { advanceBlocks, send } from "../../../keepers/da-network/setup.js";
import { bLSAVSRegistrarAbi } from "../../../keepers/lib/abis.js";
import { createLogger, type Logger } from "../../../keepers/lib/logger.js";
import { deployDaStack } from "./da-stack.js";

export const FLEET_MAX_OPERATORS = 16;

/** Deterministic bytes (LCG) so that payloads replay exactly. */
export function payloadOf(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x >> 16;
  }
  return out;
}

type NodeOverrides = { maxBytes?: number; challengeResponder?: DaNodeConfig["challengeResponder"] };

export type DaFleet = Awaited<ReturnType<typeof startDaFleet>>;

export async function startDaFleet(options: {
  stakes: bigint[];
  maxBytes?: number;
  logger?: Logger;
  maxOperators?: number;
  /** Deploy on a chain served over JSON-RPC (e.g. a `hardhat node`) instead of an in-process one. */
  rpcUrl?: string;
}) {
  const logger = options.logger ?? createLogger({ level: "silent" });
  const maxOperators = options.maxOperators ?? FLEET_MAX_OPERATORS;
  const stack = await deployDaStack({
    stakes: options.stakes,
    ...(options.rpcUrl ? { rpcUrl: options.rpcUrl } : {}),
  });
  const nodes: (DaNode | undefined)[] = [];
  const dataDirs: string[] = [];

  const operatorAddress = (i: number): Address => stack.operators[i]!.account.address;

  /** Starts node i (on its existing data directory if it had one) and registers its socket on-chain. */
  async function startNode(i: number, overrides: NodeOverrides = {}): Promise<DaNode> {
    dataDirs[i] ??= mkdtempSync(join(tmpdir(), `vcloud-da-node-${i}-`));
    const node = await startDaNode({
      host: "127.0.0.1",
      port: 0,
      dataDir: dataDirs[i],
      maxBytes: overrides.maxBytes ?? options.maxBytes ?? 64 * 1024 * 1024,
      blsKey: stack.keys[i]!,
      operator: operatorAddress(i),
      publicClient: stack.publicClient,
      registrar: stack.registrar.address,
      certificateRegistry: stack.registry.address,
      maxOperators,
      // No thresholds: the node reads the registry's for each request, as `vcloud da node` does by default.
      logger,
      challengeResponder: overrides.challengeResponder,
    });
    nodes[i] = node;
    await send(stack.clients, stack.operators[i]!, {
      address: stack.registrar.address,
      abi: bLSAVSRegistrarAbi,
      functionName: "updateSocket",
      args: [node.url],
    });
    return node;
  }

  async function stopNode(i: number): Promise<void> {
    await nodes[i]?.close();
    nodes[i] = undefined;
  }

  for (let i = 0; i < options.stakes.length; i++) await startNode(i);
  await advanceBlocks(stack.publicClient, 1);

  return {
    stack,
    nodes,
    dataDirs,
    logger,
    operatorAddress,
    startNode,
    stopNode,
    /** Stops node i and starts it again on the same data directory. */
    async restartNode(i: number, overrides: NodeOverrides = {}): Promise<DaNode> {
      await stopNode(i);
      return startNode(i, overrides);
    },
    disperseParams(payload: Uint8Array, extra: Partial<DisperseParams> = {}): DisperseParams {
      return {
        publicClient: stack.publicClient,
        walletClient: stack.governance,
        certificateRegistry: stack.registry.address as Address,
        registrar: stack.registrar.address as Address,
        payload,
        ttlSeconds: 7 * 24 * 3600,
        maxOperators,
        timeoutMs: 20_000,
        retries: 0,
        logger,
        ...extra,
      };
    },
    retrieveParams(certificateId: Hex, extra: { socketOverrides?: Record<string, string>; timeoutMs?: number } = {}) {
      return {
        publicClient: stack.publicClient,
        certificateRegistry: stack.registry.address as Address,
        registrar: stack.registrar.address as Address,
        certificateId,
        retries: 0,
        timeoutMs: 10_000,
        logger,
        ...extra,
      };
    },
    async close(): Promise<void> {
      for (let i = 0; i < nodes.length; i++) await stopNode(i);
    },
  };
}

/** What a byzantine proxy does to the traffic of the node behind it. */
export type Misbehaviour = {
  /** Holds `POST /v1/store` this long before forwarding it (a slow node). */
  storeDelayMs?: number;
  /** Rewrites the JSON answer of `GET /v1/certificates/:id` (corrupt or foreign chunks). */
  rewriteRetrieve?: (answer: RetrieveAnswer) => RetrieveAnswer | Promise<RetrieveAnswer>;
};

export type RetrieveAnswer = {
  certificateId: string;
  manifest: unknown;
  chunks: { blobIndex: number; index: number; data: string }[];
};

/**
 * An HTTP proxy on 127.0.0.1:0 in front of a real DA node that misbehaves as told. Point a disperser or
 * retriever at it with `socketOverrides`; the node behind it stays honest and unchanged.
 */
export async function startByzantineProxy(
  target: string,
  misbehaviour: Misbehaviour,
): Promise<{ url: string; close: () => Promise<void> }> {
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => void forward(req, res));
  async function forward(req: IncomingMessage, res: ServerResponse) {
    try {
      const parts: Buffer[] = [];
      for await (const part of req) parts.push(part as Buffer);
      if (req.method === "POST" && misbehaviour.storeDelayMs) {
        await new Promise<void>((r) => {
          const t = setTimeout(() => {
            timers.delete(t);
            r();
          }, misbehaviour.storeDelayMs);
          timers.add(t);
        });
      }
      if (res.destroyed) return;
      const upstream = await fetch(`${target}${req.url ?? "/"}`, {
        method: req.method,
        headers: { "content-type": "application/json" },
        body: req.method === "POST" ? Buffer.concat(parts) : undefined,
      });
      let text = await upstream.text();
      if (
        upstream.ok &&
        req.method === "GET" &&
        req.url?.startsWith("/v1/certificates/") &&
        misbehaviour.rewriteRetrieve
      )
        text = JSON.stringify(await misbehaviour.rewriteRetrieve(JSON.parse(text) as RetrieveAnswer));
      res.writeHead(upstream.status, { "content-type": "application/json" });
      res.end(text);
    } catch (error) {
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `proxy: ${(error as Error).message}` }));
    }
  }
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
