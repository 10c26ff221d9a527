/**
 * The replay keeper's SQLite checkpoint: the next block to scan for ClaimPosted events, and per claim what
 * this keeper has already done (replayed hash, challenge and resolution transactions, closed or open).
 * With it a restart, or a second pass over the same blocks, never re-executes a claim twice and never
 * sends a second challenge or resolution (each send is also re-checked against the claim's on-chain status).
 * A claim is closed with the head block the pass read, so that a reorg reaching that far reopens it.
 */
import Database from "better-sqlite3";
import type { Hex } from "viem";

import type { LocalClaimState } from "./decide.js";
import { readLastHash, readNextBlock, writeNextBlock } from "../lib/scan-position.js";

type Row = {
  claim_id: string;
  closed: number;
  replayed_hash: string | null;
  unverifiable: string | null;
  challenge_tx: string | null;
  resolve_tx: string | null;
  escalate_tx: string | null;
};

const CLOSED_HEAD_COLUMN = "closed_head";
const ESCALATE_TX_COLUMN = "escalate_tx";

export class ReplayCheckpoint {
  readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS claims (
        claim_id TEXT PRIMARY KEY,
        closed INTEGER NOT NULL DEFAULT 0,
        reason TEXT,
        replayed_hash TEXT,
        unverifiable TEXT,
        challenge_tx TEXT,
        resolve_tx TEXT,
        updated_at INTEGER NOT NULL
      );
    `);
    // Checkpoints written before the column existed: their closed claims have no head and are never reopened.
    const columns = this.db.prepare("PRAGMA table_info(claims)").all() as { name: string }[];
    if (!columns.some((c) => c.name === CLOSED_HEAD_COLUMN))
      this.db.exec(`ALTER TABLE claims ADD COLUMN ${CLOSED_HEAD_COLUMN} TEXT`);
    if (!columns.some((c) => c.name === ESCALATE_TX_COLUMN))
      this.db.exec(`ALTER TABLE claims ADD COLUMN ${ESCALATE_TX_COLUMN} TEXT`);
  }

  nextBlock(): bigint | undefined {
    return readNextBlock(this.db);
  }

  /** Records the scan position and the hash of the last block scanned (to notice a reorg of it). */
  setNextBlock(block: bigint, lastHash?: Hex): void {
    writeNextBlock(this.db, block, lastHash);
  }

  /** Hash of the block before `nextBlock()` when it was scanned. */
  lastHash(): Hex | undefined {
    return readLastHash(this.db);
  }

  /** Starts tracking a claim (no-op when already known). */
  track(claimId: Hex): void {
    this.db
      .prepare("INSERT INTO claims (claim_id, updated_at) VALUES (?, ?) ON CONFLICT(claim_id) DO NOTHING")
      .run(claimId.toLowerCase(), Date.now());
  }

  /** Claims still open, oldest first. */
  openClaims(): Hex[] {
    const rows = this.db.prepare("SELECT claim_id FROM claims WHERE closed = 0 ORDER BY rowid").all() as {
      claim_id: string;
    }[];
    return rows.map((r) => r.claim_id as Hex);
  }

  local(claimId: Hex): LocalClaimState & { closed: boolean } {
    const row = this.db.prepare("SELECT * FROM claims WHERE claim_id = ?").get(claimId.toLowerCase()) as
      Row | undefined;
    const state: LocalClaimState & { closed: boolean } = { closed: row?.closed === 1 };
    if (row?.replayed_hash) state.replayedHash = row.replayed_hash as Hex;
    if (row?.unverifiable) state.unverifiable = row.unverifiable;
    if (row?.challenge_tx) state.challengeTx = row.challenge_tx as Hex;
    if (row?.resolve_tx) state.resolveTx = row.resolve_tx as Hex;
    if (row?.escalate_tx) state.escalateTx = row.escalate_tx as Hex;
    return state;
  }

  /**
   * `closed` needs `closedAt`, the head block the decision was read at. `resolveTx: null` forgets a
   * resolution transaction the chain no longer has (a reorg dropped it, or a node's pool lost it).
   */
  update(
    claimId: Hex,
    fields: {
      replayedHash?: Hex;
      unverifiable?: string;
      challengeTx?: Hex;
      resolveTx?: Hex | null;
      escalateTx?: Hex | null;
      closed?: string;
      closedAt?: bigint;
    },
  ): void {
    this.track(claimId);
    const set: string[] = ["updated_at = @now"];
    if (fields.replayedHash) set.push("replayed_hash = @replayedHash");
    if (fields.unverifiable) set.push("unverifiable = @unverifiable");
    if (fields.challengeTx) set.push("challenge_tx = @challengeTx");
    if (fields.resolveTx !== undefined) set.push("resolve_tx = @resolveTx");
    if (fields.escalateTx !== undefined) set.push(`${ESCALATE_TX_COLUMN} = @escalateTx`);
    if (fields.closed) set.push("closed = 1", "reason = @closed", `${CLOSED_HEAD_COLUMN} = @closedAt`);
    this.db.prepare(`UPDATE claims SET ${set.join(", ")} WHERE claim_id = @claimId`).run({
      now: Date.now(),
      claimId: claimId.toLowerCase(),
      replayedHash: fields.replayedHash?.toLowerCase() ?? null,
      unverifiable: fields.unverifiable ?? null,
      challengeTx: fields.challengeTx ?? null,
      resolveTx: fields.resolveTx ?? null,
      escalateTx: fields.escalateTx ?? null,
      closed: fields.closed ?? null,
      closedAt: fields.closedAt?.toString() ?? null,
    });
  }

  /**
   * Reopens the claims closed at a head at or after `block` (a reorg replaced blocks from there on: the
   * status they were closed on may be gone, e.g. a resolution that is no longer on chain). Returns how many.
   */
  reopenClosedSince(block: bigint): number {
    const rows = this.db
      .prepare(
        `SELECT claim_id, ${CLOSED_HEAD_COLUMN} AS head FROM claims WHERE closed = 1 AND ${CLOSED_HEAD_COLUMN} IS NOT NULL`,
      )
      .all() as { claim_id: string; head: string }[];
    const reopen = this.db.prepare("UPDATE claims SET closed = 0, reason = NULL, updated_at = ? WHERE claim_id = ?");
    let reopened = 0;
    for (const row of rows) {
      if (BigInt(row.head) < block) continue;
      reopen.run(Date.now(), row.claim_id);
      reopened++;
    }
    return reopened;
  }

  close(): void {
    this.db.close();
  }
}
