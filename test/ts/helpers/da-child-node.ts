/**
 * A DA node as a separate process on loopback (`vcloud da node`), for crash tests and load generation:
 * the in-process chain is exposed to it over a JSON-RPC bridge on 127.0.0.1, and a request factory
 * produces valid `POST /v1/store` bodies for one operator (one payload encoded once, a fresh header nonce
 * per request, so every request is a distinct certificate whose chunks the node must verify and store).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { join } from "node:path";

import { bytesToHex, type Address } from "viem";

import { assignChunks, encodePayload } from "../../../keepers/da/index.js";
import { blobHeaderFor, certificateId } from "../../../keepers/da-network/certificate.js";
import { storeRequestFor } from "../../../keepers/da-network/disperser.js";
import { readOperatorSet } from "../../../keepers/da-network/operator-set.js";
import type { StoreRequest } from "../../../keepers/da-network/protocol.js";
import { PROJECT_ROOT } from "../../../keepers/lib/paths.js";
import { freePort } from "./cli.js";
import type { deployDaStack } from "./da-stack.js";

type Stack = Awaited<ReturnType<typeof deployDaStack>>;
type Eip1193 = { request: (args: { method: string; params?: unknown }) => Promise<unknown> };

/** Serves the in-process chain's provider as JSON-RPC over HTTP on 127.0.0.1 (single and batch requests). */
export async function startRpcBridge(provider: Eip1193): Promise<{ url: string; close: () => Promise<void> }> {
  const answer = async (call: { id?: unknown; method: string; params?: unknown }) => {
    try {
      return {
        jsonrpc: "2.0",
        id: call.id ?? null,
        result: await provider.request({ method: call.method, params: call.params }),
      };
    } catch (error) {
      const e = error as { code?: number; message?: string; data?: unknown };
      return {
        jsonrpc: "2.0",
        id: call.id ?? null,
        error: { code: e.code ?? -32603, message: e.message ?? String(error), data: e.data },
      };
    }
  };
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (p: Buffer) => parts.push(p));
    req.on("end", () => {
      void (async () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(parts).toString("utf8"));
        } catch {
          res.writeHead(400).end();
          return;
        }
        const out = Array.isArray(body) ? await Promise.all(body.map(answer)) : await answer(body as never);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(out, (_k, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v)));
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export type ChildNode = {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** The last 4,000 characters the process wrote to stderr (its log). */
  stderr: () => string;
};

/** Spawns `vcloud da node` for operator i of the stack and waits until it answers /healthz. */
export async function spawnDaNodeProcess(params: {
  stack: Stack;
  operatorIndex: number;
  rpcUrl: string;
  dataDir: string;
  maxBytes?: number;
  /** The port to listen on (default: a free one); a restart on the same port keeps the registered socket. */
  port?: number;
  /** More `vcloud da node` options, e.g. `--answer-challenges`. */
  extraArgs?: string[];
  /** More environment, e.g. VCLOUD_PRIVATE_KEY. */
  env?: Record<string, string>;
}): Promise<ChildNode> {
  const { stack, operatorIndex: i } = params;
  const port = params.port ?? (await freePort());
  const child = spawn(
    process.execPath,
    [
      // One process (no bin/vcloud.mjs wrapper, no tsx CLI re-spawn): a signal reaches the node itself.
      "--import",
      "tsx",
      join(PROJECT_ROOT, "keepers", "cli", "main.ts"),
      "--log-level",
      "warn",
      "da",
      "node",
      "--rpc-url",
      params.rpcUrl,
      "--registrar",
      stack.registrar.address,
      "--certificate-registry",
      stack.registry.address,
      "--operator",
      stack.operators[i]!.account.address,
      "--bls-key",
      stack.keys[i]!.secretHex,
      "--data-dir",
      params.dataDir,
      "--max-bytes",
      String(params.maxBytes ?? 4 * 1024 ** 3),
      "--port",
      String(port),
      ...(params.extraArgs ?? []),
    ],
    { stdio: ["ignore", "ignore", "pipe"], cwd: PROJECT_ROOT, env: { ...process.env, ...params.env } },
  );
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`DA node process exited (${child.exitCode ?? child.signalCode}): ${stderr}`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) break;
    } catch {
      /* not listening yet */
    }
    if (attempt > 600) throw new Error(`DA node process did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, child, exited, stderr: () => stderr };
}

/**
 * Valid store requests for operator i: one payload encoded once, then a fresh nonce per request (a new
 * certificate id, the same chunks), referenced at the current block.
 */
export async function storeRequestFactory(params: {
  stack: Stack;
  operatorIndex: number;
  payload: Uint8Array;
}): Promise<{ next: () => { id: `0x${string}`; body: StoreRequest }; chunkBytes: number }> {
  const { stack } = params;
  const operator: Address = stack.operators[params.operatorIndex]!.account.address;
  const referenceBlock = Number(await stack.publicClient.getBlockNumber()) - 1;
  const snapshot = await readOperatorSet({
    publicClient: stack.publicClient,
    registrar: stack.registrar.address,
    referenceBlock,
  });
  const encoded = await encodePayload(params.payload, { ratio: 8 });
  const { ranges } = assignChunks({
    numChunks: encoded.manifest.chunksPerBlob,
    ratio: 8,
    maxOperators: 16,
    operators: snapshot.members.filter((m) => m.stake > 0n).map((m) => ({ operator: m.operator, stake: m.stake })),
  });
  const range = ranges.find((r) => r.operator.toLowerCase() === operator.toLowerCase())!;
  const expiry = BigInt(Math.floor(Date.now() / 1000) + 7 * 24 * 3600);
  const template = storeRequestFor({
    encoded,
    header: blobHeaderFor(encoded.manifest, { expiry, payer: operator, nonce: `0x${"00".repeat(32)}` }),
    referenceBlock,
    range,
  });
  const chunkBytes = template.chunks.reduce((n, c) => n + Buffer.from(c.data, "base64").length, 0);
  return {
    chunkBytes,
    next: () => {
      const header = blobHeaderFor(encoded.manifest, { expiry, payer: operator, nonce: bytesToHex(randomBytes(32)) });
      return {
        id: certificateId(header),
        body: { ...template, header: { ...template.header, nonce: header.nonce } },
      };
    },
  };
}
