/** `vcloud keeper replay` names the bad flag and exits 2 before touching a chain. */
import { describe, expect, it } from "vitest";

import { vcloud } from "../helpers/cli.js";

describe("vcloud keeper replay: bad input", () => {
  const run = (...args: string[]) => vcloud(["keeper", "replay", "--once", ...args]);

  it("needs at least one model file, and the file must exist", () => {
    const none = run();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("error: invalid --model: give at least one GGUF model file");
    const missing = run("--model", "/nonexistent/model.gguf");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error: invalid --model: no file /nonexistent/model.gguf");
  });

  it("names a bad policy, sample fraction or BLS key", () => {
    const policy = run("--model", "package.json", "--policy", "some");
    expect(policy.code).toBe(2);
    expect(policy.stderr).toContain("invalid --policy");
    const fraction = run("--model", "package.json", "--policy", "sample", "--sample-fraction", "1.5");
    expect(fraction.code).toBe(2);
    expect(fraction.stderr).toContain("invalid --sample-fraction: must be in 0..1");
    const noFraction = run("--model", "package.json", "--policy", "sample");
    expect(noFraction.code).toBe(2);
    expect(noFraction.stderr).toContain("invalid --sample-fraction");
    const key = run("--model", "package.json", "--bls-key", "0x1234");
    expect(key.code).toBe(2);
    expect(key.stderr).toContain("invalid --bls-key");
  });

  it("--escalate-timed-out needs a --max-fork-commitment, which needs it", () => {
    const uncapped = run("--model", "package.json", "--escalate-timed-out");
    expect(uncapped.code).toBe(2);
    expect(uncapped.stderr).toContain("invalid --max-fork-commitment: required with --escalate-timed-out");
    const stray = run("--model", "package.json", "--max-fork-commitment", "100");
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain("invalid --max-fork-commitment: only meaningful with --escalate-timed-out");
    const bad = run("--model", "package.json", "--escalate-timed-out", "--max-fork-commitment", "lots");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("invalid --max-fork-commitment");
  });

  it("--committee-listen needs the daemon and HOST:PORT", () => {
    const once = run("--model", "package.json", "--committee-listen", "127.0.0.1:0");
    expect(once.code).toBe(2);
    expect(once.stderr).toContain("invalid --committee-listen: serves requests, so it needs the daemon (drop --once)");
    const address = run("--model", "package.json", "--committee-listen", "localhost");
    expect(address.code).toBe(2);
    expect(address.stderr).toContain("invalid --committee-listen: must be HOST:PORT");
  });
});
