import { keccak256, stringToBytes, toHex, type Hex } from "viem";
import { describe, expect, it } from "vitest";

import type { Receipt } from "../ai/engine.js";
import { finalizeReceipt } from "../ai/receipt.js";
import { InvalidInputError } from "../lib/errors.js";
import {
  certificateReferenceBlock,
  challengeEvidence,
  ClaimStatus,
  decideClaim,
  isSampled,
  parsePolicy,
  reachesThreshold,
  type ClaimView,
  type LocalClaimState,
  type ReplayPolicy,
} from "./decide.js";
import { ClaimPayloadError, encodeClaimPayload, parseClaimPayload, requestOf } from "./payload.js";

const h = (s: string): Hex => keccak256(toHex(s));
const CLAIM_ID = h("claim");
const CLAIMED = h("claimed");
const OTHER = h("other");
const all: ReplayPolicy = { mode: "all" };
const both = { challenger: true, committee: true };

function decide(
  claim: Partial<ClaimView>,
  local: LocalClaimState = {},
  extra: Partial<Parameters<typeof decideClaim>[0]> = {},
) {
  return decideClaim({
    claim: { status: ClaimStatus.Posted, challengeDeadline: 100n, receiptHash: CLAIMED, ...claim },
    claimId: CLAIM_ID,
    now: 50n,
    policy: all,
    local,
    roles: both,
    ...extra,
  });
}

function receipt(chain: Hex[], model = h("model")): Receipt {
  return finalizeReceipt({
    version: 1,
    model: { sha256: model, bytes: 1 },
    engine: { name: "llama.cpp", version: "v", backend: "cpu", cpuFeatures: "x" },
    settings: {
      threads: 1,
      batchSize: 64,
      contextSize: 256,
      flashAttention: false,
      maxTokens: chain.length,
      sampling: { temperatureMilli: 0, topK: 0 },
      bound: { threads: 0, batchSize: 0 },
    },
    seed: "1",
    prompt: { hash: h("p"), tokenCount: 1, tokensHash: h("t") },
    output: {
      tokenIds: chain.map((_, i) => i),
      text: "",
      textHash: keccak256(stringToBytes("")),
      stopReason: "length",
    },
    logits: { encoding: "f32le-full", chain, head: chain.at(-1) ?? `0x${"00".repeat(32)}` },
  });
}

describe("decideClaim", () => {
  it("closes decided claims and claims whose window passed unchallenged", () => {
    expect(decide({ status: ClaimStatus.Upheld })).toEqual({ kind: "close", reason: "upheld by the committee" });
    expect(decide({ status: ClaimStatus.Refuted })).toEqual({ kind: "close", reason: "refuted by the committee" });
    expect(decide({ challengeDeadline: 49n })).toEqual({ kind: "close", reason: "window passed unchallenged" });
  });

  it("a posted claim is replayed once, then challenged only when the replay differs", () => {
    expect(decide({})).toEqual({ kind: "replay" });
    expect(decide({}, { replayedHash: CLAIMED })).toMatchObject({ kind: "wait", reason: "replay matches" });
    expect(decide({}, { replayedHash: OTHER })).toEqual({ kind: "challenge", correctReceiptHash: OTHER });
    // The deadline itself is still inside the window (the contract rejects only timestamp > deadline).
    expect(decide({}, { replayedHash: OTHER }, { now: 100n })).toMatchObject({ kind: "challenge" });
  });

  it("does not replay claims outside its sample, nor challenge without the challenger role", () => {
    const none: ReplayPolicy = { mode: "sample", fractionBps: 0, salt: h("salt") };
    expect(decide({}, {}, { policy: none })).toMatchObject({ kind: "wait", reason: "not in this keeper's sample" });
    expect(decide({}, { replayedHash: OTHER }, { roles: { challenger: false, committee: true } })).toMatchObject({
      kind: "wait",
    });
    expect(decide({}, { unverifiable: "model unknown" })).toMatchObject({ kind: "wait" });
  });

  it("a challenged claim is replayed and certified by a committee member whatever the sample", () => {
    const none: ReplayPolicy = { mode: "sample", fractionBps: 0, salt: h("salt") };
    const challenged = { status: ClaimStatus.Challenged };
    expect(decide(challenged, {}, { policy: none })).toEqual({ kind: "replay" });
    expect(decide(challenged, { replayedHash: CLAIMED })).toEqual({ kind: "certify", receiptHash: CLAIMED });
    expect(decide(challenged, { replayedHash: CLAIMED, resolveTx: h("tx") })).toMatchObject({ kind: "wait" });
    expect(decide(challenged, {}, { roles: { challenger: true, committee: false } })).toMatchObject({ kind: "wait" });
  });
});

