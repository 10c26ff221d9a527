/**
 * The proof a new agent wallet signs to accept the role (ERC-8004 `setAgentWallet`): EIP-712 typed data
 * AgentWalletSet(agentId, newWallet, owner, deadline) in the domain ("ERC8004IdentityRegistry", "1").
 * An EOA signs it directly; a contract wallet approves the same digest through ERC-1271.
 */
import type { Account, Address, Hex } from "viem";

import { VcloudError } from "../lib/errors.js";

/** The registry accepts deadlines at most this far ahead of the block time. */
export const MAX_WALLET_PROOF_SECONDS = 300n;

export type AgentWalletProofParameters = {
  chainId: number;
  identityRegistry: Address;
  agentId: bigint;
  newWallet: Address;
  owner: Address;
  deadline: bigint;
};

export function agentWalletTypedData(params: AgentWalletProofParameters) {
  return {
    domain: {
      name: "ERC8004IdentityRegistry",
      version: "1",
      chainId: params.chainId,
      verifyingContract: params.identityRegistry,
    },
    types: {
      AgentWalletSet: [
        { name: "agentId", type: "uint256" },
        { name: "newWallet", type: "address" },
        { name: "owner", type: "address" },
        { name: "deadline", type: "uint256" },
      ],
    },
    primaryType: "AgentWalletSet",
    message: {
      agentId: params.agentId,
      newWallet: params.newWallet,
      owner: params.owner,
      deadline: params.deadline,
    },
  } as const;
}

/** Signs the wallet proof with the new wallet's own key (an EOA). */
export async function signAgentWalletProof(account: Account, params: AgentWalletProofParameters): Promise<Hex> {
  if (!account.signTypedData) throw new VcloudError("this account cannot sign typed data");
  if (account.address.toLowerCase() !== params.newWallet.toLowerCase()) {
    throw new VcloudError(`the proof must be signed by the new wallet ${params.newWallet}, not ${account.address}`);
  }
  return account.signTypedData(agentWalletTypedData(params));
}
