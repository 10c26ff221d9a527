/**
 * `vcloud keeper tee` SIGKILLed and restarted (issue #13): the dispatcher runs as a daemon (a child
 * process) against the served devnet chain and three networked executors (`tee worker --listen` servers in
 * this process, sockets registered on-chain). For each kill point a task is posted, the keeper is killed
 * when the point is reached (an executor has answered the run; the output is being stored on DA; the
 * executors are certifying; the result is on-chain), then restarted with `--once` as cron would. The chain
 * must then hold the task VERIFIED with the re-executed output and exactly one `submitResult` transaction
 * for it: none lost, none duplicated (a duplicate would show as a second, reverted, transaction).
 *
 * Each kill point starts three CLI processes (about 20 s on an idle 2-core machine, more under load), so
 * CI's short profile runs one kill point (`CI_KILL_POINTS`: the keeper dies right after its result landed,
 * the window where a restart could submit twice) and the deep profile (VCLOUD_TEST_PROFILE=deep,
 * `npm run test:deep`) runs all four.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventEmitter } from "node:events";

import { pino } from "pino";
import { decodeFunctionData, getAddress, type Address, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { send } from "../../../keepers/da-network/setup.js";
import { devnetAccounts } from "../../../keepers/devnet/accounts.js";
import { writeDeployment } from "../../../keepers/lib/deployments.js";
import { bLSAVSRegistrarAbi, taskMailboxAbi } from "../../../keepers/lib/abis.js";
import { PROJECT_ROOT } from "../../../keepers/lib/paths.js";
import { devAttester } from "../../../keepers/tee/attester.js";
import { hashBytes } from "../../../keepers/tee/binding.js";
import { bundleDigest } from "../../../keepers/tee/bundle.js";
import { claimSigner } from "../../../keepers/tee/dispatcher.js";
import { startExecutorServer, type ExecutorServer } from "../../../keepers/tee/executor-server.js";
import { DEVNET_POLICY } from "../../../keepers/tee/policy.js";
import { sandboxCapabilities } from "../../../keepers/tee/sandbox.js";
import { runTask } from "../../../keepers/tee/worker.js";
import { ether } from "../helpers/da-stack.js";
import { vcloudAsync } from "../helpers/cli.js";
import { deployComputeStack, HASH_AND_UPPER, type ComputeStack } from "./compute-stack.js";

const caps = sandboxCapabilities();
const limits = { network: !(caps.namespaces !== "none" && caps.prlimit), wallMs: 60_000 };
const imageDigest = bundleDigest(HASH_AND_UPPER);
const apps = new Map([[imageDigest, { bundle: HASH_AND_UPPER, measurements: { imageDigest } }]]);
const deep = process.env.VCLOUD_TEST_PROFILE === "deep";
const keys = devnetAccounts(1);
const KEEPER = 0;

/** Where the keeper is killed: an event seen by the executors, in the keeper's log, or on the chain. */
type KillPoint = "executor ran the task" | "output being stored on DA" | "executors certifying" | "result on chain";
const ALL_KILL_POINTS: KillPoint[] = [
  "executor ran the task",
  "output being stored on DA",
  "executors certifying",
  "result on chain",
];
/** The CI-sized run: one kill point, the result landed but the keeper may not have recorded it. */
const CI_KILL_POINTS: KillPoint[] = ["result on chain"];
const KILL_POINTS = deep ? ALL_KILL_POINTS : CI_KILL_POINTS;

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

