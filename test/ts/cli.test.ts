import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { vcloud } from "./helpers/cli.js";

describe("vcloud CLI", () => {
  it("prints help at every level", () => {
    const root = vcloud(["--help"]);
    expect(root.code).toBe(0);
    expect(root.stdout).toContain("devnet");
    expect(root.stdout).toContain("--json");
    const group = vcloud(["devnet", "--help"]);
    expect(group.code).toBe(0);
    expect(group.stdout).toContain("start");
    const leaf = vcloud(["devnet", "start", "--help"]);
    expect(leaf.code).toBe(0);
    expect(leaf.stdout).toContain("--once");
  });

  it("prints the package version", () => {
    const { code, stdout } = vcloud(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("rejects an unknown option with exit code 2", () => {
    const { code, stderr } = vcloud(["devnet", "start", "--no-such-flag"]);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option");
  });

  it("names the bad flag and exits 2 when a value fails validation", () => {
    const port = vcloud(["devnet", "start", "--port", "70000"]);
    expect(port.code).toBe(2);
    expect(port.stderr.trim()).toBe("error: invalid --port: must be 1..65535");
    const host = vcloud(["devnet", "start", "--host", "0.0.0.0"]);
    expect(host.code).toBe(2);
    expect(host.stderr).toContain("invalid --host");
  });

  it("takes defaults from the environment and still validates them", () => {
    const { code, stderr } = vcloud(["devnet", "start"], { VCLOUD_DEVNET_PORT: "not-a-port" });
    expect(code).toBe(2);
    expect(stderr).toContain("invalid --port");
  });

  it("prints devnet accounts as JSON with --json", () => {
    const { code, stdout } = vcloud(["--json", "devnet", "accounts", "--count", "2"]);
    expect(code).toBe(0);
    const accounts = JSON.parse(stdout) as { address: string; privateKey: string }[];
    expect(accounts).toHaveLength(2);
    // The first hardhat development account.
    expect(accounts[0]!.address).toBe("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  });

  it("reports a missing deployment file clearly", () => {
    const dir = mkdtempSync(join(tmpdir(), "vcloud-deployments-"));
    const { code, stderr } = vcloud(["deployments", "--chain-id", "999", "--dir", dir]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: deployment not found: no .*999\.json/);
  });

  it("refuses a deployment file that is not valid", () => {
    const dir = mkdtempSync(join(tmpdir(), "vcloud-deployments-"));
    writeFileSync(join(dir, "5.json"), JSON.stringify({ chainId: 5, deployedAt: "x", contracts: { A: "0x1234" } }));
    const { code, stderr } = vcloud(["deployments", "--chain-id", "5", "--dir", dir]);
    expect(code).toBe(2);
    expect(stderr).toContain("must be a 0x-prefixed 20-byte hex address");
  });
});
