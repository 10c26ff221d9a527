/**
 * TEE compute on an in-process chain with the real restaking core, BLS operators and DA nodes: an app is
 * registered, a task posted with its input on DA, the worker runs the program (dev attestation), the
 * operators check the attestation and BLS-sign the result, the certified result lands in the
 * TaskMailbox with the output on DA; an expired task is refunded and its executor slashed.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Signature } from "@chainsafe/blst";
import {
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
  keccak256,
  parseEventLogs,
  parseTransaction,
  toHex,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";
import { nonceManager, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { BlsKey } from "../../../keepers/bls/bls.js";
import { readOperatorSet } from "../../../keepers/da-network/operator-set.js";
import { devnetAccounts } from "../../../keepers/devnet/accounts.js";
import { advanceBlocks, send } from "../../../keepers/da-network/setup.js";
import { iAllocationManagerAbi, taskMailboxAbi } from "../../../keepers/lib/abis.js";
import { createLogger } from "../../../keepers/lib/logger.js";
import { devAttester } from "../../../keepers/tee/attester.js";
import { hashBytes } from "../../../keepers/tee/binding.js";
import { bundleDigest } from "../../../keepers/tee/bundle.js";
import {
  buildTaskCertificate,
  measurementsHash,
  taskResultMessage,
  type MailboxTaskResult,
} from "../../../keepers/tee/certificate.js";
import {
  claimSigner,
  DispatchCheckpoint,
  dispatchOnce,
  type DispatchParams,
  type Executor,
} from "../../../keepers/tee/dispatcher.js";
import { ReportDataMismatchError } from "../../../keepers/tee/errors.js";
import { DEVNET_POLICY } from "../../../keepers/tee/policy.js";
import { sandboxCapabilities } from "../../../keepers/tee/sandbox.js";
import { selectExecutor } from "../../../keepers/tee/selection.js";
import { verifyTaskResult } from "../../../keepers/tee/task-result.js";
import { runTask } from "../../../keepers/tee/worker.js";
import { ether } from "../helpers/da-stack.js";
import { startRpcProxy, type Eip1193 } from "../support/rpc-proxy.js";
import { COMPUTE_SET_ID, deployComputeStack, HASH_AND_UPPER, type ComputeStack, type Wallet } from "./compute-stack.js";

const logger = createLogger({ level: "silent" });
const caps = sandboxCapabilities();
const hashAndUpper = HASH_AND_UPPER;
const limits = { network: !(caps.namespaces !== "none" && caps.prlimit), wallMs: 60_000 };

describe.runIf(caps.prlimit)("TEE compute: TaskMailbox with BLS-certified results on the devnet chain", () => {
  let fx: ComputeStack;
  let stack: ComputeStack["stack"];
  let computeAvs: Wallet;
  let executors: Wallet[];
  let computeKeys: BlsKey[];
  let computeRegistrar: Address;
  let mailbox: Address;
  const imageDigest = bundleDigest(hashAndUpper);
  const allowed = { imageDigest };
  let appId: Hex;

  const read = <T>(functionName: string, args: readonly unknown[] = []) =>
    stack.publicClient.readContract({
      address: mailbox,
      abi: taskMailboxAbi,
      functionName,
      args,
    } as never) as Promise<T>;

  const putOnDa = (payload: Uint8Array) => fx.putOnDa(payload);
  const getFromDa = (certificateId: Hex) => fx.getFromDa(certificateId);
  const createTask = (p: { input: Uint8Array; sla: bigint; fee: bigint; refundCollector?: Address }) =>
    fx.createTask({ appId, ...p });

  beforeAll(async () => {
    fx = await deployComputeStack();
    ({ stack, computeAvs, executors, computeKeys, computeRegistrar, mailbox } = fx);
    appId = await fx.registerApp(hashAndUpper, "hash-and-upper");
  }, 600_000);

  afterAll(async () => {
    await fx?.close();
  });

  it("runs a task in the sandbox, certifies the result with the executors' BLS signatures and stores it", async () => {
    const fee = ether("0.01");
    const taskHash = await createTask({ input: new TextEncoder().encode("hello vcloud"), sla: 3600n, fee });
    const task = await read<{ imageDigest: Hex; inputHash: Hex; inputCertificateId: Hex; measurementsHash: Hex }>(
      "getTask",
      [taskHash],
    );
    expect(task.imageDigest).toBe(imageDigest);
    expect(task.measurementsHash).toBe(measurementsHash(allowed));

    await send(stack.clients, executors[0]!, {
      address: mailbox,
      abi: taskMailboxAbi,
      functionName: "acceptTask",
      args: [taskHash],
    });

    // The worker fetches the input from DA, checks it against the task and runs the registered program.
    const input = await getFromDa(task.inputCertificateId);
    expect(hashBytes(input)).toBe(task.inputHash);
    const run = await runTask(hashAndUpper, input, limits, {
      taskHash,
      expectedImageDigest: task.imageDigest,
      attester: devAttester,
    });
    const outputCertificateId = await putOnDa(run.output);
    const result: MailboxTaskResult = {
      outputHash: hashBytes(run.output),
      attestationHash: keccak256(run.attestation.bytes),
      outputCertificateId,
    };

    // Each executor checks the attestation against the app's allowed measurements, then signs.
    const message = taskResultMessage(taskHash, result);
    expect(await read<Hex>("getMessageHash", [taskHash, result])).toBe(message);
    const signatures = new Map<string, Signature>();
    for (const [i, operator] of executors.entries()) {
      await verifyTaskResult({
        attestation: run.attestation,
        imageDigest: task.imageDigest,
        taskHash,
        input,
        output: run.output,
        policy: { ...DEVNET_POLICY, expectedMeasurements: allowed },
      });
      signatures.set(operator.account.address.toLowerCase(), computeKeys[i]!.sign(message));
    }
    const head = await stack.publicClient.getBlockNumber();
    const certificate = await buildTaskCertificate({
      publicClient: stack.publicClient,
      registrar: computeRegistrar,
      referenceBlock: Number(head) - 1,
      signatures,
    });
    expect(certificate.signedStake).toBe(certificate.totalStake);

    const jarBefore = await stack.publicClient.getBalance({ address: stack.feeJar.account.address });
    await send(stack.clients, stack.governance, {
      address: mailbox,
      abi: taskMailboxAbi,
      functionName: "submitResult",
      args: [taskHash, result, certificate.referenceBlock, certificate.signature],
    });
    expect(await read<number>("getTaskStatus", [taskHash])).toBe(2); // VERIFIED
    expect(await read<MailboxTaskResult>("getTaskResult", [taskHash])).toEqual(result);
    expect((await stack.publicClient.getBalance({ address: stack.feeJar.account.address })) - jarBefore).toBe(fee / 5n);
    expect(await read<bigint>("operatorFees")).toBe(fee - fee / 5n);

    // Anyone re-checks: the output from DA matches the certified hash and is the program's output.
    const output = await getFromDa(outputCertificateId);
    expect(hashBytes(output)).toBe(result.outputHash);
    const text = new TextDecoder().decode(output);
    expect(text).toContain("HELLO VCLOUD");
  }, 600_000);

  it("catches a wrong output: the attestation does not bind it and too little stake signs a forgery", async () => {
    const input = new TextEncoder().encode("abc");
    const taskHash = await createTask({ input, sla: 3600n, fee: ether("0.01") });
    const run = await runTask(hashAndUpper, input, limits, {
      taskHash,
      expectedImageDigest: imageDigest,
      attester: devAttester,
    });
    const forged = new TextEncoder().encode("not the program's output\n");
    await expect(
      verifyTaskResult({
        attestation: run.attestation,
        imageDigest,
        taskHash,
        input,
        output: forged,
        policy: { ...DEVNET_POLICY, expectedMeasurements: allowed },
      }),
    ).rejects.toBeInstanceOf(ReportDataMismatchError);

    // The dishonest executor alone (100 of 600 stake) signs the forged result: below the 60% threshold.
    const result: MailboxTaskResult = {
      outputHash: hashBytes(forged),
      attestationHash: keccak256(run.attestation.bytes),
      outputCertificateId: keccak256(toHex("none")),
    };
    const signatures = new Map([
      [executors[0]!.account.address.toLowerCase(), computeKeys[0]!.sign(taskResultMessage(taskHash, result))],
    ]);
    const head = await stack.publicClient.getBlockNumber();
    const certificate = await buildTaskCertificate({
      publicClient: stack.publicClient,
      registrar: computeRegistrar,
      referenceBlock: Number(head) - 1,
      signatures,
    });
    await expect(
      send(stack.clients, stack.governance, {
        address: mailbox,
        abi: taskMailboxAbi,
        functionName: "submitResult",
        args: [taskHash, result, certificate.referenceBlock, certificate.signature],
      }),
    ).rejects.toThrow(/InsufficientSignedStake/);
    expect(await read<number>("getTaskStatus", [taskHash])).toBe(1); // still CREATED
  }, 600_000);

  it("dispatchOnce: certifies every new task, and a second pass or a rewound checkpoint never resubmits", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vcloud-tee-dispatch-"));
    const fromBlock = (await stack.publicClient.getBlockNumber()) + 1n;
    const tasks = [
      await createTask({ input: new TextEncoder().encode("first"), sla: 3600n, fee: ether("0.01") }),
      await createTask({ input: new TextEncoder().encode("second"), sla: 3600n, fee: ether("0.01") }),
    ];
    const params = {
      publicClient: stack.publicClient,
      walletClient: stack.governance,
      mailbox,
      registrar: computeRegistrar,
      da: fx.da,
      apps: new Map([[imageDigest, { bundle: hashAndUpper, measurements: allowed }]]),
      executors: executors.map((o, i) => ({ operator: o.account.address, blsKey: computeKeys[i]! })),
      policy: DEVNET_POLICY,
      attester: devAttester,
      limits,
      dbPath: join(dir, "dispatch.sqlite"),
      fromBlock,
      logger,
    };
    const first = await dispatchOnce(params);
    expect(first).toEqual(
      tasks.map((taskHash) => ({
        taskHash,
        outcome: "verified",
        executor: expect.stringMatching(/^0x/),
        signers: executors.map((o) => getAddress(o.account.address)),
      })),
    );
    for (const taskHash of tasks) {
      expect(await read<number>("getTaskStatus", [taskHash])).toBe(2);
      const result = await read<MailboxTaskResult>("getTaskResult", [taskHash]);
      expect(hashBytes(await getFromDa(result.outputCertificateId))).toBe(result.outputHash);
    }
    const count = await stack.publicClient.getTransactionCount({ address: stack.governance.account.address });

    // A second pass has nothing new.
    expect(await dispatchOnce(params)).toEqual([]);
    // A rewound scan position (as after a crash before the checkpoint moved) skips submitted tasks.
    const checkpoint = new DispatchCheckpoint(params.dbPath);
    checkpoint.setNextBlock(fromBlock);
    checkpoint.close();
    expect((await dispatchOnce(params)).map((o) => o.reason)).toEqual([
      "checkpoint: submitted",
      "checkpoint: submitted",
    ]);
    // A lost checkpoint still never resubmits: the tasks are VERIFIED on-chain.
    const fresh = { ...params, dbPath: join(dir, "fresh.sqlite") };
    expect((await dispatchOnce(fresh)).map((o) => o.reason)).toEqual(["status 2 on-chain", "status 2 on-chain"]);
    expect(await stack.publicClient.getTransactionCount({ address: stack.governance.account.address })).toBe(count);

    // A task for a program the dispatcher does not know fails once, with the reason, and is not retried.
    const unknown = await createTask({ input: new TextEncoder().encode("third"), sla: 3600n, fee: ether("0.01") });
    const noApps = { ...params, apps: new Map() };
    const failed = await dispatchOnce(noApps);
    expect(failed).toEqual([
      { taskHash: unknown, outcome: "failed", reason: expect.stringMatching(/no program known/) },
    ]);
    const rewound = new DispatchCheckpoint(params.dbPath);
    rewound.setNextBlock(fromBlock);
    rewound.close();
    expect((await dispatchOnce(params)).map((o) => o.reason)).toEqual([
      "checkpoint: submitted",
      "checkpoint: submitted",
      "checkpoint: failed",
    ]);
  }, 600_000);

  it("draws executors by stake, reassigns on timeout and on a wrong output, and slashes the wrong executor", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vcloud-tee-reassign-"));
    const fromBlock = (await stack.publicClient.getBlockNumber()) + 1n;
    const input = new TextEncoder().encode("reassign me");
    const taskHash = await createTask({ input, sla: 3600n, fee: ether("0.01") });

    // The draw is the pure stake-weighted selection over the set's members (all three reachable here).
    const snapshot = await readOperatorSet({
      publicClient: stack.publicClient,
      registrar: computeRegistrar,
      referenceBlock: Number(await stack.publicClient.getBlockNumber()) - 1,
    });
    const stakes = snapshot.members.map((m) => ({ operator: m.operator, stake: m.stake }));
    const first = selectExecutor({ taskHash, attempt: 0, candidates: stakes });
    const second = selectExecutor({
      taskHash,
      attempt: 1,
      candidates: stakes,
      exclude: new Set([first.operator.toLowerCase()]),
    });
    const wrongOutput = new TextEncoder().encode("a forged output\n");
    const runs: string[] = [];
    const executorsFor = (behaviour: "faulty" | "honest"): Executor[] =>
      executors.map((o, i) => {
        const operator = getAddress(o.account.address);
        const base = { operator, blsKey: computeKeys[i]!, signClaim: claimSigner(o) };
        if (behaviour === "honest") return base;
        // The first draw never answers; the second returns a wrong output with a self-made dev attestation.
        if (operator === first.operator)
          return { ...base, run: () => (runs.push(`timeout ${operator}`), new Promise<never>(() => {})) };
        if (operator === second.operator)
          return {
            ...base,
            run: async (job) => {
              runs.push(`wrong ${operator}`);
              const honest = await runTask(job.bundle, job.input, job.limits, {
                taskHash: job.taskHash,
                attester: devAttester,
              });
              return { output: wrongOutput, attestation: honest.attestation };
            },
          };
        return {
          ...base,
          run: async (job) => (
            runs.push(`honest ${operator}`),
            runTask(job.bundle, job.input, job.limits, { taskHash: job.taskHash, attester: devAttester })
          ),
        };
      });
    const params: DispatchParams = {
      publicClient: stack.publicClient,
      walletClient: stack.governance,
      mailbox,
      registrar: computeRegistrar,
      da: fx.da,
      apps: new Map([[imageDigest, { bundle: hashAndUpper, measurements: allowed }]]),
      executors: executorsFor("faulty"),
      executorTimeoutMs: 2_000,
      policy: DEVNET_POLICY,
      attester: devAttester,
      limits,
      dbPath: join(dir, "dispatch.sqlite"),
      fromBlock,
      logger,
    };
    const set = { avs: computeAvs.account.address, id: COMPUTE_SET_ID };
    const magnitude = async (operator: Address) =>
      (
        (await stack.publicClient.readContract({
          address: stack.core.allocationManager.address,
          abi: iAllocationManagerAbi,
          functionName: "getAllocation",
          args: [operator, set, stack.strategy],
        })) as { currentMagnitude: bigint }
      ).currentMagnitude;
    const before = await magnitude(second.operator);

    const [outcome] = await dispatchOnce(params);
    const third = executors
      .map((o) => getAddress(o.account.address))
      .find((a) => a !== first.operator && a !== second.operator)!;
    expect(outcome).toEqual({
      taskHash,
      outcome: "verified",
      executor: third,
      replaced: [
        { operator: first.operator, reason: "timeout" },
        { operator: second.operator, reason: "wrong output (re-execution differs)" },
      ],
      slashed: [second.operator],
      signers: executors.map((o) => getAddress(o.account.address)),
    });
    expect(runs).toEqual([`timeout ${first.operator}`, `wrong ${second.operator}`, `honest ${third}`]);
    // The certified output is the program's, re-checked from DA; the wrong executor lost half its allocation.
    const result = await read<MailboxTaskResult>("getTaskResult", [taskHash]);
    const output = await getFromDa(result.outputCertificateId);
    expect(hashBytes(output)).toBe(result.outputHash);
    expect(new TextDecoder().decode(output)).toContain("REASSIGN ME");
    expect(await magnitude(second.operator)).toBe(before - before / 2n);

    // A restarted dispatcher (same checkpoint, rewound scan) neither re-runs nor slashes again.
    const checkpoint = new DispatchCheckpoint(params.dbPath);
    expect(checkpoint.attempts(taskHash).map((a) => a.outcome)).toEqual([
      "timeout",
      "wrong output (re-execution differs)",
      "accepted",
    ]);
    checkpoint.setNextBlock(fromBlock);
    checkpoint.close();
    runs.length = 0;
    const again = await dispatchOnce({ ...params, executors: executorsFor("honest") });
    expect(again).toEqual([{ taskHash, outcome: "skipped", reason: "checkpoint: submitted" }]);
    expect(runs).toEqual([]);
    expect(await magnitude(second.operator)).toBe(before - before / 2n);
  }, 600_000);

  it("refunds an expired task and slashes the executor that accepted it and missed the SLA", async () => {
    const fee = ether("0.02");
    const collector = "0x00000000000000000000000000000000000c0ffe" as Address;
    const taskHash = await createTask({
      input: new TextEncoder().encode("late"),
      sla: 60n,
      fee,
      refundCollector: collector,
    });
    const late = executors[1]!;
    await send(stack.clients, late, {
      address: mailbox,
      abi: taskMailboxAbi,
      functionName: "acceptTask",
      args: [taskHash],
    });
    await expect(
      send(stack.clients, stack.governance, {
        address: mailbox,
        abi: taskMailboxAbi,
        functionName: "refundFee",
        args: [taskHash],
      }),
    ).rejects.toThrow(/InvalidTaskStatus/);

    await stack.publicClient.request({ method: "evm_increaseTime" as never, params: [61] as never });
    await advanceBlocks(stack.publicClient, 1);
    expect(await read<number>("getTaskStatus", [taskHash])).toBe(3); // EXPIRED

    await send(stack.clients, stack.governance, {
      address: mailbox,
      abi: taskMailboxAbi,
      functionName: "refundFee",
      args: [taskHash],
    });
    expect(await stack.publicClient.getBalance({ address: collector })).toBe(fee);

    const set = { avs: computeAvs.account.address, id: COMPUTE_SET_ID };
    const allocation = () =>
      stack.publicClient.readContract({
        address: stack.core.allocationManager.address,
        abi: iAllocationManagerAbi,
        functionName: "getAllocation",
        args: [late.account.address, set, stack.strategy],
      }) as Promise<{ currentMagnitude: bigint }>;
    const before = (await allocation()).currentMagnitude;
    await expect(
      send(stack.clients, stack.governance, {
        address: mailbox,
        abi: taskMailboxAbi,
        functionName: "slashForMissedSla",
        args: [taskHash, executors[2]!.account.address],
      }),
    ).rejects.toThrow(/NotTaskExecutor/);
    await send(stack.clients, stack.governance, {
      address: mailbox,
      abi: taskMailboxAbi,
      functionName: "slashForMissedSla",
      args: [taskHash, late.account.address],
    });
    expect((await allocation()).currentMagnitude).toBe(before - before / 10n);
    await expect(
      send(stack.clients, stack.governance, {
        address: mailbox,
        abi: taskMailboxAbi,
        functionName: "slashForMissedSla",
        args: [taskHash, late.account.address],
      }),
    ).rejects.toThrow(/ExecutorAlreadySlashed/);
  }, 600_000);
  it("dispatchOnce through a faulty RPC endpoint and a reorg: clear errors, then each task certified exactly once", async () => {
    // The dispatcher talks to the chain through a fault-injecting proxy (issue 13); the test reads directly.
    const provider = stack.connection.provider as unknown as Eip1193;
    const proxy = await startRpcProxy(provider);
    try {
      const chain = stack.publicClient.chain;
      const publicClient = createPublicClient({ chain, transport: http(proxy.url) }) as PublicClient<Transport, Chain>;
      const walletClient = createWalletClient({
        account: privateKeyToAccount(devnetAccounts(1)[0]!.privateKey),
        chain,
        transport: http(proxy.url),
      });
      const fromBlock = (await stack.publicClient.getBlockNumber({ cacheTime: 0 })) + 1n;
      const params = {
        publicClient,
        walletClient,
        mailbox,
        registrar: computeRegistrar,
        da: fx.da,
        apps: new Map([[imageDigest, { bundle: hashAndUpper, measurements: allowed }]]),
        executors: executors.map((o, i) => ({ operator: o.account.address, blsKey: computeKeys[i]! })),
        policy: DEVNET_POLICY,
        attester: devAttester,
        limits,
        dbPath: join(mkdtempSync(join(tmpdir(), "vcloud-tee-faults-")), "dispatch.sqlite"),
        fromBlock,
        logger,
      };
      /** Certified results of `taskHash` on the chain as it is now. */
      const verifications = async (taskHash: Hex) => {
        const logs = await stack.publicClient.getLogs({ address: mailbox, fromBlock, toBlock: "latest" });
        return parseEventLogs({ abi: taskMailboxAbi, logs, eventName: "TaskVerified" }).filter(
          (e) => e.args.taskHash === taskHash,
        ).length;
      };
      const task = await createTask({
        input: new TextEncoder().encode("through faults"),
        sla: 3600n,
        fee: ether("0.01"),
      });

      // Endpoint down, then JSON-RPC errors on log reads: the pass fails and says why; nothing is sent.
      await proxy.down();
      await expect(dispatchOnce(params)).rejects.toThrow(/HTTP request failed/);
      await proxy.up();
      proxy.inject({ kind: "error", message: "injected fault: logs unavailable" }, { methods: ["eth_getLogs"] });
      await expect(dispatchOnce(params)).rejects.toThrow(/injected fault: logs unavailable/);
      proxy.clear();
      expect(await read<number>("getTaskStatus", [task])).toBe(1);

      // Transactions whose replies are lost after they landed: passes continue until the task is certified.
      proxy.inject({ kind: "lose-reply" }, { methods: ["eth_sendRawTransaction"], count: 2 });
      const passes: unknown[] = [];
      for (let pass = 0; pass < 3 && Number(await read<number>("getTaskStatus", [task])) === 1; pass++)
        passes.push(await dispatchOnce(params));
      proxy.clear();
      expect(await read<number>("getTaskStatus", [task]), JSON.stringify(passes)).toBe(2);
      expect(await verifications(task)).toBe(1);
      // The pass whose result reply was lost may leave the reconciliation to the next one (the DA store
      // recognises its own lost reply in-pass, the result submission is found on chain a pass later): that
      // pass only records the on-chain outcome, and every pass after it does nothing.
      const reconcile = await dispatchOnce(params);
      expect(
        reconcile.every((o) => o.outcome === "skipped"),
        JSON.stringify(reconcile),
      ).toBe(true);
      expect(await dispatchOnce(params)).toEqual([]);
      expect(await verifications(task)).toBe(1);

      // A reorg drops the block that certified a second task: the next pass notices and certifies it again.
      const second = await createTask({ input: new TextEncoder().encode("reorged"), sla: 3600n, fee: ether("0.01") });
      const snapshot = (await provider.request({ method: "evm_snapshot" })) as Hex;
      expect(await dispatchOnce(params)).toMatchObject([{ taskHash: second, outcome: "verified" }]);
      expect(await provider.request({ method: "evm_revert", params: [snapshot] })).toBe(true);
      await provider.request({ method: "hardhat_mine", params: ["0x3"] });
      expect(await read<number>("getTaskStatus", [second])).toBe(1);
      const after = await dispatchOnce(params);
      expect(after).toContainEqual(expect.objectContaining({ taskHash: second, outcome: "verified" }));
      expect(await read<number>("getTaskStatus", [second])).toBe(2);
      expect(await verifications(second)).toBe(1);
      expect(await verifications(task)).toBe(1);
    } finally {
      await proxy.close();
    }
  }, 600_000);

  it("a dropped result in the middle of a pass (nonce gap): bounded wait, later tasks fill the nonce, the next pass certifies it; each task once", async () => {
    const provider = stack.connection.provider as unknown as Eip1193;
    const proxy = await startRpcProxy(provider);
    try {
      const chain = stack.publicClient.chain;
      // A dispatcher account of its own, signing with viem's local nonce manager as keepers/lib/signer.ts does.
      const account = privateKeyToAccount(devnetAccounts(17)[16]!.privateKey, { nonceManager });
      const walletClient = createWalletClient({ account, chain, transport: http(proxy.url) });
      const publicClient = createPublicClient({ chain, transport: http(proxy.url) }) as PublicClient<Transport, Chain>;
      const fromBlock = (await stack.publicClient.getBlockNumber({ cacheTime: 0 })) + 1n;
      const params = {
        publicClient,
        walletClient,
        mailbox,
        registrar: computeRegistrar,
        da: fx.da,
        apps: new Map([[imageDigest, { bundle: hashAndUpper, measurements: allowed }]]),
        executors: executors.map((o, i) => ({ operator: o.account.address, blsKey: computeKeys[i]! })),
        policy: DEVNET_POLICY,
        attester: devAttester,
        limits,
        dbPath: join(mkdtempSync(join(tmpdir(), "vcloud-tee-nonce-gap-")), "dispatch.sqlite"),
        fromBlock,
        receiptTimeoutMs: 1_500,
        logger,
      };
      const tasks: Hex[] = [];
      for (const word of ["first", "second", "third"])
        tasks.push(await createTask({ input: new TextEncoder().encode(word), sla: 3600n, fee: ether("0.01") }));
      // The second result submitted to the mailbox is lost by the node's pool: its nonce stays free on chain.
      let toMailbox = 0;
      proxy.inject(
        { kind: "drop-tx" },
        {
          count: 1,
          match: ({ params: p }) =>
            parseTransaction(p[0] as Hex).to?.toLowerCase() === mailbox.toLowerCase() && ++toMailbox === 2,
        },
      );
      const started = Date.now();
      const first = await dispatchOnce(params);
      proxy.clear();
      expect(proxy.droppedTxs).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(120_000);
      const byTask = new Map(first.map((o) => [o.taskHash, o.outcome]));
      expect([byTask.get(tasks[0]!), byTask.get(tasks[1]!), byTask.get(tasks[2]!)], JSON.stringify(first)).toEqual([
        "verified",
        "failed",
        "verified",
      ]);
      expect(await read<number>("getTaskStatus", [tasks[1]!])).toBe(1);

      const second = await dispatchOnce(params);
      expect(second).toContainEqual(expect.objectContaining({ taskHash: tasks[1], outcome: "verified" }));
      const logs = await stack.publicClient.getLogs({ address: mailbox, fromBlock, toBlock: "latest" });
      const verified = parseEventLogs({ abi: taskMailboxAbi, logs, eventName: "TaskVerified" });
      for (const task of tasks) {
        expect(await read<number>("getTaskStatus", [task])).toBe(2);
        expect(verified.filter((e) => e.args.taskHash === task)).toHaveLength(1);
      }
      // Nonces contiguous: nothing of the dispatcher's sits in the pool behind a gap.
      expect(await stack.publicClient.getTransactionCount({ address: account.address, blockTag: "pending" })).toBe(
        await stack.publicClient.getTransactionCount({ address: account.address, blockTag: "latest" }),
      );
      expect(await dispatchOnce(params)).toEqual([]);
    } finally {
      await proxy.close();
    }
  }, 600_000);
});
