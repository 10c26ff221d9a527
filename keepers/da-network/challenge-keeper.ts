/**
 * The DA challenge keeper (`vcloud keeper da-challenge`). One pass:
 *  1. scans BlobConfirmed and AvailabilityChallenged logs since its checkpoint (SQLite) and records them;
 *  2. samples a few unexpired certificates: asks every signer (with chunks assigned) for its chunks and
 *     verifies them against the certificate;
 *  3. opens an availability challenge (bonded) against each signer that does not serve, unless one was
 *     ever opened for that certificate and operator (read from the chain, so a crash never doubles one);
 *  4. finalizes every open challenge past its deadline: `slashUnresponsive` slashes the operator.
 * Decisions are the pure functions of challenge-decide.ts.
 *
 * Reorgs: the hash of the last scanned block is stored with the scan position; when that block is no
 * longer on chain the keeper rescans `reorgDepth` blocks. Its own challenge and slash transactions are
 * recorded with their block until they are `reorgDepth` deep; one a reorg dropped is undone in the store
 * (its certificate is sampled again at once, its challenge is open again), so the next pass files it again,
 * once (the chain read in step 3 and the contract's status check keep a resubmission from doubling). A
 * scanned challenge the chain no longer holds (a reorg dropped it, whoever sent it, e.g. this keeper in a run
 * killed between its send and its record) also has its certificate sampled again at once.
 */
import { mkdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname } from "node:path";

