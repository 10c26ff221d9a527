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
    if (this.has(record.id)) return;
    const bytes = chunks.reduce((n, c) => n + c.bytes.length, 0);
    if (this.usedBytes + bytes > this.maxBytes) throw new StoreFullError(this.usedBytes, bytes, this.maxBytes);
    this.usedBytes += bytes;
    try {
      await this.root.transaction(() => {
        for (const c of chunks) this.chunks.put(chunkKey(record.id, c.blobIndex, c.index), c.bytes);
        this.meta.put(record.id, { ...record, bytes });
      });
    } catch (error) {
      this.usedBytes -= bytes;
      throw error;
    }
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
    await this.root.transaction(() => {
      for (const record of expired) {
        for (const { key } of this.chunks.getRange({ start: `c/${record.id}/`, end: `c/${record.id}/~` }))
          this.chunks.remove(key);
        this.meta.remove(record.id);
      }
    });
    for (const record of expired) this.usedBytes -= record.bytes;
    return expired.length;
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}

function chunkKey(id: string, blobIndex: number, index: number): string {
  // Zero-padded so that key order is numeric order.
  return `c/${id}/${String(blobIndex).padStart(6, "0")}/${String(index).padStart(6, "0")}`;
}
