/**
 * On-chain reassignment of a task whose accepted executor missed its execution deadline
 * (`TaskMailbox.reassignTask`). The dispatcher calls `takeFromLateExecutor` before each executor draw: when
 * the executor holding the task on-chain is one whose attempt failed, the task waits until that executor's
 * execution deadline has passed, then `reassignTask` slashes it through the compute set and clears the
 * acceptance, so the next executor drawn accepts and runs the task from the DA-stored input. Everything is
 * decided from chain state (holder, deadline, block time), so a restarted dispatcher never reassigns twice:
 * once reassigned, the executor no longer holds the task and cannot accept it again.
 */
import {
  parseEventLogs,
  zeroAddress,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

import { send } from "../da-network/setup.js";
import { taskMailboxAbi } from "../lib/abis.js";
import { VcloudError } from "../lib/errors.js";

/**
 * The executor holding the task failed its attempt but its execution deadline has not passed yet: the task
 * cannot be reassigned on-chain before it. Transient: the dispatcher retries the task on a later pass.
 */
export class ExecutionDeadlinePendingError extends VcloudError {
  override name = "ExecutionDeadlinePendingError";
  constructor(
    readonly taskHash: Hex,
    readonly executor: Address,
    readonly executionDeadline: bigint,
  ) {
    super(
      `task ${taskHash}: executor ${executor} holds the task on-chain and gave no usable result; ` +
        `waiting for its execution deadline ${executionDeadline} to reassign it`,
    );
  }
}

/** An executor taken off a task on-chain. */
export type Reassignment = { operator: Address; txHash: Hex; slashId: bigint };

export type ReassignParams = {
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
  mailbox: Address;
  taskHash: Hex;
  /** Executors (lower-cased) whose attempt at this task failed. */
  failed: ReadonlySet<string>;
  /** Runs a chain write in the signer's queue (nonces never race). */
  serialise: <T>(section: () => Promise<T>) => Promise<T>;
};

type HeldTask = { executor: Address; creationTime: bigint; sla: bigint };

/**
 * Takes the task from its on-chain executor when that executor's attempt failed and its execution deadline
 * has passed (`reassignTask`; resolves to the reassignment). Resolves to undefined when there is nothing to
 * take: no executor holds the task, the holder has not failed here, or the mailbox has no execution timeout
 * (the deadline is the task's expiry; the holder is slashed then by `slashForMissedSla` if no result is
 * certified, and the task is only replaced off-chain). Throws ExecutionDeadlinePendingError before the deadline.
 */
export async function takeFromLateExecutor(params: ReassignParams): Promise<Reassignment | undefined> {
  const read = <T>(functionName: string, args: readonly unknown[]) =>
    params.publicClient.readContract({
      address: params.mailbox,
      abi: taskMailboxAbi,
      functionName,
      args,
    } as never) as Promise<T>;
  const task = await read<HeldTask>("getTask", [params.taskHash]);
  const holder = task.executor;
  if (holder === zeroAddress || !params.failed.has(holder.toLowerCase())) return undefined;
  const deadline = BigInt(await read<bigint>("getExecutionDeadline", [params.taskHash]));
  if (deadline >= BigInt(task.creationTime) + BigInt(task.sla)) return undefined;
  const now = (await params.publicClient.getBlock({ blockTag: "latest" })).timestamp;
  // The reassignment mines in a later block; at the deadline itself the mailbox still refuses it.
  if (now <= deadline) throw new ExecutionDeadlinePendingError(params.taskHash, holder, deadline);
  try {
    const txHash = await params.serialise(() =>
      send({ publicClient: params.publicClient }, params.walletClient, {
        address: params.mailbox,
        abi: taskMailboxAbi,
        functionName: "reassignTask",
        args: [params.taskHash],
      }),
    );
    const receipt = await params.publicClient.getTransactionReceipt({ hash: txHash });
    const [event] = parseEventLogs({ abi: taskMailboxAbi, eventName: "TaskReassigned", logs: receipt.logs }) as {
      args: { slashId: bigint };
    }[];
    return { operator: holder, txHash, slashId: event?.args.slashId ?? 0n };
  } catch (error) {
    // Someone (another pass, anyone) reassigned it first: the executor no longer holds the task.
    if (/TaskNotAccepted/.test(error instanceof Error ? error.message : String(error))) return undefined;
    throw error;
  }
}
