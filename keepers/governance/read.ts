/** Reads the governance handoff's state from the chain (no writes). */
import type { Address, Chain, PublicClient, Transport } from "viem";

import { governanceTimelockAbi, pauserRegistryAbi } from "../lib/abis.js";
import { InvalidInputError } from "../lib/errors.js";
import {
  handoffBatch,
  HANDED_OVER,
  OPERATION_STATES,
  ownable2StepAbi,
  type HandoffStatus,
  type OwnershipRow,
} from "./handoff.js";

export async function readHandoffStatus(
  publicClient: PublicClient<Transport, Chain>,
  contracts: Readonly<Record<string, Address | undefined>>,
): Promise<HandoffStatus> {
  const timelock = contracts.GovernanceTimelock;
  if (!timelock) throw new InvalidInputError("deployment", "has no GovernanceTimelock");
  const batch = handoffBatch(contracts);
  const operationId = await publicClient.readContract({
    address: timelock,
    abi: governanceTimelockAbi,
    functionName: "hashOperationBatch",
    args: [batch.targets, batch.values, batch.payloads, batch.predecessor, batch.salt],
  });
  const [stateIndex, readyAt] = await Promise.all([
    publicClient.readContract({
      address: timelock,
      abi: governanceTimelockAbi,
      functionName: "getOperationState",
      args: [operationId],
    }),
    publicClient.readContract({
      address: timelock,
      abi: governanceTimelockAbi,
      functionName: "getTimestamp",
      args: [operationId],
    }),
  ]);
  const rows: OwnershipRow[] = await Promise.all(
    HANDED_OVER.map(async (name, i) => {
      const address = batch.targets[i]!;
      const [owner, pendingOwner] = await Promise.all([
        publicClient.readContract({ address, abi: ownable2StepAbi, functionName: "owner" }),
        publicClient.readContract({ address, abi: ownable2StepAbi, functionName: "pendingOwner" }),
      ]);
      return { name, address, owner, pendingOwner };
    }),
  );
  const unpauser = contracts.PauserRegistry
    ? await publicClient.readContract({
        address: contracts.PauserRegistry,
        abi: pauserRegistryAbi,
        functionName: "unpauser",
      })
    : undefined;
  const same = (a: Address | undefined) => a?.toLowerCase() === timelock.toLowerCase();
  return {
    timelock,
    operationId,
    state: OPERATION_STATES[stateIndex] ?? "unset",
    readyAt,
    unpauser,
    contracts: rows,
    complete: same(unpauser) && rows.every((r) => same(r.owner)),
  };
}
