/**
 * A DA node's side of availability challenges: finds the challenges opened against its operator, rebuilds
 * the challenged blob from the network (its own chunks included) and answers each with the commitment's
 * Merkle proof and a KZG point-evaluation proof (`respondToChallenge`) before the deadline.
 *
 * Faults: with a local key the response is signed here and sent through `sendContractWrite` (lib/tx.ts), so a
 * lost reply is recognised by the transaction's hash (a node-held key's lost reply is seen next pass). A challenge stays known until its deadline, answered or not, and its
 * record is re-read from the chain every pass, so a reorg that drops the response (the challenge is open
 * again) gets one more response. The hash of the last scanned block is kept; when it is no longer the
 * chain's, the last `reorgDepth` blocks are scanned again (a reorg may put a new challenge there). Before
 * answering, the challenge is read in the pending state: a response already in the pool (sent before a crash
 * and restart, which keeps no state) is not sent a second time.
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
import { VcloudError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import { DEFAULT_RECEIPT_TIMEOUT_MS, sendContractWrite, waitForReceipt } from "../lib/tx.js";
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
  /** Blocks a reorg may replace: the rescan window when the last scanned block changed (default 64). */
  reorgDepth?: number;
  /** Bounds the wait for the response's receipt (ms; default 120 s). */
  receiptTimeoutMs?: number;
  logger?: Logger;
};

export class ChallengeResponderError extends VcloudError {
  override name = "ChallengeResponderError";
}

const DEFAULT_REORG_DEPTH = 64;

export type ResponderPass = {
  answered: { challengeId: bigint; certificateId: Hex; transactionHash: Hex }[];
  failed: { challengeId: bigint; reason: string }[];
};

/**
 * Remembers the challenges seen against one operator across passes: each pass scans new blocks, then
 * answers every challenge still open and inside its window. A failed answer is retried next pass.
 */
export class ChallengeResponder {
  private readonly fromBlock: number;
  private scannedThrough: number;
  private scannedHash: Hex | undefined;
  private readonly known = new Map<bigint, ChallengeRecord & { blobIndex: number; elementIndex: number }>();

  constructor(
    private readonly publicClient: PublicClient<Transport, Chain>,
    private readonly walletClient: WalletClient<Transport, Chain, Account>,
    private readonly config: ChallengeResponderConfig,
    fromBlock = 0,
  ) {
    this.fromBlock = fromBlock;
    this.scannedThrough = fromBlock - 1;
  }

  async pass(): Promise<ResponderPass> {
    const { publicClient, config } = this;
    const head = await publicClient.getBlock({ blockTag: "latest" });
    let from = this.scannedThrough + 1;
    if (this.scannedHash !== undefined) {
      const last =
        this.scannedThrough <= Number(head.number)
          ? await publicClient.getBlock({ blockNumber: BigInt(this.scannedThrough) })
          : undefined;
      if (last?.hash?.toLowerCase() !== this.scannedHash.toLowerCase()) {
        const depth = config.reorgDepth ?? DEFAULT_REORG_DEPTH;
        from = Math.max(this.fromBlock, Math.min(this.scannedThrough, Number(head.number)) - depth + 1);
        config.logger?.warn(
          { scannedThrough: this.scannedThrough, from },
          "the chain reorganised past the last scanned block; rescanning",
        );
      }
    }
    if (Number(head.number) >= from) {
      const logs = await publicClient.getLogs({
        address: config.certificateRegistry,
        event: availabilityChallenged,
        args: { operator: config.operator },
        fromBlock: BigInt(from),
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
      this.scannedHash = head.hash!;
    }
    const result: ResponderPass = { answered: [], failed: [] };
    // The chain's record wins: after a reorg the id may hold another challenge, or ours open again.
    for (const c of [...this.known.values()]) {
      const onChain = (await publicClient.readContract({
        address: config.certificateRegistry,
        abi: blobCertificateRegistryAbi,
        functionName: "getChallenge",
        args: [c.challengeId],
      })) as {
        certificateId: Hex;
        operator: Address;
        blobIndex: number;
        elementIndex: number;
        deadline: bigint;
        status: number;
      };
      if (onChain.status !== ChallengeStatus.None && onChain.operator.toLowerCase() !== config.operator.toLowerCase()) {
        this.known.delete(c.challengeId);
        continue;
      }
      if (onChain.status !== ChallengeStatus.None)
        Object.assign(c, {
          certificateId: onChain.certificateId,
          blobIndex: Number(onChain.blobIndex),
          elementIndex: Number(onChain.elementIndex),
          deadline: Number(onChain.deadline),
        });
      c.status = onChain.status;
    }
    const now = Number(head.timestamp);
    // Kept until the deadline even when answered or gone: a reorg may still reopen (or re-file) it.
    for (const c of this.known.values())
      if (now > c.deadline || c.status === ChallengeStatus.Slashed) this.known.delete(c.challengeId);
    const due = challengesToAnswer([...this.known.values()], now);
    for (const record of due) {
      const c = this.known.get(record.challengeId)!;
      try {
        // A response already in the pool (e.g. sent by this node before it was killed and restarted) answers
        // it in the pending state: sending another would only revert `ChallengeNotOpen` once both are mined.
        if ((await this.pendingStatus(c.challengeId)) === ChallengeStatus.Answered) {
          config.logger?.info({ challengeId: c.challengeId }, "a response is pending in the pool; not sending another");
          continue;
        }
        const transactionHash = await this.answer(c);
        c.status = ChallengeStatus.Answered;
        result.answered.push({ challengeId: c.challengeId, certificateId: c.certificateId, transactionHash });
        config.logger?.info({ challengeId: c.challengeId, certificateId: c.certificateId }, "challenge answered");
      } catch (error) {
        result.failed.push({ challengeId: c.challengeId, reason: (error as Error).message });
        config.logger?.error({ challengeId: c.challengeId, err: error }, "could not answer challenge; retrying");
      }
    }
    return result;
  }

  /** The challenge's status in the node's pending state (transactions in its pool applied). */
  private async pendingStatus(challengeId: bigint): Promise<number> {
    const { status } = (await this.publicClient.readContract({
      address: this.config.certificateRegistry,
      abi: blobCertificateRegistryAbi,
      functionName: "getChallenge",
      args: [challengeId],
      blockTag: "pending",
    })) as { status: number };
    return status;
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
    const write = {
      address: config.certificateRegistry,
      abi: blobCertificateRegistryAbi,
      functionName: "respondToChallenge",
      args: [c.challengeId, answer.commitment, answer.commitmentProof, answer.value, answer.kzgProof],
    } as const;
    if (walletClient.account.type === "local") {
      // Simulated, signed once, recognised by its hash after a lost reply, receipt checked (lib/tx.ts).
      const sent = await sendContractWrite({ publicClient, walletClient }, write, {
        logger: config.logger,
        receiptTimeoutMs: config.receiptTimeoutMs,
      });
      return sent.hash;
    }
    // A node-held key (eth_sendTransaction): the hash is unknown until the reply. After a lost reply this
    // answer fails, and the next pass reads the challenge as answered (or answers it, if it is still open).
    const { request } = await publicClient.simulateContract({ account: walletClient.account, ...write });
    const hash = await walletClient.writeContract(request);
    const receipt = await waitForReceipt(publicClient, hash, config.receiptTimeoutMs ?? DEFAULT_RECEIPT_TIMEOUT_MS);
    if (receipt.status !== "success") throw new ChallengeResponderError(`respondToChallenge reverted in ${hash}`);
    return hash;
  }
}
