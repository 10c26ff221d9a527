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
  decodeEventLog,
  http,
  keccak256,
  parseEventLogs,
  toHex,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BlsKey } from "../../../keepers/bls/bls.js";
import { devnetAccounts } from "../../../keepers/devnet/accounts.js";
import { disperse } from "../../../keepers/da-network/disperser.js";
import { startDaNode, type DaNode } from "../../../keepers/da-network/node.js";
import { retrieve } from "../../../keepers/da-network/retriever.js";
import {
  advanceBlocks,
  createBlsOperatorSet,
  joinBlsOperatorSet,
  send,
  syncDaStakes,
  WAD,
} from "../../../keepers/da-network/setup.js";
import {
  appRegistryAbi,
  bLSAVSRegistrarAbi,
  iAllocationManagerAbi,
  taskMailboxAbi,
} from "../../../keepers/lib/abis.js";
import { createLogger } from "../../../keepers/lib/logger.js";
import { devAttester } from "../../../keepers/tee/attester.js";
import { hashBytes } from "../../../keepers/tee/binding.js";
import { bundleDigest, type ProgramBundle } from "../../../keepers/tee/bundle.js";
import {
  buildTaskCertificate,
  measurementsHash,
  taskResultMessage,
  type MailboxTaskResult,
} from "../../../keepers/tee/certificate.js";
import { ReportDataMismatchError } from "../../../keepers/tee/errors.js";
import { DEVNET_POLICY } from "../../../keepers/tee/policy.js";
import { sandboxCapabilities } from "../../../keepers/tee/sandbox.js";
import { DispatchCheckpoint, dispatchOnce } from "../../../keepers/tee/dispatcher.js";
import { verifyTaskResult } from "../../../keepers/tee/task-result.js";
import { runTask } from "../../../keepers/tee/worker.js";
import { startRpcProxy, type Eip1193 } from "../support/rpc-proxy.js";
import { deployDaStack, ether } from "../helpers/da-stack.js";

type Wallet = WalletClient<Transport, Chain, Account>;

const DA_STAKES = [ether("100"), ether("200"), ether("300"), ether("400")];
const THRESHOLDS = { confirmationThreshold: 55, adversaryThreshold: 33 };
const MAX_OPERATORS = 16;
const COMPUTE_SET_ID = 0;
const logger = createLogger({ level: "silent" });
const caps = sandboxCapabilities();

/** The devnet app of issue 10: hashes its input and transforms it (upper-case). */
const hashAndUpper: ProgramBundle = {
  entry: ["sh", "main.sh"],
  files: { "main.sh": 'in="$(cat)"\nprintf "%s" "$in" | sha256sum | cut -c1-64\nprintf "%s\\n" "$in" | tr a-z A-Z\n' },
};
const limits = { network: !(caps.namespaces !== "none" && caps.prlimit), wallMs: 60_000 };

