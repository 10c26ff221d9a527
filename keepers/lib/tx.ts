/**
 * Sending one contract write the careful way:
 *   1. simulate it (eth_call) so a revert is reported with the decoded custom error name and arguments
 *      BEFORE anything is signed or sent;
 *   2. take the nonce from the account's nonce manager (consecutive sends from one process do not collide);
 *   3. sign once, so the transaction hash is known before broadcasting, then broadcast with bounded
 *      retries on transient RPC failures (a retry of an already-accepted transaction is recognised by its
 *      hash, never sent twice under another nonce);
 *   4. wait for the receipt and fail with a typed error if the transaction reverted on chain.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  encodeFunctionData,
  HttpRequestError,
  keccak256,
  LimitExceededRpcError,
  NonceTooHighError,
  SocketClosedError,
  TimeoutError,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem";

import * as generated from "./abis.js";
import { VcloudError } from "./errors.js";
import type { Logger } from "./logger.js";

/** The simulated call reverted: names the contract's custom error and its arguments. */
export class ContractRevertedError extends VcloudError {
  override name = "ContractRevertedError";
  readonly errorName: string;
  readonly args: readonly unknown[];
  readonly functionName: string;

  constructor(functionName: string, errorName: string, args: readonly unknown[], options: { cause?: unknown } = {}) {
    super(`${functionName} would revert: ${errorName}(${args.map(formatArg).join(", ")})`, options);
    this.functionName = functionName;
    this.errorName = errorName;
    this.args = args;
  }
}

/** The transaction was mined but reverted (the chain changed between simulation and inclusion). */
export class TransactionRevertedError extends VcloudError {
  override name = "TransactionRevertedError";
  readonly hash: Hex;
  constructor(functionName: string, hash: Hex) {
    super(`${functionName} transaction ${hash} reverted on chain`);
    this.hash = hash;
  }
}

/** The RPC endpoint kept failing after every retry. */
export class RpcUnavailableError extends VcloudError {
  override name = "RpcUnavailableError";
  constructor(what: string, attempts: number, cause: unknown) {
    super(`${what} failed after ${attempts} attempts: ${shortMessage(cause)}`, { cause });
  }
}

function formatArg(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return value;
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

function shortMessage(error: unknown): string {
  if (error instanceof BaseError) return error.shortMessage;
  return error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
}

type AbiError = Extract<Abi[number], { type: "error" }>;

/** Every custom error declared by any vcloud contract, so reverts from a callee decode too. */
export const ALL_ERRORS_ABI: AbiError[] = (() => {
  const seen = new Map<string, AbiError>();
  for (const abi of Object.values(generated) as unknown as Abi[]) {
    if (!Array.isArray(abi)) continue;
    for (const item of abi) {
      if (item.type !== "error") continue;
      const key = `${item.name}(${item.inputs.map((i: { type: string }) => i.type).join(",")})`;
      if (!seen.has(key)) seen.set(key, item);
    }
  }
  return [...seen.values()];
})();

/**
 * Turns a failed call into ContractRevertedError when it was a revert, decoding the error with the
 * called contract's ABI and, failing that, with every vcloud error. Returns undefined for other failures.
 */
export function decodeRevert(error: unknown, functionName: string): ContractRevertedError | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError) as
    ContractFunctionRevertedError | undefined;
  if (reverted) {
    if (reverted.data?.errorName)
      return new ContractRevertedError(functionName, reverted.data.errorName, reverted.data.args ?? [], {
        cause: error,
      });
    if (reverted.raw && reverted.raw !== "0x") {
      const decoded = tryDecode(reverted.raw);
      if (decoded) return new ContractRevertedError(functionName, decoded.errorName, decoded.args, { cause: error });
      return new ContractRevertedError(functionName, `unknown error ${reverted.raw.slice(0, 10)}`, [], {
        cause: error,
      });
    }
    if (reverted.reason) return new ContractRevertedError(functionName, "Error", [reverted.reason], { cause: error });
    return new ContractRevertedError(functionName, "revert without data", [], { cause: error });
  }
  // estimateGas / raw call errors carry the revert data deeper in the chain.
  const withData = error.walk((e) => typeof (e as { data?: unknown }).data === "string") as { data?: Hex } | undefined;
  if (withData?.data && /^0x[0-9a-fA-F]{8}/.test(withData.data)) {
    const decoded = tryDecode(withData.data);
    if (decoded) return new ContractRevertedError(functionName, decoded.errorName, decoded.args, { cause: error });
  }
  return undefined;
}

