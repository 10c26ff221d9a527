/**
 * The replay keeper, one pass (`vcloud keeper replay --once`; the daemon repeats it):
 *
 *   read   ClaimPosted events since the checkpoint; each open claim's on-chain state and the block time
 *   decide decideClaim (decide.ts): close, wait, replay, challenge or certify
 *   act    replay: fetch the claim's payload from DA, re-run it on the built-in engine with the model the
 *          claim names and the settings its receipt pins; challenge: store the replayed receipt on DA as
 *          evidence and call `challenge` with the bond, naming the first diverging step; certify (committee
 *          duty): sign committeeMessage(claimId, replayedHash) with every committee BLS key this keeper
 *          holds, aggregate, and submit `resolve` once the signers hold the contract's threshold.
 *
 * Every step is recorded in the SQLite checkpoint before and after it is sent, and every send is preceded
 * by a fresh read of the claim's status, so passes are idempotent across restarts.
 *
 * Committee signatures come from the keys this keeper holds (one keeper may hold several, as on the devnet)
 * and, with `committee`, from members on other hosts over HTTP (keepers/replay/committee.ts): each member
 * re-executes the claim itself and signs only the receipt hash it computed; the certificate is submitted
 * once the signers hold the contract's threshold, else the keeper waits and names the members that gave no
 * signature and why.
 */
