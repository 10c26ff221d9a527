import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { keccak256, sha256, toHex } from "viem";
import { describe, expect, it } from "vitest";

import { sandboxCapabilities } from "../../../keepers/tee/sandbox.js";
import { vcloud } from "../helpers/cli.js";
import { fixture, fixturePath } from "./fixtures.js";

describe("vcloud tee verify", () => {
  it("prints exactly valid, platform, measurements, reportData and time with --json", () => {
    const { code, stdout, stderr } = vcloud([
      "tee",
      "verify",
      fixturePath("blocky_nitro_attestation.b64"),
      "--format",
      "nitro",
      "--at",
      "2024-09-07T14:37:39Z",
      "--json",
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(["valid", "platform", "measurements", "reportData", "time"]);
    expect(out.valid).toBe(true);
    expect(out.platform).toBe("aws-nitro");
    expect(out.time).toBe("2024-09-07T14:37:39.000Z");
    expect((out.measurements as Record<string, string>).pcr0).toMatch(/^0xe72a46ca/);
  });

  it("verifies a TDX quote with --collateral and a Confidential Space token under --policy debug", () => {
    const tdx = vcloud([
      "--json",
      "tee",
      "verify",
      fixturePath("phala_tdx_quote"),
      "--format",
      "tdx",
      "--collateral",
      fixturePath("phala_tdx_quote_collateral.json"),
      "--at",
      "2025-07-01T00:00:00Z",
    ]);
    expect(tdx.code).toBe(0);
    expect(JSON.parse(tdx.stdout).platform).toBe("intel-tdx");
    const gcp = vcloud([
      "--json",
      "tee",
      "verify",
      fixturePath("oak_valid.jwt"),
      "--format",
      "gcp",
      "--at",
      "2025-06-23T14:23:31Z",
      "--policy",
      "debug",
    ]);
    expect(gcp.code).toBe(0);
    expect(JSON.parse(gcp.stdout).measurements.imageDigest).toMatch(/^sha256:313b8a83/);
  });

  it("exits 1 with one line naming the failed check", () => {
    const dir = mkdtempSync(join(tmpdir(), "vcloud-tee-"));
    const raw = Buffer.from(fixture("blocky_nitro_attestation.b64").toString("utf8"), "base64");
    raw[raw.length - 1]! ^= 1;
    writeFileSync(join(dir, "flipped.cbor"), raw);
    const flipped = vcloud([
      "tee",
      "verify",
      join(dir, "flipped.cbor"),
      "--format",
      "nitro",
      "--at",
      "2024-09-07T14:37:39Z",
    ]);
    expect(flipped.code).toBe(1);
    expect(flipped.stdout).toBe("");
    expect(flipped.stderr.trim().split("\n")).toHaveLength(1);
    expect(flipped.stderr).toMatch(/^error: attestation rejected: signature check failed/);
    const late = vcloud([
      "tee",
      "verify",
      fixturePath("blocky_nitro_attestation.b64"),
      "--format",
      "nitro",
      "--at",
      "2030-01-01T00:00:00Z",
    ]);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/^error: attestation rejected: validity check failed/);
    const debug = vcloud([
      "tee",
      "verify",
      fixturePath("oak_valid.jwt"),
      "--format",
      "gcp",
      "--at",
      "2025-06-23T14:23:31Z",
    ]);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^error: attestation rejected: debug check failed/);
  });

  it("exits 2 naming the bad flag", () => {
    const file = fixturePath("oak_valid.jwt");
    const cases: [string[], string][] = [
      [["--format", "sev"], "--format"],
      [["--format", "gcp", "--at", "noon"], "--at"],
      [["--format", "tdx"], "--collateral"],
      [["--format", "gcp", "--collateral", file], "--collateral"],
      [["--format", "gcp", "--policy", "lenient"], "--policy"],
      [["--format", "gcp", "--report-data", "xyz"], "--report-data"],
      [["--format", "gcp", "--expect", "pcr0"], "--expect"],
    ];
    for (const [flags, named] of cases) {
      const { code, stderr } = vcloud(["tee", "verify", file, ...flags]);
      expect(code, flags.join(" ")).toBe(2);
      expect(stderr).toContain(`invalid ${named}`);
    }
    const missing = vcloud(["tee", "verify", "/no/such/file", "--format", "gcp"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("invalid FILE");
  });
});

describe.runIf(sandboxCapabilities().prlimit)("vcloud tee worker", () => {
  it("runs a bundle, writes a dev attestation that verifies only under --policy devnet", () => {
    const dir = mkdtempSync(join(tmpdir(), "vcloud-worker-"));
    mkdirSync(join(dir, "app"));
    writeFileSync(join(dir, "app", "vcloud-bundle.json"), JSON.stringify({ entry: ["sh", "main.sh"] }));
    writeFileSync(join(dir, "app", "main.sh"), "tr a-z A-Z\n");
    writeFileSync(join(dir, "input"), "hello");
    const network = sandboxCapabilities().namespaces === "none" ? ["--allow-network"] : [];
    const run = vcloud([
      "--json",
      "tee",
      "worker",
      "--bundle",
      join(dir, "app"),
      "--input",
      join(dir, "input"),
      "--task-hash",
      keccak256(toHex("cli-task")),
      "--out",
      join(dir, "output"),
      "--attestation-out",
      join(dir, "attestation.json"),
      ...network,
    ]);
    expect(run.stderr).toContain("dev attestation");
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as Record<string, string>;
    expect(summary.format).toBe("dev");
    expect(summary.outputHash).toBe(sha256(Buffer.from("HELLO")));
    const prod = vcloud(["tee", "verify", join(dir, "attestation.json"), "--format", "dev"]);
    expect(prod.code).toBe(1);
    expect(prod.stderr).toContain("dev-policy check failed");
    const devnet = vcloud([
      "--json",
      "tee",
      "verify",
      join(dir, "attestation.json"),
      "--format",
      "dev",
      "--policy",
      "devnet",
      "--report-data",
      summary.reportData!,
      "--expect",
      `imageDigest=${summary.imageDigest}`,
    ]);
    expect(devnet.code).toBe(0);
    expect(JSON.parse(devnet.stdout).platform).toBe("dev");
  });

  it("exits 2 naming a bad worker flag", () => {
    const bad = vcloud(["tee", "worker", "--bundle", "/x", "--input", "/y", "--task-hash", "0x12"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("invalid --task-hash");
  });
});
