/**
 * The replay keeper's decisions, as pure functions of what it read (the claim on-chain, the block time,
 * its own checkpoint) so that every rule is unit-tested without a chain or an engine.
 */
import { encodeAbiParameters, hexToBigInt, keccak256, type Hex } from "viem";

import type { Receipt } from "../ai/engine.js";
import { compareReceipts } from "../ai/receipt.js";
import { InvalidInputError } from "../lib/errors.js";

/** IInferenceClaimsTypes.ClaimStatus. */
export const ClaimStatus = { None: 0, Posted: 1, Challenged: 2, Upheld: 3, Refuted: 4, TimedOut: 5 } as const;

/**
 * Which claims to re-execute on the keeper's own initiative: every claim, or a deterministic sample of
 * `fractionBps` / 10000 of them chosen by keccak256(salt, claimId) (so a restart samples the same claims and
 * operators cannot predict a keeper's sample without its salt). Committee duties ignore the policy: a
 * challenged claim is always re-executed by a committee member.
 */
export type ReplayPolicy = { mode: "all" } | { mode: "sample"; fractionBps: number; salt: Hex };

export function parsePolicy(raw: { policy: string; sampleFraction?: number; salt?: Hex }): ReplayPolicy {
  if (raw.policy === "all") return { mode: "all" };
  if (raw.policy !== "sample")
    throw new InvalidInputError("--policy", `must be "all" or "sample", got "${raw.policy}"`);
  const fraction = raw.sampleFraction;
  if (fraction === undefined || !Number.isFinite(fraction) || fraction < 0 || fraction > 1) {
    throw new InvalidInputError("--sample-fraction", "must be a number in 0..1 with --policy sample");
  }
  return { mode: "sample", fractionBps: Math.round(fraction * 10_000), salt: raw.salt ?? `0x${"00".repeat(32)}` };
}

/** Whether the policy re-executes this claim. */
export function isSampled(claimId: Hex, policy: ReplayPolicy): boolean {
  if (policy.mode === "all") return true;
  const draw = hexToBigInt(
    keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [policy.salt, claimId])),
  );
  return draw % 10_000n < BigInt(policy.fractionBps);
}

/** The on-chain fields a decision needs (IInferenceClaimsTypes.Claim). */
export type ClaimView = {
  status: number;
  challengeDeadline: bigint;
  receiptHash: Hex;
  /** Last second the committee may resolve a challenge (0 until challenged). */
  resolutionDeadline?: bigint;
  /** When the claim was decided (for a TimedOut claim: when `resolveTimedOut` landed). */
  decidedAt?: bigint;
  /** Whether the claim was escalated (appealed) already. */
  escalated?: boolean;
};

/** What the checkpoint remembers about a claim. */
export type LocalClaimState = {
  /** The receipt hash this keeper computed by re-executing the claim. */
  replayedHash?: Hex;
  /** The claim cannot be re-executed here (unknown model, unreadable DA payload): why. */
  unverifiable?: string;
  /** Transaction of this keeper's challenge. */
  challengeTx?: Hex;
  /** Transaction of this keeper's resolution (`resolve`, or `resolveTimedOut` past the committee deadline). */
  resolveTx?: Hex;
  /** Transaction of this keeper's `escalateToFork` of a TimedOut claim it challenged. */
  escalateTx?: Hex;
};

/**
 * Whether this keeper escalates a TimedOut claim it challenged to an EIGEN fork challenge (committee silence
 * is an intersubjective fault), and the contract's appeal window that bounds it.
 */
export type EscalationPolicy = { appealWindow: bigint };

export type Roles = { challenger: boolean; committee: boolean };

export type ClaimAction =
  /** Nothing more to do for this claim, ever. */
  | { kind: "close"; reason: string }
  /** Nothing to do in this pass; look again next pass. */
  | { kind: "wait"; reason: string }
  /** Re-execute the claim from its DA payload (then decide again). */
  | { kind: "replay" }
  /** The replay differs from the claim inside the window: store evidence on DA and challenge. */
  | { kind: "challenge"; correctReceiptHash: Hex }
  /** The claim is challenged and this keeper is on the committee: sign its replayed hash and certify. */
  | { kind: "certify"; receiptHash: Hex }
  /** The committee missed the challenge's resolution deadline: close it with `resolveTimedOut`. */
  | { kind: "timeout" }
  /** This keeper's challenge timed out and the policy escalates: open an EIGEN fork challenge (`escalateToFork`). */
  | { kind: "escalate" };

