import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import {
  AttestationRequestError,
  confidentialSpaceAttester,
  detectAttester,
  tdxConfigfsAttester,
} from "../../../keepers/tee/attester.js";

// The real interfaces (a TDX guest's configfs-tsm, the Confidential Space launcher, /dev/nsm) do not exist
// on this machine. These tests pin down the request each attester makes and how it fails; they do not
// claim a real platform attestation was obtained.

const reportData = `0x${"ab".repeat(32)}` as const;
const imageDigest = `0x${"01".repeat(32)}` as const;
let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listenOnSocket(handler: (body: string, url: string, method: string) => [number, string]) {
  const socketPath = join(mkdtempSync(join(tmpdir(), "vcloud-launcher-")), "teeserver.sock");
  const seen: { body: string; url: string; method: string }[] = [];
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ body, url: req.url ?? "", method: req.method ?? "" });
      const [status, text] = handler(body, req.url ?? "", req.method ?? "");
      res.writeHead(status).end(text);
    });
  });
  await new Promise<void>((resolve) => server!.listen(socketPath, resolve));
  return { socketPath, seen };
}

describe("Confidential Space attester (launcher socket protocol)", () => {
  it("POSTs /v1/token for a PKI token whose nonce is the binding, and returns the token", async () => {
    const { socketPath, seen } = await listenOnSocket(() => [200, "aaa.bbb.ccc\n"]);
    const attester = confidentialSpaceAttester({ socketPath, audience: "https://vcloud.test" });
    const result = await attester.attest({ reportData, imageDigest, nonce: "ab".repeat(32) });
    expect(result.format).toBe("gcp");
    expect(Buffer.from(result.bytes).toString()).toBe("aaa.bbb.ccc");
    expect(seen).toHaveLength(1);
    expect(seen[0]!.method).toBe("POST");
    expect(seen[0]!.url).toBe("/v1/token");
    expect(JSON.parse(seen[0]!.body)).toEqual({
      audience: "https://vcloud.test",
      token_type: "PKI",
      nonces: ["ab".repeat(32)],
    });
  });

  it("fails with the launcher's status when it refuses", async () => {
    const { socketPath } = await listenOnSocket(() => [400, "bad nonce"]);
    const error = await confidentialSpaceAttester({ socketPath })
      .attest({ reportData, imageDigest })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttestationRequestError);
    expect((error as Error).message).toContain("HTTP 400: bad nonce");
  });
});

describe("TDX configfs-tsm attester", () => {
  it("fails without a tdx_guest provider and removes the report entry it created", async () => {
    const reportDir = mkdtempSync(join(tmpdir(), "vcloud-tsm-"));
    const error = await tdxConfigfsAttester(reportDir)
      .attest({ reportData, imageDigest })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttestationRequestError);
    expect(readdirSync(reportDir)).toEqual([]);
  });

  it("refuses report data longer than 64 bytes", async () => {
    const error = await tdxConfigfsAttester(mkdtempSync(join(tmpdir(), "vcloud-tsm-")))
      .attest({ reportData: `0x${"00".repeat(65)}`, imageDigest })
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain("longer than 64 bytes");
  });
});

describe("detectAttester", () => {
  // Inside a fresh directory, so it is absent whatever else ran on this machine.
  const absent = join(mkdtempSync(join(tmpdir(), "vcloud-absent-")), "absent");

  it("falls back to dev only when no TEE interface exists", () => {
    expect(detectAttester({ paths: { tsm: absent, launcher: absent, nsm: absent } }).format).toBe("dev");
  });

  it("prefers the Confidential Space launcher, then TDX configfs-tsm", () => {
    const dir = mkdtempSync(join(tmpdir(), "vcloud-detect-"));
    const socket = join(dir, "sock");
    writeFileSync(socket, "");
    expect(detectAttester({ paths: { tsm: dir, launcher: socket, nsm: absent } }).format).toBe("gcp");
    expect(detectAttester({ paths: { tsm: dir, launcher: absent, nsm: absent } }).format).toBe("tdx");
  });

  it("asks the Nitro Secure Module when /dev/nsm exists, and never falls back to dev when it fails", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vcloud-detect-"));
    const attester = detectAttester({ paths: { tsm: absent, launcher: absent, nsm: dir } });
    expect(attester.format).toBe("nitro");
    // A directory cannot be opened read-write: the open fails, named.
    await expect(attester.attest({ reportData, imageDigest })).rejects.toThrow(
      /Nitro attestation request failed: NSM request failed \(errno 21\): cannot open/,
    );
    // A regular file opens, but the NSM ioctl on it is ENOTTY: not a Nitro Secure Module.
    const file = join(dir, "nsm");
    writeFileSync(file, "not a device");
    const onFile = detectAttester({ paths: { tsm: absent, launcher: absent, nsm: file } });
    const error = await onFile.attest({ reportData, imageDigest }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttestationRequestError);
    expect((error as Error).message).toMatch(/\(ENOTTY\): .*nsm is not a Nitro Secure Module device/);
  });
});
