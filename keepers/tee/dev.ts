/**
 * The dev attestation: what a worker on a machine with no TEE produces. It is plain JSON, unsigned and
 * trivially forgeable: it proves nothing about the code that ran and exists only so a devnet can run
 * the whole task flow. Verifiers accept it only under a policy with `allowDev` (the devnet preset).
 */
import { z } from "zod";
import type { Hex } from "viem";

import { DevAttestationRejectedError, MalformedAttestationError } from "./errors.js";
import type { VerifiedAttestation, VerifierPolicy } from "./policy.js";

export const DEV_ATTESTATION_FORMAT = "vcloud-dev-attestation/v1";
export const DEV_ATTESTATION_WARNING =
  "DEV ATTESTATION: produced without a TEE; it proves nothing and is valid only on a devnet";

const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x followed by 64 hex digits");

const devAttestationSchema = z.strictObject({
  format: z.literal(DEV_ATTESTATION_FORMAT),
  warning: z.literal(DEV_ATTESTATION_WARNING),
  imageDigest: bytes32,
  reportData: z.string().regex(/^0x([0-9a-fA-F]{2}){0,64}$/, "must be 0x-prefixed hex of at most 64 bytes"),
  timestamp: z.iso.datetime(),
});

export type DevAttestation = z.infer<typeof devAttestationSchema>;

/** Builds the dev attestation bytes (canonical JSON) for a worker with no TEE. */
export function createDevAttestation(params: { imageDigest: Hex; reportData: Hex; timestamp: Date }): Uint8Array {
  const doc: DevAttestation = {
    format: DEV_ATTESTATION_FORMAT,
    warning: DEV_ATTESTATION_WARNING,
    imageDigest: params.imageDigest,
    reportData: params.reportData,
    timestamp: params.timestamp.toISOString(),
  };
  return Buffer.from(JSON.stringify(doc), "utf8");
}

/** Parses a dev attestation and accepts it only when the policy allows dev attestations. */
export function verifyDev(input: Uint8Array, params: { at: Date; policy: VerifierPolicy }): VerifiedAttestation {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(input).toString("utf8"));
  } catch (cause) {
    throw new MalformedAttestationError("a dev attestation must be JSON", { cause });
  }
  const parsed = devAttestationSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MalformedAttestationError(`dev attestation ${issue.path.join(".") || "document"}: ${issue.message}`);
  }
  if (!params.policy.allowDev) throw new DevAttestationRejectedError();
  const doc = parsed.data;
  return {
    valid: true,
    platform: "dev",
    measurements: { imageDigest: doc.imageDigest.toLowerCase() },
    reportData: doc.reportData.toLowerCase() as Hex,
    nonces: [],
    time: params.at.toISOString(),
    details: { warning: doc.warning, timestamp: doc.timestamp, debug: true },
  };
}