describe("committee deadline", () => {
  const challenged = { status: ClaimStatus.Challenged, resolutionDeadline: 200n };
  it("before or at the deadline the committee certifies; after it the challenger or a committee member times out", () => {
    expect(decide(challenged, { replayedHash: OTHER }, { now: 200n })).toEqual({
      kind: "certify",
      receiptHash: OTHER,
    });
    expect(decide(challenged, {}, { now: 201n })).toEqual({ kind: "timeout" });
    const challengerOnly = { challenger: true, committee: false };
    expect(decide(challenged, { challengeTx: h("tx") }, { now: 201n, roles: challengerOnly })).toEqual({
      kind: "timeout",
    });
    expect(decide(challenged, {}, { now: 201n, roles: challengerOnly })).toMatchObject({ kind: "wait" });
    // Its own resolveTimedOut already sent: waited for, not sent twice.
    expect(
      decide(challenged, { challengeTx: h("tx"), resolveTx: h("rtx") }, { now: 201n, roles: challengerOnly }),
    ).toEqual({ kind: "wait", reason: "resolution sent" });
  });
  it("a timed-out claim is closed", () => {
    expect(decide({ status: ClaimStatus.TimedOut })).toMatchObject({ kind: "close" });
  });
});

describe("escalating a timed-out challenge to a fork (--escalate-timed-out)", () => {
  const timedOut = { status: ClaimStatus.TimedOut, decidedAt: 1_000n };
  const escalation = { appealWindow: 3_600n };
  const mine = { challengeTx: h("tx") };
  it("escalates this keeper's own challenge inside the appeal window, once", () => {
    expect(decide(timedOut, mine, { now: 1_000n, escalation })).toEqual({ kind: "escalate" });
    expect(decide(timedOut, mine, { now: 4_600n, escalation })).toEqual({ kind: "escalate" });
    expect(decide(timedOut, { ...mine, escalateTx: h("etx") }, { now: 1_001n, escalation })).toEqual({
      kind: "wait",
      reason: "escalation sent",
    });
    expect(decide({ ...timedOut, escalated: true }, { ...mine, escalateTx: h("etx") }, { escalation })).toEqual({
      kind: "close",
      reason: "escalated to an EIGEN fork challenge",
    });
  });
  it("closes after the appeal window, without the policy, and for another challenger's claim", () => {
    expect(decide(timedOut, mine, { now: 4_601n, escalation })).toMatchObject({
      kind: "close",
      reason: expect.stringMatching(/appeal window closed/),
    });
    expect(decide(timedOut, mine, { now: 1_001n })).toMatchObject({ kind: "close" });
    expect(decide(timedOut, {}, { now: 1_001n, escalation })).toMatchObject({ kind: "close" });
    expect(decide({ ...timedOut, escalated: true }, mine, { now: 1_001n, escalation })).toMatchObject({
      kind: "close",
    });
  });
});

