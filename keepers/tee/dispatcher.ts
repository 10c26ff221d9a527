/**
 * The TEE dispatcher, one pass (`--once`): reads new TaskCreated events of the TaskMailbox, and for each
 * task still CREATED fetches the input from DA, runs the app's program through the worker, verifies the
 * attestation against the app's allowed measurements, stores the output on DA, collects the executors'
 * BLS signatures over the result and submits the certified result. A SQLite checkpoint (last scanned
 * block, per-task state) makes a second pass, or a pass after a crash, never submit a task twice: a task
 * is re-checked on-chain before any work, and one marked submitted is skipped.
 *
 * Executors: each task is assigned to one member of the compute set drawn by allocated stake
 * (`selectExecutor`, seed keccak256(taskHash, attempt)). The executor runs the program on the DA-stored
 * input and hands back its output, attestation and a signed `ExecutorClaim`. The dispatcher re-executes the
 * registered program on the same input: an executor that does not answer within `executorTimeoutMs`, whose
 * attestation does not verify, or whose output differs is replaced by the next draw, which restarts the task
 * from the DA input. A signed claim of a wrong output is kept in the checkpoint and, once the correct result
 * is certified, sent to `TaskMailbox.slashForWrongResult`. An executor that accepted the task on-chain and
 * failed its attempt holds the task until its execution deadline (`TaskMailbox.executionTimeout` after it
 * accepted): the task waits for it, then `reassignTask` (reassign.ts) slashes it and reopens the task, and the
 * next draw accepts and runs it. Attempts, assignments, reassignments and pending slashes are checkpointed,
 * so a restarted dispatcher resumes at the same attempt and never slashes twice.
 *
 * Executors are reached over HTTP at the socket each registered in the compute set's registrar (`vcloud tee
 * worker --listen`, protocol in executor-protocol.ts): the drawn executor runs the task (it fetches the input
 * from DA itself) and answers output, attestation and its signed claim; once the output is on DA every
 * member is asked to certify the result, each checking it on its own before it signs. The dispatcher
 * verifies all it gets (claim signature recovers to the operator, attestation against the app's
 * measurements, output against re-execution, BLS signature against the registered key) before using it.
 * `executors` (in-process, with their keys) is the thin adapter for runs without worker servers.
 */
