/**
 * Fuzzes the attestation verifiers (keepers/tee) with mutated real fixtures: AWS Nitro COSE documents, an
 * Intel TDX quote (and its collateral), a Google Confidential Space token, and a dev attestation.
 * Property: every mutated input is rejected with an AttestationError naming one of the documented checks,
 * or (when the edit lands in bytes no signature covers) accepted with exactly the original claims; never a
 * crash, never an untyped error, never a forged claim.
 */
import { describe, expect, it } from "vitest";

import { createDevAttestation } from "../../../keepers/tee/dev.js";
import { AttestationError, type AttestationCheck } from "../../../keepers/tee/errors.js";
import { nitroBytes } from "../../../keepers/tee/nitro.js";
import { parseTdxCollateral } from "../../../keepers/tee/tdx.js";
import {
  DEBUG_POLICY,
  DEVNET_POLICY,
  PRODUCTION_POLICY,
  type AttestationFormat,
  type VerifiedAttestation,
  type VerifierPolicy,
} from "../../../keepers/tee/policy.js";
import { verifyAttestation } from "../../../keepers/tee/verify.js";
import { AT, fixture } from "../tee/fixtures.js";
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, mutateBytes, Rng } from "./fuzz.js";

const CHECKS: readonly AttestationCheck[] = [
  "format",
  "root",
  "chain",
  "validity",
  "signature",
  "collateral",
  "tcb-status",
  "debug",
  "claims",
  "measurements",
  "report-data",
  "nonce",
  "dev-policy",
];

type Case = {
  format: AttestationFormat;
  bytes: Uint8Array;
  at: Date;
  policy: VerifierPolicy;
  collateral?: Uint8Array;
  /** Unsigned by design (dev): any schema-valid edit may be accepted, but only under a dev-allowing policy. */
  unsigned?: boolean;
};

const CASES: Record<string, () => Case> = {
  nitro: () => ({
    format: "nitro",
    bytes: nitroBytes(fixture("blocky_nitro_attestation.b64")),
    at: AT.blockyNitro,
    policy: PRODUCTION_POLICY,
  }),
  tdx: () => ({
    format: "tdx",
    bytes: fixture("phala_tdx_quote"),
    collateral: fixture("phala_tdx_quote_collateral.json"),
    at: AT.phalaTdx,
    policy: PRODUCTION_POLICY,
  }),
  gcp: () => ({
    format: "gcp",
    bytes: Buffer.from(fixture("oak_valid.jwt").toString("utf8").trim()),
    at: AT.oak,
    policy: DEBUG_POLICY,
  }),
  dev: () => ({
    format: "dev",
    bytes: createDevAttestation({
      imageDigest: `0x${"ab".repeat(32)}`,
      reportData: `0x${"cd".repeat(32)}`,
      timestamp: new Date("2026-01-01T00:00:00Z"),
    }),
    at: new Date("2026-01-01T00:00:10Z"),
    policy: DEVNET_POLICY,
    unsigned: true,
  }),
};

/** The claims a verifier's caller relies on; a mutated input that is accepted must carry the same ones. */
const claims = (r: VerifiedAttestation) =>
  JSON.stringify([r.platform, r.measurements, r.reportData, r.nonces, r.details.debug]);

/**
 * Per format: heavy signature checks make each input cost milliseconds, so CI runs a quarter of FUZZ_RUNS;
 * the deep profile (VCLOUD_TEST_PROFILE=deep) runs FUZZ_RUNS per format (100,000 with `npm run test:deep`).
 */
const DEEP = process.env.VCLOUD_TEST_PROFILE === "deep";
const RUNS_PER_FORMAT = DEEP ? FUZZ_RUNS : Math.max(100, Math.ceil(FUZZ_RUNS / 4));

describe("attestation verifiers under fuzzing", () => {
  for (const [name, make] of Object.entries(CASES)) {
    it(
      `${name}: ${RUNS_PER_FORMAT} mutated inputs are rejected with a named check or keep the original claims`,
      { timeout: FUZZ_TIMEOUT_MS },
      async () => {
        const base = make();
        const original = await verifyAttestation(base.bytes, base);
        // The untouched collateral is parsed once (an accepted input form) so that quote edits cost only the
        // quote's checks; mutated collateral is passed as bytes and parsed by the verifier.
        const parsedCollateral = base.collateral && parseTdxCollateral(base.collateral);
        const started = performance.now();
        const rng = new Rng(0x7ee0 + name.length);
        const seen = new Map<AttestationCheck | "accepted", number>();
        for (let i = 0; i < RUNS_PER_FORMAT; i++) {
          // Mostly the attestation; for TDX one input in four mutates the collateral instead.
          const mutateCollateral = base.collateral !== undefined && rng.int(4) === 0;
          const input = mutateCollateral ? base.bytes : mutateBytes(base.bytes, rng);
          const collateral = mutateCollateral ? mutateBytes(base.collateral!, rng) : parsedCollateral;
          let outcome: AttestationCheck | "accepted";
          const verdict = await verifyAttestation(input, { ...base, collateral }).then(
            (result) => ({ result, error: undefined }),
            (error: unknown) => ({ result: undefined, error }),
          );
          if (verdict.result) {
            if (base.unsigned) {
              // Forgeable by design: the production policy must still refuse the very same bytes.
              await expect(verifyAttestation(input, { ...base, policy: PRODUCTION_POLICY })).rejects.toMatchObject({
                check: "dev-policy",
              });
            } else {
              expect(claims(verdict.result), `${name} input #${i} accepted with different claims`).toBe(
                claims(original),
              );
            }
            outcome = "accepted";
          } else {
            const error = verdict.error;
            if (!(error instanceof AttestationError)) {
              throw new Error(`${name} input #${i} threw an untyped ${(error as Error)?.name}: ${String(error)}`, {
                cause: error,
              });
            }
            expect(CHECKS).toContain(error.check);
            expect(error.message).toContain(`${error.check} check failed`);
            outcome = error.check;
          }
          seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
        }
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        console.log(`attestation fuzz ${name}: ${RUNS_PER_FORMAT} inputs in ${seconds} s`, Object.fromEntries(seen));
        // Most edits must be caught; acceptance is only possible for bytes outside every signature.
        expect(seen.get("accepted") ?? 0).toBeLessThan(RUNS_PER_FORMAT / 2);
      },
    );
  }
});
