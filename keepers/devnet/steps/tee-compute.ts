import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  decodeEventLog,
  getAddress,
  keccak256,
  toHex,
  zeroAddress,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type Transport,
  type WalletClient,
} from "viem";

import { BlsKey } from "../../bls/bls.js";
import { disperse } from "../../da-network/disperser.js";
import { retrieve } from "../../da-network/retriever.js";
import {
  advanceBlocks,
  createBlsOperatorSet,
  joinBlsOperatorSet,
  send,
  syncDaStakes,
  WAD,
} from "../../da-network/setup.js";
import { appRegistryAbi, taskMailboxAbi, vcloudValidatorAbi } from "../../lib/abis.js";
import { contractAddress } from "../../lib/deployments.js";
import { devAttester } from "../../tee/attester.js";
import { hashBytes } from "../../tee/binding.js";
import { bundleDigest } from "../../tee/bundle.js";
import { measurementsHash } from "../../tee/certificate.js";
import { claimSigner, dispatchOnce, type KnownApp } from "../../tee/dispatcher.js";
import { startExecutorServer, type ExecutorServer } from "../../tee/executor-server.js";
import { DEVNET_POLICY } from "../../tee/policy.js";
import { sandboxCapabilities } from "../../tee/sandbox.js";
import { runTask } from "../../tee/worker.js";
import type { StoryContext, StoryStep } from "../story.js";
import { DA_NETWORK, DA_ROLES } from "./data-availability.js";
import { HASH_AND_UPPER_BUNDLE } from "./tee-worker.js";

/** Devnet accounts of the compute AVS: its identity, the app owner and the task creator. The executors are
 * the four DA operators, which join the compute set with a quarter of their stake; the last of them, `faulty`,
 * answers a wrong output for the task the next step posts for it (see tee-wrong-output.ts). */
export const COMPUTE_ROLES = {
  avs: 16,
  appOwner: 17,
  creator: 18,
  executors: DA_ROLES.operators,
  faulty: DA_ROLES.operators[3],
} as const;

/** The salt the app owner registers the devnet app with (its appId is `AppRegistry.appIdFor(owner, salt)`). */
export const COMPUTE_APP_SALT = keccak256(toHex("devnet-hash-and-upper"));

/** What the compute step hands to later steps (ctx.state key `tee.compute`). */
export type ComputeEnv = {
  contracts: ReturnType<typeof computeContracts>;
  apps: ReadonlyMap<string, KnownApp>;
  limits: { network: boolean };
  appId: Hex;
  /** The faulty executor's operator address. */
  faulty: Address;
  /** Task hashes (lower-case) the faulty executor answers a wrong output for. */
  forgeFor: Set<string>;
};
export const COMPUTE_STATE = "tee.compute";

/** Contract addresses the compute steps use, from the deployment. */
export function computeContracts(ctx: StoryContext) {
  const c = (name: string) => contractAddress(ctx.deployment, name);
  return {
    registrar: c("ComputeRegistrar"),
    apps: c("AppRegistry"),
    mailbox: c("TaskMailbox"),
    allocationManager: c("AllocationManager"),
    strategy: c("TestTokenStrategy"),
    da: { registrar: c("DARegistrar"), certificateRegistry: c("BlobCertificateRegistry") },
  };
}

/**
 * The certified task's output, fetched from DA and checked against the certified hash and a fresh run of the
 * program on the same input (what the story asserts of every certified compute task).
 */
export async function checkCertifiedOutput(
  ctx: StoryContext,
  k: ComputeEnv["contracts"],
  taskHash: Hex,
  input: Uint8Array,
  limits: ComputeEnv["limits"],
) {
  const task = (await ctx.publicClient.readContract({
    address: k.mailbox,
    abi: taskMailboxAbi,
    functionName: "getTask",
    args: [taskHash],
  })) as { signedStake: bigint; totalStake: bigint; result: { outputHash: Hex; outputCertificateId: Hex } };
  const { payload: output } = await retrieve({
    publicClient: ctx.publicClient,
    ...k.da,
    certificateId: task.result.outputCertificateId,
  });
  if (hashBytes(output) !== task.result.outputHash.toLowerCase())
    throw new Error("the output on DA does not match the certified output hash");
  const again = await runTask(HASH_AND_UPPER_BUNDLE, input, limits, { taskHash, attester: devAttester });
  if (hashBytes(again.output) !== hashBytes(output)) throw new Error("re-running the program gives another output");
  return { task, output };
}

