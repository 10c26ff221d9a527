/**
 * A keeper's log-scan position in its SQLite checkpoint's `meta (key, value)` table: the next block to scan
 * and the hash of the last block scanned, so a pass can tell that a reorg replaced that block.
 */
import type Database from "better-sqlite3";
import type { Hex } from "viem";

export function readNextBlock(db: Database.Database): bigint | undefined {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'nextBlock'").get() as { value: string } | undefined;
  return row ? BigInt(row.value) : undefined;
}

/** Records the next block to scan and, when known, the hash of the last block scanned. */
export function writeNextBlock(db: Database.Database, block: bigint, lastHash?: Hex): void {
  const put = db.prepare(
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
  );
  put.run("nextBlock", block.toString());
  if (lastHash) put.run("lastHash", lastHash);
  else db.prepare("DELETE FROM meta WHERE key = 'lastHash'").run();
}

/** Hash of the last block scanned, as recorded with the scan position. */
export function readLastHash(db: Database.Database): Hex | undefined {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'lastHash'").get() as { value: string } | undefined;
  return row?.value as Hex | undefined;
}
