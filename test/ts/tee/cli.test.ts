import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { keccak256, sha256, toHex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";

import { verifySchema } from "../../../keepers/cli/commands/tee.js";
import { parseOptions } from "../../../keepers/lib/config.js";
import { InvalidInputError } from "../../../keepers/lib/errors.js";
import { sandboxCapabilities } from "../../../keepers/tee/sandbox.js";
import { vcloud } from "../helpers/cli.js";
import { fixture, fixturePath } from "./fixtures.js";

// Each test spawns the real CLI at most twice: on a loaded 2-core machine one start takes seconds.

describe("vcloud tee verify", () => {
  it("prints exactly valid, platform, measurements, reportData and time with --json", () => {
    const file = fixturePath("blocky_nitro_attestation.b64");
    const { code, stdout, stderr } = vcloud([
      ...["tee", "verify", file, "--format", "nitro", "--at", "2024-09-07T14:37:39Z", "--json"],
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

  it("verifies a TDX quote given --collateral", () => {
    const tdx = vcloud([
      ...["--json", "tee", "verify", fixturePath("phala_tdx_quote"), "--format", "tdx"],
      ...["--collateral", fixturePath("phala_tdx_quote_collateral.json"), "--at", "2025-07-01T00:00:00Z"],
    ]);
    expect(tdx.code).toBe(0);
    expect(JSON.parse(tdx.stdout).platform).toBe("intel-tdx");
  });

  it("verifies the debug Confidential Space token under --policy debug and rejects it by default", () => {
    const args = ["tee", "verify", fixturePath("oak_valid.jwt"), "--format", "gcp", "--at", "2025-06-23T14:23:31Z"];
    const gcp = vcloud(["--json", ...args, "--policy", "debug"]);
    expect(gcp.code).toBe(0);
    expect(JSON.parse(gcp.stdout).measurements.imageDigest).toMatch(/^sha256:313b8a83/);
    const production = vcloud(args);
    expect(production.code).toBe(1);
    expect(production.stderr).toMatch(/^error: attestation rejected: debug check failed/);
  });

  it("exits 1 with one line naming the failed check (signature, validity)", () => {
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
      ...["tee", "verify", fixturePath("blocky_nitro_attestation.b64"), "--format", "nitro"],
      ...["--at", "2030-01-01T00:00:00Z"],
    ]);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/^error: attestation rejected: validity check failed/);
  });

  it("exits 2 naming a bad --format or a missing --collateral", () => {
    const file = fixturePath("oak_valid.jwt");
    const format = vcloud(["tee", "verify", file, "--format", "sev"]);
    expect(format.code).toBe(2);
    expect(format.stderr.trim()).toBe("error: invalid --format: must be one of nitro, tdx, gcp, dev");
    const collateral = vcloud(["tee", "verify", file, "--format", "tdx"]);
    expect(collateral.code).toBe(2);
    expect(collateral.stderr.trim()).toBe("error: invalid --collateral: required with --format tdx");
  });

  it("exits 2 naming FILE when the attestation cannot be read", () => {
    const missing = vcloud(["tee", "verify", "/no/such/file", "--format", "gcp"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("invalid FILE");
  });

  it("names every other bad flag (the parser the command uses)", () => {
    const ok = { format: "gcp", policy: "production" };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...ok, at: "noon" }, "--at"],
      [{ ...ok, at: "2025-13-45T00:00:00Z" }, "--at"],
      [{ ...ok, policy: "lenient" }, "--policy"],
      [{ ...ok, reportData: "xyz" }, "--report-data"],
      [{ ...ok, reportData: "0xabc" }, "--report-data"],
      [{ ...ok, expect: ["pcr0"] }, "--expect"],
      [{ ...ok, maxAge: "soon" }, "--max-age"],
      [{ ...ok, maxAge: "-5" }, "--max-age"],
    ];
    for (const [raw, flag] of cases) {
      let error: unknown;
      try {
        parseOptions(verifySchema, raw);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(raw)).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).field).toBe(flag);
      expect((error as InvalidInputError).exitCode).toBe(2);
    }
    const parsed = parseOptions(verifySchema, { ...ok, at: "2025-06-23T14:23:31Z", expect: ["pcr0=0x01", "a=b=c"] });
    expect(parsed.at?.toISOString()).toBe("2025-06-23T14:23:31.000Z");
    expect(parsed.expect).toEqual({ pcr0: "0x01", a: "b=c" });
  });
});

describe.runIf(sandboxCapabilities().prlimit)("vcloud tee worker", () => {
  const dir = mkdtempSync(join(tmpdir(), "vcloud-worker-"));
  let summary: Record<string, string>;

  beforeAll(() => {
    mkdirSync(join(dir, "app"));
    writeFileSync(join(dir, "app", "vcloud-bundle.json"), JSON.stringify({ entry: ["sh", "main.sh"] }));
    writeFileSync(join(dir, "app", "main.sh"), "tr a-z A-Z\n");
    writeFileSync(join(dir, "input"), "hello");
    const network = sandboxCapabilities().namespaces === "none" ? ["--allow-network"] : [];
    const run = vcloud([
      ...["--json", "tee", "worker", "--bundle", join(dir, "app"), "--input", join(dir, "input")],
      ...["--task-hash", keccak256(toHex("cli-task")), "--out", join(dir, "output")],
      ...["--attestation-out", join(dir, "attestation.json"), ...network],
    ]);
    expect(run.stderr).toContain("dev attestation");
    expect(run.code).toBe(0);
    summary = JSON.parse(run.stdout) as Record<string, string>;
  });

  it("runs the bundle on the input and reports the bound hashes", () => {
    expect(readFileSync(join(dir, "output"), "utf8")).toBe("HELLO");
    expect(summary.format).toBe("dev");
    expect(summary.inputHash).toBe(sha256(Buffer.from("hello")));
    expect(summary.outputHash).toBe(sha256(Buffer.from("HELLO")));
    expect(summary.reportData).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it("writes a dev attestation that verifies only under --policy devnet", () => {
    const file = join(dir, "attestation.json");
    const prod = vcloud(["tee", "verify", file, "--format", "dev"]);
    expect(prod.code).toBe(1);
    expect(prod.stderr).toContain("dev-policy check failed");
    const devnet = vcloud([
      ...["--json", "tee", "verify", file, "--format", "dev", "--policy", "devnet"],
      ...["--report-data", summary.reportData!, "--expect", `imageDigest=${summary.imageDigest}`],
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