/** Stores a task input on DA (paid by `creator`). */
export async function storeTaskInput(
  ctx: StoryContext,
  k: ComputeEnv["contracts"],
  creator: WalletClient<Transport, Chain, Account>,
  input: Uint8Array,
) {
  return disperse({
    ...k.da,
    ...DA_NETWORK,
    publicClient: ctx.publicClient,
    walletClient: creator,
    payload: input,
    ttlSeconds: 7 * 24 * 3600,
    logger: ctx.logger,
  });
}

/** The hash of the task created by the transaction `txHash` (its TaskCreated event). */
export async function createdTaskHash(ctx: StoryContext, mailbox: Address, txHash: Hex): Promise<Hex> {
  const receipt = await ctx.publicClient.getTransactionReceipt({ hash: txHash });
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== mailbox.toLowerCase()) continue;
    const event = decodeEventLog({ abi: taskMailboxAbi, data: log.data, topics: log.topics });
    if (event.eventName === "TaskCreated") return event.args.taskHash;
  }
  throw new Error("createTask emitted no TaskCreated");
}

/**
 * The TEE compute story: the compute AVS creates its set (slasher: the TaskMailbox) and the four DA operators
 * join it, each running an executor server (`vcloud tee worker --listen`'s server, on a loopback port of the
 * devnet process) whose URL it advertises as its socket in the compute registrar; an app that hashes and
 * upper-cases its input is registered; a task is posted with its input on DA; the dispatcher draws an
 * executor by stake and sends it the task over HTTP; the executor accepts it on-chain and runs the program
 * in the sandbox; the result is re-executed, attested, stored on DA and certified with the BLS signatures
 * the dispatcher collects from the executors over HTTP; the output is fetched back from DA and re-checked
 * against the certified hash and a fresh run of the registered program. The servers keep running for the
 * `keeper tee` daemon until the devnet stops.
 */