import Database from "better-sqlite3";
import {
  bytesToHex,
  getAbiItem,
  TransactionReceiptNotFoundError,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

import { assignChunks, parseChunk, validateManifest, verifyChunks, type Chunk } from "../da/index.js";
import { blobCertificateRegistryAbi } from "../lib/abis.js";
import { VcloudError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import { sendContractWrite } from "../lib/tx.js";
import { commitmentsTree } from "./certificate.js";
import {
  assignedKeys,
  challengePoint,
  ChallengeStatus,
  decideChallenges,
  decideFinalizations,
  judgeService,
  selectCertificatesToSample,
  type ChallengeRecord,
  type KnownCertificate,
  type SampleOutcome,
  type ServiceVerdict,
} from "./challenge-decide.js";
import { fetchJson } from "./http.js";
import { readOperatorSet } from "./operator-set.js";
import { retrieveResponseSchema } from "./protocol.js";

type Wallet = WalletClient<Transport, Chain, Account>;
type Client = PublicClient<Transport, Chain>;

/** The keeper's checkpoints: scanned-through block, known certificates and challenges, its salt. */
export class ChallengeStore {
  readonly db: Database.Database;

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS certificates (
        id TEXT PRIMARY KEY, reference_block INTEGER NOT NULL, expiry INTEGER NOT NULL,
        non_signer_hashes TEXT NOT NULL, last_sampled INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS challenges (
        challenge_id TEXT PRIMARY KEY, certificate_id TEXT NOT NULL, operator TEXT NOT NULL,
        deadline INTEGER NOT NULL, status INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS submissions (
        tx_hash TEXT PRIMARY KEY, kind TEXT NOT NULL, certificate_id TEXT NOT NULL, challenge_id TEXT NOT NULL,
        block_number INTEGER NOT NULL, block_hash TEXT NOT NULL);
    `);
  }

  private meta(key: string): string | undefined {
    return (this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined)?.value;
  }

  /** The last block whose logs are recorded (undefined: none yet). */
  get scannedThrough(): number | undefined {
    const v = this.meta("scanned_through");
    return v === undefined ? undefined : Number(v);
  }

  /** The hash of the last scanned block (undefined: none recorded yet). */
  get scannedHash(): Hex | undefined {
    return this.meta("scanned_hash") as Hex | undefined;
  }

  /** The keeper's private salt for challenge points, created once. */
  salt(): Hex {
    let salt = this.meta("salt");
    if (!salt) {
      salt = bytesToHex(randomBytes(32));
      this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('salt', ?)").run(salt);
      salt = this.meta("salt")!;
    }
    return salt as Hex;
  }

  /** Records one scanned block range atomically: its certificates, its challenges and the new checkpoint. */
  recordScan(
    through: { number: number; hash: Hex },
    certificates: { id: Hex; referenceBlock: number; expiry: number; nonSignerHashes: Hex[] }[],
    challenges: ChallengeRecord[],
  ): void {
    this.db.transaction(() => {
      const cert = this.db.prepare(
        "INSERT OR IGNORE INTO certificates (id, reference_block, expiry, non_signer_hashes) VALUES (?, ?, ?, ?)",
      );
      for (const c of certificates)
        cert.run(c.id.toLowerCase(), c.referenceBlock, c.expiry, JSON.stringify(c.nonSignerHashes));
      // A rescan after a reorg may find another challenge under a reused id: the chain's record wins.
      const ch = this.db.prepare(
        "INSERT INTO challenges (challenge_id, certificate_id, operator, deadline, status) VALUES (?, ?, ?, ?, ?) " +
          "ON CONFLICT(challenge_id) DO UPDATE SET certificate_id = excluded.certificate_id, " +
          "operator = excluded.operator, deadline = excluded.deadline, status = excluded.status",
      );
      for (const c of challenges)
        ch.run(c.challengeId.toString(), c.certificateId.toLowerCase(), c.operator, c.deadline, c.status);
      const meta = this.db.prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      );
      meta.run("scanned_through", String(through.number));
      meta.run("scanned_hash", through.hash);
    })();
  }

  certificates(): (KnownCertificate & { nonSignerHashes: Hex[] })[] {
    return (
      this.db.prepare("SELECT * FROM certificates").all() as {
        id: string;
        reference_block: number;
        expiry: number;
        non_signer_hashes: string;
        last_sampled: number;
      }[]
    ).map((r) => ({
      id: r.id as Hex,
      referenceBlock: r.reference_block,
      expiry: r.expiry,
      lastSampled: r.last_sampled,
      nonSignerHashes: JSON.parse(r.non_signer_hashes) as Hex[],
    }));
  }

  markSampled(id: Hex, at: number): void {
    this.db.prepare("UPDATE certificates SET last_sampled = ? WHERE id = ?").run(at, id.toLowerCase());
  }

  challenges(): ChallengeRecord[] {
    return (
      this.db.prepare("SELECT * FROM challenges").all() as {
        challenge_id: string;
        certificate_id: string;
        operator: string;
        deadline: number;
        status: number;
      }[]
    ).map((r) => ({
      challengeId: BigInt(r.challenge_id),
      certificateId: r.certificate_id as Hex,
      operator: r.operator as Address,
      deadline: r.deadline,
      status: r.status,
    }));
  }

  setChallengeStatus(challengeId: bigint, status: number, deadline?: number): void {
    if (deadline === undefined)
      this.db.prepare("UPDATE challenges SET status = ? WHERE challenge_id = ?").run(status, challengeId.toString());
    else
      this.db
        .prepare("UPDATE challenges SET status = ?, deadline = ? WHERE challenge_id = ?")
        .run(status, deadline, challengeId.toString());
  }

  /** Records one of the keeper's own transactions, mined in `block`, until it is final. */
  recordSubmission(s: Submission): void {
    this.db
      .prepare(
        "INSERT OR REPLACE INTO submissions (tx_hash, kind, certificate_id, challenge_id, block_number, block_hash) " +
          "VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(s.txHash, s.kind, s.certificateId.toLowerCase(), s.challengeId.toString(), s.blockNumber, s.blockHash);
  }

  /** The keeper's own transactions not yet known final. */
  submissions(): Submission[] {
    return (
      this.db.prepare("SELECT * FROM submissions ORDER BY block_number").all() as {
        tx_hash: string;
        kind: string;
        certificate_id: string;
        challenge_id: string;
        block_number: number;
        block_hash: string;
      }[]
    ).map((r) => ({
      txHash: r.tx_hash as Hex,
      kind: r.kind as Submission["kind"],
      certificateId: r.certificate_id as Hex,
      challengeId: BigInt(r.challenge_id),
      blockNumber: r.block_number,
      blockHash: r.block_hash as Hex,
    }));
  }

  forgetSubmission(txHash: Hex): void {
    this.db.prepare("DELETE FROM submissions WHERE tx_hash = ?").run(txHash);
  }

  close(): void {
    this.db.close();
  }
}

/** A challenge or slash transaction of this keeper, with the block it was mined in. */
export type Submission = {
  txHash: Hex;
  kind: "challenge" | "slash";
  certificateId: Hex;
  challengeId: bigint;
  blockNumber: number;
  blockHash: Hex;
};

/** Blocks after which the keeper treats a block (and its own transactions in it) as final. */
export const DEFAULT_REORG_DEPTH = 64;

export type ChallengeKeeperConfig = {
  certificateRegistry: Address;
  registrar: Address;
  maxOperators: number;
  /** Certificates sampled per pass. */
  samplesPerPass: number;
  /** A certificate is sampled again after this many seconds. */
  resampleSeconds: number;
  /** Per-node request timeout (ms). */
  timeoutMs: number;
  /** First block to scan when the store is empty (default 0). */
  fromBlock?: number;
  /** Largest block range per getLogs call. */
  logRange?: number;
  /** Blocks a reorg may replace (default DEFAULT_REORG_DEPTH): the rescan window and finality depth. */
  reorgDepth?: number;
  /** Bounds the wait for each transaction's receipt (ms; default 120 s). */
  receiptTimeoutMs?: number;
  /** Sample and decide, send nothing. */
  dryRun?: boolean;
  socketOverrides?: Record<string, string>;
};

export type ChallengePassResult = {
  scannedThrough: number;
  sampled: { certificateId: Hex; verdicts: { operator: Address; serves: boolean; reason?: string }[] }[];
  opened: { challengeId?: bigint; certificateId: Hex; operator: Address; reason: string; transactionHash?: Hex }[];
  finalized: { challengeId: bigint; operator: Address; transactionHash?: Hex }[];
};

export class ChallengeKeeperError extends VcloudError {
  override name = "ChallengeKeeperError";
}

const blobConfirmed = getAbiItem({ abi: blobCertificateRegistryAbi, name: "BlobConfirmed" });
const availabilityChallenged = getAbiItem({ abi: blobCertificateRegistryAbi, name: "AvailabilityChallenged" });

/** One idempotent pass of the challenge keeper. */
export async function runChallengePass(
  publicClient: Client,
  walletClient: Wallet | undefined,
  params: { config: ChallengeKeeperConfig; store: ChallengeStore; logger?: Logger },
): Promise<ChallengePassResult> {
  const { config, store, logger } = params;
  if (!config.dryRun && !walletClient)
    throw new ChallengeKeeperError("a signer is needed to open and finalize challenges");
  // Transactions are signed here so a lost reply is recognised by the hash (lib/tx.ts): a node-held key
  // (eth_sendTransaction) cannot give that guarantee.
  if (!config.dryRun && walletClient!.account.type !== "local")
    throw new ChallengeKeeperError(
      `the challenge keeper signs its own transactions: ${walletClient!.account.address} is a ${walletClient!.account.type} account, give its private key`,
    );
  const head = await publicClient.getBlock({ blockTag: "latest" });
  const now = Number(head.timestamp);
  await scan(publicClient, config, store, { number: Number(head.number), hash: head.hash! }, logger);
  await recheckSubmissions(publicClient, config, store, Number(head.number), logger);

  const result: ChallengePassResult = { scannedThrough: Number(head.number), sampled: [], opened: [], finalized: [] };
  const salt = store.salt();
  const bond = (await publicClient.readContract({
    address: config.certificateRegistry,
    abi: blobCertificateRegistryAbi,
    functionName: "minChallengeBond",
  })) as bigint;

  // Refresh the status of every challenge the store thinks open, before sampling: a challenge the chain no
  // longer holds was dropped by a reorg. It may be this keeper's own, sent by a run killed before it recorded
  // the send (recheckSubmissions cannot know it), or another keeper's: its certificate is sampled again now.
  const open = store.challenges().filter((c) => c.status === ChallengeStatus.Open);
  for (const c of open) {
    const onChain = await readChallenge(publicClient, config.certificateRegistry, c.challengeId);
    // After a reorg a re-filed challenge may hold the id with a later deadline: the chain's wins.
    if (onChain.status !== c.status || Number(onChain.deadline) !== c.deadline)
      store.setChallengeStatus(c.challengeId, onChain.status, Number(onChain.deadline));
    c.status = onChain.status;
    c.deadline = Number(onChain.deadline);
    if (onChain.status === ChallengeStatus.None) {
      logger?.warn(
        { challengeId: c.challengeId, certificateId: c.certificateId, operator: c.operator },
        "a reorg dropped this challenge; sampling its certificate again",
      );
      store.markSampled(c.certificateId, 0);
    }
  }

  for (const cert of selectCertificatesToSample(store.certificates(), {
    now,
    resampleSeconds: config.resampleSeconds,
    limit: config.samplesPerPass,
  })) {
    // A reorg may have dropped a confirmation the keeper recorded: challenging it would revert
    // (CertificateNotAvailable) and fail every pass until its expiry. A confirmation mined again stays.
    const available = await publicClient.readContract({
      address: config.certificateRegistry,
      abi: blobCertificateRegistryAbi,
      functionName: "isAvailable",
      args: [cert.id],
    });
    if (!available) {
      logger?.warn({ certificateId: cert.id }, "certificate not available on chain (reorged away or expired); skipped");
      store.markSampled(cert.id, now);
      continue;
    }
    const verdicts = await sampleCertificate(publicClient, config, cert);
    result.sampled.push({
      certificateId: cert.id,
      verdicts: verdicts.map((v) => ({
        operator: v.operator,
        serves: v.verdict.serves,
        ...(v.verdict.serves ? {} : { reason: v.verdict.reason }),
      })),
    });
    // The chain is the truth about existing challenges (the store may lag after a crash).
    const existing = await challengesOnChain(publicClient, config.certificateRegistry, cert.id);
    const blobCount = Number(
      (
        (await publicClient.readContract({
          address: config.certificateRegistry,
          abi: blobCertificateRegistryAbi,
          functionName: "getCertificate",
          args: [cert.id],
        })) as { blobCount: number }
      ).blobCount,
    );
    for (const target of decideChallenges({ certificate: cert, now, verdicts, existing })) {
      const point = challengePoint({ certificateId: cert.id, operator: target.operator, blobCount, salt });
      logger?.warn(
        { certificateId: cert.id, operator: target.operator, reason: target.reason },
        "signer does not serve",
      );
      if (config.dryRun) {
        result.opened.push({ certificateId: cert.id, operator: target.operator, reason: target.reason });
        continue;
      }
      // Signed once and recognised by its hash if a reply is lost (lib/tx.ts): never sent twice.
      const sent = await sendContractWrite(
        { publicClient, walletClient: walletClient! },
        {
          address: config.certificateRegistry,
          abi: blobCertificateRegistryAbi,
          functionName: "challengeAvailability",
          args: [cert.id, target.operator, point.blobIndex, point.elementIndex, cert.nonSignerHashes],
          value: bond,
        },
        { logger, receiptTimeoutMs: config.receiptTimeoutMs },
      );
      const challengeId = sent.result as bigint;
      const transactionHash = sent.hash;
      store.recordSubmission({
        txHash: transactionHash,
        kind: "challenge",
        certificateId: cert.id,
        challengeId,
        blockNumber: Number(sent.receipt.blockNumber),
        blockHash: sent.receipt.blockHash,
      });
      logger?.info({ challengeId, certificateId: cert.id, operator: target.operator }, "challenge opened");
      result.opened.push({
        challengeId,
        certificateId: cert.id,
        operator: target.operator,
        reason: target.reason,
        transactionHash,
      });
    }
    store.markSampled(cert.id, now);
  }

  // Finalize: slash the open challenges (refreshed above) past their deadline.
  for (const challengeId of decideFinalizations(open, now)) {
    const c = open.find((x) => x.challengeId === challengeId)!;
    if (config.dryRun) {
      result.finalized.push({ challengeId, operator: c.operator });
      continue;
    }
    const sent = await sendContractWrite(
      { publicClient, walletClient: walletClient! },
      {
        address: config.certificateRegistry,
        abi: blobCertificateRegistryAbi,
        functionName: "slashUnresponsive",
        args: [challengeId],
      },
      { logger, receiptTimeoutMs: config.receiptTimeoutMs },
    );
    const transactionHash = sent.hash;
    store.db.transaction(() => {
      store.setChallengeStatus(challengeId, ChallengeStatus.Slashed);
      store.recordSubmission({
        txHash: transactionHash,
        kind: "slash",
        certificateId: c.certificateId,
        challengeId,
        blockNumber: Number(sent.receipt.blockNumber),
        blockHash: sent.receipt.blockHash,
      });
    })();
    logger?.warn({ challengeId, operator: c.operator }, "unanswered challenge: operator slashed");
    result.finalized.push({ challengeId, operator: c.operator, transactionHash });
  }
  return result;
}

/**
 * Records confirmed certificates (with their non-signers, from the BlobConfirmed event) and challenges. When
 * the last scanned block is no longer the chain's (a reorg), the last `reorgDepth` blocks are scanned again.
 */
async function scan(
  publicClient: Client,
  config: ChallengeKeeperConfig,
  store: ChallengeStore,
  headBlock: { number: number; hash: Hex },
  logger?: Logger,
) {
  const range = config.logRange ?? 10_000;
  const head = headBlock.number;
  const first = config.fromBlock ?? 0;
  let from = (store.scannedThrough ?? first - 1) + 1;
  const scanned = store.scannedThrough;
  if (scanned !== undefined && store.scannedHash) {
    const onChain =
      scanned <= head
        ? await publicClient.getBlock({ blockNumber: BigInt(scanned) }).catch(() => undefined)
        : undefined;
    if (onChain?.hash?.toLowerCase() !== store.scannedHash.toLowerCase()) {
      from = Math.max(first, scanned - (config.reorgDepth ?? DEFAULT_REORG_DEPTH) + 1);
      logger?.warn({ scannedThrough: scanned, from }, "the chain reorganised past the last scanned block; rescanning");
    }
  }
  while (from <= head) {
    const to = Math.min(head, from + range - 1);
    const [confirmed, challenged] = await Promise.all([
      publicClient.getLogs({
        address: config.certificateRegistry,
        event: blobConfirmed,
        fromBlock: BigInt(from),
        toBlock: BigInt(to),
      }),
      publicClient.getLogs({
        address: config.certificateRegistry,
        event: availabilityChallenged,
        fromBlock: BigInt(from),
        toBlock: BigInt(to),
      }),
    ]);
    // The event carries the non-signers, so a certificate confirmed through any path (a contract, a
    // multicall, a Safe) is known exactly like one confirmed by a direct confirmBlob transaction.
    const certificates = confirmed.map((log) => ({
      id: log.args.certificateId!,
      referenceBlock: Number(log.args.referenceBlock!),
      expiry: Number(log.args.expiry!),
      nonSignerHashes: [...log.args.nonSignerPubkeyHashes!],
    }));
    const challenges: ChallengeRecord[] = challenged.map((log) => ({
      challengeId: log.args.challengeId!,
      certificateId: log.args.certificateId!,
      operator: log.args.operator!,
      deadline: Number(log.args.deadline!),
      status: ChallengeStatus.Open,
    }));
    const toHash = to === head ? headBlock.hash : (await publicClient.getBlock({ blockNumber: BigInt(to) })).hash!;
    store.recordScan({ number: to, hash: toHash }, certificates, challenges);
    from = to + 1;
  }
}

/**
 * Re-checks the keeper's own transactions that are not yet `reorgDepth` deep. One whose receipt is gone (a
 * reorg dropped it) is undone in the store: a challenge's certificate is sampled again this pass, a slashed
 * challenge is open again, so this pass files it again (the chain decides whether that is still needed).
 */
async function recheckSubmissions(
  publicClient: Client,
  config: ChallengeKeeperConfig,
  store: ChallengeStore,
  head: number,
  logger?: Logger,
) {
  const depth = config.reorgDepth ?? DEFAULT_REORG_DEPTH;
  for (const s of store.submissions()) {
    // Only "no such receipt" means dropped; any other RPC failure fails the pass (nothing is undone on it).
    const receipt = await publicClient.getTransactionReceipt({ hash: s.txHash }).catch((error: unknown) => {
      if (error instanceof TransactionReceiptNotFoundError) return undefined;
      throw error;
    });
    if (receipt && receipt.blockHash.toLowerCase() === s.blockHash.toLowerCase()) {
      if (head - s.blockNumber >= depth) store.forgetSubmission(s.txHash);
      continue;
    }
    if (receipt) {
      // Mined again in another block of the new chain: it stands; follow it there.
      store.recordSubmission({ ...s, blockNumber: Number(receipt.blockNumber), blockHash: receipt.blockHash });
      continue;
    }
    logger?.warn(
      { txHash: s.txHash, kind: s.kind, certificateId: s.certificateId, challengeId: s.challengeId },
      "a reorg dropped this keeper's transaction; filing it again",
    );
    store.db.transaction(() => {
      if (s.kind === "challenge") store.markSampled(s.certificateId, 0);
      else store.setChallengeStatus(s.challengeId, ChallengeStatus.Open);
      store.forgetSubmission(s.txHash);
    })();
  }
}

/** Asks each signer with assigned chunks for them and judges whether it serves. */
async function sampleCertificate(
  publicClient: Client,
  config: ChallengeKeeperConfig,
  cert: KnownCertificate & { nonSignerHashes: Hex[] },
): Promise<{ operator: Address; verdict: ServiceVerdict }[]> {
  const onChain = (await publicClient.readContract({
    address: config.certificateRegistry,
    abi: blobCertificateRegistryAbi,
    functionName: "getCertificate",
    args: [cert.id],
  })) as { commitmentsRoot: Hex; blobCount: number };
  const snapshot = await readOperatorSet({
    publicClient,
    registrar: config.registrar,
    referenceBlock: cert.referenceBlock,
  });
  const nonSigners = new Set(cert.nonSignerHashes.map((h) => h.toLowerCase()));
  const staked = snapshot.members.filter((m) => m.stake > 0n);
  const signers = staked.filter((m) => !nonSigners.has(m.pubkeyHash.toLowerCase()));
  // Ask every signer in parallel; the assignment needs the chunk count, known from a matching manifest.
  const outcomes = await Promise.all(
    signers.map(async (member): Promise<{ operator: Address; outcome: SampleOutcome; shape?: ManifestShape }> => {
      const socket = config.socketOverrides?.[member.operator.toLowerCase()] ?? member.socket;
      let answer;
      try {
        if (!socket) throw new Error("no socket registered");
        const raw = await fetchJson(`${socket.replace(/\/$/, "")}/v1/certificates/${cert.id}`, {
          timeoutMs: config.timeoutMs,
          retries: 1,
        });
        answer = retrieveResponseSchema.parse(raw);
      } catch (error) {
        return { operator: member.operator, outcome: { kind: "unreachable", reason: (error as Error).message } };
      }
      return { operator: member.operator, ...(await judgeAnswer(answer, onChain)) };
    }),
  );
  const shape = outcomes.find((o) => o.shape)?.shape;
  const assignment = shape
    ? assignChunks({
        numChunks: shape.chunksPerBlob,
        ratio: shape.ratio,
        maxOperators: config.maxOperators,
        operators: staked.map((m) => ({ operator: m.operator, stake: m.stake })),
      })
    : undefined;
  return outcomes.map(({ operator, outcome }) => {
    if (outcome.kind === "answered" && outcome.manifestMatches && !assignment)
      return { operator, verdict: { serves: false, reason: "no node served a matching manifest" } };
    const range = assignment?.ranges.find((r) => r.operator.toLowerCase() === operator.toLowerCase());
    return { operator, verdict: judgeService(outcome, range ? assignedKeys(range, onChain.blobCount) : []) };
  });
}

type ManifestShape = { chunksPerBlob: number; ratio: number };

async function judgeAnswer(
  answer: { manifest: unknown; chunks: { blobIndex: number; index: number; data: string }[] },
  onChain: { commitmentsRoot: Hex; blobCount: number },
): Promise<{ outcome: SampleOutcome; shape?: ManifestShape }> {
  const mismatch = {
    outcome: { kind: "answered", manifestMatches: false, validChunks: new Set<string>(), invalidChunks: 0 } as const,
  };
  let manifest;
  try {
    manifest = validateManifest(answer.manifest).manifest;
  } catch {
    return mismatch;
  }
  const matches =
    commitmentsTree(manifest).root.toLowerCase() === onChain.commitmentsRoot.toLowerCase() &&
    manifest.blobCount === onChain.blobCount;
  if (!matches) return mismatch;
  const chunks: Chunk[] = [];
  let invalid = 0;
  for (const w of answer.chunks) {
    try {
      const { chunk } = parseChunk(Buffer.from(w.data, "base64"), {
        ratio: manifest.ratio,
        cellsPerChunk: manifest.chunkSize / 64,
      });
      if (chunk.blobIndex === w.blobIndex && chunk.index === w.index) chunks.push(chunk);
      else invalid++;
    } catch {
      invalid++;
    }
  }
  const verdict = await verifyChunks(manifest, chunks);
  return {
    outcome: {
      kind: "answered",
      manifestMatches: true,
      validChunks: new Set(verdict.valid.map((c) => `${c.blobIndex}/${c.index}`)),
      invalidChunks: invalid + verdict.rejected.length,
    },
    shape: { chunksPerBlob: manifest.chunksPerBlob, ratio: manifest.ratio },
  };
}

async function readChallenge(publicClient: Client, registry: Address, challengeId: bigint) {
  return (await publicClient.readContract({
    address: registry,
    abi: blobCertificateRegistryAbi,
    functionName: "getChallenge",
    args: [challengeId],
  })) as { certificateId: Hex; operator: Address; deadline: bigint; status: number };
}

/** Every challenge ever opened on a certificate, with its current status. */
async function challengesOnChain(
  publicClient: Client,
  registry: Address,
  certificateId: Hex,
): Promise<ChallengeRecord[]> {
  const logs = await publicClient.getLogs({
    address: registry,
    event: availabilityChallenged,
    args: { certificateId },
    fromBlock: 0n,
  });
  return Promise.all(
    logs.map(async (log) => {
      const c = await readChallenge(publicClient, registry, log.args.challengeId!);
      return {
        challengeId: log.args.challengeId!,
        certificateId,
        operator: c.operator,
        deadline: Number(c.deadline),
        status: c.status,
      };
    }),
  );
}
