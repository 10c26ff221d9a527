/**
 * A DA node: an HTTP service on loopback (or any address) that accepts only the chunks assigned to its
 * operator, verifies every proof, stores them durably in LMDB before answering, signs the certificate
 * message with its BLS key, and serves its chunks back until the certificate expires.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

import { Counter, Gauge, Registry } from "prom-client";
import {
  BaseError,
  ContractFunctionRevertedError,
  ContractFunctionZeroDataError,
  type Account,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

import type { BlsKey } from "../bls/bls.js";
import { signatureToHex } from "../bls/bls.js";
import {
  assignChunks,
  parseChunk,
  proveAssignmentSafe,
  serializeChunk,
  validateManifest,
  verifyChunks,
  type Chunk,
} from "../da/index.js";
import { describeError, InvalidInputError } from "../lib/errors.js";
import { HttpStatusError, readJsonBody, sendJson } from "../lib/http-json.js";
import type { Logger } from "../lib/logger.js";
import { certificateId, certificateMessage, headerMismatch } from "./certificate.js";
import { ChallengeResponder } from "./challenge-responder.js";
import { readOperatorSet, readThresholds, type DaThresholds, type OperatorSetSnapshot } from "./operator-set.js";
import { storeRequestSchema } from "./protocol.js";
import { ChunkStore, StoreFullError } from "./store.js";

export type DaNodeConfig = {
  host: string;
  port: number;
  dataDir: string;
  maxBytes: number;
  /** Largest request body accepted (bytes). */
  maxRequestBytes?: number;
  blsKey: BlsKey;
  operator: Address;
  publicClient: PublicClient<Transport, Chain>;
  /** The DA set's BLSAVSRegistrar. */
  registrar: Address;
  /** The BlobCertificateRegistry whose certificate message the node signs. */
  certificateRegistry: Address;
  maxOperators: number;
  /** Default: the registry's on-chain thresholds, read for each store request. */
  thresholds?: DaThresholds;
  logger: Logger;
  /** How often expired certificates are swept (ms). */
  sweepIntervalMs?: number;
  /** Seconds since the epoch, for expiry checks (tests pin it). */
  now?: () => number;
  /** Answer availability challenges against this operator, sending `respondToChallenge` from this wallet. */
  challengeResponder?: {
    walletClient: WalletClient<Transport, Chain, Account>;
    /** The responder's chain client (default: the node's `publicClient`). */
    publicClient?: PublicClient<Transport, Chain>;
    /** Bounds the wait for each response's receipt (ms; default 120 s). */
    receiptTimeoutMs?: number;
    /** How often to look for new challenges (ms). */
    intervalMs: number;
    /** First block to look for challenges in (default 0). */
    fromBlock?: number;
    /** Overrides sockets read from the registrar when rebuilding the challenged blob (tests). */
    socketOverrides?: Record<string, string>;
  };
};

export type DaNode = { url: string; server: Server; store: ChunkStore; close: () => Promise<void> };

