/**
 * `vcloud tee app register|upgrade`, `vcloud tee task submit|status|result` and `vcloud keeper tee --once`
 * through the CLI program (`buildProgram()`: the real commands, flag parsing, handlers and exit codes, run
 * in this process; one call goes through the `vcloud` binary as a child process) against an in-process
 * chain served on a loopback port, with the DA nodes and the compute set of the shared fixture: bad input
 * is refused before anything is sent, and a task goes from submission to a certified result whose output
 * the CLI fetches from DA and re-checks.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import Database from "better-sqlite3";
import { getAddress, type Address, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Command } from "commander";

import { buildProgram } from "../../../keepers/cli/main.js";
import { advanceBlocks } from "../../../keepers/da-network/setup.js";
import { devnetAccounts } from "../../../keepers/devnet/accounts.js";
import { appRegistryAbi } from "../../../keepers/lib/abis.js";
import { writeDeployment } from "../../../keepers/lib/deployments.js";
import { PROJECT_ROOT } from "../../../keepers/lib/paths.js";
import { hashBytes } from "../../../keepers/tee/binding.js";
import { bundleDigest } from "../../../keepers/tee/bundle.js";
import { measurementsHash } from "../../../keepers/tee/certificate.js";
import { verifyAttestation } from "../../../keepers/tee/verify.js";
import { sandboxCapabilities } from "../../../keepers/tee/sandbox.js";
import { vcloudAsync } from "../helpers/cli.js";
import { deployComputeStack, HASH_AND_UPPER, type ComputeStack } from "./compute-stack.js";
import { AT, fixture } from "./fixtures.js";

const caps = sandboxCapabilities();
const keys = devnetAccounts(12);

/**
 * Runs the `vcloud` program in this process with `env` set, capturing what it writes and its exit code
 * (usage errors throw instead of exiting the test process).
 */