import type { Signature } from "@chainsafe/blst";
import {
  type Account,
  type Address,
  type Chain,
  type Hex,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

import type { EngineSettings, InferenceEngine, Receipt } from "../ai/engine.js";
import { fileSha256, LlamaEngine } from "../ai/llama.js";
import { pubkeyHash, type BlsKey } from "../bls/bls.js";
import { disperse, type DisperseParams } from "../da-network/disperser.js";
import { readOperatorSet } from "../da-network/operator-set.js";
import { retrieve } from "../da-network/retriever.js";
import { send } from "../da-network/setup.js";
import {
  iBackingEigenAbi,
  iCanonicalForkRegistryAbi,
  iForkChallengeManagerAbi,
  inferenceClaimsAbi,
} from "../lib/abis.js";
import { VcloudError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import { buildTaskCertificate } from "../tee/certificate.js";
import { ReplayCheckpoint } from "./checkpoint.js";
import { gatherCommitteeSignatures, type CommitteeNetwork, type MemberFailure } from "./committee.js";
import {
  certificateReferenceBlock,
  challengeEvidence,
  ClaimStatus,
  decideClaim,
  reachesThreshold,
  type ClaimAction,
  type EscalationPolicy,
  type ReplayPolicy,
} from "./decide.js";
import { encodeEvidencePayload, parseClaimPayload, requestOf, type ClaimPayload } from "./payload.js";

type Wallet = WalletClient<Transport, Chain, Account>;

export type ReplayKeeperParams = {
  publicClient: PublicClient<Transport, Chain>;
  /** Pays challenge bonds, DA fees and resolution gas. */
  walletClient: Wallet;
  claims: Address;
  da: Pick<DisperseParams, "certificateRegistry" | "registrar" | "maxOperators" | "thresholds" | "ttlSeconds"> & {
    timeoutMs?: number;
  };
  /** GGUF files this keeper can replay; claims name their model by the file's sha256. */
  models: readonly string[];
  policy: ReplayPolicy;
  /** Challenge claims whose replay differs (default true). */
  challenge?: boolean;
  /** Bond per challenge (default: the contract's minChallengeBond). */
  bond?: bigint;
  /**
   * Escalate a claim this keeper challenged whose committee missed its deadline (TimedOut) to an EIGEN fork
   * challenge, accusing the committee members that stayed silent, paying the fork commitment in the canonical
   * bEIGEN from this wallet when it is at most `maxCommitment` (else the keeper waits and says why, until the
   * appeal window closes). Default: no escalation (the bond comes back and the claim closes).
   */
  escalateTimedOut?: { maxCommitment: bigint };
  /** BLS keys of committee members (the verification operator set) this keeper signs for. */
  committeeKeys?: readonly BlsKey[];
  /**
   * Aggregate committee certificates from members on other hosts (their `--committee-listen` endpoints);
   * with it this keeper resolves challenges even when it holds no committee key itself.
   */
  committee?: CommitteeNetwork;
  /** Execution settings the receipt leaves to the replayer (threads; batch size when unbound). */
  engine?: { threads?: number; batchSize?: number };
  dbPath: string;
  /** First block to scan when the checkpoint is empty. */
  fromBlock?: bigint;
  /** Blocks to rescan when the last scanned block was reorganised away (default 64). */
  reorgDepth?: bigint;
  /** Bound on each receipt wait (default 120 s): a transaction a node's pool lost never gets one. */
  receiptTimeoutMs?: number;
  logger?: Logger;
};

export type ReplayOutcome = {
  claimId: Hex;
  action: ClaimAction["kind"] | "failed";
  reason?: string;
  replayedHash?: Hex;
  txHash?: Hex;
  firstDivergentStep?: number;
  evidenceCertificateId?: Hex;
};

/** Thrown when a claim cannot be re-executed by this keeper (recorded; the claim is not retried). */
export class UnverifiableClaimError extends VcloudError {
  override name = "UnverifiableClaimError";
}

export type OnChainClaim = {
  status: number;
  challengeDeadline: bigint;
  receiptHash: Hex;
  modelHash: Hex;
  promptHash: Hex;
  daCertificateId: Hex;
  challenger: Address;
  resolutionDeadline: bigint;
  decidedAt: bigint;
  escalated: boolean;
  evidenceCertificateId: Hex;
};

/** What re-executing a claim needs: the chain, the DA set and the replayer's free engine settings. */
export type ReplaySource = Pick<ReplayKeeperParams, "publicClient" | "da" | "engine">;

const LOGITS_MODE: Record<string, EngineSettings["logits"] | undefined> = {
  "f32le-full": "full",
  "f32le-top64": "top64",
  "f32le-selected": "selected",
};

/** Engines by model file and settings, created on demand and closed at the end of a pass. */
export class EnginePool {
  private readonly engines = new Map<string, Promise<InferenceEngine>>();
  /** Replays done in this pass, by claim id (a challenge needs the full receipt, the checkpoint keeps its hash). */
  readonly replays = new Map<string, { replayed: Receipt; payload: ClaimPayload }>();
  constructor(private readonly modelPaths: ReadonlyMap<string, string>) {}

  has(modelHash: Hex): boolean {
    return this.modelPaths.has(modelHash.toLowerCase());
  }

  get(modelHash: Hex, settings: EngineSettings): Promise<InferenceEngine> {
    const path = this.modelPaths.get(modelHash.toLowerCase());
    if (!path) throw new UnverifiableClaimError(`model ${modelHash} is not among this keeper's --model files`);
    const key = `${path}|${settings.threads}|${settings.batchSize}|${settings.contextSize}|${settings.logits}`;
    let engine = this.engines.get(key);
    if (!engine) {
      engine = LlamaEngine.create({ modelPath: path, settings });
      this.engines.set(key, engine);
    }
    return engine;
  }

  async close(): Promise<void> {
    for (const engine of this.engines.values()) await (await engine.catch(() => undefined))?.close();
    this.engines.clear();
  }
}

/** Maps each model file's sha256 to its path. */
export async function indexModels(paths: readonly string[]): Promise<Map<string, string>> {
  const index = new Map<string, string>();
  for (const path of paths) index.set((await fileSha256(path)).toLowerCase(), path);
  return index;
}

/** Blocks rescanned after a reorg of the last scanned block. */
export const DEFAULT_REORG_DEPTH = 64n;

/** One keeper pass. Resolves to what it did with each open claim. */
export async function replayOnce(params: ReplayKeeperParams): Promise<ReplayOutcome[]> {
  const { publicClient, logger } = params;
  const checkpoint = new ReplayCheckpoint(params.dbPath);
  const pool = new EnginePool(await indexModels(params.models));
  const outcomes: ReplayOutcome[] = [];
  try {
    const headBlock = await publicClient.getBlock();
    const head = headBlock.number;
    let fromBlock = checkpoint.nextBlock() ?? params.fromBlock ?? 0n;
    // A reorg replaced the last block scanned: a claim posted again on the new chain may sit in blocks
    // already scanned, so rescan the reorg window (tracking a claim twice is a no-op). A challenge the reorg
    // dropped needs no rescan: every pass reads each open claim's status, and a Posted claim whose replay
    // differs is challenged again.
    const lastHash = checkpoint.lastHash();
    const next = checkpoint.nextBlock();
    if (next !== undefined && next > 0n && lastHash !== undefined) {
      const last = await publicClient.getBlock({ blockNumber: next - 1n }).catch(() => undefined);
      if (last?.hash !== lastHash) {
        const depth = params.reorgDepth ?? DEFAULT_REORG_DEPTH;
        fromBlock = fromBlock > depth ? fromBlock - depth : 0n;
        if (params.fromBlock !== undefined && fromBlock < params.fromBlock) fromBlock = params.fromBlock;
        // A claim closed on a status the reorg may have undone (a resolution no longer on chain) is open again.
        const reopened = checkpoint.reopenClosedSince(fromBlock);
        logger?.warn({ fromBlock, reopened }, "the chain reorganised past the last scanned block; rescanning");
        // This keeper's transactions in the dropped blocks are gone too: its local nonce count is ahead.
        const { account, chain } = params.walletClient;
        account.nonceManager?.reset({ address: account.address, chainId: chain.id });
      }
    }
    if (fromBlock <= head) {
      const posted = await publicClient.getContractEvents({
        address: params.claims,
        abi: inferenceClaimsAbi,
        eventName: "ClaimPosted",
        fromBlock,
        toBlock: head,
      });
      for (const log of posted) checkpoint.track(log.args.claimId!);
      checkpoint.setNextBlock(head + 1n, headBlock.hash);
    }
    const escalation: EscalationPolicy | undefined = params.escalateTimedOut
      ? {
          appealWindow: (await publicClient.readContract({
            address: params.claims,
            abi: inferenceClaimsAbi,
            functionName: "appealWindow",
          })) as bigint,
        }
      : undefined;
    const roles = {
      challenger: params.challenge ?? true,
      committee: (params.committeeKeys?.length ?? 0) > 0 || params.committee !== undefined,
    };
    for (const claimId of checkpoint.openClaims()) {
      try {
        outcomes.push(
          await handleClaim(params, checkpoint, pool, claimId, { head, now: headBlock.timestamp, roles, escalation }),
        );
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        outcomes.push({ claimId, action: "failed", reason });
        logger?.warn({ claimId, reason }, "replay step failed; retrying next pass");
      }
    }
    return outcomes;
  } finally {
    await pool.close();
    checkpoint.close();
  }
}

function sendClients(params: ReplayKeeperParams) {
  return {
    publicClient: params.publicClient,
    ...(params.receiptTimeoutMs !== undefined ? { receiptTimeoutMs: params.receiptTimeoutMs } : {}),
  };
}

export async function readClaim(
  params: Pick<ReplayKeeperParams, "publicClient" | "claims">,
  claimId: Hex,
): Promise<OnChainClaim> {
  return (await params.publicClient.readContract({
    address: params.claims,
    abi: inferenceClaimsAbi,
    functionName: "getClaim",
    args: [claimId],
  })) as OnChainClaim;
}

async function handleClaim(
  params: ReplayKeeperParams,
  checkpoint: ReplayCheckpoint,
  pool: EnginePool,
  claimId: Hex,
  at: {
    head: bigint;
    now: bigint;
    roles: { challenger: boolean; committee: boolean };
    escalation: EscalationPolicy | undefined;
  },
): Promise<ReplayOutcome> {
  const { logger } = params;
  // A replay changes only local state, so decide again right after it (at most once per pass).
  for (let round = 0; round < 2; round++) {
    const claim = await readClaim(params, claimId);
    let local = checkpoint.local(claimId);
    if (
      claim.status === ClaimStatus.Challenged &&
      !local.challengeTx &&
      claim.challenger.toLowerCase() === params.walletClient.account.address.toLowerCase()
    ) {
      // This keeper's challenge landed but it never learnt so (lost reply, or killed before recording it):
      // record it from the chain, so that it closes the challenge if the committee misses its deadline.
      const [challenged] = await params.publicClient.getContractEvents({
        address: params.claims,
        abi: inferenceClaimsAbi,
        eventName: "ClaimChallenged",
        args: { claimId },
        fromBlock: 0n,
        toBlock: at.head,
      });
      if (challenged) {
        checkpoint.update(claimId, { challengeTx: challenged.transactionHash });
        local = checkpoint.local(claimId);
      }
    }
    if (
      claim.status === ClaimStatus.Challenged &&
      local.resolveTx &&
      (await transactionGone(params, local.resolveTx))
    ) {
      // This keeper's resolve / resolveTimedOut is not on chain and not pending: a reorg dropped its block,
      // a node's pool lost it, or it reverted. Forget it, so that it is decided (and sent) again.
      logger?.warn({ claimId, txHash: local.resolveTx }, "resolution transaction is not on chain; resolving again");
      checkpoint.update(claimId, { resolveTx: null });
      local = checkpoint.local(claimId);
    }
    if (claim.status === ClaimStatus.TimedOut && !claim.escalated && local.escalateTx) {
      if (await transactionGone(params, local.escalateTx)) {
        // Dropped by a reorg, lost by a node's pool, or reverted: forget it, so that it is decided again.
        logger?.warn({ claimId, txHash: local.escalateTx }, "escalation transaction is not on chain; deciding again");
        checkpoint.update(claimId, { escalateTx: null });
        local = checkpoint.local(claimId);
      }
    }
    const action = decideClaim({
      claim,
      claimId,
      now: at.now,
      policy: params.policy,
      local,
      roles: at.roles,
      ...(at.escalation ? { escalation: at.escalation } : {}),
    });
    switch (action.kind) {
      case "close":
        checkpoint.update(claimId, { closed: action.reason, closedAt: at.head });
        return { claimId, action: "close", reason: action.reason };
      case "wait":
        return {
          claimId,
          action: "wait",
          reason: action.reason,
          ...(local.replayedHash ? { replayedHash: local.replayedHash } : {}),
        };
      case "replay": {
        if (round > 0) return { claimId, action: "wait", reason: "replayed twice in one pass" };
        try {
          const { replayed } = await replayClaim(params, pool, claimId, claim);
          checkpoint.update(claimId, { replayedHash: replayed.hash });
          logger?.info({ claimId, claimed: claim.receiptHash, replayed: replayed.hash }, "claim re-executed");
        } catch (error) {
          if (!(error instanceof UnverifiableClaimError)) throw error;
          checkpoint.update(claimId, { unverifiable: error.message });
          return { claimId, action: "wait", reason: `cannot re-execute: ${error.message}` };
        }
        continue;
      }
      case "challenge":
        return await fileChallenge(params, checkpoint, pool, claimId, claim);
      case "certify":
        return await certify(params, checkpoint, claimId, action.receiptHash, at.head);
      case "timeout":
        return await closeTimedOut(params, checkpoint, claimId);
      case "escalate":
        return await escalateTimedOut(params, checkpoint, claimId, claim);
    }
  }
  return { claimId, action: "wait", reason: "no decision" };
}

/** Whether `hash` is neither mined successfully nor waiting in the node's pool. */
async function transactionGone(params: Pick<ReplayKeeperParams, "publicClient">, hash: Hex): Promise<boolean> {
  const receipt = await params.publicClient.getTransactionReceipt({ hash }).catch((error: unknown) => {
    if (error instanceof TransactionReceiptNotFoundError) return undefined;
    throw error;
  });
  if (receipt) return receipt.status !== "success";
  const pending = await params.publicClient.getTransaction({ hash }).catch((error: unknown) => {
    if (error instanceof TransactionNotFoundError) return undefined;
    throw error;
  });
  return pending === undefined;
}

/** Fetches the claim's payload from DA and re-runs it with the pinned settings. */
export async function replayClaim(
  params: ReplaySource,
  pool: EnginePool,
  claimId: Hex,
  claim: OnChainClaim,
): Promise<{ replayed: Receipt; payload: ClaimPayload }> {
  const done = pool.replays.get(claimId.toLowerCase());
  if (done) return done;
  if (!pool.has(claim.modelHash)) {
    throw new UnverifiableClaimError(`model ${claim.modelHash} is not among this keeper's --model files`);
  }
  // A DA failure (nodes down, timeouts) is not a verdict on the claim: it propagates and the claim is retried
  // next pass. (A payload that is truly unavailable is the DA layer's dispute: BlobCertificateRegistry.)
  const { payload: bytes } = await retrieve({
    publicClient: params.publicClient,
    certificateRegistry: params.da.certificateRegistry,
    registrar: params.da.registrar,
    certificateId: claim.daCertificateId,
    ...(params.da.timeoutMs ? { timeoutMs: params.da.timeoutMs } : {}),
  });
  let payload: ClaimPayload;
  let request;
  try {
    payload = parseClaimPayload(bytes);
    request = requestOf(payload, claim.promptHash);
  } catch (error) {
    throw new UnverifiableClaimError((error as Error).message);
  }
  const pinned = payload.receipt?.settings;
  const logits = payload.receipt ? LOGITS_MODE[payload.receipt.logits.encoding] : "full";
  if (!logits)
    throw new UnverifiableClaimError(`receipt encoding ${payload.receipt?.logits.encoding} needs its server`);
  const settings: EngineSettings = {
    threads: pinned?.bound.threads || params.engine?.threads || 2,
    batchSize: pinned?.bound.batchSize || params.engine?.batchSize || pinned?.batchSize || 64,
    contextSize: pinned?.contextSize ?? 512,
    flashAttention: false,
    logits,
  };
  const engine = await pool.get(claim.modelHash, settings);
  try {
    const replayed = await engine.run({
      ...request,
      ...(pinned ? { maxTokens: pinned.maxTokens, sampling: pinned.sampling } : {}),
    });
    pool.replays.set(claimId.toLowerCase(), { replayed, payload });
    return { replayed, payload };
  } catch (error) {
    throw new UnverifiableClaimError(`engine: ${(error as Error).message}`);
  }
}

async function fileChallenge(
  params: ReplayKeeperParams,
  checkpoint: ReplayCheckpoint,
  pool: EnginePool,
  claimId: Hex,
  claim: OnChainClaim,
): Promise<ReplayOutcome> {
  // The evidence is the full replayed receipt (per-step logits chain): after a restart the checkpoint keeps
  // only its hash, so it is re-run and must still be the receipt this keeper recorded.
  const { replayed, payload } = await replayClaim(params, pool, claimId, claim);
  const recorded = checkpoint.local(claimId).replayedHash;
  if (recorded && recorded !== replayed.hash) {
    throw new VcloudError(`replay of ${claimId} is not deterministic here: ${recorded} then ${replayed.hash}`);
  }
  const evidence = challengeEvidence(claim.receiptHash, payload.receipt, replayed);
  const stored = await disperse({
    ...params.da,
    ...(params.receiptTimeoutMs !== undefined ? { receiptTimeoutMs: params.receiptTimeoutMs } : {}),
    publicClient: params.publicClient,
    walletClient: params.walletClient,
    payload: encodeEvidencePayload({
      claimId,
      claimedReceiptHash: claim.receiptHash,
      firstDivergentStep: evidence.firstDivergentStep,
      field: evidence.field,
      receipt: replayed,
    }),
    ...(params.logger ? { logger: params.logger } : {}),
  });
  // Re-check right before sending: another challenger (or an earlier pass) may have won the race.
  const fresh = await readClaim(params, claimId);
  if (fresh.status !== claim.status) return { claimId, action: "wait", reason: "claim changed before the challenge" };
  const bond =
    params.bond ??
    ((await params.publicClient.readContract({
      address: params.claims,
      abi: inferenceClaimsAbi,
      functionName: "minChallengeBond",
    })) as bigint);
  const txHash = await send(sendClients(params), params.walletClient, {
    address: params.claims,
    abi: inferenceClaimsAbi,
    functionName: "challenge",
    args: [claimId, evidence.correctReceiptHash, evidence.firstDivergentStep, stored.certificateId],
    value: bond,
  });
  checkpoint.update(claimId, { challengeTx: txHash });
  params.logger?.info({ claimId, txHash, step: evidence.firstDivergentStep }, "claim challenged");
  return {
    claimId,
    action: "challenge",
    txHash,
    replayedHash: replayed.hash,
    firstDivergentStep: evidence.firstDivergentStep,
    evidenceCertificateId: stored.certificateId,
  };
}

async function closeTimedOut(
  params: ReplayKeeperParams,
  checkpoint: ReplayCheckpoint,
  claimId: Hex,
): Promise<ReplayOutcome> {
  const txHash = await send(sendClients(params), params.walletClient, {
    address: params.claims,
    abi: inferenceClaimsAbi,
    functionName: "resolveTimedOut",
    args: [claimId],
  });
  // Closed by the next pass, once it reads TimedOut: a reorg dropping this transaction must not leave the
  // claim closed here with its challenge open on chain.
  checkpoint.update(claimId, { resolveTx: txHash });
  params.logger?.warn({ claimId, txHash }, "committee missed its deadline: challenge closed with resolveTimedOut");
  return { claimId, action: "timeout", txHash };
}

/**
 * Opens an EIGEN fork challenge for a TimedOut claim this keeper challenged: the accused are the committee
 * members that stayed silent (every member of the verification set but those whose keys this keeper holds),
 * the evidence pointer is the DA certificate of this keeper's challenge evidence, and the commitment is paid
 * in the canonical bEIGEN (approved to the claims contract first), when within `--max-fork-commitment`.
 */
async function escalateTimedOut(
  params: ReplayKeeperParams,
  checkpoint: ReplayCheckpoint,
  claimId: Hex,
  claim: OnChainClaim,
): Promise<ReplayOutcome> {
  const { publicClient, walletClient } = params;
  const read = <T>(address: Address, abi: readonly unknown[], functionName: string, args: unknown[] = []) =>
    publicClient.readContract({ address, abi, functionName, args } as never) as Promise<T>;
  const forkRegistry = await read<Address>(params.claims, inferenceClaimsAbi, "forkRegistry");
  if (/^0x0{40}$/i.test(forkRegistry)) {
    const reason = "fork escalation is disabled on this claims contract (no fork registry)";
    checkpoint.update(claimId, { closed: reason, closedAt: await publicClient.getBlockNumber() });
    return { claimId, action: "close", reason };
  }
  const [manager, token] = await Promise.all([
    read<Address>(forkRegistry, iCanonicalForkRegistryAbi, "challengeManager"),
    read<Address>(forkRegistry, iCanonicalForkRegistryAbi, "canonicalToken"),
  ]);
  const commitment = await read<bigint>(manager, iForkChallengeManagerAbi, "requiredCommitment");
  const maxCommitment = params.escalateTimedOut!.maxCommitment;
  if (commitment > maxCommitment) {
    return {
      claimId,
      action: "wait",
      reason: `fork commitment ${commitment} exceeds --max-fork-commitment ${maxCommitment}`,
    };
  }
  const me = walletClient.account.address;
  const balance = await read<bigint>(token, iBackingEigenAbi, "balanceOf", [me]);
  if (balance < commitment) {
    return {
      claimId,
      action: "wait",
      reason: `fork commitment ${commitment} needs bEIGEN; this wallet holds ${balance}`,
    };
  }
  const accused = await silentCommitteeMembers(params);
  if (accused.length === 0) {
    const reason = "the committee missed its deadline; no other committee member to accuse";
    checkpoint.update(claimId, { closed: reason, closedAt: await publicClient.getBlockNumber() });
    return { claimId, action: "close", reason };
  }
  const allowance = await read<bigint>(token, iBackingEigenAbi, "allowance", [me, params.claims]);
  if (allowance < commitment) {
    await send(sendClients(params), walletClient, {
      address: token,
      abi: iBackingEigenAbi,
      functionName: "approve",
      args: [params.claims, commitment],
    });
  }
  // Re-check right before sending: the appeal may have been taken (an earlier pass whose record was lost).
  const fresh = await readClaim(params, claimId);
  if (fresh.escalated || fresh.status !== ClaimStatus.TimedOut)
    return { claimId, action: "wait", reason: "claim changed before the escalation" };
  const txHash = await send(sendClients(params), walletClient, {
    address: params.claims,
    abi: inferenceClaimsAbi,
    functionName: "escalateToFork",
    args: [claimId, accused, claim.evidenceCertificateId],
  });
  checkpoint.update(claimId, { escalateTx: txHash });
  params.logger?.warn(
    { claimId, txHash, accused, commitment: commitment.toString() },
    "committee missed its deadline: escalated to an EIGEN fork challenge",
  );
  return { claimId, action: "escalate", txHash };
}

/** The verification set's members (latest block) minus the operators whose committee keys this keeper holds, ascending. */
async function silentCommitteeMembers(params: ReplayKeeperParams): Promise<Address[]> {
  const registrar = (await params.publicClient.readContract({
    address: params.claims,
    abi: inferenceClaimsAbi,
    functionName: "committeeRegistrar",
  })) as Address;
  const referenceBlock = Number(await params.publicClient.getBlockNumber());
  const set = await readOperatorSet({ publicClient: params.publicClient, registrar, referenceBlock });
  const own = new Set((params.committeeKeys ?? []).map((k) => pubkeyHash(k.pubkeySol).toLowerCase()));
  return set.members
    .filter((m) => !own.has(m.pubkeyHash.toLowerCase()))
    .map((m) => m.operator)
    .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}

async function certify(
  params: ReplayKeeperParams,
  checkpoint: ReplayCheckpoint,
  claimId: Hex,
  receiptHash: Hex,
  head: bigint,
): Promise<ReplayOutcome> {
  const { publicClient } = params;
  const [challengeLog] = await publicClient.getContractEvents({
    address: params.claims,
    abi: inferenceClaimsAbi,
    eventName: "ClaimChallenged",
    args: { claimId },
    fromBlock: 0n,
    toBlock: head,
  });
  if (!challengeLog) return { claimId, action: "wait", reason: "challenge event not found yet" };
  const referenceBlock = certificateReferenceBlock(head, challengeLog.blockNumber);
  if (referenceBlock === null) return { claimId, action: "wait", reason: "waiting for a block after the challenge" };
  const registrar = (await publicClient.readContract({
    address: params.claims,
    abi: inferenceClaimsAbi,
    functionName: "committeeRegistrar",
  })) as Address;
  const [message, thresholdBps, snapshot] = await Promise.all([
    publicClient.readContract({
      address: params.claims,
      abi: inferenceClaimsAbi,
      functionName: "committeeMessage",
      args: [claimId, receiptHash],
    }) as Promise<Hex>,
    publicClient.readContract({
      address: params.claims,
      abi: inferenceClaimsAbi,
      functionName: "committeeThresholdBps",
    }) as Promise<number>,
    readOperatorSet({ publicClient, registrar, referenceBlock }),
  ]);
  const keys = new Map((params.committeeKeys ?? []).map((k) => [pubkeyHash(k.pubkeySol).toLowerCase(), k]));
  const signatures = new Map<string, Signature>();
  for (const member of snapshot.members) {
    const key = keys.get(member.pubkeyHash.toLowerCase());
    if (key) signatures.set(member.operator.toLowerCase(), key.sign(message));
  }
  // Members on other hosts: asked over HTTP (each re-executes the claim and signs only its own hash).
  const failures: MemberFailure[] = [];
  const stakeOf = (sigs: ReadonlyMap<string, Signature>) =>
    snapshot.members.filter((m) => sigs.has(m.operator.toLowerCase())).reduce((sum, m) => sum + m.stake, 0n);
  const neededStake = (snapshot.totalStake * BigInt(thresholdBps) + 9_999n) / 10_000n;
  if (params.committee && stakeOf(signatures) < neededStake) {
    const remote = await gatherCommitteeSignatures({
      publicClient,
      network: params.committee,
      members: snapshot.members.filter((m) => m.stake > 0n && !signatures.has(m.operator.toLowerCase())),
      claimId,
      receiptHash,
      message,
      signedStake: stakeOf(signatures),
      neededStake,
      ...(params.logger ? { logger: params.logger } : {}),
    });
    for (const [operator, signature] of remote.signatures) signatures.set(operator, signature);
    failures.push(...remote.failures);
  }
  const missing = failures.map((f) => `${f.operator}: ${f.reason}`).join("; ");
  if (signatures.size === 0) {
    return {
      claimId,
      action: "wait",
      reason: params.committee
        ? `no committee member signed (${missing || "no member with stake"})`
        : "no committee key of this keeper is a member",
    };
  }
  const certificate = await buildTaskCertificate({ publicClient, registrar, referenceBlock, signatures });
  if (!reachesThreshold(certificate.signedStake, certificate.totalStake, Number(thresholdBps))) {
    return {
      claimId,
      action: "wait",
      reason:
        `signers hold ${certificate.signedStake} of ${certificate.totalStake} committee stake, ${thresholdBps} bps needed` +
        (missing ? `; no signature from ${missing}` : ""),
    };
  }
  const fresh = await readClaim(params, claimId);
  if (fresh.status !== 2) return { claimId, action: "wait", reason: "claim no longer challenged" };
  const txHash = await send(sendClients(params), params.walletClient, {
    address: params.claims,
    abi: inferenceClaimsAbi,
    functionName: "resolve",
    args: [claimId, receiptHash, referenceBlock, certificate.signature],
  });
  checkpoint.update(claimId, { resolveTx: txHash });
  params.logger?.info({ claimId, txHash, receiptHash }, "committee certificate submitted");
  return { claimId, action: "certify", txHash, replayedHash: receiptHash };
}
