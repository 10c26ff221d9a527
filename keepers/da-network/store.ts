/**
 * A DA node's durable chunk store (LMDB). Each certificate's manifest, header and expiry live under
 * `m/<id>`, its chunks under `c/<id>/<blob>/<chunk>`. Writes resolve only after LMDB committed them to
 * disk, so a node acknowledges nothing it could lose in a crash. Expired certificates are swept; total
 * stored bytes are bounded.
 */
import { open, type Database, type RootDatabase } from "lmdb";

import { VcloudError } from "../lib/errors.js";

export type StoredCertificate = {
  id: string;
  referenceBlock: number;
  /** Unix seconds after which the data may be deleted. */
  expiry: number;
  manifest: unknown;
  header: Record<string, string | number>;
  bytes: number;
};

export class StoreFullError extends VcloudError {
  override name = "StoreFullError";
  constructor(
    readonly usedBytes: number,
    readonly incomingBytes: number,
    readonly maxBytes: number,
  ) {
    super(`store full: ${usedBytes} bytes used + ${incomingBytes} incoming > limit ${maxBytes}`);
  }
}

export class ChunkStore {
  private readonly root: RootDatabase;
  private readonly meta: Database<StoredCertificate, string>;
  private readonly chunks: Database<Uint8Array, string>;
  private usedBytes = 0;
  /** Puts not yet committed, by certificate id: a second put of the same id waits for the first. */
  private readonly pending = new Map<string, Promise<void>>();

  private constructor(
    path: string,
    readonly maxBytes: number,
  ) {
    this.root = open({ path, compression: false });
    this.meta = this.root.openDB<StoredCertificate, string>({ name: "meta", encoding: "json" });
    this.chunks = this.root.openDB<Uint8Array, string>({ name: "chunks", encoding: "binary" });
    for (const { value } of this.meta.getRange()) this.usedBytes += value.bytes;
  }

  static open(path: string, options: { maxBytes: number }): ChunkStore {
    return new ChunkStore(path, options.maxBytes);
  }

  get used(): number {
    return this.usedBytes;
  }

  has(id: string): boolean {
    return this.meta.get(id) !== undefined;
  }

  /**
   * Stores a certificate's chunks and metadata in one transaction and resolves once it is durable.
   * Refuses (StoreFullError) when the limit would be exceeded; storing the same id again is a no-op.
   */
  async put(
    record: Omit<StoredCertificate, "bytes">,
    chunks: { blobIndex: number; index: number; bytes: Uint8Array }[],
  ): Promise<void> {
    // Two concurrent puts of one id (a disperser's retry racing its first try) would both pass `has` and
    // count the bytes twice; the second one waits for the first and then finds the id stored.
    const inFlight = this.pending.get(record.id);
    if (inFlight) {
      await inFlight.catch(() => undefined);
      return this.put(record, chunks);
    }
    if (this.has(record.id)) return;
    const bytes = chunks.reduce((n, c) => n + c.bytes.length, 0);
    if (this.usedBytes + bytes > this.maxBytes) throw new StoreFullError(this.usedBytes, bytes, this.maxBytes);
    this.usedBytes += bytes;
    const write = this.root
      .transaction(() => {
        for (const c of chunks) this.chunks.put(chunkKey(record.id, c.blobIndex, c.index), c.bytes);
        this.meta.put(record.id, { ...record, bytes });
      })
      .then(
        () => undefined,
        (error: unknown) => {
          this.usedBytes -= bytes;
          throw error;
        },
      )
      .finally(() => this.pending.delete(record.id));
    this.pending.set(record.id, write);
    await write;
  }

  getCertificate(id: string): StoredCertificate | undefined {
    return this.meta.get(id);
  }

  /** The stored chunks of a certificate, in key order. */
  getChunks(id: string): { blobIndex: number; index: number; bytes: Uint8Array }[] {
    const out: { blobIndex: number; index: number; bytes: Uint8Array }[] = [];
    for (const { key, value } of this.chunks.getRange({ start: `c/${id}/`, end: `c/${id}/~` })) {
      const [, , blob, chunk] = key.split("/");
      out.push({ blobIndex: Number(blob), index: Number(chunk), bytes: value });
    }
    return out;
  }

  /** Deletes every certificate whose expiry is at or before `nowSeconds`; returns how many. */
  async sweepExpired(nowSeconds: number): Promise<number> {
    const expired = [...this.meta.getRange()]
      .filter(({ value }) => value.expiry <= nowSeconds)
      .map(({ value }) => value);
    if (expired.length === 0) return 0;
    // Overlapping sweeps list the same records; only the one whose transaction still finds a record
    // frees its bytes, so the used-bytes count never drops below what is on disk.
    let removed = 0;
    let freed = 0;
    await this.root.transaction(() => {
      for (const record of expired) {
        if (this.meta.get(record.id) === undefined) continue;
        for (const { key } of this.chunks.getRange({ start: `c/${record.id}/`, end: `c/${record.id}/~` }))
          this.chunks.remove(key);
        this.meta.remove(record.id);
        removed++;
        freed += record.bytes;
      }
    });
    this.usedBytes -= freed;
    return removed;
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}

function chunkKey(id: string, blobIndex: number, index: number): string {
  // Zero-padded so that key order is numeric order.
  return `c/${id}/${String(blobIndex).padStart(6, "0")}/${String(index).padStart(6, "0")}`;
}
