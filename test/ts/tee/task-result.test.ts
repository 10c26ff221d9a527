/**
 * What the dispatcher and the executors check on a worker's result, with the real platform fixtures at
 * their valid times: the app's allowed measurement set is the known one whose hash the task carries
 * (`--measurements FILE`), and a TDX quote is verified with the operator's collateral (`--tdx-collateral`).
 * The fixtures' report data is not a vcloud task binding, so a result that passes every platform check
 * still fails the last one (report-data): that is how these tests tell "the measurements / collateral were
 * accepted" from "rejected".
 */
import { describe, expect, it } from "vitest";

import { InvalidInputError } from "../../../keepers/lib/errors.js";
import { measurementsHash } from "../../../keepers/tee/certificate.js";
import { collateralFor } from "../../../keepers/tee/dispatcher.js";
import { AttestationError, type AttestationCheck } from "../../../keepers/tee/errors.js";
import {
  decodePublishedMeasurements,
  encodePublishedMeasurements,
  measurementSetFor,
  parseMeasurementsFile,
  PublishedMeasurementsError,
  resolveMeasurementSet,
  UnknownMeasurementSetError,
  type MeasurementSet,
} from "../../../keepers/tee/measurements.js";
import { nitroBytes } from "../../../keepers/tee/nitro.js";
import { PRODUCTION_POLICY } from "../../../keepers/tee/policy.js";
import { verifyTaskResult } from "../../../keepers/tee/task-result.js";
import { verifyAttestation } from "../../../keepers/tee/verify.js";
import { AT, fixture } from "./fixtures.js";

const DIGEST = `0x${"5a".repeat(32)}` as const;
const TASK = `0x${"77".repeat(32)}` as const;

/** The production Nitro enclave's PCR0-2 (base_nitro_attestation_repaired.b64). */
const NITRO_SET: MeasurementSet = {
  pcr0: "0x4b8d4cf2a99e05ce1b5bddaf9d21cb446eb0e606c5bebd1ebf02b473a22165f7b68b0bb0d1ac5a90f0311e493522cfab",
  pcr1: "0x0343b056cd8485ca7890ddd833476d78460aed2aa161548e4e26bedf321726696257d623e8805f3f605946b3d8b0c6aa",
  pcr2: "0x16efcc1d6952c5b9737eb2ab1751a08412835c5125818bfb55f6367cb3cdca49b13d2a5b6d771de9db1578242e328c6d",
};
/** The same enclave image with another PCR0: another app's release. */
const OTHER_NITRO_SET: MeasurementSet = { ...NITRO_SET, pcr0: `0x${"11".repeat(48)}` };
const DEV_SET: MeasurementSet = { imageDigest: DIGEST };
/** What an operator's --measurements file gives for the bundle: three apps' sets. */
const KNOWN = [DEV_SET, OTHER_NITRO_SET, NITRO_SET];

const nitro = () => ({ format: "nitro" as const, bytes: nitroBytes(fixture("base_nitro_attestation_repaired.b64")) });
const tdx = () => ({ format: "tdx" as const, bytes: new Uint8Array(fixture("phala_tdx_quote")) });
const tdxCollateral = () => fixture("phala_tdx_quote_collateral.json");

async function rejectedCheck(work: Promise<unknown>): Promise<{ check: AttestationCheck; message: string }> {
  try {
    await work;
  } catch (error) {
    expect(error).toBeInstanceOf(AttestationError);
    return { check: (error as AttestationError).check, message: (error as Error).message };
  }
  throw new Error("accepted");
}

/** verifyTaskResult of a fixture under the set registered for the task (by its measurementsHash). */
function taskResult(
  attestation: { format: "nitro" | "tdx"; bytes: Uint8Array },
  registered: MeasurementSet,
  at: Date,
  extra: { collateral?: Uint8Array | string | object } = {},
) {
  const allowed = measurementSetFor(DIGEST, KNOWN, measurementsHash(registered));
  return verifyTaskResult({
    attestation,
    imageDigest: DIGEST,
    taskHash: TASK,
    input: Buffer.from("in"),
    output: Buffer.from("out"),
    at,
    policy: { ...PRODUCTION_POLICY, expectedMeasurements: allowed },
    ...extra,
  });
}

