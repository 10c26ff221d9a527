/**
 * Google Confidential Space attestation tokens in PKI form: an RS256 JWT whose `x5c` header carries the
 * leaf and intermediate certificates under the Confidential Space Root CA (pinned). Checks, in order:
 * format, root, chain + validity at `at`, JWS signature, token validity (nbf/exp), claims (issuer,
 * software name, hardware model), debug (`dbgstat`), then the policy's measurements and report data.
 */
import { decodeProtectedHeader, errors as joseErrors, importX509, jwtVerify, type JWTPayload } from "jose";
import { bytesToHex, type Hex } from "viem";

import {
  ClaimError,
  DebugModeError,
  MalformedAttestationError,
  SignatureError,
  ValidityWindowError,
} from "./errors.js";
import { checkFreshness, type VerifiedAttestation, type VerifierPolicy } from "./policy.js";
import { pinnedRoot } from "./roots.js";
import { parseCertificate, verifyCertificateChain } from "./x509-chain.js";

export const CONFIDENTIAL_SPACE_ISSUER = "https://confidentialcomputing.googleapis.com";
/** Hardware models that are confidential VMs; GCP_SHIELDED_VM is not a TEE and is never accepted. */
export const TEE_HARDWARE_MODELS = ["GCP_INTEL_TDX", "GCP_AMD_SEV", "GCP_AMD_SEV_ES", "GCP_AMD_SEV_SNP"] as const;

type ConfidentialSpaceClaims = JWTPayload & {
  eat_nonce?: string | string[];
  hwmodel?: string;
  swname?: string;
  swversion?: string[];
  dbgstat?: string;
  secboot?: boolean;
  submods?: {
    container?: { image_digest?: string; image_reference?: string; image_id?: string };
    confidential_space?: { support_attributes?: string[] };
  };
};

function tokenText(input: Uint8Array | string): string {
  const text = (typeof input === "string" ? input : Buffer.from(input).toString("utf8")).trim();
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(text)) {
    throw new MalformedAttestationError("not a compact JWS (three base64url parts separated by dots)");
  }
  return text;
}

export type VerifyGcpParameters = { at: Date; policy: VerifierPolicy };

/** Verifies a Confidential Space PKI attestation token. */
export async function verifyGcp(input: Uint8Array | string, params: VerifyGcpParameters): Promise<VerifiedAttestation> {
  const { at, policy } = params;
  const token = tokenText(input);
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch (cause) {
    throw new MalformedAttestationError("the JWT header is not valid JSON", { cause });
  }
  if (header.alg !== "RS256") throw new MalformedAttestationError(`alg must be RS256, got ${String(header.alg)}`);
  if (!Array.isArray(header.x5c) || header.x5c.length === 0) {
    throw new MalformedAttestationError("the token has no x5c certificate chain (only PKI tokens are supported)");
  }
  const chain = header.x5c.map((b64, i) => parseCertificate(Buffer.from(b64, "base64"), `x5c[${i}]`));
  verifyCertificateChain({ chain, root: pinnedRoot("gcp-confidential-space"), at });

  let claims: ConfidentialSpaceClaims;
  try {
    const key = await importX509(chain[0]!.toString(), "RS256");
    ({ payload: claims } = await jwtVerify<ConfidentialSpaceClaims>(token, key, {
      algorithms: ["RS256"],
      currentDate: at,
    }));
  } catch (cause) {
    if (cause instanceof joseErrors.JWSSignatureVerificationFailed) {
      throw new SignatureError("the token's RS256 signature does not verify with the x5c leaf certificate", { cause });
    }
    if (cause instanceof joseErrors.JWTExpired) {
      throw new ValidityWindowError(`the token expired (exp) before ${at.toISOString()}`, { cause });
    }
    if (cause instanceof joseErrors.JWTClaimValidationFailed) {
      if (cause.claim === "nbf" || cause.claim === "iat") {
        throw new ValidityWindowError(`the token is not yet valid (${cause.claim}) at ${at.toISOString()}`, { cause });
      }
      throw new ClaimError(cause.claim, cause.reason);
    }
    if (cause instanceof joseErrors.JWTInvalid || cause instanceof joseErrors.JWSInvalid) {
      throw new MalformedAttestationError(`invalid token: ${(cause as Error).message}`, { cause });
    }
    throw new SignatureError(`token verification failed: ${(cause as Error).message}`, { cause });
  }
  if (typeof claims.exp !== "number") throw new ClaimError("exp", "missing; tokens must expire");

  if (claims.iss !== CONFIDENTIAL_SPACE_ISSUER) {
    throw new ClaimError("iss", `is ${String(claims.iss)}, expected ${CONFIDENTIAL_SPACE_ISSUER}`);
  }
  if (claims.swname !== "CONFIDENTIAL_SPACE") {
    throw new ClaimError("swname", `is ${String(claims.swname)}, expected CONFIDENTIAL_SPACE`);
  }
  if (!TEE_HARDWARE_MODELS.includes(claims.hwmodel as (typeof TEE_HARDWARE_MODELS)[number])) {
    throw new ClaimError("hwmodel", `${String(claims.hwmodel)} is not a confidential-computing hardware model`);
  }
  if (typeof claims.iat === "number") checkFreshness(new Date(claims.iat * 1000), at, policy);
  else if (policy.maxAgeSeconds !== undefined) throw new ClaimError("iat", "missing; the policy requires freshness");

  const debug = claims.dbgstat !== "disabled-since-boot";
  if (debug && !policy.allowDebug) {
    throw new DebugModeError(`debug image (dbgstat ${String(claims.dbgstat)}) rejected by the ${policy.name} policy`);
  }
  const container = claims.submods?.container;
  if (typeof container?.image_digest !== "string") {
    throw new ClaimError("submods.container.image_digest", "missing");
  }

  const nonces = claims.eat_nonce === undefined ? [] : [claims.eat_nonce].flat();
  const reportData: Hex = nonces[0] === undefined ? "0x" : bytesToHex(Buffer.from(nonces[0], "utf8"));
  return {
    valid: true,
    platform: "gcp-confidential-space",
    measurements: {
      imageDigest: container.image_digest,
      ...(container.image_id ? { imageId: container.image_id } : {}),
      hwmodel: claims.hwmodel!,
      swname: claims.swname,
      swversion: (claims.swversion ?? []).join(","),
    },
    reportData,
    nonces: nonces.map((n) => bytesToHex(Buffer.from(n, "utf8"))),
    time: at.toISOString(),
    details: {
      debug,
      dbgstat: claims.dbgstat,
      imageReference: container.image_reference,
      audience: claims.aud,
      subject: claims.sub,
      issuedAt: claims.iat === undefined ? null : new Date(claims.iat * 1000).toISOString(),
      expiresAt: new Date(claims.exp * 1000).toISOString(),
      nonces,
      supportAttributes: claims.submods?.confidential_space?.support_attributes ?? [],
    },
  };
}
