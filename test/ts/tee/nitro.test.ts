import { X509Certificate } from "node:crypto";

import { Decoder, Encoder } from "cbor-x";
import { describe, expect, it } from "vitest";

import { AttestationError, type AttestationCheck } from "../../../keepers/tee/errors.js";
import { nitroBytes } from "../../../keepers/tee/nitro.js";
import { DEBUG_POLICY, PRODUCTION_POLICY, type VerifierPolicy } from "../../../keepers/tee/policy.js";
import { pinnedRoot } from "../../../keepers/tee/roots.js";
import { verifyAttestation } from "../../../keepers/tee/verify.js";
import { AT, fixture } from "./fixtures.js";

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false } as ConstructorParameters<typeof Decoder>[0]);
const encoder = new Encoder({ mapsAsObjects: false, useRecords: false } as ConstructorParameters<typeof Encoder>[0]);

const blocky = () => Buffer.from(nitroBytes(fixture("blocky_nitro_attestation.b64")));

async function rejection(bytes: Uint8Array, at: Date, policy: VerifierPolicy = PRODUCTION_POLICY) {
  try {
    await verifyAttestation(bytes, { format: "nitro", at, policy });
  } catch (error) {
    expect(error).toBeInstanceOf(AttestationError);
    return error as AttestationError;
  }
  throw new Error("the attestation was accepted");
}

async function expectRejected(bytes: Uint8Array, at: Date, check: AttestationCheck, policy?: VerifierPolicy) {
  const error = await rejection(bytes, at, policy);
  expect(error.check).toBe(check);
  expect(error.message).toContain(`${check} check failed`);
}

/** Re-encodes a document after editing its payload map (the signature no longer matches). */
function withPayload(raw: Uint8Array, edit: (payload: Map<string, unknown>) => void): Buffer {
  const [protectedHeader, unprotected, payloadBytes, signature] = decoder.decode(raw) as [
    Buffer,
    Map<unknown, unknown>,
    Buffer,
    Buffer,
  ];
  const payload = decoder.decode(payloadBytes) as Map<string, unknown>;
  edit(payload);
  return Buffer.from(encoder.encode([protectedHeader, unprotected, Buffer.from(encoder.encode(payload)), signature]));
}

function leafOf(raw: Uint8Array): X509Certificate {
  const payload = decoder.decode((decoder.decode(raw) as Buffer[])[2]!) as Map<string, Buffer>;
  return new X509Certificate(payload.get("certificate")!);
}

