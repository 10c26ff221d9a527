/**
 * TEE compute benchmarks (`npm run bench:tee`):
 *
 * 1. Task round trip: submit (input to DA + createTask) -> dispatcher pass (draw by stake, executor run,
 *    re-execution, attestation check, output to DA, BLS certificate, submitResult) -> VERIFIED, one task at
 *    a time; then tasks per minute for a batch dispatched with 4 tasks at once (and with 1, for comparison).
 *    By default on an in-process chain (the shared fixture of test/ts/tee: restaking core, four DA nodes, a
 *    compute set of 4 in-process executors). With `--rpc-url URL`, on a running devnet over JSON-RPC
 *    (`vcloud devnet start --no-keepers`, so that its `keeper tee` daemon does not race the bench's
 *    dispatcher): addresses from its deployments file (`--deployments-dir`, default deployments/), the
 *    story's app and task creator, and the story's 4 networked executors reached at their registered sockets.
 * 2. Worker sandbox overhead versus running the program directly.
 *
 *   npx tsx scripts/bench-tee.ts [--runs 20] [--round-trips 5] [--batch 12] [--skip-chain] [--skip-sandbox]
 *                                [--rpc-url http://127.0.0.1:8545 [--deployments-dir DIR]]
 *
 * For each program: "direct" spawns the entry command in a temp dir with the input on stdin (no limits,
 * no namespaces); "sandbox" runs it through runSandboxed (namespaces, rlimits, uid drop, temp dir with
 * the bundle files); "runTask" adds the bundle digest, hashing and a dev attestation. Prints median and
 * p95 wall time per run in milliseconds and the median overhead over direct.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { getAddress, keccak256, parseEventLogs, toHex, type Hex } from "viem";

import { devAttester } from "../keepers/tee/attester.js";
import type { ProgramBundle } from "../keepers/tee/bundle.js";
import { DEFAULT_LIMITS, runSandboxed, sandboxCapabilities } from "../keepers/tee/sandbox.js";
import { runTask } from "../keepers/tee/worker.js";

function intFlag(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index > 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) {
    console.error(`error: invalid ${name}: must be a positive integer`);
    process.exit(2);
  }
  return value;
}
function stringFlag(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  if (index < 0) return undefined;
  const value = process.argv[index + 1];
  if (!value || value.startsWith("--")) {
    console.error(`error: ${name} needs a value`);
    process.exit(2);
  }
  return value;
}
const RUNS = intFlag("--runs", 20);
const ROUND_TRIPS = intFlag("--round-trips", 5);
const BATCH = intFlag("--batch", 12);
const RPC_URL = stringFlag("--rpc-url");
if (RPC_URL !== undefined && !/^https?:\/\/[^\s]+$/.test(RPC_URL)) {
  console.error("error: invalid --rpc-url: must be an http(s) URL");
  process.exit(2);
}

const caps = sandboxCapabilities();
const limits = { ...DEFAULT_LIMITS, network: caps.namespaces === "none" };

const programs: { name: string; bundle: ProgramBundle; input: Buffer }[] = [
  { name: "true (empty)", bundle: { entry: ["true"], files: {} }, input: Buffer.alloc(0) },
  {
    name: "hash+upper 1 MiB (sh)",
    bundle: {
      entry: ["sh", "main.sh"],
      files: { "main.sh": "tee in >/dev/null; sha256sum in | cut -c1-64; tr a-z A-Z < in | head -c 64\n" },
    },
    input: Buffer.alloc(2 ** 20, "a"),
  },
  {
    name: "node sum 5e7",
    bundle: {
      entry: [process.execPath, "main.js"],
      files: { "main.js": "let s=0;for(let i=0;i<5e7;i++)s+=i;console.log(s)" },
    },
    input: Buffer.alloc(0),
  },
];

async function direct(bundle: ProgramBundle, input: Buffer): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "vcloud-bench-"));
  for (const [path, content] of Object.entries(bundle.files)) writeFileSync(join(dir, path), content);
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(bundle.entry[0]!, bundle.entry.slice(1), { cwd: dir, stdio: ["pipe", "pipe", "inherit"] });
    child.stdout.resume();
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
  });
  const ms = performance.now() - started;
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p95: at(0.95) };
}

const fmt = (n: number) => n.toFixed(1).padStart(9);

async function benchSandbox() {
  console.log(`sandbox: namespaces=${caps.namespaces} prlimit=${caps.prlimit} dropPrivileges=${caps.dropPrivileges}`);
  console.log(`runs per cell: ${RUNS}; times in ms (wall clock, this machine)\n`);
  console.log(
    `${"program".padEnd(24)}${"mode".padEnd(10)}${"median".padStart(9)}${"p95".padStart(9)}${"overhead".padStart(10)}`,
  );
  const taskHash = keccak256(toHex("bench"));
  for (const { name, bundle, input } of programs) {
    const samples: Record<string, number[]> = { direct: [], sandbox: [], runTask: [] };
    for (let i = 0; i < RUNS; i++) {
      samples.direct!.push(await direct(bundle, input));
      samples.sandbox!.push(await timed(() => runSandboxed(bundle, input, limits, caps)));
      samples.runTask!.push(
        await timed(() => runTask(bundle, input, limits, { taskHash, attester: devAttester, capabilities: caps })),
      );
    }
    const base = stats(samples.direct!).median;
    for (const mode of ["direct", "sandbox", "runTask"]) {
      const s = stats(samples[mode]!);
      const overhead = mode === "direct" ? "" : `${(s.median - base >= 0 ? "+" : "") + (s.median - base).toFixed(1)}`;
      console.log(`${name.padEnd(24)}${mode.padEnd(10)}${fmt(s.median)}${fmt(s.p95)}${overhead.padStart(10)}`);
    }
  }
}

/** Where the round trips run: submit a task, and run one dispatcher pass over the tasks submitted since the last. */
type ChainTarget = {
  /** What the first line of the section says about the setup. */
  describe: string;
  createTask(input: Buffer): Promise<Hex>;
  /** One dispatcher pass with `concurrency` tasks at once; every task must come out verified. */
  pass(concurrency: number): Promise<number>;
  close(): Promise<void>;
};