import Database from "better-sqlite3";
import { verify as blsVerify, type Signature } from "@chainsafe/blst";
import {
  hexToBytes,
  keccak256,
  parseAbiItem,
  verifyTypedData,
  zeroAddress,
  zeroHash,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

import { signatureFromHex, type BlsKey } from "../bls/bls.js";
import { disperse, publicKeyOf, type DisperseParams } from "../da-network/disperser.js";
import { NodeRequestError } from "../da-network/http.js";
import { retrieve } from "../da-network/retriever.js";
import { send } from "../da-network/setup.js";
import { taskMailboxAbi } from "../lib/abis.js";
import { VcloudError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import { readOperatorSet, type SetMember } from "../da-network/operator-set.js";
import type { Attestation, Attester } from "./attester.js";
import { hashBytes } from "./binding.js";
import type { ProgramBundle } from "./bundle.js";
import { buildTaskCertificate, NoSignaturesError, taskResultMessage, type MailboxTaskResult } from "./certificate.js";
import { executorClient } from "./executor-client.js";
import type { RunRequest } from "./executor-protocol.js";
import { resolveMeasurementSet, type MeasurementSet } from "./measurements.js";
import type { VerifierPolicy } from "./policy.js";
import type { SandboxLimits } from "./sandbox.js";
import { verifyTaskResult } from "./task-result.js";
import { takeFromLateExecutor, type Reassignment } from "./reassign.js";
import { NoExecutorLeftError, selectExecutor, type Candidate } from "./selection.js";
import { runTask } from "./worker.js";
import { readLastHash, readNextBlock, writeNextBlock } from "../lib/scan-position.js";

/** Where TDX collateral comes from: the JSON itself (bytes, text, parsed) or a function giving it. */
export type TdxCollateralSource = Uint8Array | string | object | (() => Uint8Array | string | object);

/** The `collateral` parameter of verifyTaskResult for a result of `format` (TDX only). */
export function collateralFor(
  format: string,
  source: TdxCollateralSource | undefined,
): { collateral?: Uint8Array | string | object } {
  if (format !== "tdx" || source === undefined) return {};
  return { collateral: typeof source === "function" ? (source as () => Uint8Array | string | object)() : source };
}

/**
 * A program the dispatcher can run: its bundle and the measurement set(s) its apps registered (a task is
 * checked against the one whose hash is the task's `measurementsHash`, see measurements.ts).
 */
export type KnownApp = { bundle: ProgramBundle; measurements: MeasurementSet | readonly MeasurementSet[] };

/** The EIP-712 typed data of an executor's claim (TaskMailbox.getClaimDigest). */
export type ClaimTypedData = ReturnType<typeof claimTypedData>;

/** What an executor hands back for a task. */
export type ExecutorRunResult = { output: Uint8Array; attestation: Attestation };

/** Runs a task as an executor would (default: `runTask` in this process's sandbox). */
export type ExecutorRun = (job: {
  bundle: ProgramBundle;
  input: Uint8Array;
  taskHash: Hex;
  imageDigest: Hex;
  limits: Partial<SandboxLimits>;
  attester?: Attester;
}) => Promise<ExecutorRunResult>;

/** A member of the compute set the dispatcher can reach (devnet: in-process). */
export type Executor = {
  operator: Address;
  blsKey: BlsKey;
  /** Signs the executor's claims (its operator key); without it a wrong output cannot be slashed. */
  signClaim?: (typedData: ClaimTypedData) => Promise<Hex>;
  /** How the executor runs a task; default: the sandboxed worker. */
  run?: ExecutorRun;
};

/** The typed data an executor signs for a claimed result of a task. */
export function claimTypedData(params: {
  chainId: number;
  mailbox: Address;
  taskHash: Hex;
  claimed: MailboxTaskResult;
}) {
  return {
    domain: { name: "vcloud TaskMailbox", version: "1", chainId: params.chainId, verifyingContract: params.mailbox },
    types: {
      ExecutorClaim: [
        { name: "taskHash", type: "bytes32" },
        { name: "outputHash", type: "bytes32" },
        { name: "attestationHash", type: "bytes32" },
        { name: "outputCertificateId", type: "bytes32" },
      ],
    },
    primaryType: "ExecutorClaim",
    message: { taskHash: params.taskHash, ...params.claimed },
  } as const;
}

/** Signs claims with a viem account or a wallet client that has one. */
export function claimSigner(signer: { signTypedData: (args: never) => Promise<Hex> }) {
  return (typedData: ClaimTypedData) => signer.signTypedData(typedData as never);
}

export type DispatchParams = {
  publicClient: PublicClient<Transport, Chain>;
  /** Pays for DA certificates and submits results. */
  walletClient: WalletClient<Transport, Chain, Account>;
  mailbox: Address;
  /** The compute set's registrar (TaskMailbox.registrar()). */
  registrar: Address;
  da: Pick<DisperseParams, "certificateRegistry" | "registrar" | "maxOperators" | "thresholds" | "ttlSeconds"> & {
    timeoutMs?: number;
  };
  /** Programs by image digest (lower-case). */
  apps: ReadonlyMap<string, KnownApp>;
  /**
   * In-process executors with their keys (adapter for runs without worker servers). Without them the
   * executors are reached over HTTP at the sockets registered in `registrar`.
   */
  executors?: readonly Executor[];
  /** Sockets to use instead of the registered ones (lower-cased operator -> URL). */
  socketOverrides?: Readonly<Record<string, string>>;
  /** How long an executor may take to run or to certify before it is replaced / left out (default 60 s). */
  executorTimeoutMs?: number;
  /** Re-run the program here and refuse an executor whose output differs (default true). */
  reexecute?: boolean;
  /** Tasks dispatched at once in a pass (default 1). Chain writes stay serialised (one signer). */
  concurrency?: number;
  /** Attestation policy; the app's measurements are added as expectedMeasurements. */
  policy: VerifierPolicy;
  /**
   * Intel collateral for TDX results (PCS / PCCS JSON, the format of `vcloud tee verify --collateral`), or a
   * function read at each verification (so a refreshed file is used without a restart). Without it a TDX
   * worker's result is rejected.
   */
  tdxCollateral?: TdxCollateralSource;
  attester?: Attester;
  limits?: Partial<SandboxLimits>;
  /** SQLite file of the checkpoint. */
  dbPath: string;
  /** First block to scan when the checkpoint is empty. */
  fromBlock?: bigint;
  /** Blocks to rescan when the last scanned block was reorganised away (default 64). */
  reorgDepth?: bigint;
  /** Bound on each receipt wait (default 120 s): a transaction a node's pool lost never gets one. */
  receiptTimeoutMs?: number;
  logger?: Logger;
};

export type DispatchOutcome = {
  taskHash: Hex;
  outcome: "verified" | "skipped" | "failed";
  reason?: string;
  /** The executor whose result was certified. */
  executor?: Address;
  /** Executors replaced before that, with why (timeout, attestation, wrong output). */
  replaced?: { operator: Address; reason: string }[];
  /**
   * Executors that held the task on-chain, gave no usable result and were taken off it after their execution
   * deadline (`reassignTask`, which slashes them for the missed SLA), by this dispatcher in any pass.
   */
  reassigned?: Address[];
  /** Executors slashed for a wrong output of this task in this pass. */
  slashed?: Address[];
  /** Executors whose BLS signatures are in the certificate. */
  signers?: Address[];
  /** Executors asked to certify that did not (down, slow, refused, bad signature), with why. */
  refusedToSign?: { operator: Address; reason: string }[];
};

const TASK_CREATED = parseAbiItem(
  "event TaskCreated(address indexed creator, bytes32 indexed taskHash, bytes32 indexed appId, bytes32 imageDigest, bytes32 inputHash, bytes32 inputCertificateId, uint96 fee, uint256 taskDeadline)",
);
const STATUS_CREATED = 1;

/** Thrown when a task cannot be dispatched (unknown program, measurement set or input mismatch). */
export class TaskDispatchError extends VcloudError {
  override name = "TaskDispatchError";
  constructor(taskHash: Hex, reason: string) {
    super(`task ${taskHash}: ${reason}`);
  }
}

/** The checkpoint store: last scanned block and each task's dispatch state. */
export class DispatchCheckpoint {
  readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS tasks (
        task_hash TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        tx_hash TEXT,
        reason TEXT,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS attempts (
        task_hash TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        operator TEXT NOT NULL,
        outcome TEXT,
        PRIMARY KEY (task_hash, attempt)
      );
      CREATE TABLE IF NOT EXISTS open_tasks (task_hash TEXT PRIMARY KEY);
      CREATE TABLE IF NOT EXISTS reassignments (
        task_hash TEXT NOT NULL,
        operator TEXT NOT NULL,
        tx_hash TEXT NOT NULL,
        slash_id TEXT NOT NULL,
        PRIMARY KEY (task_hash, operator)
      );
      CREATE TABLE IF NOT EXISTS wrong_claims (
        task_hash TEXT NOT NULL,
        operator TEXT NOT NULL,
        claim TEXT NOT NULL,
        signature TEXT,
        state TEXT NOT NULL,
        reason TEXT,
        PRIMARY KEY (task_hash, operator)
      );
    `);
  }

  /** Attempts made for a task, in order, with their outcome (null: in flight when the process stopped). */
  attempts(taskHash: Hex): { attempt: number; operator: Address; outcome: string | null }[] {
    return this.db
      .prepare("SELECT attempt, operator, outcome FROM attempts WHERE task_hash = ? ORDER BY attempt")
      .all(taskHash.toLowerCase()) as { attempt: number; operator: Address; outcome: string | null }[];
  }

  assign(taskHash: Hex, attempt: number, operator: Address): void {
    this.db
      .prepare("INSERT OR IGNORE INTO attempts (task_hash, attempt, operator, outcome) VALUES (?, ?, ?, NULL)")
      .run(taskHash.toLowerCase(), attempt, operator);
  }

  finishAttempt(taskHash: Hex, attempt: number, outcome: string): void {
    this.db
      .prepare("UPDATE attempts SET outcome = ? WHERE task_hash = ? AND attempt = ?")
      .run(outcome, taskHash.toLowerCase(), attempt);
  }

  /** Records an executor taken off a task on-chain (`reassignTask`). */
  addReassignment(taskHash: Hex, reassignment: Reassignment): void {
    this.db
      .prepare("INSERT OR IGNORE INTO reassignments (task_hash, operator, tx_hash, slash_id) VALUES (?, ?, ?, ?)")
      .run(taskHash.toLowerCase(), reassignment.operator, reassignment.txHash, reassignment.slashId.toString());
  }

  /** Executors this dispatcher took off a task on-chain, in order. */
  reassignments(taskHash: Hex): Address[] {
    return (
      this.db
        .prepare("SELECT operator FROM reassignments WHERE task_hash = ? ORDER BY rowid")
        .all(taskHash.toLowerCase()) as { operator: Address }[]
    ).map((r) => r.operator);
  }

  addWrongClaim(taskHash: Hex, operator: Address, claim: MailboxTaskResult, signature: Hex | undefined): void {
    this.db
      .prepare(
        "INSERT OR IGNORE INTO wrong_claims (task_hash, operator, claim, signature, state) VALUES (?, ?, ?, ?, ?)",
      )
      .run(
        taskHash.toLowerCase(),
        operator,
        JSON.stringify(claim),
        signature ?? null,
        signature ? "pending" : "unsigned",
      );
  }

  pendingWrongClaims(): { taskHash: Hex; operator: Address; claim: MailboxTaskResult; signature: Hex }[] {
    const rows = this.db
      .prepare("SELECT task_hash, operator, claim, signature FROM wrong_claims WHERE state = 'pending'")
      .all() as { task_hash: Hex; operator: Address; claim: string; signature: Hex }[];
    return rows.map((r) => ({
      taskHash: r.task_hash,
      operator: r.operator,
      claim: JSON.parse(r.claim) as MailboxTaskResult,
      signature: r.signature,
    }));
  }

  settleWrongClaim(taskHash: Hex, operator: Address, state: "slashed" | "failed", reason?: string): void {
    this.db
      .prepare("UPDATE wrong_claims SET state = ?, reason = ? WHERE task_hash = ? AND operator = ?")
      .run(state, reason ?? null, taskHash.toLowerCase(), operator);
  }

  /** Tasks seen not yet verified: watched until verified, or expired (and its executor slashed). */
  watch(taskHash: Hex): void {
    this.db.prepare("INSERT OR IGNORE INTO open_tasks (task_hash) VALUES (?)").run(taskHash.toLowerCase());
  }

  unwatch(taskHash: Hex): void {
    this.db.prepare("DELETE FROM open_tasks WHERE task_hash = ?").run(taskHash.toLowerCase());
  }

  watched(): Hex[] {
    return (this.db.prepare("SELECT task_hash FROM open_tasks").all() as { task_hash: Hex }[]).map((r) => r.task_hash);
  }

  nextBlock(): bigint | undefined {
    return readNextBlock(this.db);
  }

  /** Records the next block to scan and, when known, the hash of the last block scanned (to detect reorgs). */
  setNextBlock(block: bigint, lastHash?: Hex): void {
    writeNextBlock(this.db, block, lastHash);
  }

  /** Hash of the last block scanned, as recorded with the scan position. */
  lastHash(): Hex | undefined {
    return readLastHash(this.db);
  }

  state(taskHash: Hex): string | undefined {
    const row = this.db.prepare("SELECT state FROM tasks WHERE task_hash = ?").get(taskHash.toLowerCase()) as
      { state: string } | undefined;
    return row?.state;
  }

  record(
    taskHash: Hex,
    state: "submitting" | "submitted" | "closed" | "failed",
    extra: { txHash?: Hex; reason?: string } = {},
  ) {
    this.db
      .prepare(
        `INSERT INTO tasks (task_hash, state, tx_hash, reason, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(task_hash) DO UPDATE SET state = excluded.state, tx_hash = COALESCE(excluded.tx_hash, tx_hash),
         reason = excluded.reason, updated_at = excluded.updated_at`,
      )
      .run(taskHash.toLowerCase(), state, extra.txHash ?? null, extra.reason ?? null, Date.now());
  }

  /** Tasks recorded as submitted (not yet final), with their submission's transaction. */
  submitted(): { taskHash: Hex; txHash: Hex | undefined }[] {
    const rows = this.db.prepare("SELECT task_hash, tx_hash FROM tasks WHERE state = 'submitted'").all() as {
      task_hash: string;
      tx_hash: string | null;
    }[];
    return rows.map((r) => ({ taskHash: r.task_hash as Hex, txHash: (r.tx_hash ?? undefined) as Hex | undefined }));
  }

  close(): void {
    this.db.close();
  }
}

type OnChainTask = {
  appId: Hex;
  imageDigest: Hex;
  measurementsHash: Hex;
  inputHash: Hex;
  inputCertificateId: Hex;
};

/** The chain client and receipt bound for `send` / `disperse`. */
function sendClients(params: Pick<DispatchParams, "publicClient" | "receiptTimeoutMs">) {
  return {
    publicClient: params.publicClient,
    ...(params.receiptTimeoutMs !== undefined ? { receiptTimeoutMs: params.receiptTimeoutMs } : {}),
  };
}

/** Blocks rescanned after a reorg of the last scanned block. */
export const DEFAULT_REORG_DEPTH = 64n;

/** Whether the block the last pass scanned up to is no longer on the chain (a reorg replaced it). */
async function lastScanReorged(publicClient: PublicClient<Transport, Chain>, checkpoint: DispatchCheckpoint) {
  const next = checkpoint.nextBlock();
  const lastHash = checkpoint.lastHash();
  if (next === undefined || next === 0n || lastHash === undefined) return false;
  const block = await publicClient.getBlock({ blockNumber: next - 1n }).catch(() => undefined);
  return block?.hash !== lastHash;
}

/** One dispatcher pass. Resolves to what happened to each task seen in this pass. */
export async function dispatchOnce(params: DispatchParams): Promise<DispatchOutcome[]> {
  const { publicClient, logger } = params;
  const checkpoint = new DispatchCheckpoint(params.dbPath);
  const outcomes: DispatchOutcome[] = [];
  try {
    const head = await publicClient.getBlock({ blockTag: "latest" });
    let fromBlock = checkpoint.nextBlock() ?? params.fromBlock ?? 0n;
    // A reorg replaced the last block this dispatcher scanned: rescan the reorg window, and re-check on
    // chain the tasks it recorded as submitted or closed (their results may have been dropped with it).
    const reorged = await lastScanReorged(publicClient, checkpoint);
    const depth = params.reorgDepth ?? DEFAULT_REORG_DEPTH;
    if (reorged) {
      fromBlock = fromBlock > depth ? fromBlock - depth : 0n;
      if (params.fromBlock !== undefined && fromBlock < params.fromBlock) fromBlock = params.fromBlock;
      logger?.warn({ fromBlock }, "the chain reorganised past the last scanned block; rescanning");
    }
    // Results this dispatcher submitted that are not yet final: one a reorg dropped is submitted again.
    for (const { taskHash, txHash } of checkpoint.submitted()) {
      const status = Number(await read<number>(params, "getTaskStatus", [taskHash]));
      if (status === STATUS_CREATED) {
        logger?.warn({ taskHash, txHash }, "the submitted result is no longer on chain (reorg); submitting again");
        outcomes.push(await dispatchSafely(params, checkpoint, taskHash));
        continue;
      }
      const receipt = txHash
        ? await publicClient.getTransactionReceipt({ hash: txHash }).catch(() => undefined)
        : undefined;
      if (!receipt || head.number - receipt.blockNumber >= depth)
        checkpoint.record(taskHash, "closed", { reason: `status ${status} on-chain, final` });
    }
    if (fromBlock <= head.number) {
      const logs = await publicClient.getLogs({
        address: params.mailbox,
        event: TASK_CREATED,
        fromBlock,
        toBlock: head.number,
      });
      // Up to `concurrency` tasks run at once (their executors work in parallel); results in log order.
      const results: DispatchOutcome[] = new Array<DispatchOutcome>(logs.length);
      let next = 0;
      const lane = async () => {
        while (next < logs.length) {
          const i = next++;
          results[i] = await dispatchLogged(params, checkpoint, logs[i]!.args.taskHash!, reorged);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, params.concurrency ?? 1) }, lane));
      outcomes.push(...results);
      // A transient failure: rescan from that task's block next pass, or it would never be seen again.
      let retryFrom: bigint | undefined;
      results.forEach((outcome, i) => {
        if (outcome.outcome !== "failed" || checkpoint.state(outcome.taskHash) === "failed") return;
        const block = logs[i]!.blockNumber;
        if (retryFrom === undefined || block < retryFrom) retryFrom = block;
      });
      if (retryFrom === undefined) checkpoint.setNextBlock(head.number + 1n, head.hash);
      else {
        const before = retryFrom > 0n ? await publicClient.getBlock({ blockNumber: retryFrom - 1n }) : undefined;
        checkpoint.setNextBlock(retryFrom, before?.hash);
      }
    }
    // Executors that accepted a task which then expired: slashed once for missing its SLA.
    outcomes.push(...(await slashMissedSlas(params, checkpoint)));
    // Wrong claims whose task is now verified (this pass, or a pass that stopped before slashing).
    const slashed = await slashWrongClaims(params, checkpoint);
    for (const outcome of outcomes) {
      const mine = slashed.filter((s) => s.taskHash.toLowerCase() === outcome.taskHash.toLowerCase());
      if (mine.length > 0) outcome.slashed = mine.map((s) => s.operator);
    }
    return outcomes;
  } finally {
    checkpoint.close();
  }
}

async function dispatchLogged(
  params: DispatchParams,
  checkpoint: DispatchCheckpoint,
  taskHash: Hex,
  reorged: boolean,
): Promise<DispatchOutcome> {
  const seen = checkpoint.state(taskHash);
  if (seen === "failed" || ((seen === "submitted" || seen === "closed") && !reorged)) {
    return { taskHash, outcome: "skipped", reason: `checkpoint: ${seen}` } satisfies DispatchOutcome;
  }
  const status = Number(await read<number>(params, "getTaskStatus", [taskHash]));
  if (status === STATUS_CREATED || status === STATUS_EXPIRED) checkpoint.watch(taskHash);
  if (status !== STATUS_CREATED) {
    checkpoint.record(taskHash, "closed", { reason: `status ${status} on-chain` });
    return { taskHash, outcome: "skipped", reason: `status ${status} on-chain` } satisfies DispatchOutcome;
  }
  return dispatchSafely(params, checkpoint, taskHash);
}

/** Dispatches one task; a failure becomes an outcome (terminal for a TaskDispatchError, else retried). */
async function dispatchSafely(
  params: DispatchParams,
  checkpoint: DispatchCheckpoint,
  taskHash: Hex,
): Promise<DispatchOutcome> {
  const logger = params.logger;
  try {
    const done = await dispatchTask(params, checkpoint, taskHash);
    logger?.info({ taskHash, txHash: done.txHash, executor: done.executor }, "task result certified");
    const outcome: DispatchOutcome = {
      taskHash,
      outcome: "verified",
      executor: done.executor,
      signers: done.signers,
    };
    if (done.replaced.length > 0) outcome.replaced = done.replaced;
    if (done.reassigned.length > 0) outcome.reassigned = done.reassigned;
    if (done.refusedToSign.length > 0) outcome.refusedToSign = done.refusedToSign;
    return outcome;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // A task that cannot be run here (unknown program, bad input, no executor left) is not retried; a
    // chain or DA failure is (the checkpoint keeps no terminal state for it).
    if (error instanceof TaskDispatchError || error instanceof NoExecutorLeftError) {
      checkpoint.record(taskHash, "failed", { reason });
    }
    logger?.warn({ taskHash, reason }, "task not dispatched");
    return { taskHash, outcome: "failed", reason } satisfies DispatchOutcome;
  }
}

function read<T>(params: DispatchParams, functionName: string, args: readonly unknown[]): Promise<T> {
  return params.publicClient.readContract({
    address: params.mailbox,
    abi: taskMailboxAbi,
    functionName,
    args,
  } as never) as Promise<T>;
}

/** Thrown inside an attempt when the executor does not answer in time. */
class ExecutorTimeoutError extends VcloudError {
  override name = "ExecutorTimeoutError";
  constructor(operator: Address, ms: number) {
    super(`executor ${operator} gave no result within ${ms} ms`);
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, operator: Address): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ExecutorTimeoutError(operator, ms)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const defaultRun: ExecutorRun = async (job) => {
  const run = await runTask(job.bundle, job.input, job.limits, {
    taskHash: job.taskHash,
    expectedImageDigest: job.imageDigest,
    ...(job.attester ? { attester: job.attester } : {}),
  });
  return { output: run.output, attestation: run.attestation };
};

/** How the dispatcher reaches one executor: over HTTP (its registered socket) or in-process (devnet adapter). */
type Endpoint = {
  operator: Address;
  run(job: {
    request: RunRequest;
    bundle: ProgramBundle;
    input: Uint8Array;
    imageDigest: Hex;
    limits: Partial<SandboxLimits>;
    attester?: Attester;
    typedData: (claimed: MailboxTaskResult) => ClaimTypedData;
    timeoutMs: number;
  }): Promise<{ output: Uint8Array; attestation: Attestation; claimSignature?: Hex }>;
  sign(
    request: { taskHash: Hex; result: MailboxTaskResult; attestation: Attestation },
    timeoutMs: number,
  ): Promise<Signature>;
};

function inProcessEndpoint(executor: Executor): Endpoint {
  return {
    operator: executor.operator,
    async run(job) {
      const run = await (executor.run ?? defaultRun)({
        bundle: job.bundle,
        input: job.input,
        taskHash: job.request.taskHash as Hex,
        imageDigest: job.imageDigest,
        limits: job.limits,
        ...(job.attester ? { attester: job.attester } : {}),
      });
      const claimed = claimOf(run.output, run.attestation);
      const claimSignature = executor.signClaim ? await executor.signClaim(job.typedData(claimed)) : undefined;
      return { ...run, ...(claimSignature ? { claimSignature } : {}) };
    },
    // The dispatcher's re-execution and attestation check stand in for an in-process executor's own.
    sign: async (request) => executor.blsKey.sign(taskResultMessage(request.taskHash, request.result)),
  };
}

function remoteEndpoint(operator: Address, socket: string): Endpoint {
  const client = executorClient(operator, socket);
  const wire = (a: Attestation) => ({ format: a.format, bytes: Buffer.from(a.bytes).toString("base64") });
  return {
    operator,
    async run(job) {
      const answer = await client.run(job.request, job.timeoutMs);
      return {
        output: Buffer.from(answer.output, "base64"),
        attestation: { format: answer.attestation.format, bytes: Buffer.from(answer.attestation.bytes, "base64") },
        claimSignature: answer.claimSignature as Hex,
      };
    },
    async sign(request, timeoutMs) {
      const answer = await client.sign(
        { taskHash: request.taskHash, result: request.result, attestation: wire(request.attestation) },
        timeoutMs,
      );
      return signatureFromHex(answer.signature as Hex, `signature of ${operator}`);
    },
  };
}

function claimOf(output: Uint8Array, attestation: Attestation): MailboxTaskResult {
  return {
    outputHash: hashBytes(output),
    attestationHash: keccak256(attestation.bytes),
    outputCertificateId: zeroHash,
  };
}

/** The executors this dispatcher can reach among the set's members, by lower-cased operator address. */
function reachableEndpoints(params: DispatchParams, members: readonly SetMember[]): Map<string, Endpoint> {
  const endpoints = new Map<string, Endpoint>();
  if (params.executors) {
    for (const e of params.executors) endpoints.set(e.operator.toLowerCase(), inProcessEndpoint(e));
    return endpoints;
  }
  for (const m of members) {
    const socket = params.socketOverrides?.[m.operator.toLowerCase()] ?? m.socket;
    if (socket) endpoints.set(m.operator.toLowerCase(), remoteEndpoint(m.operator, socket));
  }
  return endpoints;
}

/** Too little stake certified a result (executors down or refusing); the task is retried next pass. */
export class InsufficientExecutorSignaturesError extends VcloudError {
  override name = "InsufficientExecutorSignaturesError";
  constructor(
    taskHash: Hex,
    signedStake: bigint,
    totalStake: bigint,
    thresholdBps: number,
    readonly refused: { operator: Address; reason: string }[],
  ) {
    super(
      `task ${taskHash}: executors with ${signedStake} of ${totalStake} stake signed, below ${thresholdBps} bps` +
        (refused.length > 0 ? ` (${refused.map((r) => `${r.operator}: ${r.reason}`).join("; ")})` : ""),
    );
  }
}

/** Measurement sets fetched from DA, by app and hash: published sets are immutable under their hash. */
const publishedSets = new Map<string, MeasurementSet>();

type DispatchedTask = {
  txHash: Hex;
  executor: Address;
  replaced: { operator: Address; reason: string }[];
  reassigned: Address[];
  signers: Address[];
  refusedToSign: { operator: Address; reason: string }[];
};

async function dispatchTask(
  params: DispatchParams,
  checkpoint: DispatchCheckpoint,
  taskHash: Hex,
): Promise<DispatchedTask> {
  const task = await read<OnChainTask>(params, "getTask", [taskHash]);
  const app = params.apps.get(task.imageDigest.toLowerCase());
  if (!app) throw new TaskDispatchError(taskHash, `no program known for image digest ${task.imageDigest}`);
  // The app's allowed measurements: the known set registered for this task, else the one its owner published
  // on DA for that hash (else UnknownMeasurementSetError, not terminal: a dispatcher restarted with the right
  // --measurements file, or a later publication, dispatches the task).
  const allowed = await resolveMeasurementSet(
    task,
    app.measurements,
    {
      publicClient: params.publicClient,
      appRegistry: () => read<Address>(params, "appRegistry", []),
      da: {
        certificateRegistry: params.da.certificateRegistry,
        registrar: params.da.registrar,
        ...(params.da.timeoutMs ? { timeoutMs: params.da.timeoutMs } : {}),
      },
    },
    publishedSets,
  );
  const daRead = {
    publicClient: params.publicClient,
    certificateRegistry: params.da.certificateRegistry,
    registrar: params.da.registrar,
  };
  const fetchInput = async () => {
    const { payload } = await retrieve({ ...daRead, certificateId: task.inputCertificateId });
    if (hashBytes(payload) !== task.inputHash.toLowerCase()) {
      throw new TaskDispatchError(taskHash, "the input on DA does not hash to the task's inputHash");
    }
    return payload;
  };
  const limits = params.limits ?? {};
  const attesterOption = params.attester ? { attester: params.attester } : {};
  const timeoutMs = params.executorTimeoutMs ?? 60_000;

  // Resume: finished attempts are not repeated; an attempt in flight when the process stopped is re-run.
  // An executor accepted in a pass that stopped before submitting (or could not certify) runs again.
  const past = checkpoint.attempts(taskHash).filter((a) => a.outcome !== null && a.outcome !== "accepted");
  const tried = new Set(past.map((a) => a.operator.toLowerCase()));
  const replaced = past.map((a) => ({ operator: a.operator, reason: a.outcome! }));
  // An executor that holds the task on-chain and failed its attempt keeps it until its execution deadline;
  // after it, the task is taken from it on-chain (it is slashed) so that the next executor can accept it.
  const takeOver = async () => {
    const taken = await takeFromLateExecutor({
      publicClient: params.publicClient,
      walletClient: params.walletClient,
      mailbox: params.mailbox,
      taskHash,
      failed: tried,
      serialise: (section) => queueFor(params.walletClient).run(section),
    });
    if (!taken) return;
    checkpoint.addReassignment(taskHash, taken);
    params.logger?.info(
      { taskHash, executor: taken.operator, slashId: taken.slashId, txHash: taken.txHash },
      "task taken from an executor that missed its execution deadline",
    );
  };
  await takeOver();

  // The reference output: the dispatcher runs the registered program itself on the DA input.
  const reference =
    params.reexecute === false
      ? undefined
      : await defaultRun({
          bundle: app.bundle,
          input: await fetchInput(),
          taskHash,
          imageDigest: task.imageDigest,
          limits,
          ...attesterOption,
        });

  // Executors by allocated stake at the latest settled block, among those this dispatcher can reach.
  const head = await params.publicClient.getBlockNumber();
  const snapshot = await readOperatorSet({
    publicClient: params.publicClient,
    registrar: params.registrar,
    referenceBlock: Number(head) - 1,
  });
  const reachable = reachableEndpoints(params, snapshot.members);
  const candidates: Candidate[] = snapshot.members
    .filter((m) => reachable.has(m.operator.toLowerCase()))
    .map((m) => ({ operator: m.operator, stake: m.stake }));

  let attempt = past.length;
  const chainId = params.publicClient.chain.id;
  const typedData = (claimed: MailboxTaskResult) =>
    claimTypedData({ chainId, mailbox: params.mailbox, taskHash, claimed });
  let accepted: { operator: Address; output: Uint8Array; attestation: Attestation } | undefined;
  while (!accepted) {
    const pick = selectExecutor({ taskHash, attempt, candidates, exclude: tried });
    const endpoint = reachable.get(pick.operator.toLowerCase())!;
    checkpoint.assign(taskHash, attempt, pick.operator);
    let reason: string;
    try {
      // Each attempt starts from the DA-stored input (a networked executor fetches it itself).
      const input = await fetchInput();
      const run = await withTimeout(
        endpoint.run({
          request: { taskHash, appId: task.appId, inputCertificateId: task.inputCertificateId },
          bundle: app.bundle,
          input,
          imageDigest: task.imageDigest,
          limits,
          ...attesterOption,
          typedData,
          timeoutMs,
        }),
        timeoutMs,
        pick.operator,
      );
      const claimed = claimOf(run.output, run.attestation);
      // A claim signature must be the executor's own over what it returned (else it is worth nothing).
      const claimValid =
        run.claimSignature !== undefined &&
        (await verifyTypedData({ address: pick.operator, ...typedData(claimed), signature: run.claimSignature }).catch(
          () => false,
        ));
      if (run.claimSignature !== undefined && !claimValid) {
        reason = "bad claim signature";
      } else if (reference && claimed.outputHash !== hashBytes(reference.output)) {
        checkpoint.addWrongClaim(taskHash, pick.operator, claimed, run.claimSignature);
        reason = "wrong output (re-execution differs)";
      } else {
        await verifyTaskResult({
          attestation: run.attestation,
          imageDigest: task.imageDigest,
          taskHash,
          input,
          output: Buffer.from(run.output),
          policy: { ...params.policy, expectedMeasurements: allowed },
          ...collateralFor(run.attestation.format, params.tdxCollateral),
        });
        accepted = { operator: pick.operator, output: run.output, attestation: run.attestation };
        checkpoint.finishAttempt(taskHash, attempt, "accepted");
        break;
      }
    } catch (error) {
      if (error instanceof TaskDispatchError) throw error;
      reason =
        error instanceof ExecutorTimeoutError ||
        (error instanceof NodeRequestError && /: timed out$/.test(error.message))
          ? "timeout"
          : `failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    params.logger?.warn({ taskHash, executor: pick.operator, attempt, reason }, "executor replaced");
    checkpoint.finishAttempt(taskHash, attempt, reason);
    replaced.push({ operator: pick.operator, reason });
    tried.add(pick.operator.toLowerCase());
    attempt += 1;
    await takeOver();
  }

  // One signer: its transactions (the DA confirmation, the result) go one at a time, in the signer's queue;
  // encoding, dispersal to the DA nodes and the executors' certification of concurrent tasks overlap.
  const serialise = <T>(section: () => Promise<T>) => queueFor(params.walletClient).run(section);
  const stored = await disperse({
    ...params.da,
    ...sendClients(params),
    walletClient: params.walletClient,
    payload: accepted.output,
    serialise,
    ...(params.logger ? { logger: params.logger } : {}),
  });
  const result: MailboxTaskResult = {
    outputHash: hashBytes(accepted.output),
    attestationHash: keccak256(accepted.attestation.bytes),
    outputCertificateId: stored.certificateId,
  };
  // Every reachable executor of the set is asked to certify the result (each checks it first); each
  // signature is verified against the operator's registered key before it enters the aggregate.
  const message = hexToBytes(taskResultMessage(taskHash, result));
  const certHead = await params.publicClient.getBlockNumber();
  const referenceBlock = Number(certHead) - 1;
  const certSet = await readOperatorSet({
    publicClient: params.publicClient,
    registrar: params.registrar,
    referenceBlock,
  });
  const signatures = new Map<string, Signature>();
  const refusedToSign: { operator: Address; reason: string }[] = [];
  await Promise.all(
    certSet.members.map(async (member) => {
      const endpoint = reachable.get(member.operator.toLowerCase());
      if (!endpoint || member.stake === 0n) return;
      try {
        const signature = await withTimeout(
          endpoint.sign({ taskHash, result, attestation: accepted.attestation }, timeoutMs),
          timeoutMs,
          member.operator,
        );
        if (!blsVerify(message, publicKeyOf(member.pubkey), signature, true, true))
          throw new VcloudError("BLS signature does not verify against the registered key");
        signatures.set(member.operator.toLowerCase(), signature);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        refusedToSign.push({ operator: member.operator, reason });
        params.logger?.warn({ taskHash, executor: member.operator, reason }, "executor did not certify the result");
      }
    }),
  );
  const certificate = await buildTaskCertificate({
    publicClient: params.publicClient,
    registrar: params.registrar,
    referenceBlock,
    signatures,
  }).catch((error: unknown) => {
    if (error instanceof NoSignaturesError)
      throw new InsufficientExecutorSignaturesError(taskHash, 0n, certSet.totalStake, 0, refusedToSign);
    throw error;
  });
  const thresholdBps = Number(await read<number>(params, "thresholdBps", []));
  if (certificate.signedStake * 10_000n < certificate.totalStake * BigInt(thresholdBps)) {
    throw new InsufficientExecutorSignaturesError(
      taskHash,
      certificate.signedStake,
      certificate.totalStake,
      thresholdBps,
      refusedToSign,
    );
  }
  checkpoint.record(taskHash, "submitting");
  const txHash = await serialise(() =>
    send(sendClients(params), params.walletClient, {
      address: params.mailbox,
      abi: taskMailboxAbi,
      functionName: "submitResult",
      args: [taskHash, result, certificate.referenceBlock, certificate.signature],
    }),
  );
  checkpoint.record(taskHash, "submitted", { txHash });
  return {
    txHash,
    executor: accepted.operator,
    replaced,
    reassigned: checkpoint.reassignments(taskHash),
    signers: certificate.signers,
    refusedToSign,
  };
}

/** Runs async sections one at a time, in call order. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tail.then(section, section);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
const queues = new WeakMap<object, SerialQueue>();
/** One queue per signer, so its nonces never race. */
function queueFor(signer: object): SerialQueue {
  let queue = queues.get(signer);
  if (!queue) queues.set(signer, (queue = new SerialQueue()));
  return queue;
}

const STATUS_VERIFIED = 2;
const STATUS_EXPIRED = 3;

/**
 * Watched tasks: a verified one is dropped; an expired one whose accepted executor is not yet slashed is
 * sent to `TaskMailbox.slashForMissedSla` (the compute set's slasher), once; its fee is left to the
 * creator's refund. An outcome per slash.
 */
async function slashMissedSlas(params: DispatchParams, checkpoint: DispatchCheckpoint): Promise<DispatchOutcome[]> {
  const outcomes: DispatchOutcome[] = [];
  for (const taskHash of checkpoint.watched()) {
    const status = Number(await read<number>(params, "getTaskStatus", [taskHash]));
    if (status === STATUS_CREATED) continue;
    if (status !== STATUS_EXPIRED) {
      checkpoint.unwatch(taskHash);
      continue;
    }
    const task = await read<{ executor: Address; executorSlashed: boolean }>(params, "getTask", [taskHash]);
    if (task.executor === zeroAddress || task.executorSlashed) {
      checkpoint.unwatch(taskHash);
      continue;
    }
    try {
      await send(sendClients(params), params.walletClient, {
        address: params.mailbox,
        abi: taskMailboxAbi,
        functionName: "slashForMissedSla",
        args: [taskHash, task.executor],
      });
      checkpoint.unwatch(taskHash);
      params.logger?.info({ taskHash, operator: task.executor }, "executor slashed for missing the SLA");
      outcomes.push({
        taskHash,
        outcome: "skipped",
        reason: "expired: its executor missed the SLA and was slashed",
        slashed: [task.executor],
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (/ExecutorAlreadySlashed/.test(reason)) checkpoint.unwatch(taskHash);
      else params.logger?.warn({ taskHash, operator: task.executor, reason }, "missed-SLA slash not sent");
    }
  }
  return outcomes;
}

/** Sends every pending signed wrong claim whose task is verified to `slashForWrongResult`, once. */
async function slashWrongClaims(
  params: DispatchParams,
  checkpoint: DispatchCheckpoint,
): Promise<{ taskHash: Hex; operator: Address }[]> {
  const slashed: { taskHash: Hex; operator: Address }[] = [];
  for (const claim of checkpoint.pendingWrongClaims()) {
    const status = Number(await read<number>(params, "getTaskStatus", [claim.taskHash]));
    if (status !== STATUS_VERIFIED) {
      if (status !== STATUS_CREATED)
        checkpoint.settleWrongClaim(claim.taskHash, claim.operator, "failed", `status ${status}`);
      continue;
    }
    try {
      await send(sendClients(params), params.walletClient, {
        address: params.mailbox,
        abi: taskMailboxAbi,
        functionName: "slashForWrongResult",
        args: [claim.taskHash, claim.operator, claim.claim, claim.signature],
      });
      checkpoint.settleWrongClaim(claim.taskHash, claim.operator, "slashed");
      slashed.push({ taskHash: claim.taskHash, operator: claim.operator });
      params.logger?.info(
        { taskHash: claim.taskHash, operator: claim.operator },
        "executor slashed for a wrong output",
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // Already slashed (a pass that stopped after sending): settled. Anything else is kept for a later pass.
      if (/WrongResultAlreadySlashed/.test(reason))
        checkpoint.settleWrongClaim(claim.taskHash, claim.operator, "slashed");
      else params.logger?.warn({ taskHash: claim.taskHash, operator: claim.operator, reason }, "slash not sent");
    }
  }
  return slashed;
}
