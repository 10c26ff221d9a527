/**
 * Sets up vcloud's inference AVS on a chain where deploy/modules/Inference.ts ran: the AVS creates the
 * redistributing inference operator set (slasher: InferenceClaims, redistribution recipient: the
 * inference VictimPayout) and points the AllocationManager at the set's registrar.
 */
import type { Account, Address, Chain, PublicClient, Transport, WalletClient } from "viem";

import { send } from "../da-network/setup.js";
import { iAllocationManagerAbi } from "../lib/abis.js";

export const INFERENCE_OPERATOR_SET_ID = 0;

export async function createInferenceOperatorSet(
  clients: { publicClient: PublicClient<Transport, Chain> },
  avs: WalletClient<Transport, Chain, Account>,
  config: {
    allocationManager: Address;
    registrar: Address;
    claims: Address;
    victimPayout: Address;
    strategies: Address[];
    metadataURI?: string;
  },
): Promise<void> {
  const am = { address: config.allocationManager, abi: iAllocationManagerAbi } as const;
  await send(clients, avs, {
    ...am,
    functionName: "updateAVSMetadataURI",
    args: [avs.account.address, config.metadataURI ?? "https://vcloud.invalid/avs/inference.json"],
  });
  await send(clients, avs, {
    ...am,
    functionName: "createRedistributingOperatorSets",
    args: [
      avs.account.address,
      [{ operatorSetId: INFERENCE_OPERATOR_SET_ID, strategies: config.strategies, slasher: config.claims }],
      [config.victimPayout],
    ],
  });
  await send(clients, avs, { ...am, functionName: "setAVSRegistrar", args: [avs.account.address, config.registrar] });
}