describe("sampling policy", () => {
  it("samples about the configured fraction, deterministically per claim and salt", () => {
    const policy: ReplayPolicy = { mode: "sample", fractionBps: 2500, salt: h("salt") };
    const picks = Array.from({ length: 2000 }, (_, i) => isSampled(h(`c${i}`), policy));
    const share = picks.filter(Boolean).length / picks.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.3);
    expect(Array.from({ length: 2000 }, (_, i) => isSampled(h(`c${i}`), policy))).toEqual(picks);
    expect(isSampled(CLAIM_ID, { ...policy, fractionBps: 10_000 })).toBe(true);
    expect(isSampled(CLAIM_ID, { ...policy, fractionBps: 0 })).toBe(false);
  });

  it("parsePolicy names the bad flag", () => {
    expect(parsePolicy({ policy: "all" })).toEqual({ mode: "all" });
    expect(parsePolicy({ policy: "sample", sampleFraction: 0.1, salt: h("s") })).toEqual({
      mode: "sample",
      fractionBps: 1000,
      salt: h("s"),
    });
    expect(() => parsePolicy({ policy: "some" })).toThrow(InvalidInputError);
    expect(() => parsePolicy({ policy: "sample", sampleFraction: 1.5 })).toThrow(/--sample-fraction/);
    expect(() => parsePolicy({ policy: "sample" })).toThrow(/--sample-fraction/);
  });
});

describe("challengeEvidence", () => {
  const a = h("a");
  const b = h("b");
  const c = h("c");
  it("names the first step whose logits link differs", () => {
    const claimed = receipt([a, b, c]);
    const replayed = receipt([a, c, b]);
    expect(challengeEvidence(claimed.hash, claimed, replayed)).toEqual({
      correctReceiptHash: replayed.hash,
      firstDivergentStep: 1,
      field: "logits.chain",
    });
  });

  it("names step 0 when the inputs differ or the operator's receipt is not the claimed one", () => {
    const claimed = receipt([a, b], h("other model"));
    const replayed = receipt([a, b]);
    expect(challengeEvidence(claimed.hash, claimed, replayed)).toMatchObject({
      firstDivergentStep: 0,
      field: "model.sha256",
    });
    expect(challengeEvidence(OTHER, claimed, replayed)).toMatchObject({
      firstDivergentStep: 0,
      field: "receipt (not on DA)",
    });
    expect(challengeEvidence(OTHER, undefined, replayed).correctReceiptHash).toBe(replayed.hash);
  });
});

describe("certificate rules", () => {
  it("references the block before the head, never one before the challenge", () => {
    expect(certificateReferenceBlock(10n, 9n)).toBe(9);
    expect(certificateReferenceBlock(10n, 10n)).toBeNull();
  });

  it("uses the contract's integer threshold rule", () => {
    expect(reachesThreshold(60n, 100n, 6000)).toBe(true);
    expect(reachesThreshold(59n, 100n, 6000)).toBe(false);
    expect(reachesThreshold(0n, 0n, 6000)).toBe(false);
  });
});

describe("claim payload", () => {
  const r = receipt([h("a")]);
  const request = { prompt: "hello", seed: 7n, maxTokens: 1 };

  it("round-trips the request and keeps a receipt whose hashes check", () => {
    const payload = parseClaimPayload(encodeClaimPayload(request, r));
    expect(payload.receipt?.hash).toBe(r.hash);
    expect(requestOf(payload, keccak256(stringToBytes("hello")))).toEqual({
      ...request,
      sampling: { temperatureMilli: 0, topK: 0 },
    });
  });

  it("drops a tampered receipt but keeps the request; rejects a prompt the claim does not commit to", () => {
    const json = JSON.parse(new TextDecoder().decode(encodeClaimPayload(request, r))) as { receipt: { hash: string } };
    json.receipt.hash = OTHER;
    const payload = parseClaimPayload(stringToBytes(JSON.stringify(json)));
    expect(payload.receipt).toBeUndefined();
    expect(() => requestOf(payload, h("another prompt"))).toThrow(ClaimPayloadError);
  });

  it("names what is wrong with an unreadable payload", () => {
    expect(() => parseClaimPayload(stringToBytes("not json"))).toThrow(/not JSON/);
    expect(() =>
      parseClaimPayload(stringToBytes('{"version":1,"kind":"vcloud-inference-claim","request":{}}')),
    ).toThrow(/request\.prompt/);
  });
});