describe("allowed measurement sets: the known set with the task's measurementsHash", () => {
  it("picks the set whose hash the task carries; none, or an empty set, is an error naming --measurements", () => {
    expect(measurementSetFor(DIGEST, KNOWN, measurementsHash(NITRO_SET))).toEqual(NITRO_SET);
    expect(measurementSetFor(DIGEST, KNOWN, measurementsHash(DEV_SET).toUpperCase() as never)).toEqual(DEV_SET);
    // A single set (the devnet's KnownApp) works as a list of one.
    expect(measurementSetFor(DIGEST, NITRO_SET, measurementsHash(NITRO_SET))).toEqual(NITRO_SET);
    const unknown = () => measurementSetFor(DIGEST, KNOWN, measurementsHash({ mrtd: "0x00" }));
    expect(unknown).toThrow(UnknownMeasurementSetError);
    expect(unknown).toThrow(/--measurements FILE/);
    expect(() => measurementSetFor(DIGEST, [{}], measurementsHash({}))).toThrow(UnknownMeasurementSetError);
  });

  it("accepts the real production Nitro document under the app's PCR set, and only under it", async () => {
    const allowed = measurementSetFor(DIGEST, KNOWN, measurementsHash(NITRO_SET));
    const verified = await verifyAttestation(nitro().bytes, {
      format: "nitro",
      at: AT.baseNitro,
      policy: { ...PRODUCTION_POLICY, expectedMeasurements: allowed },
    });
    expect(verified.measurements).toMatchObject(NITRO_SET);
    // Through the dispatcher's check: the measurements pass, then the binding (not a vcloud task) fails.
    expect((await rejectedCheck(taskResult(nitro(), NITRO_SET, AT.baseNitro))).check).toBe("report-data");
    // Another release's PCR0, or the dev set: refused on the measurements.
    const other = await rejectedCheck(taskResult(nitro(), OTHER_NITRO_SET, AT.baseNitro));
    expect(other.check).toBe("measurements");
    expect(other.message).toContain("pcr0");
    const dev = await rejectedCheck(taskResult(nitro(), DEV_SET, AT.baseNitro));
    expect(dev).toMatchObject({ check: "measurements", message: expect.stringContaining("imageDigest is absent") });
  });

  it("parses --measurements FILE: one set or a list per bundle digest; refuses what would be unsafe or unknown", () => {
    const other = `0x${"6b".repeat(32)}`;
    const parsed = parseMeasurementsFile(
      JSON.stringify({ [DIGEST.toUpperCase().replace("0X", "0x")]: [NITRO_SET, DEV_SET], [other]: { mrtd: "0xab" } }),
      [DIGEST, other],
    );
    expect(parsed.get(DIGEST)).toEqual([NITRO_SET, DEV_SET]);
    expect(parsed.get(other)).toEqual([{ mrtd: "0xab" }]);
    const cases: [string, RegExp][] = [
      ["not json", /not JSON/],
      ["[]", /must be/],
      [JSON.stringify({ "0x12": [NITRO_SET] }), /not a bundle digest/],
      [JSON.stringify({ [`0x${"99".repeat(32)}`]: [NITRO_SET] }), /no --bundle/],
      [JSON.stringify({ [DIGEST]: [] }), /no measurement set/],
      [JSON.stringify({ [DIGEST]: [{}] }), /empty/],
      [JSON.stringify({ [DIGEST]: [{ "pcr-0": "0x00" }] }), /bad measurement name/],
      [JSON.stringify({ [DIGEST]: [{ pcr0: 7 }] }), /non-empty string/],
      [JSON.stringify({ [DIGEST]: ["pcr0=0x00"] }), /must be an object/],
    ];
    for (const [text, message] of cases) {
      let error: unknown;
      try {
        parseMeasurementsFile(text, [DIGEST, other]);
      } catch (e) {
        error = e;
      }
      expect(error, text).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).field).toBe("--measurements");
      expect((error as Error).message, text).toMatch(message);
    }
  });
});