async function runInProcess(args: string[], env: Record<string, string | undefined>) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const program = await buildProgram(args);
  const throwing = (cmd: Command) => {
    cmd.exitOverride((err) => {
      throw err;
    });
    cmd.commands.forEach(throwing);
  };
  throwing(program);
  let stdout = "";
  let stderr = "";
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => (
    (stdout += String(chunk)),
    true
  )) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (
    (stderr += String(chunk)),
    true
  )) as typeof process.stderr.write;
  process.exitCode = undefined;
  let code: number;
  try {
    await program.parseAsync(["node", "vcloud", ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (error) {
    stderr += `${(error as Error).message}\n`;
    code = 2;
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    process.exitCode = undefined;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return { code, stdout, stderr };
}

function writeBundle(dir: string, files: Record<string, string | Uint8Array>, entry: string[]) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "vcloud-bundle.json"), JSON.stringify({ entry }));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe.runIf(caps.prlimit)("vcloud tee app/task and keeper tee on an in-process chain", () => {
  let fx: ComputeStack;
  let dir: string;
  let deploymentsDir: string;
  let bundleDir: string;
  let appId: Hex;
  let taskHash: Hex;

  /** Runs `vcloud --json …` as `signer` (a devnet account index) against the served chain. */
  const cli = (args: string[], signer: number | null = 9) =>
    runInProcess(["--json", ...args, "--rpc-url", fx.rpcUrl!, "--deployments-dir", deploymentsDir], {
      VCLOUD_PRIVATE_KEY: signer === null ? undefined : keys[signer]!.privateKey,
      VCLOUD_LOG_LEVEL: "error",
    });
  const nonceOf = (index: number) =>
    fx.stack.publicClient.getTransactionCount({ address: keys[index]!.address as Address });
  /** `vcloud keeper tee --once` with the fixture's executors in-process and the devnet policy, on `db`. */
  const keeperPass = (db: string, extra: string[] = []) => {
    const executors = fx.executors.map((_, i) => `${keys[3 + i]!.privateKey}:${fx.computeKeys[i]!.secretHex}`);
    return cli(
      [
        "keeper",
        "tee",
        "--once",
        "--bundle",
        bundleDir,
        ...executors.flatMap((e) => ["--executor", e]),
        "--policy",
        "devnet",
        "--db",
        db,
        ...extra,
      ],
      0,
    );
  };
  /** The production Nitro enclave's PCR0-2 (from the real fixture), as an app's measurement set. */
  const nitroPcrs = async () => {
    const nitro = await verifyAttestation(fixture("base_nitro_attestation_repaired.b64"), {
      format: "nitro",
      at: AT.baseNitro,
    });
    return { pcr0: nitro.measurements.pcr0!, pcr1: nitro.measurements.pcr1!, pcr2: nitro.measurements.pcr2! };
  };
  /** `tee app register` of the fixture bundle with the measurement set `pcrs` (plus `extra` flags). */
  const registerWithSet = (salt: string, pcrs: Record<string, string>, extra: string[] = []) =>
    cli([
      "tee",
      "app",
      "register",
      "--bundle",
      bundleDir,
      "--salt",
      salt,
      ...Object.entries(pcrs).flatMap(([k, v]) => ["--measurement", `${k}=${v}`]),
      ...extra,
    ]);
  /** The outcome of every executor attempt the keeper's checkpoint `db` recorded for `task`. */
  const attemptOutcomes = (db: string, task: Hex): string[] => {
    const checkpoint = new Database(db, { readonly: true });
    const rows = checkpoint.prepare("SELECT outcome FROM attempts WHERE task_hash = ?").all(task.toLowerCase()) as {
      outcome: string;
    }[];
    checkpoint.close();
    return rows.map((r) => r.outcome);
  };

  beforeAll(async () => {
    fx = await deployComputeStack({ serve: true });
    // The fixture's wallets are the devnet accounts: 9 owns apps, 10 posts tasks, 3..5 are the executors.
    expect(getAddress(fx.appOwner.account.address)).toBe(keys[9]!.address);
    expect(getAddress(fx.creator.account.address)).toBe(keys[10]!.address);
    dir = mkdtempSync(join(tmpdir(), "vcloud-tee-cli-"));
    deploymentsDir = join(dir, "deployments");
    writeDeployment(
      {
        chainId: fx.stack.publicClient.chain.id,
        rpcUrl: fx.rpcUrl!,
        deployedAt: new Date().toISOString(),
        contracts: {
          AppRegistry: fx.apps,
          TaskMailbox: fx.mailbox,
          ComputeRegistrar: fx.computeRegistrar,
          DARegistrar: fx.da.registrar,
          BlobCertificateRegistry: fx.da.certificateRegistry,
        },
      },
      deploymentsDir,
    );
    bundleDir = writeBundle(join(dir, "bundle"), HASH_AND_UPPER.files, [...HASH_AND_UPPER.entry]);
  }, 600_000);

  afterAll(async () => {
    await fx?.close();
  });

  it("tee app register: registers the bundle's digest with the dev measurement set, once per salt", async () => {
    const { code, stdout, stderr } = await cli(["tee", "app", "register", "--bundle", bundleDir, "--salt", "cli-app"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { appId: Hex; imageDigest: Hex; owner: Address; measurements: object };
    expect(out.imageDigest).toBe(bundleDigest(HASH_AND_UPPER));
    expect(out.owner).toBe(keys[9]!.address);
    expect(out.measurements).toEqual({ imageDigest: out.imageDigest });
    appId = out.appId;

    const nonce = await nonceOf(9);
    const again = await cli(["tee", "app", "register", "--bundle", bundleDir, "--salt", "cli-app"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--salt.*already registered/);
    const noBundle = await cli(["tee", "app", "register", "--bundle", join(dir, "nowhere"), "--salt", "x"]);
    expect(noBundle.code).toBe(2);
    expect(noBundle.stderr).toMatch(/--bundle/);
    expect(await nonceOf(9)).toBe(nonce);
  }, 300_000);

  it("tee task submit: refuses bad input before sending anything", async () => {
    const input = join(dir, "input.txt");
    writeFileSync(input, "hello from the cli");
    writeFileSync(join(dir, "empty.txt"), "");
    const nonce = await nonceOf(10);
    const cases: [string[], RegExp][] = [
      [["--app-id", "0x1234", "--input", input], /--app-id.*64 hex/],
      [["--app-id", `0x${"ab".repeat(32)}`, "--input", input], /--app-id.*no app/],
      [["--app-id", appId, "--input", join(dir, "missing.txt")], /--input.*cannot read/],
      [["--app-id", appId, "--input", join(dir, "empty.txt")], /--input.*empty/],
      [["--app-id", appId, "--input", input, "--sla", "0"], /--sla.*positive/],
      [["--app-id", appId, "--input", input, "--sla", "999999"], /--sla.*above the mailbox's maximum/],
      [["--app-id", appId, "--input", input, "--fee", "0.0000001"], /--fee.*below the minimum/],
      [["--app-id", appId, "--input", input, "--fee", "lots"], /--fee.*amount of ether/],
      [["--app-id", appId, "--input", input, "--refund-collector", "0x12"], /--refund-collector/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await cli(["tee", "task", "submit", ...args], 10);
      expect(code, args.join(" ")).toBe(2);
      expect(stderr).toMatch(message);
    }
    expect(await nonceOf(10)).toBe(nonce);
    const noKey = await cli(["tee", "task", "submit", "--app-id", appId, "--input", input], null);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/--private-key/);
  }, 300_000);

  it("submit -> status CREATED -> keeper tee --once -> status VERIFIED -> result fetched from DA and re-checked", async () => {
    const input = join(dir, "input.txt");
    writeFileSync(input, "hello from the cli");
    const submitted = await cli(
      ["tee", "task", "submit", "--app-id", appId, "--input", input, "--sla", "1800", "--fee", "0.01"],
      10,
    );
    expect(submitted.stderr).toBe("");
    expect(submitted.code).toBe(0);
    const task = JSON.parse(submitted.stdout) as { taskHash: Hex; inputHash: Hex; fee: string };
    expect(task.inputHash).toBe(hashBytes(readFileSync(input)));
    expect(task.fee).toBe("0.01");
    taskHash = task.taskHash;

    const created = await cli(["tee", "task", "status", taskHash]);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      taskHash,
      status: "CREATED",
      appId,
      creator: keys[10]!.address,
      imageDigest: bundleDigest(HASH_AND_UPPER),
      executor: null,
      executionDeadline: null,
    });
    const early = await cli(["tee", "task", "result", taskHash]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/CREATED: it has no certified result/);

    const executors = fx.executors.map((_, i) => `${keys[3 + i]!.privateKey}:${fx.computeKeys[i]!.secretHex}`);
    const keeperArgs = [
      "keeper",
      "tee",
      "--once",
      "--bundle",
      bundleDir,
      ...executors.flatMap((e) => ["--executor", e]),
      "--policy",
      "devnet",
      "--db",
      join(dir, "tee.sqlite"),
    ];
    const pass = await cli(keeperArgs, 0);
    expect(pass.stderr).not.toMatch(/error/);
    expect(pass.code).toBe(0);
    const outcomes = JSON.parse(pass.stdout) as { tasks: { taskHash: Hex; outcome: string; executor?: Address }[] };
    expect(outcomes.tasks).toEqual([
      {
        taskHash,
        outcome: "verified",
        executor: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
        signers: expect.arrayContaining([expect.stringMatching(/^0x[0-9a-fA-F]{40}$/)]),
      },
    ]);
    // One pass is idempotent: a second one finds nothing new and sends nothing.
    const governanceNonce = await nonceOf(0);
    const second = await cli(keeperArgs, 0);
    expect(JSON.parse(second.stdout)).toMatchObject({ tasks: [] });
    expect(await nonceOf(0)).toBe(governanceNonce);

    // The real binary, as a user runs it.
    const verified = await vcloudAsync([
      "--json",
      "tee",
      "task",
      "status",
      taskHash,
      "--rpc-url",
      fx.rpcUrl!,
      "--deployments-dir",
      deploymentsDir,
    ]);
    expect(verified.code).toBe(0);
    const status = JSON.parse(verified.stdout) as { status: string; signedStake: string; totalStake: string };
    expect(status.status).toBe("VERIFIED");
    expect(status.signedStake).toBe(status.totalStake);

    const outFile = join(dir, "output.bin");
    const result = await cli(["tee", "task", "result", taskHash, "--out", outFile]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ taskHash, checked: true, outputFile: outFile });
    const output = readFileSync(outFile, "utf8");
    expect(output).toBe(`${hashBytes(readFileSync(input)).slice(2)}\nHELLO FROM THE CLI\n`);
  }, 600_000);

  it("keeper tee --measurements: a task of an app registered with a Nitro PCR set is checked against that set only", async () => {
    // The production Nitro enclave's PCR0-2, registered as an app's measurement set.
    const pcrs = await nitroPcrs();
    const registered = await registerWithSet("cli-nitro-app", pcrs);
    expect(registered.code).toBe(0);
    const app = JSON.parse(registered.stdout) as { appId: Hex; measurements: object; measurementsHash: Hex };
    expect(app.measurements).toEqual(pcrs);
    expect(app.measurementsHash).toBe(measurementsHash(pcrs));
    const input = join(dir, "nitro-input.txt");
    writeFileSync(input, "for a nitro worker");
    const submitted = await cli(["tee", "task", "submit", "--app-id", app.appId, "--input", input], 10);
    expect(submitted.code).toBe(0);
    const nitroTask = (JSON.parse(submitted.stdout) as { taskHash: Hex }).taskHash;

    const db = join(dir, "tee-nitro.sqlite");
    const keeper = (extra: string[]) => keeperPass(db, extra);
    type Outcomes = { tasks: { taskHash: Hex; outcome: string; reason?: string }[] };
    const outcomeOf = (stdout: string) => (JSON.parse(stdout) as Outcomes).tasks.find((t) => t.taskHash === nitroTask);
    // Without the set: the task is not dispatched, and the error names the flag (kept for a later pass).
    const unknown = await keeper([]);
    expect(unknown.code).toBe(0);
    expect(outcomeOf(unknown.stdout)).toMatchObject({
      outcome: "failed",
      reason: expect.stringMatching(/--measurements FILE/),
    });
    // With it (beside the dev set of the first app): the dev workers' attestations lack PCR0, so every
    // executor is refused and nothing is certified.
    const file = join(dir, "measurements.json");
    writeFileSync(
      file,
      JSON.stringify({ [bundleDigest(HASH_AND_UPPER)]: [{ imageDigest: bundleDigest(HASH_AND_UPPER) }, pcrs] }),
    );
    const refused = await keeper(["--measurements", file]);
    expect(refused.code).toBe(0);
    expect(outcomeOf(refused.stdout)).toMatchObject({
      outcome: "failed",
      reason: expect.stringMatching(/no executor/),
    });
    const attempts = attemptOutcomes(db, nitroTask);
    expect(attempts).toHaveLength(fx.executors.length);
    for (const a of attempts) expect(a).toMatch(/measurements check failed: pcr0 is absent/);
    const status = await cli(["tee", "task", "status", nitroTask]);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: "CREATED", measurementsHash: measurementsHash(pcrs) });
  }, 600_000);

  it("tee app register --publish-measurements: a keeper without --measurements fetches the set from DA", async () => {
    const registered = await registerWithSet("cli-published-app", await nitroPcrs(), ["--publish-measurements"]);
    expect(registered.code, registered.stderr).toBe(0);
    const app = JSON.parse(registered.stdout) as {
      appId: Hex;
      measurementsHash: Hex;
      published: { certificateId: Hex; txHash: Hex };
    };
    expect(app.published.certificateId).toMatch(/^0x[0-9a-f]{64}$/);
    const onChain = await fx.stack.publicClient.readContract({
      address: fx.apps,
      abi: appRegistryAbi,
      functionName: "measurementsCertificate",
      args: [app.appId, app.measurementsHash],
    });
    expect(onChain).toBe(app.published.certificateId);

    const input = join(dir, "published-input.txt");
    writeFileSync(input, "for a worker checked against a published set");
    const submitted = await cli(["tee", "task", "submit", "--app-id", app.appId, "--input", input], 10);
    expect(submitted.code).toBe(0);
    const task = (JSON.parse(submitted.stdout) as { taskHash: Hex }).taskHash;
    const db = join(dir, "tee-published.sqlite");
    const pass = await keeperPass(db);
    expect(pass.code, pass.stderr).toBe(0);
    // No --measurements file, yet the task is checked against the published PCR set (not refused for a missing
    // set): the dev workers' attestations lack PCR0, so every executor is refused.
    const outcome = (
      JSON.parse(pass.stdout) as { tasks: { taskHash: Hex; outcome: string; reason?: string }[] }
    ).tasks.find((t) => t.taskHash === task);
    expect(outcome).toMatchObject({ outcome: "failed", reason: expect.stringMatching(/no executor/) });
    const attempts = attemptOutcomes(db, task);
    expect(attempts.length).toBeGreaterThan(0);
    for (const a of attempts) expect(a).toMatch(/measurements check failed: pcr0 is absent/);

    const noBundle = await cli(["tee", "app", "upgrade", "--app-id", app.appId, "--apply", "--publish-measurements"]);
    expect(noBundle.code).toBe(2);
    expect(noBundle.stderr).toMatch(/--publish-measurements: publishes a new release's set: give it with --bundle/);
  }, 600_000);

  it("tee worker --listen: the real binary serves as an executor for the operator of its key", async () => {
    const child = spawn(
      process.execPath,
      [
        join(PROJECT_ROOT, "bin", "vcloud.mjs"),
        "--json",
        "tee",
        "worker",
        "--listen",
        "127.0.0.1:0",
        "--bundle",
        bundleDir,
        "--bls-key",
        fx.computeKeys[0]!.secretHex,
        "--policy",
        "devnet",
        "--rpc-url",
        fx.rpcUrl!,
        "--deployments-dir",
        deploymentsDir,
      ],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, VCLOUD_PRIVATE_KEY: keys[3]!.privateKey, VCLOUD_LOG_LEVEL: "error" },
      },
    );
    try {
      const started = await new Promise<{ url: string; operator: string; apps: string[] }>((resolve, reject) => {
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
          out += d;
          if (out.includes("\n")) resolve(JSON.parse(out.slice(0, out.indexOf("\n"))) as never);
        });
        child.once("exit", (code) => reject(new Error(`exited ${code}`)));
      });
      expect(started.operator).toBe(keys[3]!.address);
      expect(started.apps).toEqual([bundleDigest(HASH_AND_UPPER)]);
      const health = (await (await fetch(`${started.url}/healthz`)).json()) as { operator: string };
      expect(health.operator).toBe(keys[3]!.address);
      const refused = await fetch(`${started.url}/v1/run`, { method: "POST", body: "{}" });
      expect(refused.status).toBe(400);
    } finally {
      child.kill("SIGTERM");
    }
  }, 120_000);

  it("keeper tee / tee worker --listen: refuse a malformed executor key, an unknown policy, a bad listen address", async () => {
    const base = ["keeper", "tee", "--once", "--bundle", bundleDir, "--policy", "devnet"];
    const listen = await cli(["tee", "worker", "--listen", "nowhere", "--bundle", bundleDir], 0);
    expect(listen.code).toBe(2);
    expect(listen.stderr).toMatch(/--listen.*HOST:PORT/);
    const noBls = await cli(["tee", "worker", "--listen", "127.0.0.1:0", "--bundle", bundleDir], 0);
    expect(noBls.code).toBe(2);
    expect(noBls.stderr).toMatch(/--bls-key/);
    const bad = await cli([...base, "--executor", "0x12:0x34"], 0);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--executor.*OPERATOR_KEY:BLS_KEY/);
    const policy = await cli(["keeper", "tee", "--once", "--bundle", bundleDir, "--policy", "lenient"], 0);
    expect(policy.code).toBe(2);
    expect(policy.stderr).toMatch(/--policy/);
    // --measurements and --tdx-collateral are checked before anything is read from the chain.
    const unknownDigest = join(dir, "measurements-unknown.json");
    writeFileSync(unknownDigest, JSON.stringify({ [`0x${"99".repeat(32)}`]: [{ pcr0: "0x00" }] }));
    const emptySet = join(dir, "measurements-empty.json");
    writeFileSync(emptySet, JSON.stringify({ [bundleDigest(HASH_AND_UPPER)]: [{}] }));
    const serve = [
      "tee",
      "worker",
      "--listen",
      "127.0.0.1:0",
      "--bundle",
      bundleDir,
      "--bls-key",
      `0x${"00".repeat(31)}01`,
    ];
    const cases: [string[], RegExp][] = [
      [[...base, "--measurements", join(dir, "missing.json")], /--measurements.*cannot read/],
      [[...base, "--measurements", unknownDigest], /--measurements.*no --bundle/],
      [[...base, "--measurements", emptySet], /--measurements.*empty/],
      [[...serve, "--measurements", unknownDigest], /--measurements.*no --bundle/],
      [[...base, "--tdx-collateral", join(dir, "missing.json")], /--tdx-collateral.*cannot read/],
      [[...base, "--tdx-collateral", join(bundleDir, "vcloud-bundle.json")], /--tdx-collateral.*collateral lacks/],
      [[...serve, "--tdx-collateral", join(dir, "missing.json")], /--tdx-collateral.*cannot read/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await cli(args, 0);
      expect(code, args.join(" ")).toBe(2);
      expect(stderr).toMatch(message);
    }
  }, 300_000);

  it("tee app upgrade: queues a new bundle, refuses to apply early, applies after the delay", async () => {
    const v2 = writeBundle(join(dir, "bundle-v2"), { "main.sh": "cat | tr a-z A-Z\n" }, ["sh", "main.sh"]);
    const queued = await cli(["tee", "app", "upgrade", "--app-id", appId, "--bundle", v2]);
    expect(queued.code).toBe(0);
    const q = JSON.parse(queued.stdout) as { action: string; imageDigest: Hex };
    expect(q.action).toBe("queued");
    const early = await cli(["tee", "app", "upgrade", "--app-id", appId, "--apply"]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/not ready until/);
    const both = await cli(["tee", "app", "upgrade", "--app-id", appId, "--apply", "--cancel"]);
    expect(both.code).toBe(2);
    const stranger = await cli(["tee", "app", "upgrade", "--app-id", appId, "--bundle", v2], 11);
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toMatch(/owned by/);

    await fx.stack.publicClient.request({ method: "evm_increaseTime" as never, params: [3601] as never });
    await advanceBlocks(fx.stack.publicClient, 1);
    const applied = await cli(["tee", "app", "upgrade", "--app-id", appId, "--apply"], 11);
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ action: "applied", imageDigest: q.imageDigest, version: 2 });
  }, 300_000);
});
