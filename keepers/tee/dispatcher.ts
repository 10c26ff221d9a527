/**
 * The TEE dispatcher, one pass (`--once`): reads new TaskCreated events of the TaskMailbox, and for each
 * task still CREATED fetches the input from DA, runs the app's program through the worker, verifies the
 * attestation against the app's allowed measurements, stores the output on DA, collects the executors'
 * BLS signatures over the result and submits the certified result. A SQLite checkpoint (last scanned
 * block, per-task state) makes a second pass, or a pass after a crash, never submit a task twice: a task
 * is re-checked on-chain before any work, and one marked submitted is skipped.
 *
 * On the devnet the executors' keys are in-process (`executors`); a networked deployment would ask each
 * executor over its socket for a signature instead (not built here).
 */
import Database from "better-sqlite3";
import type { Signature } from "@chainsafe/blst";
import {
  keccak256,
  parseAbiItem,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

import type { BlsKey } from "../bls/bls.js";
import { disperse, type DisperseParams } from "../da-network/disperser.js";
import { retrieve } from "../da-network/retriever.js";
import { send } from "../da-network/setup.js";
import { taskMailboxAbi } from "../lib/abis.js";
import { VcloudError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import type { Attester } from "./attester.js";
import { hashBytes } from "./binding.js";
import type { ProgramBundle } from "./bundle.js";
import { buildTaskCertificate, measurementsHash, taskResultMessage, type MailboxTaskResult } from "./certificate.js";
import type { VerifierPolicy } from "./policy.js";
import type { SandboxLimits } from "./sandbox.js";
import { verifyTaskResult } from "./task-result.js";
import { runTask } from "./worker.js";

/** A program the dispatcher can run: its bundle and the measurement set registered for it. */
export type KnownApp = { bundle: ProgramBundle; measurements: Readonly<Record<string, string>> };

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
  /** Devnet: executors with in-process BLS keys. */
  executors: readonly { operator: Address; blsKey: BlsKey }[];
  /** Attestation policy; the app's measurements are added as expectedMeasurements. */
  policy: VerifierPolicy;
  attester?: Attester;
  limits?: Partial<SandboxLimits>;
  /** SQLite file of the checkpoint. */
  dbPath: string;
  /** First block to scan when the checkpoint is empty. */
  fromBlock?: bigint;
  /** Blocks to rescan when the last scanned block was reorganised away (default 64). */
  reorgDepth?: bigint;
  logger?: Logger;
};

export type DispatchOutcome = { taskHash: Hex; outcome: "verified" | "skipped" | "failed"; reason?: string };

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
    `);
  }

  nextBlock(): bigint | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'nextBlock'").get() as
      { value: string } | undefined;
    return row ? BigInt(row.value) : undefined;
  }

  /** Records the next block to scan and, when known, the hash of the last block scanned (to detect reorgs). */
  setNextBlock(block: bigint, lastHash?: Hex): void {
    const put = this.db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
    put.run("nextBlock", block.toString());
    if (lastHash) put.run("lastHash", lastHash);
    else this.db.prepare("DELETE FROM meta WHERE key = 'lastHash'").run();
  }

  /** Hash of the last block scanned, as recorded with the scan position. */
  lastHash(): Hex | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'lastHash'").get() as { value: string } | undefined;
    return row?.value as Hex | undefined;
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
  imageDigest: Hex;
  measurementsHash: Hex;
  inputHash: Hex;
  inputCertificateId: Hex;
};

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
    if (reorged) {
      const depth = params.reorgDepth ?? DEFAULT_REORG_DEPTH;
      fromBlock = fromBlock > depth ? fromBlock - depth : 0n;
      if (params.fromBlock !== undefined && fromBlock < params.fromBlock) fromBlock = params.fromBlock;
      logger?.warn({ fromBlock }, "the chain reorganised past the last scanned block; rescanning");
    }
    // Results this dispatcher submitted that are not yet final: one a reorg dropped is submitted again.
    const depth = params.reorgDepth ?? DEFAULT_REORG_DEPTH;
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
    if (fromBlock > head.number) return outcomes;
    const logs = await publicClient.getLogs({
      address: params.mailbox,
      event: TASK_CREATED,
      fromBlock,
      toBlock: head.number,
    });
    let retryFrom: bigint | undefined;
    for (const log of logs) {
      const taskHash = log.args.taskHash!;
      const seen = checkpoint.state(taskHash);
      if (seen === "failed" || ((seen === "submitted" || seen === "closed") && !reorged)) {
        outcomes.push({ taskHash, outcome: "skipped", reason: `checkpoint: ${seen}` });
        continue;
      }
      const status = Number(await read<number>(params, "getTaskStatus", [taskHash]));
      if (status !== STATUS_CREATED) {
        checkpoint.record(taskHash, "closed", { reason: `status ${status} on-chain` });
        outcomes.push({ taskHash, outcome: "skipped", reason: `status ${status} on-chain` });
        continue;
      }
      const outcome = await dispatchSafely(params, checkpoint, taskHash);
      outcomes.push(outcome);
      // A transient failure: rescan from this task's block next pass, or it would never be seen again.
      if (outcome.outcome === "failed" && checkpoint.state(taskHash) !== "failed")
        if (retryFrom === undefined || log.blockNumber < retryFrom) retryFrom = log.blockNumber;
    }
    if (retryFrom === undefined) checkpoint.setNextBlock(head.number + 1n, head.hash);
    else {
      const before = retryFrom > 0n ? await publicClient.getBlock({ blockNumber: retryFrom - 1n }) : undefined;
      checkpoint.setNextBlock(retryFrom, before?.hash);
    }
    return outcomes;
  } finally {
    checkpoint.close();
  }
}

/** Dispatches one task; a failure becomes an outcome (terminal for a TaskDispatchError, else retried). */
async function dispatchSafely(
  params: DispatchParams,
  checkpoint: DispatchCheckpoint,
  taskHash: Hex,
): Promise<DispatchOutcome> {
  try {
    const txHash = await dispatchTask(params, checkpoint, taskHash);
    params.logger?.info({ taskHash, txHash }, "task result certified");
    return { taskHash, outcome: "verified" };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // A task that cannot be run here (unknown program, bad input) is not retried; a chain or DA
    // failure is (the checkpoint keeps no terminal state for it).
    if (error instanceof TaskDispatchError) checkpoint.record(taskHash, "failed", { reason });
    params.logger?.warn({ taskHash, reason }, "task not dispatched");
    return { taskHash, outcome: "failed", reason };
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

async function dispatchTask(params: DispatchParams, checkpoint: DispatchCheckpoint, taskHash: Hex): Promise<Hex> {
  const task = await read<OnChainTask>(params, "getTask", [taskHash]);
  const app = params.apps.get(task.imageDigest.toLowerCase());
  if (!app) throw new TaskDispatchError(taskHash, `no program known for image digest ${task.imageDigest}`);
  if (measurementsHash(app.measurements) !== task.measurementsHash.toLowerCase()) {
    throw new TaskDispatchError(taskHash, "the known measurement set does not hash to the task's measurementsHash");
  }
  const daRead = {
    publicClient: params.publicClient,
    certificateRegistry: params.da.certificateRegistry,
    registrar: params.da.registrar,
  };
  const { payload: input } = await retrieve({ ...daRead, certificateId: task.inputCertificateId });
  if (hashBytes(input) !== task.inputHash.toLowerCase()) {
    throw new TaskDispatchError(taskHash, "the input on DA does not hash to the task's inputHash");
  }
  const run = await runTask(app.bundle, input, params.limits ?? {}, {
    taskHash,
    expectedImageDigest: task.imageDigest,
    ...(params.attester ? { attester: params.attester } : {}),
  });
  await verifyTaskResult({
    attestation: run.attestation,
    imageDigest: task.imageDigest,
    taskHash,
    input,
    output: run.output,
    policy: { ...params.policy, expectedMeasurements: app.measurements },
  });
  const stored = await disperse({
    ...params.da,
    publicClient: params.publicClient,
    walletClient: params.walletClient,
    payload: run.output,
    ...(params.logger ? { logger: params.logger } : {}),
  });
  const result: MailboxTaskResult = {
    outputHash: hashBytes(run.output),
    attestationHash: keccak256(run.attestation.bytes),
    outputCertificateId: stored.certificateId,
  };
  const message = taskResultMessage(taskHash, result);
  const signatures = new Map<string, Signature>();
  for (const executor of params.executors)
    signatures.set(executor.operator.toLowerCase(), executor.blsKey.sign(message));
  const head = await params.publicClient.getBlockNumber();
  const certificate = await buildTaskCertificate({
    publicClient: params.publicClient,
    registrar: params.registrar,
    referenceBlock: Number(head) - 1,
    signatures,
  });
  checkpoint.record(taskHash, "submitting");
  const txHash = await send({ publicClient: params.publicClient }, params.walletClient, {
    address: params.mailbox,
    abi: taskMailboxAbi,
    functionName: "submitResult",
    args: [taskHash, result, certificate.referenceBlock, certificate.signature],
  });
  checkpoint.record(taskHash, "submitted", { txHash });
  return txHash;
}
