import { describe, expect, it } from "vitest";

import { AttestationError, type AttestationCheck } from "../../../keepers/tee/errors.js";
import { DEBUG_POLICY, PRODUCTION_POLICY, type VerifierPolicy } from "../../../keepers/tee/policy.js";
import { pinnedRoot } from "../../../keepers/tee/roots.js";
import { verifyAttestation } from "../../../keepers/tee/verify.js";
import { AT, fixture } from "./fixtures.js";

const token = () => fixture("oak_valid.jwt").toString("utf8").trim();
const IMAGE_DIGEST = "sha256:313b8a83d3c8bfc9abcffee4f538424473e2705383a7e46f16d159faf0e5ef34";

async function rejection(t: string, at: Date, policy: VerifierPolicy = DEBUG_POLICY) {
  try {
    await verifyAttestation(Buffer.from(t), { format: "gcp", at, policy });
  } catch (error) {
    expect(error).toBeInstanceOf(AttestationError);
    return error as AttestationError;
  }
  throw new Error("the token was accepted");
}

async function expectRejected(t: string, at: Date, check: AttestationCheck, policy?: VerifierPolicy) {
  const error = await rejection(t, at, policy);
  expect(error.check, error.message).toBe(check);
  return error;
}

function toHexBytes(text: string): `0x${string}` {
  return `0x${Buffer.from(text, "utf8").toString("hex")}`;
}

function editPart(t: string, index: 0 | 1, edit: (json: Record<string, unknown>) => void): string {
  const parts = t.split(".");
  const json = JSON.parse(Buffer.from(parts[index]!, "base64url").toString("utf8")) as Record<string, unknown>;
  edit(json);
  parts[index] = Buffer.from(JSON.stringify(json)).toString("base64url");
  return parts.join(".");
}

describe("Google Confidential Space attestation tokens", () => {
  it("accepts the real Google-signed PKI token at its valid time under the debug policy, with the image digest", async () => {
    const result = await verifyAttestation(Buffer.from(token()), { format: "gcp", at: AT.oak, policy: DEBUG_POLICY });
    expect(result.platform).toBe("gcp-confidential-space");
    expect(result.measurements.imageDigest).toBe(IMAGE_DIGEST);
    expect(result.measurements.hwmodel).toBe("GCP_AMD_SEV");
    expect(result.measurements.swname).toBe("CONFIDENTIAL_SPACE");
    expect(Buffer.from(result.reportData.slice(2), "hex").toString("utf8")).toBe(
      "a nonce between 10 and 74 characters",
    );
    expect(result.details.audience).toBe("https://echo.oak.dev");
  });

  it("rejects the real token from a debug image (dbgstat enabled) under the production policy (debug)", async () => {
    await expectRejected(token(), AT.oak, "debug", PRODUCTION_POLICY);
  });

  it("rejects the real token whose signature was corrupted (signature)", async () => {
    await expectRejected(fixture("oak_invalid_signature.jwt").toString("utf8"), AT.oak, "signature");
  });

  it("rejects a token with one flipped signature bit (signature)", async () => {
    const parts = token().split(".");
    const sig = Buffer.from(parts[2]!, "base64url");
    sig[17]! ^= 0x01;
    parts[2] = sig.toString("base64url");
    await expectRejected(parts.join("."), AT.oak, "signature");
  });

  it("rejects a token whose image digest claim was changed (signature)", async () => {
    const edited = editPart(token(), 1, (claims) => {
      const submods = claims.submods as { container: { image_digest: string } };
      submods.container.image_digest = `sha256:${"00".repeat(32)}`;
    });
    await expectRejected(edited, AT.oak, "signature");
  });

  it("rejects a token whose x5c chain ends in a root other than the pinned Confidential Space root (root)", async () => {
    const edited = editPart(token(), 0, (header) => {
      const x5c = header.x5c as string[];
      x5c[2] = pinnedRoot("aws-nitro").raw.toString("base64");
    });
    await expectRejected(edited, AT.oak, "root");
  });

  it("rejects a token whose x5c certificates are out of order (chain)", async () => {
    const edited = editPart(token(), 0, (header) => {
      const x5c = header.x5c as string[];
      header.x5c = [x5c[1], x5c[0], x5c[2]]; // leaf and intermediate swapped
    });
    await expectRejected(edited, AT.oak, "chain");
  });

  it("rejects the token after exp and before nbf (validity)", async () => {
    await expectRejected(token(), new Date("2025-06-23T15:22:32Z"), "validity");
    await expectRejected(token(), new Date("2025-06-23T14:22:00Z"), "validity");
    // Before the leaf certificate was issued the chain check fails first, naming the certificate.
    const error = await expectRejected(token(), new Date("2025-06-19T00:00:00Z"), "validity");
    expect(error.message).toContain("leaf certificate");
  });

  it("checks the expected image digest, report data and nonce (measurements, report-data, nonce)", async () => {
    const expect_ = { ...DEBUG_POLICY, expectedMeasurements: { imageDigest: IMAGE_DIGEST } };
    await expect(
      verifyAttestation(Buffer.from(token()), { format: "gcp", at: AT.oak, policy: expect_ }),
    ).resolves.toMatchObject({ valid: true });
    await expectRejected(token(), AT.oak, "measurements", {
      ...DEBUG_POLICY,
      expectedMeasurements: { imageDigest: `sha256:${"11".repeat(32)}` },
    });
    await expectRejected(token(), AT.oak, "report-data", { ...DEBUG_POLICY, expectedReportData: "0x00" });
    const nonce = toHexBytes("a nonce between 10 and 74 characters");
    await expect(
      verifyAttestation(Buffer.from(token()), {
        format: "gcp",
        at: AT.oak,
        policy: { ...DEBUG_POLICY, expectedNonce: nonce },
      }),
    ).resolves.toMatchObject({ valid: true });
    await expectRejected(token(), AT.oak, "nonce", { ...DEBUG_POLICY, expectedNonce: toHexBytes("another nonce") });
  });

  it("applies the policy's freshness bound to iat (validity)", async () => {
    const later = new Date("2025-06-23T14:52:31Z"); // 30 min after iat, token still unexpired
    await expect(
      verifyAttestation(Buffer.from(token()), { format: "gcp", at: later, policy: DEBUG_POLICY }),
    ).resolves.toMatchObject({ valid: true });
    const error = await expectRejected(token(), later, "validity", { ...DEBUG_POLICY, maxAgeSeconds: 300 });
    expect(error.message).toContain("at most 300 s");
  });

  it("rejects text that is not a compact JWS (format)", async () => {
    await expectRejected("hello", AT.oak, "format");
    await expectRejected("a.b.c", AT.oak, "format");
  });
});
