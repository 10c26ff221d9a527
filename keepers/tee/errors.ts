import { VcloudError } from "../lib/errors.js";

/**
 * The checks an attestation verifier runs, in the order a reader meets them. Every rejection names
 * exactly one of these, so a caller (and the CLI's one-line error) knows which rule was broken.
 */
export type AttestationCheck =
  | "format" // the bytes do not decode as the claimed format
  | "root" // the chain does not end in the pinned root
  | "chain" // a certificate in the chain is not signed by the next one, or is not a CA
  | "validity" // a certificate, token or collateral is outside its validity window at the given time
  | "signature" // the document / quote / token signature does not verify
  | "collateral" // TDX collateral missing, malformed or not signed by Intel
  | "tcb-status" // the platform's TCB status is not accepted by the policy
  | "debug" // a debug enclave / TD / image under a policy that forbids it
  | "claims" // a required claim (issuer, software name, hardware model) is wrong
  | "measurements" // a measurement differs from the one the policy expects
  | "report-data" // the report data / user data differs from the expected binding
  | "nonce" // the verifier's challenge nonce is not in the attestation
  | "dev-policy"; // a dev attestation under a policy that does not allow dev attestations

/** An attestation failed a verification check. Exit code 1; the message names the check. */
export class AttestationError extends VcloudError {
  override name = "AttestationError";
  readonly check: AttestationCheck;

  constructor(check: AttestationCheck, reason: string, options: { details?: string; cause?: unknown } = {}) {
    super(`attestation rejected: ${check} check failed: ${reason}`, options);
    this.check = check;
  }
}

export class MalformedAttestationError extends AttestationError {
  override name = "MalformedAttestationError";
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super("format", reason, options);
  }
}

export class UntrustedRootError extends AttestationError {
  override name = "UntrustedRootError";
  constructor(reason: string) {
    super("root", reason);
  }
}

export class CertificateChainError extends AttestationError {
  override name = "CertificateChainError";
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super("chain", reason, options);
  }
}

export class ValidityWindowError extends AttestationError {
  override name = "ValidityWindowError";
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super("validity", reason, options);
  }
}

export class SignatureError extends AttestationError {
  override name = "SignatureError";
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super("signature", reason, options);
  }
}

export class CollateralError extends AttestationError {
  override name = "CollateralError";
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super("collateral", reason, options);
  }
}

export class TcbStatusError extends AttestationError {
  override name = "TcbStatusError";
  readonly status: string;
  constructor(status: string, reason: string) {
    super("tcb-status", reason);
    this.status = status;
  }
}

export class DebugModeError extends AttestationError {
  override name = "DebugModeError";
  constructor(reason: string) {
    super("debug", reason);
  }
}

export class ClaimError extends AttestationError {
  override name = "ClaimError";
  readonly claim: string;
  constructor(claim: string, reason: string) {
    super("claims", `${claim}: ${reason}`);
    this.claim = claim;
  }
}

export class MeasurementMismatchError extends AttestationError {
  override name = "MeasurementMismatchError";
  readonly measurement: string;
  constructor(measurement: string, expected: string, actual: string | undefined) {
    super("measurements", `${measurement} is ${actual ?? "absent"}, expected ${expected}`);
    this.measurement = measurement;
  }
}

export class ReportDataMismatchError extends AttestationError {
  override name = "ReportDataMismatchError";
  constructor(expected: string, actual: string) {
    super("report-data", `report data is ${actual}, expected ${expected}`);
  }
}

export class NonceMismatchError extends AttestationError {
  override name = "NonceMismatchError";
  constructor(expected: string, actual: readonly string[]) {
    super("nonce", `expected nonce ${expected}, attestation carries ${actual.length ? actual.join(", ") : "none"}`);
  }
}

export class DevAttestationRejectedError extends AttestationError {
  override name = "DevAttestationRejectedError";
  constructor() {
    super("dev-policy", "a dev attestation (no TEE) is accepted only under a policy that allows dev (devnet)");
  }
}
