import type { Address, Hex } from "viem";
import { describe, expect, it } from "vitest";

import {
  assignedKeys,
  challengePoint,
  challengesToAnswer,
  ChallengeStatus,
  decideChallenges,
  decideFinalizations,
  judgeService,
  selectCertificatesToSample,
  type ChallengeRecord,
} from "./challenge-decide.js";

const id = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;
const op = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as Address;

describe("challenge keeper decisions", () => {
  it("samples unexpired certificates not sampled recently, least recently sampled first, up to the limit", () => {
    const certs = [
      { id: id(1), referenceBlock: 5, expiry: 1_000, lastSampled: 0 },
      { id: id(2), referenceBlock: 3, expiry: 50, lastSampled: 0 }, // expired at now = 100
      { id: id(3), referenceBlock: 4, expiry: 1_000, lastSampled: 90 }, // sampled 10 s ago
      { id: id(4), referenceBlock: 2, expiry: 1_000, lastSampled: 0 },
      { id: id(5), referenceBlock: 1, expiry: 1_000, lastSampled: 20 },
    ];
    const picked = selectCertificatesToSample(certs, { now: 100, resampleSeconds: 60, limit: 2 });
    expect(picked.map((c) => c.id)).toEqual([id(4), id(1)]);
    expect(selectCertificatesToSample(certs, { now: 100, resampleSeconds: 60, limit: 9 }).map((c) => c.id)).toEqual([
      id(4),
      id(1),
      id(5),
    ]);
  });

  it("a signer serves only with a matching manifest and every assigned chunk valid", () => {
    const assigned = assignedKeys({ start: 2, count: 2 }, 2);
    expect(assigned).toEqual(["0/2", "0/3", "1/2", "1/3"]);
    expect(judgeService({ kind: "unreachable", reason: "connect ECONNREFUSED" }, assigned)).toEqual({
      serves: false,
      reason: "connect ECONNREFUSED",
    });
    expect(
      judgeService(
        { kind: "answered", manifestMatches: false, validChunks: new Set(assigned), invalidChunks: 0 },
        assigned,
      ),
    ).toEqual({ serves: false, reason: "served a manifest that does not match the certificate" });
    expect(
      judgeService(
        { kind: "answered", manifestMatches: true, validChunks: new Set(["0/2", "0/3", "1/2"]), invalidChunks: 1 },
        assigned,
      ),
    ).toEqual({
      serves: false,
      reason: "1 of 4 assigned chunks missing or invalid, e.g. 1/3 (1 served chunks failed verification)",
    });
    expect(
      judgeService(
        { kind: "answered", manifestMatches: true, validChunks: new Set(assigned), invalidChunks: 0 },
        assigned,
      ),
    ).toEqual({ serves: true });
  });

  it("challenges each non-serving signer once per certificate, never an expired certificate", () => {
    const verdicts = [
      { operator: op(1), verdict: { serves: true } as const },
      { operator: op(2), verdict: { serves: false, reason: "down" } as const },
      { operator: op(3), verdict: { serves: false, reason: "404" } as const },
      { operator: op(3), verdict: { serves: false, reason: "404 again" } as const },
    ];
    const existing: ChallengeRecord[] = [
      { challengeId: 1n, certificateId: id(7), operator: op(3), status: ChallengeStatus.Answered, deadline: 0 },
      { challengeId: 2n, certificateId: id(8), operator: op(2), status: ChallengeStatus.Open, deadline: 0 },
    ];
    expect(decideChallenges({ certificate: { id: id(7), expiry: 200 }, now: 100, verdicts, existing })).toEqual([
      { operator: op(2), reason: "down" },
    ]);
    expect(decideChallenges({ certificate: { id: id(9), expiry: 200 }, now: 100, verdicts, existing: [] })).toEqual([
      { operator: op(2), reason: "down" },
      { operator: op(3), reason: "404" },
    ]);
    expect(decideChallenges({ certificate: { id: id(9), expiry: 100 }, now: 100, verdicts, existing: [] })).toEqual([]);
  });

  it("finalizes open challenges strictly after their deadline; answers them up to and at it", () => {
    const challenges: ChallengeRecord[] = [
      { challengeId: 3n, certificateId: id(1), operator: op(1), status: ChallengeStatus.Open, deadline: 99 },
      { challengeId: 1n, certificateId: id(1), operator: op(2), status: ChallengeStatus.Open, deadline: 50 },
      { challengeId: 2n, certificateId: id(1), operator: op(3), status: ChallengeStatus.Open, deadline: 100 },
      { challengeId: 4n, certificateId: id(1), operator: op(4), status: ChallengeStatus.Answered, deadline: 10 },
      { challengeId: 5n, certificateId: id(1), operator: op(5), status: ChallengeStatus.Slashed, deadline: 10 },
    ];
    expect(decideFinalizations(challenges, 100)).toEqual([1n, 3n]);
    expect(challengesToAnswer(challenges, 100).map((c) => c.challengeId)).toEqual([2n]);
  });

  it("derives the challenged element from certificate, operator and salt, within range", () => {
    const a = challengePoint({ certificateId: id(1), operator: op(1), blobCount: 3, salt: id(42) });
    expect(a).toEqual(challengePoint({ certificateId: id(1), operator: op(1), blobCount: 3, salt: id(42) }));
    const points = Array.from({ length: 64 }, (_, i) =>
      challengePoint({ certificateId: id(i), operator: op(1), blobCount: 3, salt: id(42) }),
    );
    for (const p of points) {
      expect(p.blobIndex).toBeGreaterThanOrEqual(0);
      expect(p.blobIndex).toBeLessThan(3);
      expect(p.elementIndex).toBeLessThan(4096);
    }
    expect(new Set(points.map((p) => p.blobIndex)).size).toBe(3);
    expect(challengePoint({ certificateId: id(1), operator: op(1), blobCount: 3, salt: id(43) })).not.toEqual(a);
  });
});