const benchLogger = async () => (await import("../keepers/lib/logger.js")).createLogger({ level: "silent" });
const TASK_FEE_IN_PROCESS = 10n ** 16n;

/** Every outcome of a pass verified, else an error that says what happened (another dispatcher, a failure). */
function checkOutcomes(outcomes: { outcome: string; reason?: string }[], hint = ""): number {
  if (outcomes.some((o) => o.outcome !== "verified"))
    throw new Error(`not all verified: ${JSON.stringify(outcomes)}${hint}`);
  return outcomes.length;
}

/** The shared in-process fixture of test/ts/tee (its executors are in-process adapters). */
async function inProcessTarget(): Promise<ChainTarget> {
  const { deployComputeStack, HASH_AND_UPPER } = await import("../test/ts/tee/compute-stack.js");
  const { dispatchOnce } = await import("../keepers/tee/dispatcher.js");
  const { DEVNET_POLICY } = await import("../keepers/tee/policy.js");
  const { bundleDigest } = await import("../keepers/tee/bundle.js");
  const fx = await deployComputeStack({ executors: 4 });
  const appId = await fx.registerApp(HASH_AND_UPPER, "bench");
  const imageDigest = bundleDigest(HASH_AND_UPPER);
  const dir = mkdtempSync(join(tmpdir(), "vcloud-bench-tee-"));
  let fromBlock = (await fx.stack.publicClient.getBlockNumber()) + 1n;
  const common = {
    publicClient: fx.stack.publicClient,
    walletClient: fx.stack.governance,
    mailbox: fx.mailbox,
    registrar: fx.computeRegistrar,
    da: fx.da,
    apps: new Map([[imageDigest, { bundle: HASH_AND_UPPER, measurements: { imageDigest } }]]),
    executors: fx.executors.map((o, i) => ({ operator: getAddress(o.account.address), blsKey: fx.computeKeys[i]! })),
    policy: DEVNET_POLICY,
    attester: devAttester,
    limits: { network: caps.namespaces === "none" },
    logger: await benchLogger(),
  };
  let db = 0;
  return {
    describe: "in-process chain, 4 DA nodes, 4 in-process executors",
    createTask: (input) => fx.createTask({ appId, input, sla: 3600n, fee: TASK_FEE_IN_PROCESS }),
    async pass(concurrency) {
      const outcomes = await dispatchOnce({ ...common, dbPath: join(dir, `d${db++}.sqlite`), fromBlock, concurrency });
      fromBlock = (await fx.stack.publicClient.getBlockNumber()) + 1n;
      return checkOutcomes(outcomes);
    },
    async close() {
      rmSync(dir, { recursive: true, force: true });
      await fx.close();
    },
  };
}

