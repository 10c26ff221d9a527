/**
 * Fuzzes a running DA node's HTTP API on loopback (keepers/da-network/node.ts) against a real in-process
 * chain with the DA stack deployed. Garbage bodies (random bytes, random JSON, structurally mutated store
 * requests, oversized bodies) and garbage paths must each get a 4xx JSON `{ error }` answer: never a 500,
 * never a dropped connection, and nothing stored.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { bytesToHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { codingParams } from "../../../keepers/da/coding.js";
import { MANIFEST_FORMAT } from "../../../keepers/da/manifest.js";
import { commitmentsTree } from "../../../keepers/da-network/certificate.js";
import { startDaNode, type DaNode } from "../../../keepers/da-network/node.js";
import { createLogger } from "../../../keepers/lib/logger.js";
import { deployDaStack, ether } from "../helpers/da-stack.js";
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, mutateBytes, mutateJson, randomJson, Rng } from "./fuzz.js";

const MAX_REQUEST_BYTES = 64 * 1024;

/** A store request whose every field has the right shape and agrees with the manifest (random KZG values). */
function baseRequest(rng: Rng, referenceBlock: number) {
  const params = codingParams({ ratio: 2, chunkSize: 64 });
  const manifest = {
    format: MANIFEST_FORMAT,
    ratio: 2,
    chunkSize: 64,
    chunksPerBlob: params.chunksPerBlob,
    chunksToRecover: params.chunksToRecover,
    payloadLength: 1000,
    payloadSha256: bytesToHex(rng.bytes(32)),
    blobCount: 1,
    chunkCount: params.chunksPerBlob,
    blobs: [{ commitment: bytesToHex(rng.bytes(48)) }],
  };
  return {
    header: {
      commitmentsRoot: commitmentsTree(manifest as never).root,
      payloadLength: "1000",
      blobCount: 1,
      codingRatio: 2,
      expiry: String(Math.floor(Date.now() / 1000) + 86_400),
      payer: bytesToHex(rng.bytes(20)),
      nonce: bytesToHex(rng.bytes(32)),
    },
    referenceBlock,
    manifest,
    chunks: [0, 1].map((index) => ({
      blobIndex: 0,
      index,
      data: Buffer.from(rng.bytes(2164)).toString("base64"),
    })),
  };
}

describe("DA node HTTP API under fuzzing", () => {
  let stack: Awaited<ReturnType<typeof deployDaStack>>;
  let node: DaNode;
  let dataDir: string;
  let referenceBlock: number;

  beforeAll(async () => {
    stack = await deployDaStack({ stakes: [ether("100")] });
    dataDir = mkdtempSync(join(tmpdir(), "vcloud-da-fuzz-"));
    node = await startDaNode({
      host: "127.0.0.1",
      port: 0,
      dataDir,
      maxBytes: 16 * 1024 * 1024,
      maxRequestBytes: MAX_REQUEST_BYTES,
      blsKey: stack.keys[0]!,
      operator: stack.operators[0]!.account.address,
      publicClient: stack.publicClient,
      registrar: stack.registrar.address,
      certificateRegistry: stack.registry.address,
      maxOperators: 16,
      thresholds: { confirmationThreshold: 55, adversaryThreshold: 33 },
      logger: createLogger({ level: "silent" }),
    });
    referenceBlock = Number(await stack.publicClient.getBlockNumber()) - 1;
  });

  afterAll(async () => {
    await node?.close();
  });

  async function expectClientError(init: { method: string; path: string; body?: Uint8Array | string }, i: number) {
    const res = await fetch(`${node.url}${init.path}`, {
      method: init.method,
      body: init.body as NonNullable<RequestInit["body"]> | undefined,
      headers: { "content-type": "application/json" },
    });
    const text = await res.text();
    expect(
      res.status,
      `input #${i}: ${init.method} ${init.path} answered ${res.status}: ${text.slice(0, 200)}`,
    ).toBeGreaterThanOrEqual(400);
    expect(res.status, `input #${i}: ${text.slice(0, 200)}`).toBeLessThan(500);
    const body = JSON.parse(text) as { error?: unknown };
    expect(typeof body.error, `input #${i}: ${text.slice(0, 200)}`).toBe("string");
    return res.status;
  }

  it("rejects the structurally valid base request at chunk assignment or verification (a 4xx, not stored)", async () => {
    const status = await expectClientError(
      { method: "POST", path: "/v1/store", body: JSON.stringify(baseRequest(new Rng(1), referenceBlock)) },
      -1,
    );
    expect(status).toBe(400);
  });

  it("regression: a referenceBlock ahead of the chain head or before the DA set existed is a 400, not a 500", async () => {
    const request = baseRequest(new Rng(2), referenceBlock);
    for (const ahead of [referenceBlock + 1_000, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
      request.referenceBlock = ahead;
      const res = await fetch(`${node.url}/v1/store`, { method: "POST", body: JSON.stringify(request) });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toContain(`referenceBlock ${ahead} is ahead`);
    }
    // Block 0: before the DA registrar existed, so no operator set can be read there.
    request.referenceBlock = 0;
    const res = await fetch(`${node.url}/v1/store`, { method: "POST", body: JSON.stringify(request) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain("referenceBlock 0: no DA operator set");
  });

  it(
    `answers ${FUZZ_RUNS} garbage requests with a 4xx JSON error and stores nothing`,
    { timeout: FUZZ_TIMEOUT_MS },
    async () => {
      const rng = new Rng(0xda7a);
      const statuses = new Map<number, number>();
      for (let i = 0; i < FUZZ_RUNS; i++) {
        let init: { method: string; path: string; body?: Uint8Array | string };
        switch (rng.int(6)) {
          case 0:
            init = { method: "POST", path: "/v1/store", body: rng.bytes(rng.int(512)) };
            break;
          case 1:
            init = { method: "POST", path: "/v1/store", body: JSON.stringify(randomJson(rng, 4)) };
            break;
          case 2:
          case 3:
            init = {
              method: "POST",
              path: "/v1/store",
              body: JSON.stringify(mutateJson(baseRequest(rng, referenceBlock), rng)),
            };
            break;
          case 4: {
            const raw = Buffer.from(JSON.stringify(baseRequest(rng, referenceBlock)));
            init = { method: "POST", path: "/v1/store", body: mutateBytes(raw, rng) };
            if (rng.int(10) === 0) init.body = new Uint8Array(MAX_REQUEST_BYTES + 1 + rng.int(1024));
            break;
          }
          default: {
            const id = rng.int(2) === 0 ? bytesToHex(rng.bytes(32)) : encodeURIComponent(String(randomJson(rng, 0)));
            init = rng.pick([
              { method: "GET", path: `/v1/certificates/${id}` },
              { method: "GET", path: `/v1/${id}` },
              { method: "PUT", path: "/v1/store", body: "{}" },
              { method: "DELETE", path: `/v1/certificates/${id}` },
            ]);
          }
        }
        const status = await expectClientError(init, i);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
      // Nothing from a rejected request reached the store: no bytes accounted, no chunk or certificate files.
      expect(node.store.used).toBe(0);
      const health = (await (await fetch(`${node.url}/healthz`)).json()) as { ok: boolean; usedBytes: number };
      expect(health).toMatchObject({ ok: true, usedBytes: 0 });
      const files = readdirSync(dataDir, { recursive: true }).map(String);
      expect(files.filter((f) => /chunk|cert/i.test(f) && !/\.(db|mdb|lock)/.test(f))).toEqual([]);
      // The fuzzer reached several distinct rejections (not one early exit for everything).
      expect(statuses.size).toBeGreaterThanOrEqual(2);
    },
  );
});
