import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { getAddress, parseEventLogs, zeroAddress, type Address, type Hex } from "viem";

import { readOperatorSet } from "../../da-network/operator-set.js";
import { send, WAD } from "../../da-network/setup.js";
import { iAllocationManagerAbi, taskMailboxAbi } from "../../lib/abis.js";
import { devAttester } from "../../tee/attester.js";
import { hashBytes } from "../../tee/binding.js";
import { dispatchOnce, type DispatchOutcome } from "../../tee/dispatcher.js";
import { DEVNET_POLICY } from "../../tee/policy.js";
import { selectExecutor } from "../../tee/selection.js";
import type { StoryStep } from "../story.js";
import {
  checkCertifiedOutput,
  COMPUTE_ROLES,
  COMPUTE_STATE,
  createdTaskHash,
  storeTaskInput,
  type ComputeEnv,
} from "./tee-compute.js";
import { DA_NETWORK } from "./data-availability.js";

/** Most SLAs tried when looking for a task whose first draw is the faulty executor (it holds 40% of the stake). */
const SLA_TRIES = 64n;

/**
 * A wrong output caught and slashed, on the executors the compute step started: a task is posted whose
 * stake-weighted first draw (`selectExecutor`, recomputed here from the task hash the mailbox will give it,
 * by trying SLAs of 1800 s and up) is the faulty executor; that executor's server runs the program and answers
 * a wrong output with a claim signed by its operator key. The dispatcher's re-execution gives another output,
 * so it keeps the signed claim and draws the next executor, whose run is certified by the set's BLS
 * signatures; then it sends the claim to `TaskMailbox.slashForWrongResult`, which slashes the faulty
 * executor's allocation to the compute set by `wrongResultSlashWad`. The certified output is fetched back
 * from DA and re-checked against a fresh run of the program.
 */
