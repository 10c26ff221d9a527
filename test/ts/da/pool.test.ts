import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { decodeChunks, encodePayload, verifyChunks } from "../../../keepers/da/api.js";
import { InvalidCodingParamsError } from "../../../keepers/da/errors.js";
import { WorkerPool } from "../../../keepers/da/pool.js";
import { rng, testKzg } from "./helpers.js";

describe("worker pool", () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    testKzg();
    pool = await WorkerPool.create({ workers: 1, precompute: 0 });
  }, 180_000);
  afterAll(() => pool.close());

  it("encodes byte-identically to the calling thread and decodes through the worker", async () => {
    const payload = rng(21).bytes(100_000);
    const viaPool = await encodePayload(payload, { ratio: 4, runner: pool });
    const inline = await encodePayload(payload, { ratio: 4 });
    expect(viaPool.manifest).toEqual(inline.manifest);
    expect(Buffer.from(viaPool.chunks[0]![200]!.proofs).equals(Buffer.from(inline.chunks[0]![200]!.proofs))).toBe(true);
    const subset = viaPool.chunks.flatMap((c) => c.slice(192, 256));
    const { payload: out } = await decodeChunks(viaPool.manifest, subset, { runner: pool });
    expect(Buffer.from(out).equals(Buffer.from(payload))).toBe(true);
  });

  it("two workers with the ratio-8 setups preloaded encode byte-identically to the calling thread", async () => {
    const two = await WorkerPool.create({ workers: 2, precompute: 0, preloadRatio: 8 });
    try {
      const payload = rng(22).bytes(200_000);
      const viaPool = await encodePayload(payload, { ratio: 8, runner: two });
      const inline = await encodePayload(payload, { ratio: 8 });
      expect(viaPool.manifest).toEqual(inline.manifest);
      for (const [blob, chunk] of [
        [0, 300],
        [1, 500],
      ] as const) {
        const a = viaPool.chunks[blob]![chunk]!;
        const b = inline.chunks[blob]![chunk]!;
        expect(Buffer.from(a.proofs).equals(Buffer.from(b.proofs))).toBe(true);
        expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
      }
      const subset = viaPool.chunks.flatMap((c) => c.slice(256, 320));
      const { payload: out } = await decodeChunks(viaPool.manifest, subset, { runner: two });
      expect(Buffer.from(out).equals(Buffer.from(payload))).toBe(true);
    } finally {
      await two.close();
    }
  }, 180_000);

  it("a worker that verifies first (shifted setups without FK20 tables) and then encodes gets both right", async () => {
    const worker = await WorkerPool.create({ workers: 1, precompute: 2 });
    try {
      const payload = rng(23).bytes(30_000);
      const inline = await encodePayload(payload, { ratio: 8 });
      const chunks = inline.chunks[0]!;
      const forged = { ...chunks[400]!, proofs: chunks[401]!.proofs };
      const verdict = await verifyChunks(inline.manifest, [...chunks.slice(128, 512), forged], { runner: worker });
      expect(verdict.valid).toHaveLength(384);
      expect(verdict.rejected.map((r) => r.chunk)).toEqual([forged]);
      const viaPool = await encodePayload(payload, { ratio: 8, runner: worker });
      expect(viaPool.manifest).toEqual(inline.manifest);
      expect(Buffer.from(viaPool.chunks[0]![450]!.proofs).equals(Buffer.from(chunks[450]!.proofs))).toBe(true);
    } finally {
      await worker.close();
    }
  }, 180_000);

  it("reports task errors as typed failures and rejects bad sizes", async () => {
    await expect(
      pool.run({ kind: "encode", coding: { ratio: 2, chunkSize: 64 }, blob: new Uint8Array(10) }),
    ).rejects.toThrow(/exactly 131072 bytes/);
    await expect(WorkerPool.create({ workers: 0 })).rejects.toThrow(InvalidCodingParamsError);
    await expect(WorkerPool.create({ workers: 1, preloadRatio: 6 })).rejects.toThrow(/ratio: must be one of 2, 4, 8/);
  });
});
