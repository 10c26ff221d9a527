import { describe, expect, it } from "vitest";

import { AttestationError, type AttestationCheck } from "../../../keepers/tee/errors.js";
import { DEBUG_POLICY, PRODUCTION_POLICY, type VerifierPolicy } from "../../../keepers/tee/policy.js";
import { pinnedRoot } from "../../../keepers/tee/roots.js";
import { verifyAttestation } from "../../../keepers/tee/verify.js";
import { AT, fixture } from "./fixtures.js";

type Collateral = Record<string, string>;

const quote = () => Buffer.from(fixture("phala_tdx_quote"));
const collateral = (): Collateral => JSON.parse(fixture("phala_tdx_quote_collateral.json").toString("utf8"));

/** Quote offsets (TDX quote v4): TDATTRIBUTES @168, MRTD @184, REPORTDATA @568, signature @636. */
const TD_ATTRIBUTES = 168;
const MRTD = 184;
const QUOTE_SIGNATURE = 636;

async function rejection(q: Uint8Array, c: unknown, at: Date, policy: VerifierPolicy = PRODUCTION_POLICY) {
  try {
    await verifyAttestation(q, { format: "tdx", collateral: c as object, at, policy });
  } catch (error) {
    expect(error).toBeInstanceOf(AttestationError);
    return error as AttestationError;
  }
  throw new Error("the quote was accepted");
}

async function expectRejected(q: Uint8Array, c: unknown, at: Date, check: AttestationCheck, policy?: VerifierPolicy) {
  const error = await rejection(q, c, at, policy);
  expect(error.check, error.message).toBe(check);
  return error;
}

