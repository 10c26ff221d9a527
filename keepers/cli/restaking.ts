/**
 * Shared plumbing of the `stake`, `operator` and `avs` groups: the restaking contract addresses (from
 * deployments/<chainId>.json or flags), sending through keepers/lib/tx.ts, and rendering results.
 */
import type { Command } from "commander";
import type { Address, Hex } from "viem";

import { sendContractWrite, type TxClients } from "../lib/tx.js";
import type { Logger } from "../lib/logger.js";
import { toJson } from "../lib/output.js";
import type { RestakingAddresses } from "../restaking/views.js";
import { resolveContract, withContractFlag } from "./wallet.js";

export const CONTRACT_FLAGS = {
  strategyManager: { flag: "strategy-manager", name: "StrategyManager" },
  delegationManager: { flag: "delegation-manager", name: "DelegationManager" },
  allocationManager: { flag: "allocation-manager", name: "AllocationManager" },
} as const;

/** Adds --strategy-manager, --delegation-manager and --allocation-manager overrides. */
export function withRestakingContracts(command: Command): Command {
  for (const { flag, name } of Object.values(CONTRACT_FLAGS)) withContractFlag(command, flag, name);
  return command;
}

export function restakingAddresses(
  raw: Record<string, unknown>,
  chainId: number,
  deploymentsDir: string | undefined,
): RestakingAddresses {
  const pick = (key: keyof typeof CONTRACT_FLAGS) =>
    resolveContract(
      { chainId, deploymentsDir, flagValue: raw[key], flag: CONTRACT_FLAGS[key].flag },
      CONTRACT_FLAGS[key].name,
    );
  return {
    strategyManager: pick("strategyManager"),
    delegationManager: pick("delegationManager"),
    allocationManager: pick("allocationManager"),
  };
}

export type SentTx = { action: string; hash: Hex; blockNumber: bigint; gasUsed: bigint };

/** Sends one write (simulate -> sign -> send -> receipt) and records it for the command's output. */
export async function send(
  clients: TxClients,
  log: SentTx[],
  action: string,
  params: Parameters<typeof sendContractWrite>[1],
  logger?: Logger,
) {
  const out = await sendContractWrite(clients, params as never, { logger });
  log.push({ action, hash: out.hash, blockNumber: out.receipt.blockNumber, gasUsed: out.receipt.gasUsed });
  logger?.info({ action, hash: out.hash }, "transaction confirmed");
  return out;
}

/** Human rendering: one line per transaction, then the resulting state as indented JSON-ish text. */
export function renderTxResult(result: { transactions: SentTx[] } & Record<string, unknown>): string {
  const lines = result.transactions.map((t) => `tx ${t.hash}  ${t.action} (block ${t.blockNumber}, gas ${t.gasUsed})`);
  const rest = Object.fromEntries(Object.entries(result).filter(([k]) => k !== "transactions"));
  lines.push(toJson(rest, 2));
  return lines.join("\n");
}

export const sameAddress = (a: Address, b: Address) => a.toLowerCase() === b.toLowerCase();
