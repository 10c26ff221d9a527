import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { vcloud } from "./helpers/cli.js";

const KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const ADDRESS = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

describe("vcloud keystore", () => {
  it("creates a V3 keystore, reads its address, verifies the password and refuses a wrong one", () => {
    const dir = mkdtempSync(join(tmpdir(), "vcloud-keystore-cli-"));
    const out = join(dir, "key.json");
    const pw = join(dir, "pw");
    writeFileSync(pw, "s3cret\n");
    const created = vcloud([
      "--json",
      "keystore",
      "create",
      "--out",
      out,
      "--private-key",
      KEY,
      "--password-file",
      pw,
      "--scrypt-n",
      "1024",
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toEqual({ address: ADDRESS, path: out });

    const again = vcloud(["keystore", "create", "--out", out, "--password-file", pw]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("invalid --out");

    const verified = vcloud(["--json", "keystore", "address", "--keystore", out, "--verify"], {
      VCLOUD_KEYSTORE_PASSWORD: "s3cret",
    });
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ address: ADDRESS, verified: true });

    const wrong = vcloud(["keystore", "address", "--keystore", out, "--verify"], { VCLOUD_KEYSTORE_PASSWORD: "nope" });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim()).toBe(`error: invalid VCLOUD_KEYSTORE_PASSWORD: the password does not decrypt ${out}`);
  });
});
