import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { ChunkStore, StoreFullError } from "./store.js";

const dirs: string[] = [];
const stores: ChunkStore[] = [];

function freshStore(maxBytes = 1_000_000, path?: string): { store: ChunkStore; path: string } {
  const dir = path ?? mkdtempSync(join(tmpdir(), "vcloud-store-"));
  if (!path) dirs.push(dir);
  const store = ChunkStore.open(dir, { maxBytes });
  stores.push(store);
  return { store, path: dir };
}

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const record = (id: string, expiry: number) => ({
  id,
  referenceBlock: 7,
  expiry,
  manifest: { id },
  header: { id },
});
const chunksOf = (sizes: number[]) =>
  sizes.map((n, i) => ({ blobIndex: Math.floor(i / 2), index: i % 2, bytes: new Uint8Array(n).fill(i + 1) }));

describe("ChunkStore (LMDB)", () => {
  it("stores chunks with their metadata, reads them back in key order and counts their bytes", async () => {
    const { store } = freshStore();
    await store.put(record("a", 100), chunksOf([10, 20, 30]));
    expect(store.has("a")).toBe(true);
    expect(store.used).toBe(60);
    expect(store.getCertificate("a")).toMatchObject({ id: "a", expiry: 100, bytes: 60 });
    expect(store.getChunks("a").map((c) => [c.blobIndex, c.index, c.bytes.length])).toEqual([
      [0, 0, 10],
      [0, 1, 20],
      [1, 0, 30],
    ]);
    // Storing the same id again is a no-op: no double count.
    await store.put(record("a", 100), chunksOf([10, 20, 30]));
    expect(store.used).toBe(60);
  });

  it("counts concurrent puts of one id once", async () => {
    const { store } = freshStore();
    await Promise.all([
      store.put(record("a", 100), chunksOf([40, 40])),
      store.put(record("a", 100), chunksOf([40, 40])),
      store.put(record("a", 100), chunksOf([40, 40])),
    ]);
    expect(store.used).toBe(80);
    expect(store.getChunks("a")).toHaveLength(2);
  });

  it("refuses a put past the byte limit with StoreFullError and keeps what is stored", async () => {
    const { store } = freshStore(100);
    await store.put(record("a", 100), chunksOf([60]));
    const refused = await store.put(record("b", 100), chunksOf([50])).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreFullError);
    expect(refused).toMatchObject({ usedBytes: 60, incomingBytes: 50, maxBytes: 100 });
    expect(store.has("b")).toBe(false);
    expect(store.used).toBe(60);
    expect(store.getChunks("a")).toHaveLength(1);
  });

  it("sweeps certificates whose TTL has passed, chunks included, and frees their bytes", async () => {
    const { store } = freshStore(100);
    await store.put(record("old", 50), chunksOf([30, 30]));
    await store.put(record("edge", 60), chunksOf([10]));
    await store.put(record("new", 61), chunksOf([20]));
    expect(await store.sweepExpired(49)).toBe(0);
    expect(await store.sweepExpired(60)).toBe(2); // expiry at or before now
    expect(store.has("old")).toBe(false);
    expect(store.has("edge")).toBe(false);
    expect(store.getChunks("old")).toEqual([]);
    expect(store.has("new")).toBe(true);
    expect(store.used).toBe(20);
    // The freed space takes a put that would not have fitted before.
    await store.put(record("big", 200), chunksOf([80]));
    expect(store.used).toBe(100);
  });

  it("frees each expired certificate's bytes once when sweeps overlap", async () => {
    const { store } = freshStore();
    await store.put(record("a", 10), chunksOf([25, 25]));
    await store.put(record("b", 10), chunksOf([50]));
    await store.put(record("c", 99), chunksOf([5]));
    const counts = await Promise.all([store.sweepExpired(20), store.sweepExpired(20), store.sweepExpired(20)]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2);
    expect(store.used).toBe(5);
  });

  it("recounts used bytes from disk after a reopen", async () => {
    const { store, path } = freshStore();
    await store.put(record("a", 100), chunksOf([11, 22]));
    await store.close();
    stores.splice(stores.indexOf(store), 1);
    const { store: reopened } = freshStore(1_000_000, path);
    expect(reopened.used).toBe(33);
    expect(reopened.getChunks("a").map((c) => c.bytes[0])).toEqual([1, 2]);
  });
});
