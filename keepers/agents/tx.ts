/**
 * The agent actions' transaction helpers, on top of keepers/lib/tx.ts (simulate first so a revert is
 * reported by its custom error before anything is sent, nonce management, retries, receipt check).
 */
import type {
  Abi,
  Account,
  Address,
  Chain,
  Hex,
  PublicClient,
  TransactionReceipt,
  Transport,
  WalletClient,
} from "viem";

import { decodeRevert, sendContractWrite } from "../lib/tx.js";

export type AgentClients = {
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
};

export type SendParameters = {
  address: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
};

export type SendResult = { hash: Hex; receipt: TransactionReceipt };

/** Simulates, sends and confirms one call; throws ContractRevertedError naming the custom error. */
export async function sendContractTx(clients: AgentClients, params: SendParameters): Promise<SendResult> {
  const { hash, receipt } = await sendContractWrite(clients, params as never);
  return { hash, receipt };
}

/** Reads a view, translating reverts (e.g. AgentNotRegistered) into ContractRevertedError. */
export async function readView<T>(functionName: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw decodeRevert(error, functionName) ?? error;
  }
}
