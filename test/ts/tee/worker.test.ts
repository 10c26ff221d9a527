import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { keccak256, sha256, toHex, type Hex } from "viem";
import { describe, expect, it } from "vitest";

import { devAttester, detectAttester } from "../../../keepers/tee/attester.js";
import { checkTaskBinding, reportDataFor, taskBindingHash, type TaskBinding } from "../../../keepers/tee/binding.js";
import { bundleDigest, loadBundleDir, type ProgramBundle } from "../../../keepers/tee/bundle.js";
import type { AttestationError } from "../../../keepers/tee/errors.js";
import { DEVNET_POLICY, PRODUCTION_POLICY } from "../../../keepers/tee/policy.js";
import {
  CpuTimeLimitError,
  DEFAULT_LIMITS,
  FileSizeLimitError,
  MemoryLimitError,
  OutputLimitError,
  ProgramFailedError,
  runSandboxed,
  sandboxCapabilities,
  sandboxCommand,
  SandboxUnavailableError,
  WallTimeLimitError,
  type SandboxLimits,
} from "../../../keepers/tee/sandbox.js";
import { verifyTaskResult } from "../../../keepers/tee/task-result.js";
import { networkFor, NetworkNotAllowedError, runTask } from "../../../keepers/tee/worker.js";

const caps = sandboxCapabilities();
const isolated = caps.namespaces !== "none" && caps.prlimit;
/** Where the machine cannot isolate the network the limit tests still run, with network allowed. */
const base: Partial<SandboxLimits> = { network: !isolated, wallMs: 60_000 };
const TASK = keccak256(toHex("task-1"));
const node = process.execPath;

/** The devnet app of issue 10: hashes its input and transforms it (upper-case). */
const hashAndUpper: ProgramBundle = {
  entry: ["sh", "main.sh"],
  files: { "main.sh": 'in="$(cat)"\nprintf "%s" "$in" | sha256sum | cut -c1-64\nprintf "%s\\n" "$in" | tr a-z A-Z\n' },
};

