import { verifyDev } from "./dev.js";
import { verifyGcp } from "./gcp.js";
import { verifyNitro } from "./nitro.js";
import {
  checkExpectations,
  PRODUCTION_POLICY,
  type AttestationFormat,
  type VerifiedAttestation,
  type VerifierPolicy,
} from "./policy.js";
import { verifyTdx } from "./tdx.js";

export type VerifyAttestationParameters = {
  format: AttestationFormat;
  /** TDX only: the collateral JSON (bytes, text or parsed object). */
  collateral?: Uint8Array | string | object;
  /** The verification time (certificate, token and collateral windows). Default: now. */
  at?: Date;
  /** Default: the production policy (no debug, no dev, TCB UpToDate). */
  policy?: VerifierPolicy;
};

/**
 * Verifies an attestation of the given format against the pinned roots, at a fixed time, under a policy.
 * Resolves to the verified result or rejects with an `AttestationError` naming the failed check.
 */
export async function verifyAttestation(
  attestation: Uint8Array,
  params: VerifyAttestationParameters,
): Promise<VerifiedAttestation> {
  const at = params.at ?? new Date();
  const policy = params.policy ?? PRODUCTION_POLICY;
  let result: VerifiedAttestation;
  switch (params.format) {
    case "nitro":
      result = verifyNitro(attestation, { at, policy });
      break;
    case "tdx":
      result = verifyTdx(attestation, { collateral: params.collateral, at, policy });
      break;
    case "gcp":
      result = await verifyGcp(attestation, { at, policy });
      break;
    case "dev":
      result = verifyDev(attestation, { at, policy });
      break;
  }
  checkExpectations(result, policy);
  return result;
}
