import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

import Database from "better-sqlite3";
import type { Hex } from "viem";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Leaf, RewardsTree } from "./tree.js";

/** A computed root: `computed` until its submitRoot transaction is mined, then `posted`. */
export type StoredRoot = {
  endTimestamp: number;
  root: Hex;
  status: "computed" | "posted";
  txHash: Hex | null;
  tree: RewardsTree;
};

/**
 * The rewards keeper's checkpoints in SQLite: every root it computed, with its whole tree (so claims can
 * be proved later), and whether it was posted. A crash between computing and posting leaves a `computed`
 * row, which the next pass reconciles with the chain instead of computing or posting twice.
 */
export class RewardsStore {
  readonly db: Database.Database;

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.exec(`CREATE TABLE IF NOT EXISTS roots (
      end_timestamp INTEGER PRIMARY KEY,
      root TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('computed', 'posted')),
      tx_hash TEXT,
      tree TEXT NOT NULL
    )`);
  }

  private row(r: { end_timestamp: number; root: string; status: string; tx_hash: string | null; tree: string }) {
    return {
      endTimestamp: r.end_timestamp,
      root: r.root as Hex,
      status: r.status as StoredRoot["status"],
      txHash: r.tx_hash as Hex | null,
      tree: StandardMerkleTree.load<Leaf>(JSON.parse(r.tree)),
    };
  }

  /** The latest root, posted or not. */
  latest(): StoredRoot | undefined {
    const r = this.db.prepare("SELECT * FROM roots ORDER BY end_timestamp DESC LIMIT 1").get() as
      Parameters<RewardsStore["row"]>[0] | undefined;
    return r ? this.row(r) : undefined;
  }

  /** The latest posted root. */
  latestPosted(): StoredRoot | undefined {
    const r = this.db
      .prepare("SELECT * FROM roots WHERE status = 'posted' ORDER BY end_timestamp DESC LIMIT 1")
      .get() as Parameters<RewardsStore["row"]>[0] | undefined;
    return r ? this.row(r) : undefined;
  }

  /** The root with this hash, if the keeper computed it. */
  byRoot(root: Hex): StoredRoot | undefined {
    const r = this.db.prepare("SELECT * FROM roots WHERE lower(root) = lower(?)").get(root) as
      Parameters<RewardsStore["row"]>[0] | undefined;
    return r ? this.row(r) : undefined;
  }

  saveComputed(endTimestamp: number, tree: RewardsTree): void {
    this.db
      .prepare(
        "INSERT OR REPLACE INTO roots (end_timestamp, root, status, tx_hash, tree) VALUES (?, ?, 'computed', NULL, ?)",
      )
      .run(endTimestamp, tree.root, JSON.stringify(tree.dump()));
  }

  markPosted(endTimestamp: number, txHash: Hex | null): void {
    this.db
      .prepare("UPDATE roots SET status = 'posted', tx_hash = ? WHERE end_timestamp = ?")
      .run(txHash, endTimestamp);
  }

  /** Drops a computed root that was never posted (the chain moved past it some other way). */
  dropComputed(endTimestamp: number): void {
    this.db.prepare("DELETE FROM roots WHERE end_timestamp = ? AND status = 'computed'").run(endTimestamp);
  }

  /**
   * Forgets every root ending after `endTimestamp`, posted or not, and returns how many: the chain's
   * calculation end is behind them, so a reorg dropped their posts (or they never landed).
   */
  dropAfter(endTimestamp: number): number {
    return Number(this.db.prepare("DELETE FROM roots WHERE end_timestamp > ?").run(endTimestamp).changes);
  }

  close(): void {
    this.db.close();
  }
}