describe("program bundles", () => {
  it("have a digest independent of file order and sensitive to every byte of entry and files", () => {
    const a = bundleDigest({ entry: ["sh", "a.sh"], files: { "a.sh": "echo a", "b/c.txt": "x" } });
    const b = bundleDigest({ entry: ["sh", "a.sh"], files: { "b/c.txt": "x", "a.sh": "echo a" } });
    expect(a).toBe(b);
    expect(bundleDigest({ entry: ["sh", "a.sh"], files: { "a.sh": "echo b", "b/c.txt": "x" } })).not.toBe(a);
    expect(bundleDigest({ entry: ["bash", "a.sh"], files: { "a.sh": "echo a", "b/c.txt": "x" } })).not.toBe(a);
    expect(a).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it("refuse unsafe paths and an empty entry", () => {
    expect(() => bundleDigest({ entry: ["sh"], files: { "../x": "" } })).toThrow(/unsafe path/);
    expect(() => bundleDigest({ entry: ["sh"], files: { "/etc/x": "" } })).toThrow(/unsafe path/);
    expect(() => bundleDigest({ entry: [], files: {} })).toThrow(/bundle.entry/);
  });
});

describe.runIf(caps.prlimit)("worker sandbox limits", () => {
  it("runs a program on its input and returns its stdout", async () => {
    const result = await runTask(hashAndUpper, Buffer.from("hello vcloud"), base, {
      taskHash: TASK,
      attester: devAttester,
    });
    const [hash, upper] = result.output.toString().trim().split("\n");
    expect(upper).toBe("HELLO VCLOUD");
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("kills a CPU loop at the CPU-time limit", async () => {
    const loop: ProgramBundle = { entry: ["sh", "-c", "while :; do :; done"], files: {} };
    await expect(runTask(loop, Buffer.alloc(0), { ...base, cpuSeconds: 1 }, { taskHash: TASK })).rejects.toBeInstanceOf(
      CpuTimeLimitError,
    );
  });

  it("stops a memory hog at the memory limit", async () => {
    const hog: ProgramBundle = { entry: [node, "-e", "const a=[];for(;;)a.push(Buffer.alloc(1<<20,1))"], files: {} };
    await expect(
      runTask(hog, Buffer.alloc(0), { ...base, memoryBytes: 256 * 2 ** 20 }, { taskHash: TASK }),
    ).rejects.toBeInstanceOf(MemoryLimitError);
  });

  it("refuses output larger than the output limit and kills the writer", async () => {
    const flood: ProgramBundle = {
      entry: ["sh", "-c", "while :; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done"],
      files: {},
    };
    await expect(
      runTask(flood, Buffer.alloc(0), { ...base, maxOutputBytes: 10_000 }, { taskHash: TASK }),
    ).rejects.toBeInstanceOf(OutputLimitError);
  });

  it("kills a program that outlives the wall-time limit, quickly", async () => {
    const sleeper: ProgramBundle = { entry: ["sleep", "30"], files: {} };
    const started = Date.now();
    await expect(
      runTask(sleeper, Buffer.alloc(0), { ...base, wallMs: 300 }, { taskHash: TASK }),
    ).rejects.toBeInstanceOf(WallTimeLimitError);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("stops a program writing a file beyond the file-size limit", async () => {
    const writer: ProgramBundle = { entry: ["sh", "-c", "head -c 100000 /dev/zero > big"], files: {} };
    await expect(
      runTask(writer, Buffer.alloc(0), { ...base, maxFileBytes: 4096 }, { taskHash: TASK }),
    ).rejects.toBeInstanceOf(FileSizeLimitError);
  });

  it("reports a non-zero exit with the program's last stderr line", async () => {
    const failing: ProgramBundle = { entry: ["sh", "-c", "echo 'bad input' >&2; exit 3"], files: {} };
    const error = await runTask(failing, Buffer.alloc(0), base, { taskHash: TASK }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProgramFailedError);
    expect((error as ProgramFailedError).exitStatus).toBe(3);
    expect((error as Error).message).toContain("bad input");
  });

  it("gives the program a fresh working directory and a minimal environment, and removes the directory", async () => {
    process.env.VCLOUD_TEST_SECRET = "must-not-leak";
    const probe: ProgramBundle = { entry: ["sh", "-c", "pwd; ls -A; env | sort"], files: { "data/x.txt": "x" } };
    const result = await runTask(probe, Buffer.alloc(0), base, { taskHash: TASK });
    delete process.env.VCLOUD_TEST_SECRET;
    const lines = result.output.toString().trim().split("\n");
    const dir = lines[0]!;
    expect(dir).toMatch(/vcloud-task-/);
    expect(lines[1]).toBe("data");
    const names = lines.slice(2).map((l) => l.split("=")[0]);
    expect(names).not.toContain("VCLOUD_TEST_SECRET");
    expect(
      names.filter((n) => !["PATH", "HOME", "TMPDIR", "LANG", "PWD", "SHLVL", "_", "OLDPWD"].includes(n!)),
    ).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });

  it("kills processes the program leaves behind", async () => {
    const marker = `${Math.floor(Math.random() * 1e6) + 1000}.5`;
    const forker: ProgramBundle = { entry: ["sh", "-c", `(sleep ${marker} &) ; echo started`], files: {} };
    await runTask(forker, Buffer.alloc(0), base, { taskHash: TASK });
    await new Promise((r) => setTimeout(r, 300));
    const ps = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" });
    expect(ps.stdout).not.toContain(`sleep ${marker}`);
  });

  it("kills processes left behind also without a PID namespace (process group)", async () => {
    const marker = `${Math.floor(Math.random() * 1e6) + 1000}.25`;
    const forker: ProgramBundle = { entry: ["sh", "-c", `(sleep ${marker} &) ; echo started`], files: {} };
    const noNamespaces = { ...caps, namespaces: "none" as const };
    const started = Date.now();
    const run = await runSandboxed(forker, Buffer.alloc(0), { ...DEFAULT_LIMITS, network: true }, noNamespaces);
    expect(run.stdout.toString()).toBe("started\n");
    expect(Date.now() - started).toBeLessThan(20_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(spawnSync("ps", ["-eo", "args"], { encoding: "utf8" }).stdout).not.toContain(`sleep ${marker}`);
  });

  it.runIf(isolated)("gives the program no network unless its app's bundle allows it (then the host's)", async () => {
    const probe: ProgramBundle = {
      entry: ["sh", "-c", "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '"],
      files: {},
    };
    const closed = await runTask(probe, Buffer.alloc(0), base, { taskHash: TASK });
    expect(closed.output.toString().trim().split("\n")).toEqual(["lo"]);
    expect(closed.sandbox.join(" ")).toContain("net+pid namespace");
    const networked: ProgramBundle = { ...probe, network: true };
    const open = await runTask(networked, Buffer.alloc(0), base, { taskHash: TASK });
    const hostInterfaces = readFileSync("/proc/net/dev", "utf8")
      .trim()
      .split("\n")
      .slice(2)
      .map((l) => l.split(":")[0]!.trim());
    expect(open.output.toString().trim().split("\n")).toEqual(hostInterfaces);
    expect(open.sandbox.join(" ")).not.toContain("net+");
    expect(open.binding.imageDigest).toBe(bundleDigest(networked));
    // A caller (operator flag, dispatcher limits) cannot give the network to an app that does not allow it.
    await expect(runTask(probe, Buffer.alloc(0), { ...base, network: true }, { taskHash: TASK })).rejects.toThrow(
      NetworkNotAllowedError,
    );
  });

  it("fails closed where the machine cannot isolate the network, unless the app allows it or a devnet opts in", async () => {
    const noNamespaces = { ...caps, namespaces: "none" as const };
    const echo: ProgramBundle = { entry: ["echo", "ran"], files: {} };
    await expect(
      runTask(echo, Buffer.alloc(0), { wallMs: 60_000 }, { taskHash: TASK, capabilities: noNamespaces }),
    ).rejects.toThrow(SandboxUnavailableError);
    const allowed = await runTask(
      { ...echo, network: true },
      Buffer.alloc(0),
      { wallMs: 60_000 },
      {
        taskHash: TASK,
        capabilities: noNamespaces,
      },
    );
    expect(allowed.output.toString()).toBe("ran\n");
    const devnet = await runTask(
      echo,
      Buffer.alloc(0),
      { wallMs: 60_000, network: true },
      {
        taskHash: TASK,
        capabilities: noNamespaces,
      },
    );
    expect(devnet.output.toString()).toBe("ran\n");
  });

  it.runIf(caps.dropPrivileges)("runs the program as nobody when the worker is root", async () => {
    const probe: ProgramBundle = { entry: ["id", "-u"], files: {} };
    const result = await runTask(probe, Buffer.alloc(0), base, { taskHash: TASK });
    expect(result.output.toString().trim()).toBe("65534");
  });
});

describe.runIf(caps.prlimit)("worker attestation binding", () => {
  it("uses the dev attester on this machine (no TEE interface present)", () => {
    const teePresent = ["/sys/kernel/config/tsm/report", "/run/container_launcher/teeserver.sock", "/dev/nsm"].some(
      (p) => existsSync(p),
    );
    if (!teePresent) expect(detectAttester().format).toBe("dev");
    else expect(detectAttester().format).not.toBe("dev");
  });

  it("binds image digest, input, output and task hash; a devnet verifier accepts it, production refuses", async () => {
    const input = Buffer.from("hello vcloud");
    const result = await runTask(hashAndUpper, input, base, { taskHash: TASK, attester: devAttester });
    expect(result.binding).toEqual({
      imageDigest: bundleDigest(hashAndUpper),
      inputHash: sha256(input),
      outputHash: sha256(result.output),
      taskHash: TASK,
    });
    expect(result.reportData).toBe(taskBindingHash(result.binding));
    const check = { attestation: result.attestation, imageDigest: bundleDigest(hashAndUpper), taskHash: TASK, input };
    const verified = await verifyTaskResult({ ...check, output: result.output, policy: DEVNET_POLICY });
    expect(verified.platform).toBe("dev");

    const refused = await verifyTaskResult({ ...check, output: result.output, policy: PRODUCTION_POLICY }).catch(
      (e: unknown) => e,
    );
    expect((refused as AttestationError).check).toBe("dev-policy");
  });

  it("catches a wrong output, a wrong task and a wrong image against the attestation", async () => {
    const input = Buffer.from("abc");
    const result = await runTask(hashAndUpper, input, base, { taskHash: TASK, attester: devAttester });
    const check = {
      attestation: result.attestation,
      imageDigest: bundleDigest(hashAndUpper),
      taskHash: TASK,
      input,
      output: result.output,
      policy: DEVNET_POLICY,
    };
    const checkOf = (p: Promise<unknown>) =>
      p.then(
        () => "accepted",
        (e: AttestationError) => e.check,
      );
    expect(await checkOf(verifyTaskResult({ ...check, output: Buffer.from("ABC forged\n") }))).toBe("report-data");
    expect(await checkOf(verifyTaskResult({ ...check, taskHash: keccak256(toHex("task-2")) }))).toBe("report-data");
    expect(await checkOf(verifyTaskResult({ ...check, input: Buffer.from("abd") }))).toBe("report-data");
    expect(await checkOf(verifyTaskResult({ ...check, imageDigest: `0x${"00".repeat(32)}` }))).toBe("measurements");
  });

  it("is deterministic: the same bundle and input give the same output and report data", async () => {
    const input = Buffer.from("same input");
    const a = await runTask(hashAndUpper, input, base, { taskHash: TASK, attester: devAttester });
    const b = await runTask(hashAndUpper, input, base, { taskHash: TASK, attester: devAttester });
    expect(b.output.equals(a.output)).toBe(true);
    expect(b.reportData).toBe(a.reportData);
  });

  it("refuses to run a bundle whose digest is not the registered one", async () => {
    await expect(
      runTask(hashAndUpper, Buffer.alloc(0), base, { taskHash: TASK, expectedImageDigest: `0x${"11".repeat(32)}` }),
    ).rejects.toThrow(/not the registered/);
  });
});

describe("report data per platform", () => {
  const binding: TaskBinding = {
    imageDigest: `0x${"01".repeat(32)}`,
    inputHash: `0x${"02".repeat(32)}`,
    outputHash: `0x${"03".repeat(32)}`,
    taskHash: `0x${"04".repeat(32)}`,
  };
  const hash = taskBindingHash(binding);

  it("is the 32-byte binding hash (Nitro, dev), hash || zeros (TDX) or its hex text (Confidential Space)", () => {
    expect(reportDataFor("aws-nitro", binding)).toBe(hash);
    expect(reportDataFor("dev", binding)).toBe(hash);
    expect(reportDataFor("intel-tdx", binding)).toBe(`${hash}${"00".repeat(32)}`);
    expect(Buffer.from(reportDataFor("gcp-confidential-space", binding).slice(2), "hex").toString()).toBe(
      hash.slice(2),
    );
  });

  it("changes when any bound field changes", () => {
    for (const key of Object.keys(binding) as (keyof TaskBinding)[]) {
      expect(taskBindingHash({ ...binding, [key]: `0x${"ff".repeat(32)}` as Hex })).not.toBe(hash);
    }
  });

  it("is checked against a verified result", () => {
    const result = {
      valid: true as const,
      platform: "intel-tdx" as const,
      measurements: {},
      reportData: reportDataFor("intel-tdx", binding),
      nonces: [],
      time: "",
      details: {},
    };
    expect(() => checkTaskBinding(result, binding)).not.toThrow();
    expect(() => checkTaskBinding(result, { ...binding, outputHash: `0x${"00".repeat(32)}` })).toThrow(/report-data/);
  });
});

describe("the app's network permission", () => {
  const none = { namespaces: "none" as const, prlimit: true, dropPrivileges: false };
  const root = { namespaces: "root" as const, prlimit: true, dropPrivileges: true };

  it("is part of the bundle digest, read from vcloud-bundle.json; a bundle without it keeps its digest", () => {
    const dir = mkdtempSync(join(tmpdir(), "vcloud-bundle-net-"));
    try {
      writeFileSync(join(dir, "main.sh"), hashAndUpper.files["main.sh"] as string);
      writeFileSync(join(dir, "vcloud-bundle.json"), JSON.stringify({ entry: hashAndUpper.entry }));
      const plain = loadBundleDir(dir);
      expect(plain.network).toBeUndefined();
      expect(bundleDigest(plain)).toBe(bundleDigest(hashAndUpper));
      writeFileSync(join(dir, "vcloud-bundle.json"), JSON.stringify({ entry: hashAndUpper.entry, network: false }));
      expect(bundleDigest(loadBundleDir(dir))).toBe(bundleDigest(hashAndUpper));
      writeFileSync(join(dir, "vcloud-bundle.json"), JSON.stringify({ entry: hashAndUpper.entry, network: true }));
      const networked = loadBundleDir(dir);
      expect(networked.network).toBe(true);
      expect(bundleDigest(networked)).toBe(bundleDigest({ ...hashAndUpper, network: true }));
      expect(bundleDigest(networked)).not.toBe(bundleDigest(hashAndUpper));
      writeFileSync(join(dir, "vcloud-bundle.json"), JSON.stringify({ entry: hashAndUpper.entry, network: "yes" }));
      expect(() => loadBundleDir(dir)).toThrow(/"network" must be true or false/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("decides the sandbox's network: the app's, a devnet fallback only where nothing can isolate", () => {
    const open: ProgramBundle = { ...hashAndUpper, network: true };
    expect(networkFor(hashAndUpper, {}, root)).toBe(false);
    expect(networkFor(hashAndUpper, { network: false }, root)).toBe(false);
    expect(networkFor(open, {}, root)).toBe(true);
    expect(() => networkFor(hashAndUpper, { network: true }, root)).toThrow(NetworkNotAllowedError);
    expect(networkFor(open, {}, none)).toBe(true);
    expect(networkFor(hashAndUpper, {}, none)).toBe(false); // the sandbox then refuses it
    expect(networkFor(hashAndUpper, { network: true }, none)).toBe(true);
  });
});

describe("sandbox command line", () => {
  const limits = { ...DEFAULT_LIMITS, cpuSeconds: 2, memoryBytes: 1000, maxFileBytes: 500 };

  it("keeps the network closed by default", () => {
    expect(DEFAULT_LIMITS.network).toBe(false);
  });

  it("refuses to run without network isolation unless the app allows network", () => {
    const none = { namespaces: "none" as const, prlimit: true, dropPrivileges: false };
    expect(() => sandboxCommand(["true"], limits, none)).toThrow(SandboxUnavailableError);
    expect(sandboxCommand(["true"], { ...limits, network: true }, none).argv[0]).toBe("prlimit");
  });

  it("refuses to run without prlimit", () => {
    const noLimits = { namespaces: "root" as const, prlimit: false, dropPrivileges: true };
    expect(() => sandboxCommand(["true"], limits, noLimits)).toThrow(/prlimit/);
  });

  it("wraps the program in namespaces, rlimits and a uid drop, in that order", () => {
    const root = { namespaces: "root" as const, prlimit: true, dropPrivileges: true };
    const { argv } = sandboxCommand(["prog", "arg"], limits, root);
    expect(argv.slice(0, 6)).toEqual(["unshare", "--net", "--pid", "--fork", "--kill-child", "--"]);
    expect(argv).toContain("--cpu=2:3");
    expect(argv).toContain("--data=1000");
    expect(argv).toContain("--fsize=500");
    expect(argv.indexOf("setpriv")).toBeGreaterThan(argv.indexOf("prlimit"));
    expect(argv.slice(-2)).toEqual(["prog", "arg"]);
    const user = sandboxCommand(
      ["prog"],
      { ...limits, network: true },
      { ...root, namespaces: "user", dropPrivileges: false },
    );
    expect(user.argv.slice(0, 3)).toEqual(["unshare", "--user", "--map-root-user"]);
    expect(user.argv).not.toContain("--net");
    expect(user.argv).not.toContain("setpriv");
  });
});