function tryDecode(data: Hex): { errorName: string; args: readonly unknown[] } | undefined {
  try {
    const decoded = decodeErrorResult({ abi: ALL_ERRORS_ABI, data });
    return { errorName: decoded.errorName, args: decoded.args ?? [] };
  } catch {
    return undefined;
  }
}

/** Transport-level failures worth another try: timeouts, dropped sockets, 429/5xx, rate limits. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof BaseError)) return false;
  return Boolean(
    error.walk((e) => {
      if (e instanceof TimeoutError || e instanceof SocketClosedError || e instanceof LimitExceededRpcError)
        return true;
      if (e instanceof HttpRequestError) return e.status === undefined || e.status === 429 || e.status >= 500;
      return false;
    }),
  );
}

/** Receipt waits without a caller's bound stop after this long (a lost transaction never gets one). */
export const DEFAULT_RECEIPT_TIMEOUT_MS = 120_000;

export type RetryOptions = { attempts?: number; baseDelayMs?: number; logger?: Logger };

/** Runs `fn`, retrying transient RPC failures with exponential backoff, at most `attempts` times in all. */
export async function withRetries<T>(what: string, fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  const base = options.baseDelayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isTransient(error)) throw error;
      if (attempt >= attempts) throw new RpcUnavailableError(what, attempt, error);
      options.logger?.warn({ what, attempt, err: shortMessage(error) }, "transient RPC error; retrying");
      await new Promise((r) => setTimeout(r, base * 2 ** (attempt - 1)));
    }
  }
}

export type TxClients = {
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
};

export type WriteParameters<
  abi extends Abi,
  functionName extends ContractFunctionName<abi, "nonpayable" | "payable">,
> = {
  address: Address;
  abi: abi;
  functionName: functionName;
  args: ContractFunctionArgs<abi, "nonpayable" | "payable", functionName>;
  value?: bigint;
};

export type WriteResult = {
  hash: Hex;
  receipt: TransactionReceipt;
  /** The function's return value as simulated just before sending. */
  result: unknown;
};

/**
 * Simulates, signs, broadcasts and confirms one contract write (see the file header). Throws
 * ContractRevertedError (before sending), TransactionRevertedError (mined but reverted) or
 * RpcUnavailableError (the endpoint kept failing).
 */
export async function sendContractWrite<
  const abi extends Abi,
  functionName extends ContractFunctionName<abi, "nonpayable" | "payable">,
