import { describe, expect, it } from "vitest";

import { createDevAttestation, DEV_ATTESTATION_WARNING } from "../../../keepers/tee/dev.js";
import type { AttestationError } from "../../../keepers/tee/errors.js";
import { DEBUG_POLICY, DEVNET_POLICY, PRODUCTION_POLICY, type VerifierPolicy } from "../../../keepers/tee/policy.js";
import { verifyAttestation } from "../../../keepers/tee/verify.js";

const doc = createDevAttestation({
  imageDigest: `0x${"ab".repeat(32)}`,
  reportData: `0x${"cd".repeat(32)}`,
  timestamp: new Date("2026-01-01T00:00:00Z"),
});

async function checkOf(bytes: Uint8Array, policy: VerifierPolicy) {
  return verifyAttestation(bytes, { format: "dev", policy }).then(
    () => "accepted",
    (e: AttestationError) => e.check,
  );
}

describe("dev attestations (no TEE)", () => {
  it("are clearly marked", () => {
    const json = JSON.parse(Buffer.from(doc).toString("utf8")) as Record<string, string>;
    expect(json.format).toBe("vcloud-dev-attestation/v1");
    expect(json.warning).toBe(DEV_ATTESTATION_WARNING);
    expect(json.warning).toContain("without a TEE");
  });

  it("are accepted only by a policy that allows dev (devnet)", async () => {
    expect(await checkOf(doc, DEVNET_POLICY)).toBe("accepted");
    expect(await checkOf(doc, PRODUCTION_POLICY)).toBe("dev-policy");
    expect(await checkOf(doc, DEBUG_POLICY)).toBe("dev-policy");
  });

  it("expose the image digest as their only measurement and the report data", async () => {
    const result = await verifyAttestation(doc, { format: "dev", policy: DEVNET_POLICY });
    expect(result.measurements).toEqual({ imageDigest: `0x${"ab".repeat(32)}` });
    expect(result.reportData).toBe(`0x${"cd".repeat(32)}`);
  });

  it("must keep the warning and the exact shape (format)", async () => {
    const json = JSON.parse(Buffer.from(doc).toString("utf8")) as Record<string, string>;
    const noWarning = Buffer.from(JSON.stringify({ ...json, warning: "trust me" }));
    expect(await checkOf(noWarning, DEVNET_POLICY)).toBe("format");
    const extra = Buffer.from(JSON.stringify({ ...json, tee: "tdx" }));
    expect(await checkOf(extra, DEVNET_POLICY)).toBe("format");
    expect(await checkOf(Buffer.from("{"), DEVNET_POLICY)).toBe("format");
  });
});
