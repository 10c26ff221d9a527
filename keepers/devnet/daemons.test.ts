import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { createLogger } from "../lib/logger.js";
import { classifyLine, restartDelayMs, startDaemons, type DaemonStatus } from "./daemons.js";

describe("keeper daemon supervisor", () => {
  it("backs off 1 s, doubling, at most 30 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(restartDelayMs)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it("counts a pass from a --json result on stdout or a `… pass` log line, and records failures", () => {
    expect(classifyLine('{"action":"hold"}', "stdout")).toBe("pass");
    expect(classifyLine('[{"claimId":"0x01"}]', "stdout")).toBe("pass");
    expect(classifyLine('{"level":30,"msg":"rewards pass"}', "stderr")).toBe("pass");
    expect(classifyLine('{"level":30,"msg":"tee dispatcher pass"}', "stderr")).toBe("pass");
    expect(
      classifyLine('{"level":50,"err":{"message":"rpc down"},"msg":"replay pass failed; retrying"}', "stderr"),
    ).toEqual({ error: "rpc down" });
    expect(classifyLine("error: --interval: must be at least 1 second", "stderr")).toEqual({
      error: "--interval: must be at least 1 second",
    });
    expect(classifyLine('{"level":30,"msg":"dashboard started"}', "stderr")).toBeUndefined();
    expect(classifyLine("not json", "stderr")).toBeUndefined();
  });

  it(
    "restarts a daemon that exits, logs to its file, and stops it with no process left",
    { timeout: 120_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "vcloud-daemons-"));
      // A real keeper command that exits at once (exit code 2: a bad flag), so the supervisor restarts it.
      const supervisor = startDaemons({
        specs: [{ name: "rewards", args: ["keeper", "rewards", "--interval", "0"] }],
        dataDir,
        logger: createLogger({ level: "silent" }),
      });
      const pids = new Set<number>();
      try {
        const deadline = Date.now() + 100_000;
        let status: DaemonStatus = supervisor.status()[0]!;
        while (status.restarts < 1) {
          if (Date.now() > deadline) throw new Error(`no restart: ${JSON.stringify(status)}`);
          if (status.pid) pids.add(status.pid);
          await new Promise((r) => setTimeout(r, 50));
          status = supervisor.status()[0]!;
        }
        expect(status.lastError).toBe("invalid --interval: must be at least 1 second");
        expect(status.passes).toBe(0);
        const log = readFileSync(status.log, "utf8");
        expect(log).toContain("start: vcloud keeper rewards --interval 0");
        expect(log).toContain("exit: code 2");
      } finally {
        await supervisor.stop();
      }
      const [stopped] = supervisor.status();
      expect(stopped!.state).toBe("stopped");
      expect(stopped!.pid).toBeNull();
      expect(JSON.parse(readFileSync(join(dataDir, "keepers", "status.json"), "utf8"))).toEqual([stopped]);
      for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    },
  );
});
