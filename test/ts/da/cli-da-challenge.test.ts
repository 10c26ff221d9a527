/** `vcloud keeper da-challenge`, `vcloud da node --answer-challenges` and `vcloud da put` name bad input and exit 2. */
import { describe, expect, it } from "vitest";

import { freePort, vcloud } from "../helpers/cli.js";

const ADDRESSES = [
  "--registrar",
  "0x00000000000000000000000000000000000000a1",
  "--certificate-registry",
  "0x00000000000000000000000000000000000000a2",
];

describe("vcloud keeper da-challenge / da node --answer-challenges: bad input", () => {
  it("names the bad flag and exits 2", { timeout: 240_000 }, async () => {
    const rpc = ["--rpc-url", `http://127.0.0.1:${await freePort()}`];
    const env = { VCLOUD_PRIVATE_KEY: "" };
    const samples = vcloud(["keeper", "da-challenge", "--once", "--samples", "0", ...ADDRESSES, ...rpc], env);
    expect(samples.code).toBe(2);
    expect(samples.stderr).toMatch(/--samples.*must be at least 1/);

    const noKey = vcloud(["keeper", "da-challenge", "--once", ...ADDRESSES, ...rpc], env);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/--private-key: required to send transactions/);

    const node = vcloud(
      [
        "da",
        "node",
        "--answer-challenges",
        "--operator",
        "0x00000000000000000000000000000000000000b1",
        "--bls-key",
        `0x${"11".repeat(32)}`,
        ...ADDRESSES,
        ...rpc,
      ],
      env,
    );
    expect(node.code).toBe(2);
    expect(node.stderr).toMatch(/--private-key: required to send transactions/);

    // One threshold flag without the other: refused before any chain access (neither: the registry's).
    const half = vcloud(["da", "put", "package.json", "--confirmation-threshold", "60", ...ADDRESSES, ...rpc], {
      VCLOUD_PRIVATE_KEY: `0x${"22".repeat(32)}`,
    });
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/--adversary-threshold: give both threshold flags or neither/);
  });
});
