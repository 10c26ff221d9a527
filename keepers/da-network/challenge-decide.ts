/**
 * The challenge keeper's decisions, as pure functions: which certificates to sample, whether a signer's
 * answer shows it serves its chunks, whom to challenge, which element to ask for, and which challenges to
 * finalize. The side effects (HTTP, KZG verification, transactions) live in challenge-keeper.ts.
 */
import { hexToBytes, keccak256, encodePacked, type Address, type Hex } from "viem";

export type KnownCertificate = {
  id: Hex;
  referenceBlock: number;
  /** Unix seconds. */
  expiry: number;
  /** Unix seconds of the last sampling pass over it (0: never). */
  lastSampled: number;
};

/**
 * Certificates to sample now: unexpired, not sampled within `resampleSeconds`, least recently sampled
 * first (then oldest reference block), at most `limit`.
 */
export function selectCertificatesToSample<T extends KnownCertificate>(
  certificates: readonly T[],
  params: { now: number; resampleSeconds: number; limit: number },
): T[] {
  return certificates
    .filter((c) => c.expiry > params.now && params.now - c.lastSampled >= params.resampleSeconds)
    .sort((a, b) => a.lastSampled - b.lastSampled || a.referenceBlock - b.referenceBlock || (a.id < b.id ? -1 : 1))
    .slice(0, params.limit);
}

/** What asking a signer for its chunks of a certificate gave. */
export type SampleOutcome =
  | { kind: "unreachable"; reason: string }
  | {
      kind: "answered";
      /** Whether the manifest it served matches the certificate's commitments root and blob count. */
      manifestMatches: boolean;
      /** Keys `blob/index` of the chunks it served that verified against the manifest. */
      validChunks: ReadonlySet<string>;
      /** How many served chunks failed verification. */
      invalidChunks: number;
    };

export type ServiceVerdict = { serves: true } | { serves: false; reason: string };

/** A signer serves a certificate when it returns a matching manifest and every chunk assigned to it, valid. */
export function judgeService(outcome: SampleOutcome, assigned: readonly string[]): ServiceVerdict {
  if (outcome.kind === "unreachable") return { serves: false, reason: outcome.reason };
  if (!outcome.manifestMatches)
    return { serves: false, reason: "served a manifest that does not match the certificate" };
  const missing = assigned.filter((key) => !outcome.validChunks.has(key));
  if (missing.length > 0) {
    const invalid = outcome.invalidChunks > 0 ? ` (${outcome.invalidChunks} served chunks failed verification)` : "";
    return {
      serves: false,
      reason: `${missing.length} of ${assigned.length} assigned chunks missing or invalid, e.g. ${missing[0]}${invalid}`,
    };
  }
  return { serves: true };
}

/** The keys `blob/index` a signer with chunk range [start, start + count) must hold, over every blob. */
export function assignedKeys(range: { start: number; count: number }, blobCount: number): string[] {
  const keys: string[] = [];
  for (let blob = 0; blob < blobCount; blob++) {
    for (let i = range.start; i < range.start + range.count; i++) keys.push(`${blob}/${i}`);
  }
  return keys;
}

export type ChallengeRecord = {
  challengeId: bigint;
  certificateId: Hex;
  operator: Address;
  status: number;
  deadline: number;
};

/** Challenge statuses as the registry numbers them. */
export const ChallengeStatus = { None: 0, Open: 1, Answered: 2, Slashed: 3 } as const;

/**
 * Signers to challenge for one certificate: those that do not serve, that have never been challenged for
 * it (a challenge that is open, answered or slashed is not repeated: repeating an answered one only pays
 * its bond to the operator again), while the certificate is still challengeable.
 */
export function decideChallenges(params: {
  certificate: { id: Hex; expiry: number };
  now: number;
  verdicts: readonly { operator: Address; verdict: ServiceVerdict }[];
  existing: readonly ChallengeRecord[];
}): { operator: Address; reason: string }[] {
  if (params.certificate.expiry <= params.now) return [];
  const challenged = new Set(
    params.existing
      .filter((c) => c.certificateId.toLowerCase() === params.certificate.id.toLowerCase())
      .map((c) => c.operator.toLowerCase()),
  );
  const out: { operator: Address; reason: string }[] = [];
  for (const { operator, verdict } of params.verdicts) {
    if (verdict.serves || challenged.has(operator.toLowerCase())) continue;
    challenged.add(operator.toLowerCase());
    out.push({ operator, reason: verdict.reason });
  }
  return out;
}

/** Open challenges whose response deadline has passed: each can be finalized (the operator slashed). */
export function decideFinalizations(challenges: readonly ChallengeRecord[], now: number): bigint[] {
  return challenges
    .filter((c) => c.status === ChallengeStatus.Open && now > c.deadline)
    .map((c) => c.challengeId)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The element to ask for: derived from the certificate, the operator and a per-keeper salt, so that the
 * operator cannot predict it before the challenge and the same keeper asks the same thing after a restart.
 */
export function challengePoint(params: { certificateId: Hex; operator: Address; blobCount: number; salt: Hex }): {
  blobIndex: number;
  elementIndex: number;
} {
  const digest = hexToBytes(
    keccak256(encodePacked(["bytes32", "address", "bytes32"], [params.certificateId, params.operator, params.salt])),
  );
  const word = (at: number) => new DataView(digest.buffer, digest.byteOffset + at, 4).getUint32(0);
  return { blobIndex: word(0) % params.blobCount, elementIndex: word(4) % 4096 };
}

/** Challenges a node should answer now: open and still inside their response window. */
export function challengesToAnswer(challenges: readonly ChallengeRecord[], now: number): ChallengeRecord[] {
  return challenges.filter((c) => c.status === ChallengeStatus.Open && now <= c.deadline);
}
