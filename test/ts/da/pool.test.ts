import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { decodeChunks, encodePayload } from "../../../keepers/da/api.js";
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

  it("reports task errors as typed failures and rejects bad sizes", async () => {
    await expect(
      pool.run({ kind: "encode", coding: { ratio: 2, chunkSize: 64 }, blob: new Uint8Array(10) }),
    ).rejects.toThrow(/exactly 131072 bytes/);
    await expect(WorkerPool.create({ workers: 0 })).rejects.toThrow(InvalidCodingParamsError);
  });
});