describe("Intel TDX DCAP quotes", () => {
  it("accepts the real Phala TDX quote with its collateral at its valid time: UpToDate, MRTD, report data", async () => {
    const result = await verifyAttestation(quote(), { format: "tdx", collateral: collateral(), at: AT.phalaTdx });
    expect(result.platform).toBe("intel-tdx");
    expect(result.measurements.mrtd).toBe(
      "0x91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7",
    );
    expect(Object.keys(result.measurements)).toEqual(
      expect.arrayContaining(["mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "mrconfigid", "tdattributes"]),
    );
    expect(result.reportData).toBe(`0x${quote().subarray(568, 632).toString("hex")}`);
    expect(result.details.tcbStatus).toBe("UpToDate");
    expect(result.details.debug).toBe(false);
  });

  it("accepts collateral given as JSON bytes (the CLI's --collateral file)", async () => {
    const result = await verifyAttestation(quote(), {
      format: "tdx",
      collateral: fixture("phala_tdx_quote_collateral.json"),
      at: AT.phalaTdx,
    });
    expect(result.valid).toBe(true);
  });

  it("accepts the second real TDX quote (lit) once its collateral carries Intel's CRLs", async () => {
    const lit = JSON.parse(fixture("lit_tdx_quote_collateral.json").toString("utf8")) as Collateral;
    // The lit collateral predates CRLs in the JSON: add Intel's root CA CRL and PCK platform CA CRL
    // (fixtures pck_crl.der, root_ca_crl.der) and the PCK CRL's issuer chain.
    await expectRejected(fixture("lit_tdx_quote"), lit, AT.phalaTdx, "collateral");
    const complete = {
      ...lit,
      pck_crl: fixture("pck_crl.der").toString("hex"),
      root_ca_crl: fixture("root_ca_crl.der").toString("hex"),
      pck_crl_issuer_chain: collateral().pck_crl_issuer_chain!,
    };
    const result = await verifyAttestation(fixture("lit_tdx_quote"), {
      format: "tdx",
      collateral: complete,
      at: AT.phalaTdx,
    });
    expect(result.measurements.mrtd).toMatch(/^0xc68518a0/);
    expect(result.details.tcbStatus).toBe("UpToDate");
  });

  it("rejects the quote outside the collateral's window (validity)", async () => {
    await expectRejected(quote(), collateral(), new Date("2026-01-01T00:00:00Z"), "validity");
    await expectRejected(quote(), collateral(), new Date("2025-06-19T10:30:00Z"), "validity");
    // pck_crl expires 2025-07-19T10:00:35Z, before tcb_info (10:16:03Z): a strict verifier stops at the CRL.
    const error = await expectRejected(quote(), collateral(), new Date("2025-07-19T10:05:00Z"), "validity");
    expect(error.message).toContain("pck_crl");
  });

  it("rejects a quote with one flipped signature bit (signature)", async () => {
    const q = quote();
    q[QUOTE_SIGNATURE + 3]! ^= 0x01;
    await expectRejected(q, collateral(), AT.phalaTdx, "signature");
  });

  it("rejects a quote whose MRTD was changed (signature)", async () => {
    const q = quote();
    q[MRTD]! ^= 0x80;
    await expectRejected(q, collateral(), AT.phalaTdx, "signature");
  });

  it("rejects a debug TD (TDATTRIBUTES.DEBUG) under the production policy (debug)", async () => {
    const q = quote();
    q[TD_ATTRIBUTES]! |= 0x01;
    await expectRejected(q, collateral(), AT.phalaTdx, "debug");
  });

  it("rejects collateral whose TCB signing chain ends in a root other than Intel's (root)", async () => {
    const c = collateral();
    const [leaf] = c.tcb_info_issuer_chain!.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    c.tcb_info_issuer_chain = `${leaf}\n${pinnedRoot("aws-nitro").toString()}`;
    await expectRejected(quote(), c, AT.phalaTdx, "root");
  });

  it("rejects collateral with a tampered TCB info signature or PCK CRL signature (collateral)", async () => {
    const c1 = collateral();
    c1.tcb_info_signature = `${c1.tcb_info_signature!.slice(0, 10)}${c1.tcb_info_signature![10] === "0" ? "1" : "0"}${c1.tcb_info_signature!.slice(11)}`;
    await expectRejected(quote(), c1, AT.phalaTdx, "collateral");
    const c2 = collateral();
    const crl = Buffer.from(c2.pck_crl!, "hex");
    crl[crl.length - 5]! ^= 0x01; // inside the CRL's ECDSA signature
    c2.pck_crl = crl.toString("hex");
    const error = await expectRejected(quote(), c2, AT.phalaTdx, "collateral");
    expect(error.message).toContain("pck_crl");
  });

  it("requires the collateral (collateral)", async () => {
    await expectRejected(quote(), undefined, AT.phalaTdx, "collateral");
    await expectRejected(quote(), "not json", AT.phalaTdx, "collateral");
  });

  it("rejects the out-of-date TDX quote: no TCB level matches its platform, under any policy (tcb-status)", async () => {
    const outdated = JSON.parse(fixture("phala_tdx_quote_outdated_collateral.json").toString("utf8"));
    const at = new Date("2026-03-01T00:00:00Z");
    await expectRejected(fixture("phala_tdx_quote_outdated"), outdated, at, "tcb-status");
    await expectRejected(fixture("phala_tdx_quote_outdated"), outdated, at, "tcb-status", DEBUG_POLICY);
  });

  it("applies the policy's accepted TCB statuses (tcb-status)", async () => {
    const strict = { ...PRODUCTION_POLICY, acceptedTcbStatuses: ["SWHardeningNeeded" as const] };
    const error = await expectRejected(quote(), collateral(), AT.phalaTdx, "tcb-status", strict);
    expect(error.message).toContain("UpToDate");
  });

  it("checks the policy's expected MRTD and report data (measurements, report-data)", async () => {
    const good = await verifyAttestation(quote(), { format: "tdx", collateral: collateral(), at: AT.phalaTdx });
    const policy = { ...PRODUCTION_POLICY, expectedMeasurements: { mrtd: good.measurements.mrtd! } };
    await expect(
      verifyAttestation(quote(), { format: "tdx", collateral: collateral(), at: AT.phalaTdx, policy }),
    ).resolves.toMatchObject({ valid: true });
    await expectRejected(quote(), collateral(), AT.phalaTdx, "measurements", {
      ...PRODUCTION_POLICY,
      expectedMeasurements: { rtmr3: `0x${"ab".repeat(48)}` },
    });
    await expectRejected(quote(), collateral(), AT.phalaTdx, "report-data", {
      ...PRODUCTION_POLICY,
      expectedReportData: `0x${"00".repeat(64)}`,
    });
  });

  it("rejects an SGX enclave quote given as TDX, and bytes that are not a quote (format)", async () => {
    const sgxCollateral = JSON.parse(fixture("phala_sgx_quote_collateral.json").toString("utf8"));
    await expectRejected(fixture("phala_sgx_quote"), sgxCollateral, AT.phalaTdx, "format");
    await expectRejected(Buffer.from("garbage"), collateral(), AT.phalaTdx, "format");
  });
});
