/**
 * The compute part of the devnet: the whole stack deployed by Ignition (deploy/VCloud.ts with
 * deploy/parameters/devnet.json, so deploy/modules/Compute.ts included) on an in-process chain, then the
 * story steps that start the DA fleet and run a TEE compute task end to end.
 */
import { network } from "hardhat";
import {
  getAddress,
  type Account,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import VCloudModule from "../../../deploy/VCloud.js";
import { devnetAccounts } from "../../../keepers/devnet/accounts.js";
import { DEVNET_PARAMETERS, readParameters } from "../../../keepers/devnet/deploy.js";
import { daFleetStarted } from "../../../keepers/devnet/steps/data-availability.js";
import { COMPUTE_ROLES, teeComputeTaskCertified } from "../../../keepers/devnet/steps/tee-compute.js";
import { teeWrongOutputSlashed } from "../../../keepers/devnet/steps/tee-wrong-output.js";
import { runStory, type StoryContext } from "../../../keepers/devnet/story.js";
import {
  bLSAVSRegistrarAbi,
  iAllocationManagerAbi,
  taskMailboxAbi,
  vcloudValidatorAbi,
} from "../../../keepers/lib/abis.js";
import { createLogger } from "../../../keepers/lib/logger.js";
import { sandboxCapabilities } from "../../../keepers/tee/sandbox.js";

const caps = sandboxCapabilities();

describe.runIf(caps.prlimit)("devnet: Compute module and the TEE compute story step", () => {
  let ctx: StoryContext;
  const shutdown: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const connection = await network.create();
    const result = await connection.ignition.deploy(VCloudModule, {
      parameters: readParameters(DEVNET_PARAMETERS),
      displayUi: false,
    });
    const contracts: Record<string, Address> = {};
    for (const [name, contract] of Object.entries(result)) contracts[name] = (contract as { address: Address }).address;
    const publicClient = (await connection.viem.getPublicClient()) as unknown as PublicClient<Transport, Chain>;
    const wallets = (await connection.viem.getWalletClients()) as unknown as WalletClient<Transport, Chain, Account>[];
    ctx = {
      rpcUrl: "in-process",
      deployment: { chainId: await publicClient.getChainId(), rpcUrl: "in-process", deployedAt: "", contracts },
      publicClient,
      wallets,
      accounts: devnetAccounts(wallets.length),
      logger: createLogger({ level: "silent" }),
      state: new Map(),
      onShutdown: (fn) => shutdown.push(fn),
    };
  }, 600_000);

  afterAll(async () => {
    for (const fn of shutdown) await fn();
  });

  it("deploys ComputeRegistrar, AppRegistry and TaskMailbox wired to each other and to the fee jar", async () => {
    const c = ctx.deployment.contracts;
    expect(Object.keys(c)).toEqual(expect.arrayContaining(["ComputeRegistrar", "AppRegistry", "TaskMailbox"]));
    const read = (functionName: string) =>
      ctx.publicClient.readContract({ address: c.TaskMailbox!, abi: taskMailboxAbi, functionName } as never);
    expect(getAddress((await read("registrar")) as Address)).toBe(getAddress(c.ComputeRegistrar!));
    expect(getAddress((await read("appRegistry")) as Address)).toBe(getAddress(c.AppRegistry!));
    expect(getAddress((await read("feeJar")) as Address)).toBe(getAddress(c.FeeJar!));
    const parameters = readParameters(DEVNET_PARAMETERS).Compute as Record<string, string | number>;
    expect(await read("thresholdBps")).toBe(parameters.thresholdBps);
    expect(await read("wrongResultSlashWad")).toBe(BigInt(parameters.wrongResultSlashWad!));
    // Set by the module after deployment (reassignment before expiry on the devnet).
    expect(await read("executionTimeout")).toBe(BigInt(parameters.executionTimeoutSeconds!));
    expect(parameters.executionTimeoutSeconds).toBe(300);
  });

  it("story: DA fleet, a task registered, dispatched by stake, certified and re-checked from DA; a wrong output caught and slashed", async () => {
    const results = await runStory([daFleetStarted, teeComputeTaskCertified, teeWrongOutputSlashed], ctx);
    expect(results.map((r) => [r.name, r.ok, r.ok ? "" : r.detail])).toEqual([
      [daFleetStarted.name, true, ""],
      [teeComputeTaskCertified.name, true, ""],
      [teeWrongOutputSlashed.name, true, ""],
    ]);
    expect(results[1]!.detail).toMatch(/certified by 100% of stake; output "HELLO VCLOUD COMPUTE" re-checked/);
    // The executors are networked: each advertises its loopback server in the compute registrar, and the
    // one that ran the task accepted it on-chain itself (the server's acceptTask), so it answers for the SLA.
    const c = ctx.deployment.contracts;
    const { taskHash } = ctx.state.get("tee.computeTask") as { taskHash: `0x${string}` };
    const task = (await ctx.publicClient.readContract({
      address: c.TaskMailbox!,
      abi: taskMailboxAbi,
      functionName: "getTask",
      args: [taskHash],
    })) as { executor: Address; acceptedAt: bigint | number };
    expect(BigInt(task.acceptedAt)).toBeGreaterThan(0n);
    const socket = (await ctx.publicClient.readContract({
      address: c.ComputeRegistrar!,
      abi: bLSAVSRegistrarAbi,
      functionName: "socketOf",
      args: [task.executor],
    })) as string;
    expect(socket).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${socket}/healthz`)).status).toBe(200);

    // The faulty executor's wrong output was refuted by re-execution: another executor's run is certified,
    // the faulty one lost wrongResultSlashWad (half) of its compute allocation, and the bridge reports the
    // refuted claim.
    expect(results[2]!.detail).toMatch(
      /wrong output caught by re-execution; .* certified by 100% of stake and re-checked from DA; faulty executor slashed \(slash \d+, compute allocation 25% -> 12\.5%\)/,
    );
    const wrong = ctx.state.get("tee.wrongOutputTask") as {
      taskHash: `0x${string}`;
      faulty: Address;
      executor: Address;
      magnitudeBefore: bigint;
      magnitudeAfter: bigint;
    };
    expect(wrong.executor).not.toBe(wrong.faulty);
    expect(wrong.magnitudeAfter).toBe(wrong.magnitudeBefore / 2n);
    expect(
      await ctx.publicClient.readContract({
        address: c.TaskMailbox!,
        abi: taskMailboxAbi,
        functionName: "getTaskStatus",
        args: [wrong.taskHash],
      }),
    ).toBe(2);
    const slashes = await ctx.publicClient.getContractEvents({
      address: c.TaskMailbox!,
      abi: taskMailboxAbi,
      eventName: "ExecutorSlashedForWrongResult",
      fromBlock: 0n,
    });
    expect(slashes.map((e) => [e.args.taskHash, getAddress(e.args.operator!)])).toEqual([
      [wrong.taskHash, wrong.faulty],
    ]);
    const allocation = (await ctx.publicClient.readContract({
      address: c.AllocationManager!,
      abi: iAllocationManagerAbi,
      functionName: "getAllocation",
      args: [wrong.faulty, { avs: ctx.wallets[COMPUTE_ROLES.avs]!.account.address, id: 0 }, c.TestTokenStrategy!],
    })) as { currentMagnitude: bigint };
    expect(allocation.currentMagnitude).toBe(wrong.magnitudeAfter);

    // The mailbox is the ERC-8004 bridge's TEE source.
    expect(
      await ctx.publicClient.readContract({
        address: ctx.deployment.contracts.VcloudValidator!,
        abi: vcloudValidatorAbi,
        functionName: "sourceKind",
        args: [ctx.deployment.contracts.TaskMailbox!],
      }),
    ).toBe("tee");
  }, 600_000);
});
