/**
 * The production governance handoff (deploy/modules/GovernanceHandoff.ts): every Ownable2Step contract of
 * the stack is offered to the GovernanceTimelock, and the timelock's acceptance of all of them is scheduled
 * as one batch. Once the timelock's delay has passed, anyone with the executor role runs the batch
 * (`vcloud governance execute`). The batch is a pure function of the deployment, so the deploy module and
 * the CLI build exactly the same operation.
 */
import { encodeFunctionData, keccak256, toHex, type Address, type Hex } from "viem";

import { InvalidInputError, VcloudError } from "../lib/errors.js";

/** The contracts handed to the timelock, in batch order (names as in deployments/<chainId>.json). */
export const HANDED_OVER = [
  "DelegationManager",
  "StrategyManager",
  "StrategyFactory",
  "InstantSlasher",
  "VetoableSlasher",
  "VictimPayout",
  "FeeJar",
  "ProtocolFee",
  "BuybackReleaser",
  "DutchAuctionReleaser",
  "RewardsCoordinator",
  "VcloudValidator",
] as const;

/** The batch's salt: one fixed value, so that the batch id is the same for the module and the CLI. */
export const HANDOFF_SALT: Hex = keccak256(toHex("vcloud.governance.handoff.v1"));
export const ZERO_PREDECESSOR: Hex = `0x${"00".repeat(32)}`;

/** The Ownable2Step functions the handoff uses (the same on every handed-over contract). */
export const ownable2StepAbi = [
  { type: "function", name: "acceptOwnership", inputs: [], outputs: [], stateMutability: "nonpayable" },
  { type: "function", name: "owner", inputs: [], outputs: [{ type: "address" }], stateMutability: "view" },
  { type: "function", name: "pendingOwner", inputs: [], outputs: [{ type: "address" }], stateMutability: "view" },
] as const;

export type HandoffBatch = {
  targets: Address[];
  values: bigint[];
  payloads: Hex[];
  predecessor: Hex;
  salt: Hex;
};

/** The acceptOwnership batch for a deployment; throws naming the first contract the deployment lacks. */
export function handoffBatch(contracts: Readonly<Record<string, Address | undefined>>): HandoffBatch {
  const payload = encodeFunctionData({ abi: ownable2StepAbi, functionName: "acceptOwnership" });
  const targets = HANDED_OVER.map((name) => {
    const address = contracts[name];
    if (!address) throw new InvalidInputError("deployment", `has no ${name}: not a production deployment`);
    return address;
  });
  return {
    targets,
    values: targets.map(() => 0n),
    payloads: targets.map(() => payload),
    predecessor: ZERO_PREDECESSOR,
    salt: HANDOFF_SALT,
  };
}

/** The timelock operation states (OpenZeppelin TimelockController.OperationState). */
export const OPERATION_STATES = ["unset", "waiting", "ready", "done"] as const;
export type OperationState = (typeof OPERATION_STATES)[number];

export type OwnershipRow = { name: string; address: Address; owner: Address; pendingOwner: Address };

export type HandoffStatus = {
  timelock: Address;
  operationId: Hex;
  state: OperationState;
  /** Unix seconds at which the batch becomes executable (0 when unscheduled, 1 when done). */
  readyAt: bigint;
  unpauser: Address | undefined;
  contracts: OwnershipRow[];
  /** True when the timelock owns every contract and is the unpauser. */
  complete: boolean;
};

/** Reasons `vcloud governance execute` refuses before sending anything. */
export class HandoffNotReadyError extends VcloudError {
  override name = "HandoffNotReadyError";
  constructor(state: OperationState, readyAt: bigint, now: bigint) {
    super(
      state === "done"
        ? "the governance handoff was already executed"
        : state === "unset"
          ? "the governance handoff is not scheduled on this timelock (deploy with deploy/VCloudProduction.ts)"
          : `the governance handoff is scheduled but not ready: ${readyAt - now} s of the timelock delay left`,
      { exitCode: 1 },
    );
  }
}