/** The next step for one claim. `now` is the latest block's timestamp. */
export function decideClaim(p: {
  claim: ClaimView;
  claimId: Hex;
  now: bigint;
  policy: ReplayPolicy;
  local: LocalClaimState;
  roles: Roles;
  /** Set: escalate TimedOut claims this keeper challenged (default: close them, bond back). */
  escalation?: EscalationPolicy;
}): ClaimAction {
  const { claim, local, roles } = p;
  switch (claim.status) {
    case ClaimStatus.Upheld:
      return { kind: "close", reason: "upheld by the committee" };
    case ClaimStatus.Refuted:
      return { kind: "close", reason: "refuted by the committee" };
    case ClaimStatus.TimedOut: {
      if (claim.escalated) {
        return local.escalateTx
          ? { kind: "close", reason: "escalated to an EIGEN fork challenge" }
          : { kind: "close", reason: "the committee missed its deadline; escalated by its challenger" };
      }
      if (!p.escalation || !local.challengeTx)
        return { kind: "close", reason: "the committee missed its deadline; bond returned" };
      // Only the challenger may escalate a TimedOut claim, inside the appeal window after it timed out.
      if (local.escalateTx) return { kind: "wait", reason: "escalation sent" };
      const appealDeadline = (claim.decidedAt ?? 0n) + p.escalation.appealWindow;
      if (p.now > appealDeadline)
        return { kind: "close", reason: "the committee missed its deadline; the appeal window closed unescalated" };
      return { kind: "escalate" };
    }
    case ClaimStatus.Posted: {
      if (p.now > claim.challengeDeadline) return { kind: "close", reason: "window passed unchallenged" };
      if (!roles.challenger) return { kind: "wait", reason: "inside the window (this keeper does not challenge)" };
      if (!isSampled(p.claimId, p.policy)) return { kind: "wait", reason: "not in this keeper's sample" };
      if (local.unverifiable) return { kind: "wait", reason: `cannot re-execute: ${local.unverifiable}` };
      if (!local.replayedHash) return { kind: "replay" };
      if (local.replayedHash === claim.receiptHash.toLowerCase()) return { kind: "wait", reason: "replay matches" };
      return { kind: "challenge", correctReceiptHash: local.replayedHash };
    }
    case ClaimStatus.Challenged: {
      const deadline = claim.resolutionDeadline ?? 0n;
      if (deadline > 0n && p.now > deadline) {
        // Anyone may close it; this keeper does when it filed the challenge (its bond) or serves the committee,
        // once: a resolution it sent is waited for (the keeper forgets it when the chain has no trace of it).
        if (local.resolveTx) return { kind: "wait", reason: "resolution sent" };
        if (local.challengeTx || roles.committee) return { kind: "timeout" };
        return { kind: "wait", reason: "the committee missed its deadline (the challenger closes it)" };
      }
      if (!roles.committee) return { kind: "wait", reason: "challenged (this keeper is not on the committee)" };
      if (local.resolveTx) return { kind: "wait", reason: "resolution sent" };
      if (local.unverifiable) return { kind: "wait", reason: `cannot re-execute: ${local.unverifiable}` };
      if (!local.replayedHash) return { kind: "replay" };
      return { kind: "certify", receiptHash: local.replayedHash };
    }
    default:
      return { kind: "close", reason: `unknown status ${claim.status}` };
  }
}

/**
 * What a challenge names: the replayed receipt hash and the first step whose logits (or token) differ from
 * the operator's receipt on DA. When the operator's receipt is missing, unreadable or not the one the claim
 * commits to, or the inputs differ (another model, engine or settings), nothing step-wise is comparable and
 * the challenge names step 0.
 */
export function challengeEvidence(
  claimedHash: Hex,
  claimed: Receipt | undefined,
  replayed: Receipt,
): { correctReceiptHash: Hex; firstDivergentStep: number; field: string } {
  if (!claimed || claimed.hash !== claimedHash.toLowerCase()) {
    return { correctReceiptHash: replayed.hash, firstDivergentStep: 0, field: "receipt (not on DA)" };
  }
  const comparison = compareReceipts(claimed, replayed);
  if (comparison.equal) return { correctReceiptHash: replayed.hash, firstDivergentStep: 0, field: "none" };
  return {
    correctReceiptHash: replayed.hash,
    firstDivergentStep: comparison.firstDivergentStep ?? 0,
    field: comparison.field,
  };
}

/**
 * The reference block of a committee certificate: the block before the head (the checker wants a past
 * block), but not before the challenge's block (the contract's rule); null = wait for the next block.
 */
export function certificateReferenceBlock(head: bigint, challengeBlock: bigint): number | null {
  const reference = head - 1n;
  return reference >= challengeBlock ? Number(reference) : null;
}

/** Whether signed stake reaches the contract's committee threshold (same integer rule as InferenceClaims). */
export function reachesThreshold(signedStake: bigint, totalStake: bigint, thresholdBps: number): boolean {
  return totalStake > 0n && signedStake * 10_000n >= totalStake * BigInt(thresholdBps);
}
