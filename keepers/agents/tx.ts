/**
 * Sending one contract transaction the careful way: simulate first (nothing is sent when the call would
 * revert, and the revert is reported by its custom error name and values), then send, then wait for the
 * receipt and fail on a reverted status.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem";

import { identityRegistryAbi, reputationRegistryAbi, validationRegistryAbi, vcloudValidatorAbi } from "../lib/abis.js";
import { VcloudError } from "../lib/errors.js";

export type AgentClients = {
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
};

/** A contract call reverted (in simulation or on-chain); `errorName`/`args` name the broken rule. */
export class ContractRevertError extends VcloudError {
  override name = "ContractRevertError";
  readonly errorName: string | undefined;
  readonly args: readonly unknown[];

  constructor(functionName: string, errorName: string | undefined, args: readonly unknown[], cause?: unknown) {
    const reason = errorName ? `${errorName}(${args.map(formatArg).join(", ")})` : "reverted without a reason";
    super(`${functionName} reverted: ${reason}`, { cause });
    this.errorName = errorName;
    this.args = args;
  }
}

function formatArg(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return value;
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/** Every custom error of the agent contracts, so that a revert bubbling from a callee decodes too. */
const AGENT_ERRORS: Abi = (() => {
  const seen = new Set<string>();
  const items: Abi[number][] = [];
  for (const abi of [identityRegistryAbi, reputationRegistryAbi, validationRegistryAbi, vcloudValidatorAbi]) {
    for (const item of abi as Abi) {
      if (item.type !== "error" || seen.has(item.name)) continue;
      seen.add(item.name);
      items.push(item);
    }
  }
  return items;
})();

function withAgentErrors(abi: Abi): Abi {
  const own = new Set(abi.filter((i) => i.type === "error").map((i) => (i as { name: string }).name));
  return [...abi, ...AGENT_ERRORS.filter((i) => !own.has((i as { name: string }).name))];
}

/** Turns a viem error from a contract call into ContractRevertError when it carries a revert. */
export function asRevertError(functionName: string, error: unknown): unknown {
  if (!(error instanceof BaseError)) return error;
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(revert instanceof ContractFunctionRevertedError)) return error;
  return new ContractRevertError(functionName, revert.data?.errorName, revert.data?.args ?? [], error);
}

export type SendParameters = {
  address: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
};

export type SendResult = { hash: Hex; receipt: TransactionReceipt };

/** Simulates, sends and confirms one call; throws ContractRevertError naming the custom error. */
export async function sendContractTx(clients: AgentClients, params: SendParameters): Promise<SendResult> {
  const abi = withAgentErrors(params.abi);
  let request;
  try {
    ({ request } = await clients.publicClient.simulateContract({
      account: clients.walletClient.account,
      address: params.address,
      abi,
      functionName: params.functionName,
      args: params.args,
    }));
  } catch (error) {
    throw asRevertError(params.functionName, error);
  }
  const hash = await clients.walletClient.writeContract(request);
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new VcloudError(`${params.functionName} transaction ${hash} reverted`);
  return { hash, receipt };
}

/** Reads a view, translating reverts (e.g. AgentNotRegistered) into ContractRevertError. */
export async function readView<T>(functionName: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw asRevertError(functionName, error);
  }
}
