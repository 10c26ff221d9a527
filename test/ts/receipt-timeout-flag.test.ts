/**
 * `--receipt-timeout <seconds>` on every keeper that sends and on `stake claim` / `avs rewards submit` (issue 13): the bound on each receipt wait
 * (`receiptTimeoutMs`, 120 s by default). Bad values exit 2 naming the flag, from the flag or from
 * VCLOUD_RECEIPT_TIMEOUT, before anything connects; a good one lets the command go on. That the value reaches
 * the keeper is shown in test/ts/keeper-faults.test.ts (`vcloud keeper rewards` with its root dropped).
 */
import { describe, expect, it } from "vitest";

import { vcloudAsync } from "./helpers/cli.js";

/** Nothing listens here: a command that got past its flags fails connecting (exit 1). */
const CLOSED_RPC = ["--rpc-url", "http://127.0.0.1:1"];

const KEEPERS: Record<string, string[]> = {
  tee: ["keeper", "tee", "--once", "--bundle", "no-such-bundle"],
  replay: ["keeper", "replay", "--once", "--model", "no-such-model.gguf"],
  rewards: ["keeper", "rewards", "--once"],
  "da-fees": ["keeper", "da-fees", "--once"],
  "da-challenge": ["keeper", "da-challenge", "--once"],
  buyback: ["keeper", "buyback", "--once", "--price", "EIGEN=1"],
  // One-shot commands that send through the same bounded path.
  "stake claim": ["stake", "claim"],
  "avs rewards submit": [
    "avs",
    "rewards",
    "submit",
    "--operator-set",
    "1",
    "--token",
    `0x${"22".repeat(20)}`,
    "--strategy",
    `0x${"33".repeat(20)}`,
    "--amount",
    "1",
  ],
};

describe("--receipt-timeout on the keepers that send, and on stake claim and avs rewards submit", () => {
  it("bad values exit 2 naming the flag, on every keeper; a good one gets past the flags", async () => {
    const bad: [string, string, RegExp][] = [
      ["tee", "0", /must be a positive number of seconds/],
      ["replay", "-1", /must be a positive number of seconds/],
      ["rewards", "abc", /must be a positive number of seconds/],
      ["da-fees", "", /must be a positive number of seconds/],
      ["da-challenge", "1e9", /must be at most 86400 seconds/],
      ["buyback", "Infinity", /must be/],
      ["stake claim", "0", /must be a positive number of seconds/],
      ["avs rewards submit", "90000", /must be at most 86400 seconds/],
    ];
    const runs = await Promise.all([
      ...bad.map(([keeper, value]) => vcloudAsync([...KEEPERS[keeper]!, ...CLOSED_RPC, `--receipt-timeout=${value}`])),
      vcloudAsync([...KEEPERS.rewards!, ...CLOSED_RPC], { VCLOUD_RECEIPT_TIMEOUT: "0" }),
      vcloudAsync([...KEEPERS.rewards!, ...CLOSED_RPC, "--receipt-timeout", "0.5"], {
        VCLOUD_PRIVATE_KEY: `0x${"11".repeat(32)}`,
      }),
    ]);
    bad.forEach(([keeper, value, message], i) => {
      const run = runs[i]!;
      expect(run.code, `${keeper} --receipt-timeout=${value}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(/invalid --receipt-timeout: /);
      expect(run.stderr).toMatch(message);
    });
    const fromEnv = runs[bad.length]!;
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toMatch(/invalid --receipt-timeout: must be a positive number of seconds/);
    // A fraction of a second is valid: the command goes on and fails only on the closed endpoint.
    const good = runs[bad.length + 1]!;
    expect(good.code, good.stderr).toBe(1);
    expect(good.stderr).not.toMatch(/receipt-timeout/);
    expect(good.stderr).toMatch(/no JSON-RPC endpoint answers/);
  }, 60_000);
});