describe("TDX results in the dispatch path: verified with the operator's collateral", () => {
  const MRTD_SET: MeasurementSet = {
    mrtd: "0x91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7",
  };

  it("verifies a real TDX quote with --tdx-collateral: signature, collateral, TCB and MRTD pass", async () => {
    const allowed = measurementSetFor(DIGEST, [MRTD_SET], measurementsHash(MRTD_SET));
    const params = (collateral: object | Uint8Array | string | undefined) =>
      verifyTaskResult({
        attestation: tdx(),
        imageDigest: DIGEST,
        taskHash: TASK,
        input: Buffer.from("in"),
        output: Buffer.from("out"),
        at: AT.phalaTdx,
        policy: { ...PRODUCTION_POLICY, expectedMeasurements: allowed },
        ...collateralFor("tdx", collateral === undefined ? undefined : () => collateral),
      });
    // Every platform check passes; only the binding (the fixture is no vcloud task) is left to fail.
    const withCollateral = await rejectedCheck(params(tdxCollateral()));
    expect(withCollateral.check).toBe("report-data");
    // Without collateral: refused with the flag to give.
    const without = await rejectedCheck(params(undefined));
    expect(without.check).toBe("collateral");
    expect(without.message).toMatch(/--tdx-collateral FILE/);
    // Collateral that is not Intel's (a changed TCB info signature) is refused too.
    const forged = JSON.parse(tdxCollateral().toString("utf8")) as Record<string, string>;
    forged.tcb_info_signature = forged.tcb_info_signature!.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    expect((await rejectedCheck(params(forged))).check).toBe("collateral");
    // A quote with another MRTD than the app registered: measurements.
    const other = await rejectedCheck(
      verifyTaskResult({
        attestation: tdx(),
        imageDigest: DIGEST,
        taskHash: TASK,
        input: Buffer.from("in"),
        output: Buffer.from("out"),
        at: AT.phalaTdx,
        policy: { ...PRODUCTION_POLICY, expectedMeasurements: { mrtd: `0x${"00".repeat(48)}` } },
        collateral: tdxCollateral(),
      }),
    );
    expect(other.check).toBe("measurements");
  });

  it("passes the collateral only to TDX results, read from the source at each verification", () => {
    let reads = 0;
    const source = () => (reads++, tdxCollateral());
    expect(collateralFor("nitro", source)).toEqual({});
    expect(collateralFor("dev", source)).toEqual({});
    expect(reads).toBe(0);
    expect(collateralFor("tdx", source).collateral).toEqual(tdxCollateral());
    expect(collateralFor("tdx", source).collateral).toEqual(tdxCollateral());
    expect(reads).toBe(2);
    expect(collateralFor("tdx", undefined)).toEqual({});
  });
});

describe("measurement sets published on DA (AppRegistry.publishMeasurements)", () => {
  const set = { pcr0: `0x${"01".repeat(48)}`, pcr1: `0x${"02".repeat(48)}` };
  const hash = measurementsHash(set);
  const certificateId = `0x${"c1".repeat(32)}` as const;
  const expected = { certificateId, imageDigest: DIGEST, hash };

  it("round-trips a set and checks it against the registered hash and image", () => {
    const bytes = encodePublishedMeasurements(DIGEST, set);
    expect(decodePublishedMeasurements(bytes, expected)).toEqual(set);
    const other = decodePublishedMeasurements.bind(null, bytes, {
      ...expected,
      hash: measurementsHash({ pcr0: "0x00" }),
    });
    expect(other).toThrow(PublishedMeasurementsError);
    expect(other).toThrow(/hashes to 0x[0-9a-f]{64}, not the registered/);
    expect(() => decodePublishedMeasurements(bytes, { ...expected, imageDigest: TASK })).toThrow(
      /names image 0x5a.*not the task's 0x77/,
    );
  });

  it("refuses bytes that are not a version 1 set, naming the certificate", () => {
    const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array([0xff, 0xfe]), /not UTF-8 JSON/],
      [enc({ version: 2, imageDigest: DIGEST, measurements: set }), /not a version 1/],
      [enc({ version: 1, imageDigest: DIGEST, measurements: {} }), /empty/],
      [enc({ version: 1, imageDigest: DIGEST, measurements: { "bad name": "x" } }), /bad measurement name/],
    ];
    for (const [bytes, why] of cases) {
      const error = (() => {
        try {
          decodePublishedMeasurements(bytes, expected);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(PublishedMeasurementsError);
      expect((error as Error).message).toMatch(new RegExp(`published on DA as ${certificateId}: .*${why.source}`));
    }
  });

  it("prefers the operator's own set and needs no chain for it", async () => {
    const task = { appId: TASK, imageDigest: DIGEST, measurementsHash: hash };
    // No source at all: the local set is enough; without it the error names the flag.
    expect(await resolveMeasurementSet(task, [set], undefined)).toEqual(set);
    await expect(resolveMeasurementSet(task, [], undefined)).rejects.toBeInstanceOf(UnknownMeasurementSetError);
  });
});