export const teeComputeTaskCertified: StoryStep = {
  name: "tee compute task certified on-chain",
  async run(ctx) {
    const k = computeContracts(ctx);
    const clients = { publicClient: ctx.publicClient };
    const avs = ctx.wallets[COMPUTE_ROLES.avs]!;
    await createBlsOperatorSet(clients, avs, {
      allocationManager: k.allocationManager,
      registrar: k.registrar,
      slasher: k.mailbox,
      strategies: [k.strategy],
      operatorSetId: 0,
      metadataURI: "https://vcloud.invalid/avs/compute.json",
    });
    const imageDigest = bundleDigest(HASH_AND_UPPER_BUNDLE);
    const measurements = { imageDigest };
    const apps = new Map<string, KnownApp>([[imageDigest, { bundle: HASH_AND_UPPER_BUNDLE, measurements }]]);
    const caps = sandboxCapabilities();
    if (caps.namespaces === "none")
      ctx.logger.warn("no network isolation on this machine; the devnet task may reach the network");
    const limits = { network: caps.namespaces === "none" };
    const servers: ExecutorServer[] = [];
    ctx.onShutdown(async () => {
      for (const server of servers) await server.close();
    });
    const forgeFor = new Set<string>();
    for (const [i, index] of COMPUTE_ROLES.executors.entries()) {
      const wallet = ctx.wallets[index]!;
      const blsKey = BlsKey.fromSeed(new Uint8Array(32).fill(0x70 + i));
      const server = await startExecutorServer({
        ...(index === COMPUTE_ROLES.faulty ? { wrongOutputFor: (taskHash: Hex) => forgeFor.has(taskHash) } : {}),
        publicClient: ctx.publicClient,
        mailbox: k.mailbox,
        da: k.da,
        operator: getAddress(wallet.account.address),
        signClaim: claimSigner(wallet),
        blsKey,
        apps,
        policy: DEVNET_POLICY,
        attester: devAttester,
        limits,
        acceptWith: wallet,
        host: "127.0.0.1",
        port: 0,
        logger: ctx.logger,
      });
      servers.push(server);
      await joinBlsOperatorSet(clients, wallet, {
        allocationManager: k.allocationManager,
        registrar: k.registrar,
        avs: avs.account.address,
        operatorSetId: 0,
        strategy: k.strategy,
        magnitude: WAD / 4n,
        blsKey,
        socket: server.url,
      });
    }
    await advanceBlocks(ctx.publicClient, 2);
    await syncDaStakes(
      clients,
      ctx.wallets[0]!,
      k.registrar,
      servers.map((server) => server.operator),
    );
    await advanceBlocks(ctx.publicClient, 1);

    // The ERC-8004 bridge answers validation requests about TEE tasks from the mailbox (devnet governance).
    if (ctx.deployment.contracts.VcloudValidator) {
      await send(clients, ctx.wallets[0]!, {
        address: contractAddress(ctx.deployment, "VcloudValidator"),
        abi: vcloudValidatorAbi,
        functionName: "addSource",
        args: [k.mailbox, "tee"],
      });
    }

    const owner = ctx.wallets[COMPUTE_ROLES.appOwner]!;
    await send(clients, owner, {
      address: k.apps,
      abi: appRegistryAbi,
      functionName: "registerApp",
      args: [COMPUTE_APP_SALT, imageDigest, measurementsHash(measurements)],
    });
    const appId = (await ctx.publicClient.readContract({
      address: k.apps,
      abi: appRegistryAbi,
      functionName: "appIdFor",
      args: [owner.account.address, COMPUTE_APP_SALT],
    })) as Hex;
    ctx.state.set(COMPUTE_STATE, {
      contracts: k,
      apps,
      limits,
      appId,
      faulty: getAddress(ctx.wallets[COMPUTE_ROLES.faulty]!.account.address),
      forgeFor,
    } satisfies ComputeEnv);

    const creator = ctx.wallets[COMPUTE_ROLES.creator]!;
    const input = new TextEncoder().encode("hello vcloud compute");
    const stored = await storeTaskInput(ctx, k, creator, input);
    const fromBlock = await ctx.publicClient.getBlockNumber();
    const minTaskFee = (await ctx.publicClient.readContract({
      address: k.mailbox,
      abi: taskMailboxAbi,
      functionName: "minTaskFee",
    })) as bigint;
    const txHash = await send(clients, creator, {
      address: k.mailbox,
      abi: taskMailboxAbi,
      functionName: "createTask",
      args: [
        {
          appId,
          inputHash: hashBytes(input),
          inputCertificateId: stored.certificateId,
          sla: 1800n,
          refundCollector: zeroAddress,
        },
      ],
      value: minTaskFee,
    });
    const taskHash = await createdTaskHash(ctx, k.mailbox, txHash);

    const dir = mkdtempSync(join(tmpdir(), "vcloud-devnet-tee-"));
    let executor: Address | undefined;
    try {
      const outcomes = await dispatchOnce({
        publicClient: ctx.publicClient,
        walletClient: ctx.wallets[0]!,
        mailbox: k.mailbox,
        registrar: k.registrar,
        da: { ...k.da, ...DA_NETWORK, ttlSeconds: 7 * 24 * 3600 },
        apps,
        policy: DEVNET_POLICY,
        attester: devAttester,
        limits,
        dbPath: join(dir, "dispatch.sqlite"),
        fromBlock,
        logger: ctx.logger,
      });
      const mine = outcomes.find((o) => o.taskHash === taskHash);
      if (mine?.outcome !== "verified") throw new Error(`task not certified: ${mine?.reason ?? "not dispatched"}`);
      executor = mine.executor;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const { task, output } = await checkCertifiedOutput(ctx, k, taskHash, input, limits);
    ctx.state.set("tee.computeTask", { taskHash, appId, outputHash: task.result.outputHash });
    const share = Number((task.signedStake * 1000n) / task.totalStake) / 10;
    return `task ${taskHash.slice(0, 10)}… run by ${executor?.slice(0, 10)}…, certified by ${share}% of stake; output "${new TextDecoder().decode(output).split("\n")[1]}" re-checked from DA`;
  },
};
