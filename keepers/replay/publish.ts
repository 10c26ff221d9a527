/**
 * The operator's side of an inference claim: store the request and the receipt on DA, then post the claim
 * (receipt hash, DA certificate, fee) on InferenceClaims. Used by tests and the devnet story; an operator
 * that cheats is one that posts a receipt the named model does not produce.
 */
import {
  parseEventLogs,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

import type { InferenceRequest, Receipt } from "../ai/engine.js";
import { disperse, type DisperseParams } from "../da-network/disperser.js";
import { send } from "../da-network/setup.js";
import { inferenceClaimsAbi } from "../lib/abis.js";
import { VcloudError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import { encodeClaimPayload } from "./payload.js";

export type PostClaimParams = {
  publicClient: PublicClient<Transport, Chain>;
  /** The operator (a member of the inference set); it also pays the DA fee. */
  walletClient: WalletClient<Transport, Chain, Account>;
  claims: Address;
  da: Pick<DisperseParams, "certificateRegistry" | "registrar" | "maxOperators" | "thresholds" | "ttlSeconds"> & {
    timeoutMs?: number;
  };
  request: InferenceRequest;
  receipt: Receipt;
  /** The model the app asked for (default: the receipt's model). */
  modelHash?: Hex;
  app: Address;
  fee: bigint;
  logger?: Logger;
};

export type PostedClaim = { claimId: Hex; daCertificateId: Hex; txHash: Hex; challengeDeadline: bigint };

export async function postInferenceClaim(p: PostClaimParams): Promise<PostedClaim> {
  const stored = await disperse({
    ...p.da,
    publicClient: p.publicClient,
    walletClient: p.walletClient,
    payload: encodeClaimPayload(p.request, p.receipt),
    ...(p.logger ? { logger: p.logger } : {}),
  });
  const input = {
    app: p.app,
    modelHash: p.modelHash ?? p.receipt.model.sha256,
    promptHash: p.receipt.prompt.hash,
    daCertificateId: stored.certificateId,
    receiptHash: p.receipt.hash,
    fee: p.fee,
  };
  const txHash = await send({ publicClient: p.publicClient }, p.walletClient, {
    address: p.claims,
    abi: inferenceClaimsAbi,
    functionName: "postClaim",
    args: [input],
  });
  const receipt = await p.publicClient.getTransactionReceipt({ hash: txHash });
  const [posted] = parseEventLogs({ abi: inferenceClaimsAbi, logs: receipt.logs, eventName: "ClaimPosted" });
  if (!posted) throw new VcloudError(`postClaim ${txHash} emitted no ClaimPosted`);
  return {
    claimId: posted.args.claimId,
    daCertificateId: stored.certificateId,
    txHash,
    challengeDeadline: posted.args.challengeDeadline,
  };
}
