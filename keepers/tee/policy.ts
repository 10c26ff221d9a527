import type { Hex } from "viem";

import {
  MeasurementMismatchError,
  NonceMismatchError,
  ReportDataMismatchError,
  ValidityWindowError,
} from "./errors.js";

/** Attestation formats the verifier understands. `dev` is the no-TEE format of local workers. */
export const ATTESTATION_FORMATS = ["nitro", "tdx", "gcp", "dev"] as const;
export type AttestationFormat = (typeof ATTESTATION_FORMATS)[number];

/** The platform named in a verification result. */
export type Platform = "aws-nitro" | "intel-tdx" | "gcp-confidential-space" | "dev";

/** Intel TCB statuses (from the TCB info / QE identity collateral). */
export type TcbStatus =
  | "UpToDate"
  | "SWHardeningNeeded"
  | "ConfigurationNeeded"
  | "ConfigurationAndSWHardeningNeeded"
  | "OutOfDate"
  | "OutOfDateConfigurationNeeded"
  | "Revoked"
  | "Unknown";

/**
 * What a verifier accepts beyond the cryptographic checks, which are never optional.
 * Measurements are compared case-insensitively as hex (or as the exact string for non-hex claims such
 * as a container image digest "sha256:…").
 */
export type VerifierPolicy = {
  /** Name shown in logs and errors. */
  name: string;
  /** Accept debug enclaves (Nitro PCR0-2 zero), debug TDs (TDATTRIBUTES.DEBUG) and debug images (dbgstat). */
  allowDebug: boolean;
  /** Accept `dev` attestations from machines with no TEE. Only a devnet policy should. */
  allowDev: boolean;
  /** TDX TCB statuses accepted; anything else is rejected. */
  acceptedTcbStatuses: readonly TcbStatus[];
  /** Measurements that must be present and equal (keys as in the result's `measurements`). */
  expectedMeasurements?: Readonly<Record<string, string>>;
  /** Report data (Nitro user_data, TDX REPORTDATA, Confidential Space eat_nonce bytes) that must match. */
  expectedReportData?: Hex;
  /** A challenge nonce that must be in the attestation (Nitro `nonce`, Confidential Space `eat_nonce` bytes). */
  expectedNonce?: Hex;
  /**
   * Freshness: the attestation's own issue time (Nitro `timestamp`, Confidential Space `iat`) must be at
   * most this many seconds before the verification time (and not more than a minute after it). TDX
   * quotes carry no time; bind a nonce in the report data instead.
   */
  maxAgeSeconds?: number;
};

/** Production: real TEEs only, no debug, Intel TCB up to date. */
export const PRODUCTION_POLICY: VerifierPolicy = Object.freeze({
  name: "production",
  allowDebug: false,
  allowDev: false,
  acceptedTcbStatuses: Object.freeze(["UpToDate"] as TcbStatus[]),
});

/** Debug: real TEEs, debug enclaves allowed, any non-revoked TCB status (testing against real hardware). */
export const DEBUG_POLICY: VerifierPolicy = Object.freeze({
  name: "debug",
  allowDebug: true,
  allowDev: false,
  acceptedTcbStatuses: Object.freeze([
    "UpToDate",
    "SWHardeningNeeded",
    "ConfigurationNeeded",
    "ConfigurationAndSWHardeningNeeded",
    "OutOfDate",
    "OutOfDateConfigurationNeeded",
  ] as TcbStatus[]),
});

/** Devnet: everything the debug policy allows, plus dev attestations from workers with no TEE. */
export const DEVNET_POLICY: VerifierPolicy = Object.freeze({ ...DEBUG_POLICY, name: "devnet", allowDev: true });

export const POLICY_PRESETS = { production: PRODUCTION_POLICY, debug: DEBUG_POLICY, devnet: DEVNET_POLICY } as const;
export type PolicyPresetName = keyof typeof POLICY_PRESETS;

/** Every verified attestation, whatever the platform. */
export type VerifiedAttestation = {
  valid: true;
  platform: Platform;
  /** Named measurement registers / claims, hex with 0x (or the claim's own string form). */
  measurements: Record<string, string>;
  /** The bytes the attested code chose to bind (Nitro user_data, TDX REPORTDATA, CS eat_nonce). */
  reportData: Hex;
  /** Challenge nonces carried beside the report data (Nitro `nonce`; CS `eat_nonce` as UTF-8 bytes). */
  nonces: Hex[];
  /** The verification time, ISO-8601. */
  time: string;
  /** Platform details that are not measurements (debug flag, TCB status, document timestamp…). */
  details: Record<string, unknown>;
};

/** Clock skew tolerated for an attestation issued "after" the verification time. */
const FUTURE_SKEW_MS = 60_000;

/** Applies `maxAgeSeconds` to an attestation issued at `issuedAt`. */
export function checkFreshness(issuedAt: Date, at: Date, policy: VerifierPolicy): void {
  if (policy.maxAgeSeconds === undefined) return;
  const ageMs = at.getTime() - issuedAt.getTime();
  if (ageMs > policy.maxAgeSeconds * 1000 || ageMs < -FUTURE_SKEW_MS) {
    throw new ValidityWindowError(
      `issued at ${issuedAt.toISOString()}, ${Math.round(ageMs / 1000)} s before ${at.toISOString()}; the ${policy.name} policy accepts at most ${policy.maxAgeSeconds} s`,
    );
  }
}

function normalise(value: string): string {
  return /^(0x)?[0-9a-fA-F]+$/.test(value) ? value.toLowerCase().replace(/^0x/, "") : value;
}

/** Applies the policy's expected measurements and report data to a verified result. */
export function checkExpectations(result: VerifiedAttestation, policy: VerifierPolicy): void {
  for (const [name, expected] of Object.entries(policy.expectedMeasurements ?? {})) {
    const actual = result.measurements[name];
    if (actual === undefined || normalise(actual) !== normalise(expected)) {
      throw new MeasurementMismatchError(name, expected, actual);
    }
  }
  if (policy.expectedReportData !== undefined) {
    if (normalise(result.reportData) !== normalise(policy.expectedReportData)) {
      throw new ReportDataMismatchError(policy.expectedReportData, result.reportData);
    }
  }
  if (policy.expectedNonce !== undefined) {
    const wanted = normalise(policy.expectedNonce);
    if (!result.nonces.some((n) => normalise(n) === wanted)) {
      throw new NonceMismatchError(policy.expectedNonce, result.nonces);
    }
  }
}