/**
 * A running devnet (`vcloud devnet start --no-keepers`) over JSON-RPC: contract addresses from its deployments
 * file, tasks for the story's app posted by the story's task creator, and a dispatcher (signing with the
 * compute AVS account) that reaches the compute set's executors over HTTP at the sockets they registered.
 */
async function rpcTarget(rpcUrl: string, deploymentsDir: string | undefined): Promise<ChainTarget> {
  const { connect } = await import("../keepers/lib/chain.js");
  const { contractAddress, readDeployment } = await import("../keepers/lib/deployments.js");
  const { devnetAccounts } = await import("../keepers/devnet/accounts.js");
  const { COMPUTE_APP_SALT, COMPUTE_ROLES } = await import("../keepers/devnet/steps/tee-compute.js");
  const { DA_NETWORK } = await import("../keepers/devnet/steps/data-availability.js");
  const { HASH_AND_UPPER_BUNDLE } = await import("../keepers/devnet/steps/tee-worker.js");
  const { disperse } = await import("../keepers/da-network/disperser.js");
  const { readOperatorSet } = await import("../keepers/da-network/operator-set.js");
  const { send } = await import("../keepers/da-network/setup.js");
  const { appRegistryAbi, taskMailboxAbi } = await import("../keepers/lib/abis.js");
  const { hashBytes } = await import("../keepers/tee/binding.js");
  const { bundleDigest } = await import("../keepers/tee/bundle.js");
  const { dispatchOnce } = await import("../keepers/tee/dispatcher.js");
  const { DEVNET_POLICY } = await import("../keepers/tee/policy.js");

  const accounts = devnetAccounts();
  const creator = await connect(rpcUrl, accounts[COMPUTE_ROLES.creator]!.privateKey);
  const dispatcher = await connect(rpcUrl, accounts[COMPUTE_ROLES.avs]!.privateKey);
  const publicClient = creator.publicClient;
  const deployment = readDeployment(creator.chain.id, deploymentsDir);
  const c = (name: string) => contractAddress(deployment, name);
  const mailbox = c("TaskMailbox");
  const registrar = c("ComputeRegistrar");
  const da = {
    certificateRegistry: c("BlobCertificateRegistry"),
    registrar: c("DARegistrar"),
    ...DA_NETWORK,
    ttlSeconds: 24 * 3600,
  };
  const appId = (await publicClient.readContract({
    address: c("AppRegistry"),
    abi: appRegistryAbi,
    functionName: "appIdFor",
    args: [accounts[COMPUTE_ROLES.appOwner]!.address, COMPUTE_APP_SALT],
  })) as Hex;
  const registered = (await publicClient.readContract({
    address: c("AppRegistry"),
    abi: appRegistryAbi,
    functionName: "isRegistered",
    args: [appId],
  })) as boolean;
  if (!registered) throw new Error(`the devnet app ${appId} is not registered: run the devnet story first`);
  const head = await publicClient.getBlockNumber();
  const set = await readOperatorSet({ publicClient, registrar, referenceBlock: Number(head) - 1 });
  const executors = set.members.filter((m) => m.stake > 0n && m.socket);
  if (executors.length === 0)
    throw new Error("no executor of the compute set has a socket: run the devnet story first");
  const fee = (await publicClient.readContract({
    address: mailbox,
    abi: taskMailboxAbi,
    functionName: "minTaskFee",
  })) as bigint;
  const imageDigest = bundleDigest(HASH_AND_UPPER_BUNDLE);
  const dir = mkdtempSync(join(tmpdir(), "vcloud-bench-tee-rpc-"));
  const logger = await benchLogger();
  let fromBlock = (await publicClient.getBlockNumber()) + 1n;
  let db = 0;
  return {
    describe: `devnet at ${rpcUrl}, ${executors.length} networked executors (${executors.map((m) => m.socket).join(", ")})`,
    async createTask(input) {
      const stored = await disperse({
        ...da,
        publicClient,
        walletClient: creator.walletClient!,
        payload: input,
        logger,
      });
      const hash = await send({ publicClient }, creator.walletClient!, {
        address: mailbox,
        abi: taskMailboxAbi,
        functionName: "createTask",
        args: [
          {
            appId,
            inputHash: hashBytes(input),
            inputCertificateId: stored.certificateId,
            sla: 3600n,
            refundCollector: "0x0000000000000000000000000000000000000000",
          },
        ],
        value: fee,
      });
      const receipt = await publicClient.getTransactionReceipt({ hash });
      const [created] = parseEventLogs({ abi: taskMailboxAbi, logs: receipt.logs, eventName: "TaskCreated" });
      if (!created) throw new Error("createTask emitted no TaskCreated");
      return created.args.taskHash;
    },
    async pass(concurrency) {
      const outcomes = await dispatchOnce({
        publicClient: dispatcher.publicClient,
        walletClient: dispatcher.walletClient!,
        mailbox,
        registrar,
        da,
        apps: new Map([[imageDigest, { bundle: HASH_AND_UPPER_BUNDLE, measurements: { imageDigest } }]]),
        policy: DEVNET_POLICY,
        attester: devAttester,
        limits: { network: caps.namespaces === "none" },
        dbPath: join(dir, `d${db++}.sqlite`),
        fromBlock,
        concurrency,
        logger,
      });
      fromBlock = (await publicClient.getBlockNumber()) + 1n;
      return checkOutcomes(
        outcomes,
        " (another dispatcher certifying them? start the devnet with --no-keepers so its `keeper tee` daemon does not)",
      );
    },
    async close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function benchRoundTrip(target: ChainTarget) {
  try {
    const input = (i: number) => Buffer.from(`vcloud bench task ${Date.now()} ${i} ${"x".repeat(1024)}`);
    console.log(`\ntask round trip (${target.describe}; ${ROUND_TRIPS} tasks one at a time)`);
    const submitMs: number[] = [];
    const dispatchMs: number[] = [];
    const totalMs: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const t0 = performance.now();
      await target.createTask(input(i));
      const t1 = performance.now();
      await target.pass(1);
      const t2 = performance.now();
      submitMs.push(t1 - t0);
      dispatchMs.push(t2 - t1);
      totalMs.push(t2 - t0);
    }
    console.log(`${"phase".padEnd(44)}${"median".padStart(9)}${"p95".padStart(9)}`);
    for (const [name, samples] of [
      ["submit (input to DA + createTask)", submitMs],
      ["dispatch (run, re-run, DA, certify, submit)", dispatchMs],
      ["round trip submit -> VERIFIED", totalMs],
    ] as const) {
      const s = stats(samples);
      console.log(`${name.padEnd(44)}${fmt(s.median)}${fmt(s.p95)}`);
    }

    console.log(`\nthroughput: ${BATCH} tasks posted, then one dispatcher pass`);
    for (const workers of [1, 4]) {
      const t0 = performance.now();
      for (let i = 0; i < BATCH; i++) await target.createTask(input(1000 * workers + i));
      const t1 = performance.now();
      const n = await target.pass(workers);
      const t2 = performance.now();
      const perMin = (x: number) => ((n / x) * 60_000).toFixed(1);
      console.log(
        `${workers} worker(s): dispatch ${(t2 - t1).toFixed(0)} ms = ${perMin(t2 - t1)} tasks/min; with submission ${(t2 - t0).toFixed(0)} ms = ${perMin(t2 - t0)} tasks/min`,
      );
    }
  } finally {
    await target.close();
  }
}

if (!process.argv.includes("--skip-sandbox")) await benchSandbox();
if (!process.argv.includes("--skip-chain"))
  await benchRoundTrip(RPC_URL ? await rpcTarget(RPC_URL, stringFlag("--deployments-dir")) : await inProcessTarget());
process.exit(0);