describe.runIf(caps.prlimit)("TEE compute: TaskMailbox with BLS-certified results on the devnet chain", () => {
  let stack: Awaited<ReturnType<typeof deployDaStack>>;
  const nodes: DaNode[] = [];
  let computeAvs: Wallet;
  let appOwner: Wallet;
  let creator: Wallet;
  let executors: Wallet[];
  let computeKeys: BlsKey[];
  let computeRegistrar: Address;
  let apps: Address;
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

  async function putOnDa(payload: Uint8Array): Promise<Hex> {
    const result = await disperse({
      publicClient: stack.publicClient,
      walletClient: stack.governance,
      certificateRegistry: stack.registry.address as Address,
      registrar: stack.registrar.address as Address,
      payload,
      ttlSeconds: 7 * 24 * 3600,
      maxOperators: MAX_OPERATORS,
      thresholds: THRESHOLDS,
      timeoutMs: 20_000,
      retries: 0,
      logger,
    });
    return result.certificateId;
  }

  async function getFromDa(certificateId: Hex): Promise<Uint8Array> {
    const back = await retrieve({
      publicClient: stack.publicClient,
      certificateRegistry: stack.registry.address as Address,
      registrar: stack.registrar.address as Address,
      certificateId,
    });
    return back.payload;
  }

  async function createTask(p: { input: Uint8Array; sla: bigint; fee: bigint; refundCollector?: Address }) {
    const inputCertificateId = await putOnDa(p.input);
    const params = {
      appId,
      inputHash: hashBytes(p.input),
      inputCertificateId,
      sla: p.sla,
      refundCollector: p.refundCollector ?? "0x0000000000000000000000000000000000000000",
    };
    const hash = await send(stack.clients, creator, {
      address: mailbox,
      abi: taskMailboxAbi,
      functionName: "createTask",
      args: [params],
      value: p.fee,
    });
    const receipt = await stack.publicClient.getTransactionReceipt({ hash });
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== mailbox.toLowerCase()) continue;
      const event = decodeEventLog({ abi: taskMailboxAbi, data: log.data, topics: log.topics });
      if (event.eventName === "TaskCreated") return event.args.taskHash;
    }
    throw new Error("no TaskCreated event");
  }

  beforeAll(async () => {
    stack = await deployDaStack({ stakes: DA_STAKES });
    for (let i = 0; i < DA_STAKES.length; i++) {
      const node = await startDaNode({
        host: "127.0.0.1",
        port: 0,
        dataDir: mkdtempSync(join(tmpdir(), `vcloud-tee-da-${i}-`)),
        maxBytes: 64 * 1024 * 1024,
        blsKey: stack.keys[i]!,
        operator: stack.operators[i]!.account.address,
        publicClient: stack.publicClient,
        registrar: stack.registrar.address,
        certificateRegistry: stack.registry.address,
        maxOperators: MAX_OPERATORS,
        thresholds: THRESHOLDS,
        logger,
      });
      nodes.push(node);
      await send(stack.clients, stack.operators[i]!, {
        address: stack.registrar.address,
        abi: bLSAVSRegistrarAbi,
        functionName: "updateSocket",
        args: [node.url],
      });
    }

    const wallets = (await stack.viem.getWalletClients()) as unknown as Wallet[];
    [computeAvs, appOwner, creator] = [wallets[8]!, wallets[9]!, wallets[10]!];
    // The compute AVS has its own registrar (one per AVS), app registry and mailbox (the set's slasher).
    const registrar = await stack.viem.deployContract("BLSAVSRegistrar", [
      stack.core.allocationManager.address,
      computeAvs.account.address,
      COMPUTE_SET_ID,
      [{ strategy: stack.strategy, multiplier: WAD }],
    ]);
    computeRegistrar = registrar.address;
    apps = (await stack.viem.deployContract("AppRegistry", [3600n])).address;
    mailbox = (
      await stack.viem.deployContract("TaskMailbox", [
        {
          registrar: computeRegistrar,
          appRegistry: apps,
          governance: stack.governance.account.address,
          thresholdBps: 6000,
          protocolFeeBps: 2000,
          feeJar: stack.feeJar.account.address,
          minTaskFee: ether("0.001"),
          maxTaskSla: 3600n,
          maxReferenceAge: 300,
          missedSlaSlashWad: WAD / 10n,
        },
      ])
    ).address;
    await createBlsOperatorSet(stack.clients, computeAvs, {
      allocationManager: stack.core.allocationManager.address,
      registrar: computeRegistrar,
      slasher: mailbox,
      strategies: [stack.strategy],
      operatorSetId: COMPUTE_SET_ID,
      metadataURI: "https://vcloud.invalid/avs/compute.json",
    });
    // The first three DA operators also run TEE workers, each with a separate BLS key for this set.
    executors = stack.operators.slice(0, 3);
    computeKeys = executors.map((_, i) => BlsKey.fromSeed(new Uint8Array(32).fill(0x70 + i)));
    for (const [i, operator] of executors.entries()) {
      await joinBlsOperatorSet(stack.clients, operator, {
        allocationManager: stack.core.allocationManager.address,
        registrar: computeRegistrar,
        avs: computeAvs.account.address,
        operatorSetId: COMPUTE_SET_ID,
        strategy: stack.strategy,
        magnitude: WAD / 4n,
        blsKey: computeKeys[i]!,
        socket: `http://127.0.0.1:1/worker-${i}`,
      });
    }
    await advanceBlocks(stack.publicClient, 2);
    await syncDaStakes(
      stack.clients,
      stack.governance,
      computeRegistrar,
      executors.map((o) => o.account.address),
    );
    await advanceBlocks(stack.publicClient, 1);

    const salt = keccak256(toHex("hash-and-upper"));
    await send(stack.clients, appOwner, {
      address: apps,
      abi: appRegistryAbi,
      functionName: "registerApp",
      args: [salt, imageDigest, measurementsHash(allowed)],
    });
    appId = (await stack.publicClient.readContract({
      address: apps,
      abi: appRegistryAbi,
      functionName: "appIdFor",
      args: [appOwner.account.address, salt],
    })) as Hex;
  }, 600_000);

  afterAll(async () => {
    for (const node of nodes) await node.close();
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
      da: {
        certificateRegistry: stack.registry.address as Address,
        registrar: stack.registrar.address as Address,
        maxOperators: MAX_OPERATORS,
        thresholds: THRESHOLDS,
        ttlSeconds: 7 * 24 * 3600,
      },
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
    expect(first).toEqual(tasks.map((taskHash) => ({ taskHash, outcome: "verified" })));
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
        da: {
          certificateRegistry: stack.registry.address as Address,
          registrar: stack.registrar.address as Address,
          maxOperators: MAX_OPERATORS,
          thresholds: THRESHOLDS,
          ttlSeconds: 7 * 24 * 3600,
        },
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
      expect(await dispatchOnce(params)).toEqual([]);

      // A reorg drops the block that certified a second task: the next pass notices and certifies it again.
      const second = await createTask({ input: new TextEncoder().encode("reorged"), sla: 3600n, fee: ether("0.01") });
      const snapshot = (await provider.request({ method: "evm_snapshot" })) as Hex;
      expect(await dispatchOnce(params)).toEqual([{ taskHash: second, outcome: "verified" }]);
      expect(await provider.request({ method: "evm_revert", params: [snapshot] })).toBe(true);
      await provider.request({ method: "hardhat_mine", params: ["0x3"] });
      expect(await read<number>("getTaskStatus", [second])).toBe(1);
      const after = await dispatchOnce(params);
      expect(after).toContainEqual({ taskHash: second, outcome: "verified" });
      expect(await read<number>("getTaskStatus", [second])).toBe(2);
      expect(await verifications(second)).toBe(1);
      expect(await verifications(task)).toBe(1);
    } finally {
      await proxy.close();
    }
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
});