>(
  clients: TxClients,
  params: WriteParameters<abi, functionName>,
  options: RetryOptions & { receiptTimeoutMs?: number } = {},
): Promise<WriteResult> {
  const { publicClient, walletClient } = clients;
  const account = walletClient.account;
  const functionName = params.functionName as string;
  const call = {
    address: params.address,
    abi: params.abi as Abi,
    functionName,
    args: params.args as readonly unknown[],
    value: params.value,
    account,
  };

  // 1. Simulate.
  let result: unknown;
  try {
    result = (await withRetries(`simulate ${functionName}`, () => publicClient.simulateContract(call), options)).result;
  } catch (error) {
    throw decodeRevert(error, functionName) ?? error;
  }

  // 2. Nonce, gas and fees; 3. sign once; broadcast.
  const chainId = walletClient.chain.id;
  const manager = account.nonceManager;
  const signAndBroadcast = async (): Promise<{ hash: Hex; nonce: number }> => {
    const nonce = manager
      ? await withRetries("get nonce", () =>
          manager.consume({ address: account.address, chainId, client: publicClient }),
        )
      : await withRetries("get nonce", () =>
          publicClient.getTransactionCount({ address: account.address, blockTag: "pending" }),
        );
    let serialized: Hex;
    try {
      const data = encodeFunctionData({ abi: call.abi, functionName, args: call.args });
      const request = await withRetries(
        `prepare ${functionName}`,
        () =>
          walletClient.prepareTransactionRequest({
            account,
            to: params.address,
            data,
            value: params.value,
            nonce,
            chain: walletClient.chain,
          }),
        options,
      );
      if (account.type !== "local") {
        // A key held by the node (e.g. an unlocked development account): the node signs and broadcasts in
        // one call, so the hash is unknown until it answers and a retry could send twice; it is sent once.
        const hash = await walletClient.sendTransaction(request as never);
        return { hash, nonce };
      }
      serialized = await walletClient.signTransaction(request as never);
    } catch (error) {
      manager?.reset({ address: account.address, chainId });
      throw decodeRevert(error, functionName) ?? error;
    }
    const hash = keccak256(serialized);
    // A retry after a lost reply may find the transaction already in the pool or mined.
    try {
      await withRetries(
        `send ${functionName}`,
        async () => {
          try {
            await publicClient.sendRawTransaction({ serializedTransaction: serialized });
          } catch (error) {
            const known = await publicClient.getTransaction({ hash }).catch(() => undefined);
            if (known) return;
            throw error;
          }
        },
        options,
      );
    } catch (error) {
      manager?.reset({ address: account.address, chainId });
      throw error;
    }
    return { hash, nonce };
  };
  let sent: { hash: Hex; nonce: number };
  try {
    sent = await signAndBroadcast();
  } catch (error) {
    // The local count ran ahead of the chain (a reorg dropped this account's transactions): nothing was
    // accepted, so one more try with the nonce re-read from the chain (after the reset above) is safe.
    if (!isNonceTooHigh(error)) throw decodeRevert(error, functionName) ?? error;
    try {
      sent = await signAndBroadcast();
    } catch (again) {
      throw decodeRevert(again, functionName) ?? again;
    }
  }
  const { hash, nonce } = sent;
  options.logger?.debug({ functionName, hash, nonce }, "transaction sent");

  // 4. Receipt. No receipt in time (e.g. a node's pool lost the transaction): reset the nonce manager so the
  // next send re-reads the chain's pending count and fills the free nonce instead of queueing behind it.
  let receipt: TransactionReceipt;
  try {
    receipt = await withRetries(
      `receipt of ${hash}`,
      () => waitForReceipt(publicClient, hash, options.receiptTimeoutMs ?? DEFAULT_RECEIPT_TIMEOUT_MS),
      options,
    );
  } catch (error) {
    manager?.reset({ address: account.address, chainId });
    throw error;
  }
  if (receipt.status !== "success") throw new TransactionRevertedError(functionName, hash);
  return { hash, receipt, result };
}

/**
 * `waitForTransactionReceipt` bounded by `timeout`, its internal lookups stopped with it: for a transaction
 * a node lost, viem keeps retrying `eth_getTransactionByHash` with backoff for about 12 s after the timeout
 * has already failed the wait, which holds a one-shot keeper (`--once`) open long past its bound.
 */
export async function waitForReceipt(
  publicClient: PublicClient<Transport, Chain>,
  hash: Hex,
  timeout: number,
): Promise<TransactionReceipt> {
  const stop = new AbortController();
  try {
    return await publicClient.waitForTransactionReceipt({ hash, timeout, signal: stop.signal });
  } finally {
    stop.abort();
  }
}

/** The node refused a transaction whose nonce is ahead of the account's count (nothing was accepted). */
function isNonceTooHigh(error: unknown): boolean {
  if (!(error instanceof BaseError)) return false;
  return Boolean(
    error.walk((e) => e instanceof NonceTooHighError || /nonce too high/i.test((e as Error).message ?? "")),
  );
}
