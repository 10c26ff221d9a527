import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { parseReceipt } from "../../keepers/ai/receipt.js";
import { vcloud } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "vcloud-ai-cli-"));
const small = ["--layers", "1", "--embedding", "64", "--feed-forward", "128", "--heads", "2", "--kv-heads", "1"];

describe("vcloud ai", () => {
  it("model create writes the same file for the same seed", () => {
    const a = vcloud(["--json", "ai", "model", "create", "--out", join(dir, "a.gguf"), "--seed", "3", ...small]);
    const b = vcloud(["--json", "ai", "model", "create", "--out", join(dir, "b.gguf"), "--seed", "3", ...small]);
    expect(a.code, a.stderr).toBe(0);
    const ja = JSON.parse(a.stdout) as { sha256: string; bytes: number };
    expect(ja.sha256).toBe((JSON.parse(b.stdout) as { sha256: string }).sha256);
    expect(readFileSync(join(dir, "a.gguf")).equals(readFileSync(join(dir, "b.gguf")))).toBe(true);
    expect(ja.bytes).toBe(readFileSync(join(dir, "a.gguf")).length);
  });

  it("run --json prints a receipt that checks out, and replay confirms it", () => {
    const model = join(dir, "m.gguf");
    expect(vcloud(["ai", "model", "create", "--out", model, "--seed", "4", ...small]).code).toBe(0);
    const args = ["--model", model, "--prompt", "hello replay", "--seed", "9", "--max-tokens", "4", "--threads", "1"];
    const run = vcloud(["--json", "ai", "run", ...args]);
    expect(run.code, run.stderr).toBe(0);
    const receipt = parseReceipt(JSON.parse(run.stdout));
    expect(receipt.output.tokenIds).toHaveLength(4);
    expect(receipt.seed).toBe("9");
    const file = join(dir, "receipt.json");
    writeFileSync(file, run.stdout);
    const replay = vcloud(["--json", "ai", "replay", "--receipt", file, "--model", model, "--prompt", "hello replay"]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ equal: true, claimed: receipt.hash, replayed: receipt.hash });
    const other = vcloud(["--json", "ai", "replay", "--receipt", file, "--model", model, "--prompt", "hello, replay"]);
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stdout)).toMatchObject({ equal: false, field: "prompt.hash" });
  });

  it("names --model when the file is missing or corrupt, and other bad flags, with exit code 2", () => {
    const base = ["ai", "run", "--prompt", "x", "--seed", "1", "--max-tokens", "2"];
    const missing = vcloud([...base, "--model", join(dir, "none.gguf")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: invalid --model: .*not found/);
    const corrupt = join(dir, "corrupt.gguf");
    writeFileSync(corrupt, "GGUF but not really");
    const bad = vcloud([...base, "--model", corrupt]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: invalid --model: .*not a valid GGUF model/);
    expect(vcloud(["ai", "run", "--prompt", "x", "--seed", "1", "--max-tokens", "2"]).stderr).toContain(
      "invalid --model: is required",
    );
    expect(vcloud([...base, "--model", corrupt, "--batch-size", "1"]).stderr).toContain("invalid --batch-size");
    expect(
      vcloud(["ai", "run", "--model", corrupt, "--prompt", "x", "--seed", "-3", "--max-tokens", "2"]).stderr,
    ).toContain("invalid --seed");
    expect(vcloud(["ai", "model", "create", "--seed", "1"]).stderr).toContain("invalid --out: is required");
  });
});