export async function startDaNode(config: DaNodeConfig): Promise<DaNode> {
  const responder = config.challengeResponder
    ? new ChallengeResponder(
        config.challengeResponder.publicClient ?? config.publicClient,
        config.challengeResponder.walletClient,
        {
          certificateRegistry: config.certificateRegistry,
          registrar: config.registrar,
          operator: config.operator,
          socketOverrides: config.challengeResponder.socketOverrides,
          receiptTimeoutMs: config.challengeResponder.receiptTimeoutMs,
          logger: config.logger,
        },
        config.challengeResponder.fromBlock ?? 0,
      )
    : undefined;
  const store = ChunkStore.open(config.dataDir, { maxBytes: config.maxBytes });
  const now = config.now ?? (() => Math.floor(Date.now() / 1000));
  const chainId = await config.publicClient.getChainId();
  const metrics = new Registry();
  const requests = new Counter({
    name: "vcloud_da_node_requests_total",
    help: "requests by route and status",
    labelNames: ["route", "status"],
    registers: [metrics],
  });
  const storedBytes = new Gauge({
    name: "vcloud_da_node_stored_bytes",
    help: "bytes of chunks stored",
    registers: [metrics],
  });
  const snapshots = new Map<number, Promise<OperatorSetSnapshot>>();
  const snapshotAt = (referenceBlock: number) => {
    let snapshot = snapshots.get(referenceBlock);
    if (!snapshot) {
      snapshot = readOperatorSet({ publicClient: config.publicClient, registrar: config.registrar, referenceBlock });
      snapshot.catch(() => snapshots.delete(referenceBlock));
      snapshots.set(referenceBlock, snapshot);
      if (snapshots.size > 64) snapshots.delete(snapshots.keys().next().value!);
    }
    return snapshot;
  };

  async function handleStore(body: unknown) {
    const parsed = storeRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new HttpStatusError(400, `invalid ${issue.path.join(".") || "body"}: ${issue.message}`);
    }
    const { header, referenceBlock, chunks: wire } = parsed.data;
    const { manifest, params } = validateManifest(parsed.data.manifest);
    const mismatch = headerMismatch(header, manifest);
    if (mismatch) throw new HttpStatusError(400, `header ${mismatch}`);
    if (header.expiry <= BigInt(now())) throw new HttpStatusError(400, `header expiry ${header.expiry} is in the past`);
    const id = certificateId(header);

    // A reference block the chain has not produced yet cannot be read (the RPC refuses it): a client error.
    const head = await config.publicClient.getBlockNumber({ cacheTime: 0 });
    if (BigInt(referenceBlock) > head) {
      throw new HttpStatusError(400, `referenceBlock ${referenceBlock} is ahead of the chain head ${head}`);
    }
    const snapshot = await snapshotAt(referenceBlock).catch((error: unknown) => {
      // No registrar / stake table code at that block (before deployment), or it reverts there: the client
      // named a block at which no DA operator set exists. Anything else (RPC down) stays a server error.
      const noSet =
        error instanceof BaseError &&
        error.walk((e) => e instanceof ContractFunctionZeroDataError || e instanceof ContractFunctionRevertedError);
      if (noSet)
        throw new HttpStatusError(400, `referenceBlock ${referenceBlock}: no DA operator set can be read there`);
      throw error;
    });
    const assignment = assignChunks({
      numChunks: manifest.chunksPerBlob,
      ratio: manifest.ratio,
      maxOperators: config.maxOperators,
      operators: snapshot.members.filter((m) => m.stake > 0n).map((m) => ({ operator: m.operator, stake: m.stake })),
    });
    const thresholds =
      config.thresholds ??
      (await readThresholds({ publicClient: config.publicClient, certificateRegistry: config.certificateRegistry }));
    proveAssignmentSafe({ ...assignment, ...thresholds, assignment });
    const mine = assignment.ranges.find((r) => r.operator.toLowerCase() === config.operator.toLowerCase());
    if (!mine || mine.count === 0)
      throw new HttpStatusError(
        409,
        `operator ${config.operator} holds no stake in the set at block ${referenceBlock}`,
      );

    const expected = new Set<string>();
    for (let blob = 0; blob < manifest.blobCount; blob++) {
      for (let i = mine.start; i < mine.start + mine.count; i++) expected.add(`${blob}/${i}`);
    }
    const chunks: Chunk[] = [];
    const cellsPerChunk = params.chunkSize / 64;
    for (const w of wire) {
      const key = `${w.blobIndex}/${w.index}`;
      if (!expected.delete(key))
        throw new HttpStatusError(400, `chunk ${key} is not assigned to operator ${config.operator} (or sent twice)`);
      const { chunk } = parseChunk(
        Buffer.from(w.data, "base64"),
        { ratio: manifest.ratio, cellsPerChunk },
        `chunk ${key}`,
      );
      if (chunk.blobIndex !== w.blobIndex || chunk.index !== w.index)
        throw new HttpStatusError(400, `chunk ${key} carries indices ${chunk.blobIndex}/${chunk.index}`);
      chunks.push(chunk);
    }
    if (expected.size > 0)
      throw new HttpStatusError(
        400,
        `${expected.size} assigned chunks missing, e.g. ${expected.values().next().value}`,
      );
    const verdict = await verifyChunks(manifest, chunks);
    if (verdict.rejected.length > 0) {
      const first = verdict.rejected[0]!;
      throw new HttpStatusError(400, `chunk ${first.chunk.blobIndex}/${first.chunk.index} rejected: ${first.reason}`);
    }

    // Durable before the signature leaves the node.
    await store.put(
      {
        id,
        referenceBlock,
        expiry: Number(header.expiry),
        manifest,
        header: {
          ...header,
          payloadLength: header.payloadLength.toString(),
          expiry: header.expiry.toString(),
        } as never,
      },
      chunks.map((c) => ({ blobIndex: c.blobIndex, index: c.index, bytes: serializeChunk(c, manifest.ratio) })),
    );
    storedBytes.set(store.used);
    const message = certificateMessage({ chainId, registry: config.certificateRegistry, id, referenceBlock });
    return { operator: config.operator, certificateId: id, signature: signatureToHex(config.blsKey.sign(message)) };
  }

  function handleRetrieve(id: string) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(id))
      throw new HttpStatusError(400, "certificate id must be 0x followed by 64 hex digits");
    const record = store.getCertificate(id);
    if (!record || record.expiry <= now()) throw new HttpStatusError(404, `certificate ${id} is not stored here`);
    const chunks = store
      .getChunks(id)
      .map((c) => ({ blobIndex: c.blobIndex, index: c.index, data: Buffer.from(c.bytes).toString("base64") }));
    return { certificateId: id, manifest: record.manifest, chunks };
  }

  const maxRequestBytes = config.maxRequestBytes ?? 256 * 1024 * 1024;
  const server = createServer((req, res) => {
    void route(req, res);
  });
  // Outlive clients' idle keep-alive sockets so they are not reset under them.
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;

  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://node");
    let routeName = "unknown";
    try {
      if (req.method === "POST" && url.pathname === "/v1/store") {
        routeName = "store";
        sendJson(res, 200, await handleStore(await readJsonBody(req, maxRequestBytes)));
      } else if (req.method === "GET" && url.pathname.startsWith("/v1/certificates/")) {
        routeName = "retrieve";
        sendJson(res, 200, handleRetrieve(url.pathname.slice("/v1/certificates/".length)));
      } else if (req.method === "GET" && url.pathname === "/healthz") {
        routeName = "health";
        sendJson(res, 200, { ok: true, operator: config.operator, usedBytes: store.used, maxBytes: store.maxBytes });
      } else if (req.method === "GET" && url.pathname === "/metrics") {
        routeName = "metrics";
        res.writeHead(200, { "content-type": metrics.contentType });
        res.end(await metrics.metrics());
      } else {
        throw new HttpStatusError(404, `no route ${req.method} ${url.pathname}`);
      }
      requests.inc({ route: routeName, status: 200 });
    } catch (error) {
      const status =
        error instanceof HttpStatusError
          ? error.status
          : error instanceof StoreFullError
            ? 507
            : error instanceof InvalidInputError
              ? 400
              : 500;
      if (status === 500) config.logger.error({ err: error }, "DA node request failed");
      requests.inc({ route: routeName, status });
      sendJson(res, status, { error: describeError(error) });
    }
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolvePromise());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const sweep = setInterval(() => {
    store
      .sweepExpired(now())
      .then((n) => {
        if (n > 0) config.logger.info({ removed: n }, "swept expired certificates");
        storedBytes.set(store.used);
      })
      .catch((err: unknown) => config.logger.error({ err }, "sweep failed"));
  }, config.sweepIntervalMs ?? 60_000);
  sweep.unref();
  let responderTimer: NodeJS.Timeout | undefined;
  let responderRun: Promise<void> | undefined;
  let closing = false;
  if (responder) {
    const tick = () => {
      responderRun = responder
        .pass()
        .then(() => undefined)
        .catch((err: unknown) => config.logger.error({ err }, "challenge responder pass failed"))
        .finally(() => {
          if (!closing) responderTimer = setTimeout(tick, config.challengeResponder!.intervalMs);
        });
    };
    tick();
  }
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  config.logger.info({ url, operator: config.operator }, "DA node listening");
  return {
    url,
    server,
    store,
    close: async () => {
      closing = true;
      clearInterval(sweep);
      clearTimeout(responderTimer);
      await responderRun;
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await store.close();
    },
  };
}
