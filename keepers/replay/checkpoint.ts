/**
 * The replay keeper's SQLite checkpoint: the next block to scan for ClaimPosted events, and per claim what
 * this keeper has already done (replayed hash, challenge and resolution transactions, closed or open).
 * With it a restart, or a second pass over the same blocks, never re-executes a claim twice and never
 * sends a second challenge or resolution (each send is also re-checked against the claim's on-chain status).
 */
import Database from "better-sqlite3";
import type { Hex } from "viem";

import type { LocalClaimState } from "./decide.js";

type Row = {
  claim_id: string;
  closed: number;
  replayed_hash: string | null;
  unverifiable: string | null;
  challenge_tx: string | null;
  resolve_tx: string | null;
};

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
  }

  nextBlock(): bigint | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'nextBlock'").get() as
      { value: string } | undefined;
    return row ? BigInt(row.value) : undefined;
  }

  setNextBlock(block: bigint): void {
    this.db
      .prepare(
        "INSERT INTO meta (key, value) VALUES ('nextBlock', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      )
      .run(block.toString());
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
    return state;
  }

  update(
    claimId: Hex,
    fields: { replayedHash?: Hex; unverifiable?: string; challengeTx?: Hex; resolveTx?: Hex; closed?: string },
  ): void {
    this.track(claimId);
    const set: string[] = ["updated_at = @now"];
    if (fields.replayedHash) set.push("replayed_hash = @replayedHash");
    if (fields.unverifiable) set.push("unverifiable = @unverifiable");
    if (fields.challengeTx) set.push("challenge_tx = @challengeTx");
    if (fields.resolveTx) set.push("resolve_tx = @resolveTx");
    if (fields.closed) set.push("closed = 1", "reason = @closed");
    this.db.prepare(`UPDATE claims SET ${set.join(", ")} WHERE claim_id = @claimId`).run({
      now: Date.now(),
      claimId: claimId.toLowerCase(),
      replayedHash: fields.replayedHash?.toLowerCase() ?? null,
      unverifiable: fields.unverifiable ?? null,
      challengeTx: fields.challengeTx ?? null,
      resolveTx: fields.resolveTx ?? null,
      closed: fields.closed ?? null,
    });
  }

  close(): void {
    this.db.close();
  }
}