describe("AWS Nitro attestation documents", () => {
  it("accepts the real production document (blocky) at its valid time, with PCRs and user_data", async () => {
    const result = await verifyAttestation(fixture("blocky_nitro_attestation.b64"), {
      format: "nitro",
      at: AT.blockyNitro,
    });
    expect(result.platform).toBe("aws-nitro");
    expect(result.measurements.pcr0).toBe(
      "0xe72a46ca80a260fb044a125442f0c7e331813bcbaf9724d9f3857758992766f2d65710a27aa94ae3949dd54e7c9fe86a",
    );
    expect(Object.keys(result.measurements)).toEqual(Array.from({ length: 16 }, (_, i) => `pcr${i}`));
    expect(result.reportData).toBe(`0x${"01".repeat(1024)}`);
    expect(result.details.moduleId).toBe("i-0a22e5c5f24d22174-enc0191cceb4289903f");
    expect(result.details.timestamp).toBe("2024-09-07T14:37:39.545Z");
    expect(result.time).toBe("2024-09-07T14:37:39.000Z");
  });

  it("accepts the second real production document (base, repaired) at its valid time; null optional fields", async () => {
    const result = await verifyAttestation(fixture("base_nitro_attestation_repaired.b64"), {
      format: "nitro",
      at: AT.baseNitro,
    });
    expect(result.details.nonce).toBeNull();
    expect(result.details.publicKey).toBeNull();
    expect(result.reportData).toMatch(/^0x[0-9a-f]{40}$/);
  });

  it("accepts raw CBOR as well as base64, and the tagged COSE_Sign1 form", async () => {
    const raw = blocky();
    await expect(verifyAttestation(raw, { format: "nitro", at: AT.blockyNitro })).resolves.toMatchObject({
      valid: true,
    });
    const tagged = Buffer.concat([Buffer.from([0xd2]), raw]);
    await expect(verifyAttestation(tagged, { format: "nitro", at: AT.blockyNitro })).resolves.toMatchObject({
      valid: true,
    });
  });

  it("rejects a document with one flipped signature bit (signature)", async () => {
    const raw = blocky();
    raw[raw.length - 7]! ^= 0x01;
    await expectRejected(raw, AT.blockyNitro, "signature");
  });

  it("rejects a document whose PCR0 was changed in place (signature)", async () => {
    const raw = blocky();
    const pcr0 = Buffer.from(
      "e72a46ca80a260fb044a125442f0c7e331813bcbaf9724d9f3857758992766f2d65710a27aa94ae3949dd54e7c9fe86a",
      "hex",
    );
    const at = raw.indexOf(pcr0);
    expect(at).toBeGreaterThan(0);
    raw[at + 5]! ^= 0xff;
    await expectRejected(raw, AT.blockyNitro, "signature");
  });

  it("rejects a re-encoded document with an edited PCR (signature), proving re-encoding alone is not the cause", async () => {
    const same = withPayload(blocky(), () => undefined);
    await expect(verifyAttestation(same, { format: "nitro", at: AT.blockyNitro })).resolves.toMatchObject({
      valid: true,
    });
    const edited = withPayload(blocky(), (p) => {
      (p.get("pcrs") as Map<number, Buffer>).set(2, Buffer.alloc(48, 7));
    });
    await expectRejected(edited, AT.blockyNitro, "signature");
  });

  it("rejects a document whose CA bundle starts with a root other than the pinned AWS root (root)", async () => {
    const edited = withPayload(blocky(), (p) => {
      const bundle = p.get("cabundle") as Buffer[];
      bundle[0] = pinnedRoot("intel-sgx").raw; // a real root, but not the pinned AWS one
    });
    await expectRejected(edited, AT.blockyNitro, "root");
  });

  it("rejects a document with an intermediate certificate removed from the bundle (chain)", async () => {
    const edited = withPayload(blocky(), (p) => {
      const bundle = p.get("cabundle") as Buffer[];
      bundle.splice(2, 1);
    });
    await expectRejected(edited, AT.blockyNitro, "chain");
  });

  it("rejects the document after its enclave certificate expired and before it was issued (validity)", async () => {
    const leaf = leafOf(blocky());
    const after = new Date(new Date(leaf.validTo).getTime() + 1000);
    const before = new Date(new Date(leaf.validFrom).getTime() - 1000);
    await expectRejected(blocky(), after, "validity");
    await expectRejected(blocky(), before, "validity");
    const error = await rejection(blocky(), after);
    expect(error.message).toContain("leaf certificate");
  });

  it("rejects the debug-enclave document (PCR0-2 zero) under the production policy and accepts it under debug", async () => {
    const debugDoc = fixture("blocky_nitro_attestation_debug.b64");
    await expectRejected(debugDoc, AT.blockyNitroDebug, "debug");
    const result = await verifyAttestation(debugDoc, {
      format: "nitro",
      at: AT.blockyNitroDebug,
      policy: DEBUG_POLICY,
    });
    expect(result.measurements.pcr0).toBe(`0x${"00".repeat(48)}`);
    expect(result.details.debug).toBe(true);
  });

  it("checks the policy's expected PCRs, user_data and nonce (measurements, report-data, nonce)", async () => {
    const doc = fixture("blocky_nitro_attestation.b64");
    const good = await verifyAttestation(doc, { format: "nitro", at: AT.blockyNitro });
    const policy = {
      ...PRODUCTION_POLICY,
      expectedMeasurements: { pcr0: `0x${good.measurements.pcr0!.slice(2).toUpperCase()}` },
    };
    await expect(verifyAttestation(doc, { format: "nitro", at: AT.blockyNitro, policy })).resolves.toMatchObject({
      valid: true,
    });
    await expectRejected(doc, AT.blockyNitro, "measurements", {
      ...PRODUCTION_POLICY,
      expectedMeasurements: { pcr0: `0x${"11".repeat(48)}` },
    });
    await expectRejected(doc, AT.blockyNitro, "measurements", {
      ...PRODUCTION_POLICY,
      expectedMeasurements: { pcr8: `0x${"11".repeat(48)}` },
    });
    await expectRejected(doc, AT.blockyNitro, "report-data", { ...PRODUCTION_POLICY, expectedReportData: "0x02" });
    const nonce = `0x${"01".repeat(1024)}` as const;
    const withNonce = { ...PRODUCTION_POLICY, expectedNonce: nonce, expectedReportData: nonce };
    await expect(
      verifyAttestation(doc, { format: "nitro", at: AT.blockyNitro, policy: withNonce }),
    ).resolves.toMatchObject({ nonces: [nonce] });
    await expectRejected(doc, AT.blockyNitro, "nonce", { ...PRODUCTION_POLICY, expectedNonce: "0x0101" });
  });

  it("applies the policy's freshness bound to the document timestamp (validity)", async () => {
    const doc = fixture("blocky_nitro_attestation.b64");
    const fresh = { ...PRODUCTION_POLICY, maxAgeSeconds: 60 };
    await expect(verifyAttestation(doc, { format: "nitro", at: AT.blockyNitro, policy: fresh })).resolves.toMatchObject(
      {
        valid: true,
      },
    );
    // Ten minutes later the certificates are still valid, but the document is too old for a 60 s bound.
    const later = new Date(AT.blockyNitro.getTime() + 600_000);
    await expect(verifyAttestation(doc, { format: "nitro", at: later })).resolves.toMatchObject({ valid: true });
    await expectRejected(doc, later, "validity", fresh);
  });

  it("rejects bytes that are not a COSE_Sign1 document (format)", async () => {
    await expectRejected(Buffer.from("not an attestation!"), AT.blockyNitro, "format");
    await expectRejected(Buffer.from([0x84, 0x01, 0x02]), AT.blockyNitro, "format");
    const noCert = withPayload(blocky(), (p) => p.delete("certificate"));
    await expectRejected(noCert, AT.blockyNitro, "format");
  });
});