describe.runIf(caps.prlimit)("`vcloud keeper tee` SIGKILLed at several points and restarted", () => {
  let fx: ComputeStack;
  let appId: Hex;
  let dir: string;
  let deploymentsDir: string;
  let bundleDir: string;
  let servers: ExecutorServer[] = [];
  /** Log messages of the executor servers ("task run", "result certified"). */
  const executorEvents = new EventEmitter();

  beforeAll(async () => {
    fx = await deployComputeStack({ serve: true });
    appId = await fx.registerApp(HASH_AND_UPPER, "hash-and-upper");
    dir = mkdtempSync(join(tmpdir(), "vcloud-tee-kill-"));
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
    bundleDir = join(dir, "bundle");
    mkdirSync(bundleDir);
    writeFileSync(join(bundleDir, "vcloud-bundle.json"), JSON.stringify({ entry: HASH_AND_UPPER.entry }));
    for (const [name, content] of Object.entries(HASH_AND_UPPER.files)) writeFileSync(join(bundleDir, name), content);
    const logger = pino(
      { level: "info", base: undefined },
      { write: (line: string) => executorEvents.emit((JSON.parse(line) as { msg: string }).msg) },
    );
    servers = await Promise.all(
      fx.executors.map((wallet, i) =>
        startExecutorServer({
          publicClient: fx.stack.publicClient,
          mailbox: fx.mailbox,
          da: { certificateRegistry: fx.da.certificateRegistry, registrar: fx.da.registrar },
          operator: getAddress(wallet.account.address),
          signClaim: claimSigner(wallet),
          blsKey: fx.computeKeys[i]!,
          apps,
          policy: DEVNET_POLICY,
          attester: devAttester,
          limits,
          host: "127.0.0.1",
          port: 0,
          logger,
        }),
      ),
    );
    for (const [i, wallet] of fx.executors.entries()) {
      await send(fx.stack.clients, wallet, {
        address: fx.computeRegistrar,
        abi: bLSAVSRegistrarAbi,
        functionName: "updateSocket",
        args: [servers[i]!.url],
      });
    }
  }, 600_000);

  afterAll(async () => {
    for (const s of servers) await s.close();
    await fx?.close();
  });

  const keeperArgs = (db: string) => [
    "keeper",
    "tee",
    "--bundle",
    bundleDir,
    "--policy",
    "devnet",
    "--db",
    db,
    "--executor-timeout",
    "60",
    "--rpc-url",
    fx.rpcUrl!,
    "--deployments-dir",
    deploymentsDir,
  ];
  const env = { VCLOUD_PRIVATE_KEY: keys[KEEPER]!.privateKey };

  /** submitResult transactions for `taskHash` sent since `from` (reverted ones included). */
  async function submissions(taskHash: Hex, from: bigint): Promise<number> {
    const head = await fx.stack.publicClient.getBlockNumber({ cacheTime: 0 });
    let count = 0;
    for (let n = from; n <= head; n++) {
      const block = await fx.stack.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
      for (const tx of block.transactions) {
        if (tx.to?.toLowerCase() !== fx.mailbox.toLowerCase()) continue;
        try {
          const call = decodeFunctionData({ abi: taskMailboxAbi, data: tx.input });
          if (call.functionName === "submitResult" && (call.args[0] as Hex).toLowerCase() === taskHash.toLowerCase())
            count += 1;
        } catch {
          // another call
        }
      }
    }
    return count;
  }

  /** Resolves once `point` is reached for `taskHash` (bounded by the test timeout). */
  function reached(point: KillPoint, taskHash: Hex, keeperLog: EventEmitter): Promise<void> {
    return new Promise((resolve) => {
      if (point === "executor ran the task") executorEvents.once("task run", () => resolve());
      else if (point === "executors certifying") executorEvents.once("result certified", () => resolve());
      else if (point === "output being stored on DA") keeperLog.once("dispersing", () => resolve());
      else {
        const poll = setInterval(() => {
          void fx.stack.publicClient
            .readContract({ address: fx.mailbox, abi: taskMailboxAbi, functionName: "getTaskStatus", args: [taskHash] })
            .then((status) => {
              if (Number(status) === 2) {
                clearInterval(poll);
                resolve();
              }
            });
        }, 20);
      }
    });
  }

  it.each(KILL_POINTS)(
    "killed when the %s: after a restart the result is on chain once",
    async (point) => {
      const db = join(dir, `tee-${point.replace(/\W+/g, "-")}.sqlite`);
      const input = new TextEncoder().encode(`killed when the ${point}`);
      const from = (await fx.stack.publicClient.getBlockNumber({ cacheTime: 0 })) + 1n;
      const taskHash = await fx.createTask({ appId, input, sla: 3600n, fee: ether("0.01") });
      const child = spawn(
        process.execPath,
        [join(PROJECT_ROOT, "bin", "vcloud.mjs"), ...keeperArgs(db), "--from-block", String(from), "--interval", "1"],
        {
          cwd: PROJECT_ROOT,
          env: { ...process.env, ...env, VCLOUD_LOG_LEVEL: "info" },
          stdio: ["ignore", "ignore", "pipe"],
          detached: true,
        },
      );
      const keeperLog = new EventEmitter();
      let buffered = "";
      child.stderr!.setEncoding("utf8").on("data", (d: string) => {
        buffered += d;
        let nl: number;
        while ((nl = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          try {
            keeperLog.emit((JSON.parse(line) as { msg: string }).msg);
          } catch {
            // not a log line
          }
        }
      });
      const exited = new Promise((r) => child.once("exit", r));
      await reached(point, taskHash, keeperLog);
      killGroup(child.pid!);
      await exited;

      const restart = await vcloudAsync(["--json", ...keeperArgs(db), "--from-block", String(from), "--once"], {
        ...env,
        VCLOUD_LOG_LEVEL: "error",
      });
      expect(restart.stderr).toBe("");
      expect(restart.code).toBe(0);
      const outcome = (JSON.parse(restart.stdout) as { tasks: { taskHash: Hex; outcome: string }[] }).tasks.find(
        (t) => t.taskHash.toLowerCase() === taskHash.toLowerCase(),
      );
      // Killed after the result landed, the first keeper may also have saved its scan position: then the
      // restart does not meet the task again. When it does, it must reconcile, not fail or resubmit.
      if (outcome !== undefined || point !== "result on chain")
        expect(["verified", "skipped"], point).toContain(outcome?.outcome);

      const task = (await fx.stack.publicClient.readContract({
        address: fx.mailbox,
        abi: taskMailboxAbi,
        functionName: "getTask",
        args: [taskHash],
      })) as { status: number; result: { outputHash: Hex } };
      const expected = await runTask(HASH_AND_UPPER, input, limits, { taskHash });
      expect(task.status, point).toBe(2);
      expect(task.result.outputHash).toBe(hashBytes(expected.output));
      expect(await submissions(taskHash, from), point).toBe(1);
      // A further pass finds nothing to do and sends nothing.
      const nonce = await fx.stack.publicClient.getTransactionCount({ address: keys[KEEPER]!.address as Address });
      const again = await vcloudAsync(["--json", ...keeperArgs(db), "--from-block", String(from), "--once"], {
        ...env,
        VCLOUD_LOG_LEVEL: "error",
      });
      expect(again.code).toBe(0);
      expect(await fx.stack.publicClient.getTransactionCount({ address: keys[KEEPER]!.address as Address })).toBe(
        nonce,
      );
    },
    180_000,
  );
});