export const teeWrongOutputSlashed: StoryStep = {
  name: "tee compute wrong output caught by re-execution and slashed",
  async run(ctx) {
    const env = ctx.state.get(COMPUTE_STATE) as ComputeEnv | undefined;
    if (!env) throw new Error("the tee compute step has not run");
    const k = env.contracts;
    const clients = { publicClient: ctx.publicClient };
    const creator = ctx.wallets[COMPUTE_ROLES.creator]!;
    const input = new TextEncoder().encode("a task the faulty executor forges");
    const stored = await storeTaskInput(ctx, k, creator, input);
    const fee = (await ctx.publicClient.readContract({
      address: k.mailbox,
      abi: taskMailboxAbi,
      functionName: "minTaskFee",
    })) as bigint;

    // The draw the dispatcher will make: the set's stakes at the latest settled block (unchanged until then).
    const head = await ctx.publicClient.getBlockNumber();
    const snapshot = await readOperatorSet({
      publicClient: ctx.publicClient,
      registrar: k.registrar,
      referenceBlock: Number(head) - 1,
    });
    const candidates = snapshot.members.map((m) => ({ operator: m.operator, stake: m.stake }));
    const params = (sla: bigint) => ({
      appId: env.appId,
      inputHash: hashBytes(input),
      inputCertificateId: stored.certificateId,
      sla,
      refundCollector: zeroAddress,
    });
    let chosen: { sla: bigint; taskHash: Hex } | undefined;
    for (let sla = 1800n; sla < 1800n + SLA_TRIES && !chosen; sla++) {
      const { result: taskHash } = await ctx.publicClient.simulateContract({
        account: creator.account,
        address: k.mailbox,
        abi: taskMailboxAbi,
        functionName: "createTask",
        args: [params(sla)],
        value: fee,
      });
      if (getAddress(selectExecutor({ taskHash, attempt: 0, candidates }).operator) === env.faulty)
        chosen = { sla, taskHash };
    }
    if (!chosen) throw new Error(`no SLA in ${SLA_TRIES} tries draws the faulty executor first`);
    env.forgeFor.add(chosen.taskHash.toLowerCase());

    const set = { avs: ctx.wallets[COMPUTE_ROLES.avs]!.account.address, id: 0 };
    const magnitude = async (operator: Address) =>
      (
        (await ctx.publicClient.readContract({
          address: k.allocationManager,
          abi: iAllocationManagerAbi,
          functionName: "getAllocation",
          args: [operator, set, k.strategy],
        })) as { currentMagnitude: bigint }
      ).currentMagnitude;
    const before = await magnitude(env.faulty);

    const fromBlock = await ctx.publicClient.getBlockNumber();
    const txHash = await send(clients, creator, {
      address: k.mailbox,
      abi: taskMailboxAbi,
      functionName: "createTask",
      args: [params(chosen.sla)],
      value: fee,
    });
    const taskHash = await createdTaskHash(ctx, k.mailbox, txHash);
    if (taskHash !== chosen.taskHash) throw new Error(`task ${taskHash} is not the simulated ${chosen.taskHash}`);

    const dir = mkdtempSync(join(tmpdir(), "vcloud-devnet-tee-wrong-"));
    let mine: DispatchOutcome | undefined;
    try {
      const outcomes = await dispatchOnce({
        publicClient: ctx.publicClient,
        walletClient: ctx.wallets[0]!,
        mailbox: k.mailbox,
        registrar: k.registrar,
        da: { ...k.da, ...DA_NETWORK, ttlSeconds: 7 * 24 * 3600 },
        apps: env.apps,
        policy: DEVNET_POLICY,
        attester: devAttester,
        limits: env.limits,
        dbPath: join(dir, "dispatch.sqlite"),
        fromBlock,
        logger: ctx.logger,
      });
      mine = outcomes.find((o) => o.taskHash === taskHash);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    if (mine?.outcome !== "verified") throw new Error(`task not certified: ${mine?.reason ?? "not dispatched"}`);
    const caught = mine.replaced?.[0];
    if (caught?.operator !== env.faulty || caught.reason !== "wrong output (re-execution differs)")
      throw new Error(`the faulty executor was not caught by re-execution: ${JSON.stringify(mine.replaced)}`);
    if (!mine.executor || getAddress(mine.executor) === env.faulty)
      throw new Error(`the certified result is the faulty executor's`);
    if (!mine.slashed?.some((a) => getAddress(a) === env.faulty))
      throw new Error(`the faulty executor was not slashed: ${JSON.stringify(mine.slashed)}`);

    // On-chain: the slash event for this task and operator, and the allocation cut by wrongResultSlashWad.
    const logs = await ctx.publicClient.getLogs({ address: k.mailbox, fromBlock, toBlock: "latest" });
    const slash = parseEventLogs({ abi: taskMailboxAbi, logs, eventName: "ExecutorSlashedForWrongResult" }).find(
      (e) => e.args.taskHash === taskHash && getAddress(e.args.operator) === env.faulty,
    );
    if (!slash) throw new Error("no ExecutorSlashedForWrongResult event for the faulty executor");
    const slashWad = (await ctx.publicClient.readContract({
      address: k.mailbox,
      abi: taskMailboxAbi,
      functionName: "wrongResultSlashWad",
    })) as bigint;
    const after = await magnitude(env.faulty);
    // AllocationManager rounds the slashed magnitude up.
    const expected = before - (before * slashWad + WAD - 1n) / WAD;
    if (after !== expected) throw new Error(`magnitude ${before} -> ${after}, expected ${expected}`);

    // The certified output is the program's: fetched from DA, checked against its hash and a fresh run.
    const { task } = await checkCertifiedOutput(ctx, k, taskHash, input, env.limits);
    if (slash.args.claimedOutputHash === task.result.outputHash)
      throw new Error("the slashed claim is the certified output");

    const summary = {
      taskHash,
      faulty: env.faulty,
      executor: getAddress(mine.executor),
      slashId: slash.args.slashId,
      magnitudeBefore: before,
      magnitudeAfter: after,
    };
    ctx.state.set("tee.wrongOutputTask", summary);
    const share = Number((task.signedStake * 1000n) / task.totalStake) / 10;
    const pct = (m: bigint) => Number((m * 1000n) / WAD) / 10;
    return `task ${taskHash.slice(0, 10)}… drawn to faulty ${env.faulty.slice(0, 10)}…: wrong output caught by re-execution; ${summary.executor.slice(0, 10)}…'s run certified by ${share}% of stake and re-checked from DA; faulty executor slashed (slash ${slash.args.slashId}, compute allocation ${pct(before)}% -> ${pct(after)}%)`;
  },
};
