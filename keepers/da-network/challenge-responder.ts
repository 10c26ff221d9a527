/**
 * A DA node's side of availability challenges: finds the challenges opened against its operator, rebuilds
 * the challenged blob from the network (its own chunks included) and answers each with the commitment's
 * Merkle proof and a KZG point-evaluation proof (`respondToChallenge`) before the deadline.
 */
import {
  getAbiItem,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

import { blobCertificateRegistryAbi } from "../lib/abis.js";
import type { Logger } from "../lib/logger.js";
import { challengesToAnswer, ChallengeStatus, type ChallengeRecord } from "./challenge-decide.js";
import { answerChallenge } from "./challenge.js";
import { retrieve } from "./retriever.js";

const availabilityChallenged = getAbiItem({ abi: blobCertificateRegistryAbi, name: "AvailabilityChallenged" });

export type ChallengeResponderConfig = {
  certificateRegistry: Address;
  registrar: Address;
  operator: Address;
  timeoutMs?: number;
  socketOverrides?: Record<string, string>;
  logger?: Logger;
};

export type ResponderPass = {
  answered: { challengeId: bigint; certificateId: Hex; transactionHash: Hex }[];
  failed: { challengeId: bigint; reason: string }[];
};

/**
 * Remembers the challenges seen against one operator across passes: each pass scans new blocks, then
 * answers every challenge still open and inside its window. A failed answer is retried next pass.
 */
export class ChallengeResponder {
  private scannedThrough: number;
  private readonly known = new Map<bigint, ChallengeRecord & { blobIndex: number; elementIndex: number }>();

  constructor(
    private readonly publicClient: PublicClient<Transport, Chain>,
    private readonly walletClient: WalletClient<Transport, Chain, Account>,
    private readonly config: ChallengeResponderConfig,
    fromBlock = 0,
  ) {
    this.scannedThrough = fromBlock - 1;
  }

  async pass(): Promise<ResponderPass> {
    const { publicClient, config } = this;
    const head = await publicClient.getBlock({ blockTag: "latest" });
    if (Number(head.number) > this.scannedThrough) {
      const logs = await publicClient.getLogs({
        address: config.certificateRegistry,
        event: availabilityChallenged,
        args: { operator: config.operator },
        fromBlock: BigInt(this.scannedThrough + 1),
        toBlock: head.number,
      });
      for (const log of logs) {
        this.known.set(log.args.challengeId!, {
          challengeId: log.args.challengeId!,
          certificateId: log.args.certificateId!,
          operator: log.args.operator!,
          deadline: Number(log.args.deadline!),
          status: ChallengeStatus.Open,
          blobIndex: Number(log.args.blobIndex!),
          elementIndex: Number(log.args.elementIndex!),
        });
      }
      this.scannedThrough = Number(head.number);
    }
    const result: ResponderPass = { answered: [], failed: [] };
    for (const c of this.known.values()) {
      const onChain = (await publicClient.readContract({
        address: config.certificateRegistry,
        abi: blobCertificateRegistryAbi,
        functionName: "getChallenge",
        args: [c.challengeId],
      })) as { status: number };
      c.status = onChain.status;
    }
    const due = challengesToAnswer([...this.known.values()], Number(head.timestamp));
    for (const c of this.known.values()) if (!due.includes(c)) this.known.delete(c.challengeId);
    for (const record of due) {
      const c = this.known.get(record.challengeId)!;
      try {
        const transactionHash = await this.answer(c);
        this.known.delete(c.challengeId);
        result.answered.push({ challengeId: c.challengeId, certificateId: c.certificateId, transactionHash });
        config.logger?.info({ challengeId: c.challengeId, certificateId: c.certificateId }, "challenge answered");
      } catch (error) {
        result.failed.push({ challengeId: c.challengeId, reason: (error as Error).message });
        config.logger?.error({ challengeId: c.challengeId, err: error }, "could not answer challenge; retrying");
      }
    }
    return result;
  }

  private async answer(c: ChallengeRecord & { blobIndex: number; elementIndex: number }): Promise<Hex> {
    const { publicClient, walletClient, config } = this;
    const { payload, manifest } = await retrieve({
      publicClient,
      certificateRegistry: config.certificateRegistry,
      registrar: config.registrar,
      certificateId: c.certificateId,
      timeoutMs: config.timeoutMs,
      socketOverrides: config.socketOverrides,
      logger: config.logger,
    });
    const evaluationPoint = (await publicClient.readContract({
      address: config.certificateRegistry,
      abi: blobCertificateRegistryAbi,
      functionName: "evaluationPoint",
      args: [c.elementIndex],
    })) as Hex;
    const answer = answerChallenge({ manifest, payload, blobIndex: c.blobIndex, evaluationPoint });
    const { request } = await publicClient.simulateContract({
      account: walletClient.account,
      address: config.certificateRegistry,
      abi: blobCertificateRegistryAbi,
      functionName: "respondToChallenge",
      args: [c.challengeId, answer.commitment, answer.commitmentProof, answer.value, answer.kzgProof],
    });
    const hash = await walletClient.writeContract(request);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`respondToChallenge reverted in ${hash}`);
    return hash;
  }
}
