/**
 * DA fees end to end on loopback: real DA nodes sign certificates whose fees the registry splits (protocol
 * share to the fee jar, the rest to the DAFeeDistributor); `vcloud keeper da-fees` pays each ended period
 * to the signers by signed stake as an operator-directed rewards submission in WETH; the rewards keeper
 * turns it into a Merkle root and an operator claims its WETH. Under faults (issue #13): a faulty RPC
 * endpoint, a lost reply, a reorg dropping `distribute`, and the daemon SIGKILLed (deep profile) — each period
 * is paid exactly once (FeesDistributed events and `periodFees` on chain).
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  createPublicClient,
  createWalletClient,
  custom,
  getAddress,
  http,
  keccak256,
  parseEther,
  toHex,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { NotDistributorError, runDaFeesOnce } from "../../../keepers/da-fees/keeper.js";
import { disperse } from "../../../keepers/da-network/disperser.js";
import { blobCertificateRegistryAbi, iDAFeeDistributorAbi } from "../../../keepers/lib/abis.js";
import { PROJECT_ROOT } from "../../../keepers/lib/paths.js";
import { runRewardsOnce } from "../../../keepers/rewards/keeper.js";
import { RewardsStore } from "../../../keepers/rewards/store.js";
import { claimsFor } from "../../../keepers/rewards/tree.js";
import { vcloud, vcloudAsync } from "../helpers/cli.js";
import { startRpcBridge } from "../helpers/da-child-node.js";
import { deployDaFeePath } from "../helpers/da-fees-stack.js";
import { payloadOf, startDaFleet, type DaFleet } from "../helpers/da-fleet.js";
import { startRpcProxy, type Eip1193 } from "../support/rpc-proxy.js";

const DAY = 86_400;
const STAKES = [parseEther("100"), parseEther("200"), parseEther("300")];
const KEEPER_KEY = keccak256(toHex("vcloud da-fees keeper test")) as Hex;

describe("DA fees: certificate fees paid to their signers by stake, through rewards", () => {
  let fleet: DaFleet;
  let stack: DaFleet["stack"];
  let bridge: Awaited<ReturnType<typeof startRpcBridge>>;
  let distributor: Address;
  let rewardsCoordinator: Address;
  let weth: Address;
  const keeper = privateKeyToAccount(KEEPER_KEY);

  const increaseTime = async (seconds: number) => {
    await stack.publicClient.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
    await stack.publicClient.request({ method: "evm_mine" as never });
  };

  beforeAll(async () => {
    fleet = await startDaFleet({ stakes: STAKES });
    stack = fleet.stack;
    const path = await deployDaFeePath(stack, keeper.address, DAY);
    await stack.publicClient.request({
      method: "hardhat_setBalance" as never,
      params: [keeper.address, toHex(parseEther("10"))] as never,
    });
    ({ distributor, rewardsCoordinator, weth } = path);
    bridge = await startRpcBridge(stack.connection.provider as never);
  });

  afterAll(async () => {
    await bridge?.close();
    await fleet?.close();
  });

  it(
    "pays a period's fees to each certificate's signers by stake, once, and on to stakers",
    { timeout: 180_000 },
    async () => {
      const { publicClient } = stack;
      const ops = stack.operators.map((o) => getAddress(o.account.address));
      const all = await disperse(fleet.disperseParams(payloadOf(70_000, 11)));
      await fleet.stopNode(0);
      let partial;
      try {
        partial = await disperse(fleet.disperseParams(payloadOf(20_000, 12)));
      } finally {
        await fleet.startNode(0);
      }
      expect(partial.nonSigners.map(getAddress)).toEqual([ops[0]]);

      // Each certificate's fee: 20% to the jar, 80% accrued to the distributor's period of confirmation.
      const confirmed = await publicClient.getContractEvents({
        address: stack.registry.address,
        abi: blobCertificateRegistryAbi,
        eventName: "BlobConfirmed",
        fromBlock: 0n,
      });
      const feeOf = (id: Hex) => confirmed.find((l) => l.args.certificateId === id)!.args.fee!;
      const shareAll = feeOf(all.certificateId) - (feeOf(all.certificateId) * 2000n) / 10_000n;
      const sharePartial = feeOf(partial.certificateId) - (feeOf(partial.certificateId) * 2000n) / 10_000n;
      expect(await publicClient.getBalance({ address: distributor })).toBe(shareAll + sharePartial);
      // Nothing stays in the registry for governance to withdraw, and only governance may redirect the share.
      expect(await stack.registry.read.operatorFees()).toBe(0n);
      await expect(
        stack.registry.write.setFeeDistributor([stack.avs.account.address], { account: stack.avs.account }),
      ).rejects.toThrow(/OwnableUnauthorizedAccount/);

      // Before the period ends there is nothing to distribute.
      const early = await runDaFeesOnce(publicClient, undefined, { feeDistributor: distributor, dryRun: true });
      expect(early.periods.map((p) => p.status)).toEqual(["pending"]);
      const period = early.periods[0]!.period;

      await increaseTime(DAY);
      // Certificate 1 by stakes 100:200:300, certificate 2 by 200:300; the dust goes to the largest signer.
      const split = (amount: bigint, stakes: bigint[]) => {
        const total = stakes.reduce((a, b) => a + b, 0n);
        const shares = stakes.map((s) => (amount * s) / total);
        shares[shares.length - 1]! += amount - shares.reduce((a, b) => a + b, 0n);
        return shares;
      };
      const a = split(shareAll, STAKES);
      const b = split(sharePartial, STAKES.slice(1));
      const expected = [a[0]!, a[1]! + b[0]!, a[2]! + b[1]!];
      const byAddress = ops
        .map((operator, i) => ({ operator, amount: expected[i]! }))
        .sort((x, y) => (BigInt(x.operator) < BigInt(y.operator) ? -1 : 1));

      const dry = await runDaFeesOnce(publicClient, undefined, { feeDistributor: distributor, dryRun: true });
      expect(dry.periods).toEqual([
        { period, accrued: shareAll + sharePartial, certificates: 2, status: "computed", rewards: byAddress },
      ]);

      // Only the distributor role may send: a clear error before anything is sent.
      await expect(
        runDaFeesOnce(publicClient, stack.governance, { feeDistributor: distributor }),
      ).rejects.toBeInstanceOf(NotDistributorError);

      // The keeper as cron runs it: over JSON-RPC, --once --json.
      const env = { VCLOUD_PRIVATE_KEY: KEEPER_KEY };
      const run = await vcloudAsync(
        ["--json", "keeper", "da-fees", "--once", "--rpc-url", bridge.url, "--fee-distributor", distributor],
        env,
      );
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const out = JSON.parse(run.stdout) as { periods: { period: number; status: string; txHash: string }[] };
      expect(out.periods).toMatchObject([{ period, status: "distributed" }]);
      expect(out.periods[0]!.txHash).toMatch(/^0x[0-9a-f]{64}$/);

      const fees = await publicClient.readContract({
        address: distributor,
        abi: iDAFeeDistributorAbi,
        functionName: "periodFees",
        args: [BigInt(period)],
      });
      expect(fees).toEqual({ accrued: shareAll + sharePartial, distributed: true });
      expect(await publicClient.getBalance({ address: distributor })).toBe(0n);
      expect(await publicClient.getBalance({ address: weth })).toBe(shareAll + sharePartial);

      // A second pass (another keeper, or the same after a restart) pays nothing twice.
      const again = await vcloudAsync(
        ["--json", "keeper", "da-fees", "--once", "--rpc-url", bridge.url, "--fee-distributor", distributor],
        env,
      );
      expect(again.code).toBe(0);
      expect((JSON.parse(again.stdout) as typeof out).periods).toMatchObject([{ period, status: "already" }]);

      // The rewards keeper pays each operator's reward to it and its stakers (here the operator itself).
      await increaseTime(DAY);
      const store = new RewardsStore(join(mkdtempSync(join(tmpdir(), "vcloud-da-fees-")), "rewards.sqlite"));
      try {
        const pass = await runRewardsOnce(publicClient, stack.governance, {
          contracts: {
            rewardsCoordinator,
            allocationManager: stack.core.allocationManager.address as Address,
            delegationManager: stack.core.delegationManager.address as Address,
          },
          store,
        });
        expect(pass.action).toBe("posted");
        const tree = store.latestPosted()!.tree;
        for (const [i, operator] of ops.entries()) {
          const [claim] = claimsFor(tree, operator, [weth]);
          // operator split plus its own stake's share; flooring loses at most a wei per step
          expect(expected[i]! - claim!.cumulativeEarnings).toBeGreaterThanOrEqual(0n);
          expect(expected[i]! - claim!.cumulativeEarnings).toBeLessThanOrEqual(2n);
        }
      } finally {
        store.close();
      }
    },
  );

  it(
    "through a faulty RPC endpoint: clear errors, nothing sent; a lost reply pays the period once",
    { timeout: 180_000 },
    async () => {
      const { publicClient } = stack;
      await disperse(fleet.disperseParams(payloadOf(5_000, 13)));
      const before = await runDaFeesOnce(publicClient, undefined, { feeDistributor: distributor, dryRun: true });
      const next = before.periods.find((p) => p.status === "pending")!;
      await increaseTime(DAY);
      const proxy = await startRpcProxy(stack.connection.provider as unknown as Eip1193);
      try {
        const chain = publicClient.chain;
        const transport = (timeout?: number) => http(proxy.url, { retryCount: 0, ...(timeout ? { timeout } : {}) });
        const client = createPublicClient({ chain, transport: transport() }) as PublicClient<Transport, Chain>;
        const walletClient = createWalletClient({ account: keeper, chain, transport: transport() });
        const pass = (c = client) => runDaFeesOnce(c, walletClient, { feeDistributor: distributor });

        await proxy.down();
        await expect(pass()).rejects.toThrow(/HTTP request failed|RPC endpoint/);
        await proxy.up();
        proxy.inject({ kind: "error", message: "injected fault: logs unavailable" }, { methods: ["eth_getLogs"] });
        await expect(pass()).rejects.toThrow(/injected fault: logs unavailable/);
        proxy.clear();
        proxy.inject({ kind: "slow", delayMs: 1_500 });
        const impatient = createPublicClient({ chain, transport: transport(500) }) as PublicClient<Transport, Chain>;
        await expect(pass(impatient)).rejects.toThrow(/took too long|RPC endpoint/);
        proxy.clear();
        expect(proxy.forwardedTxs).toEqual([]);

        // distribute lands but its reply is lost: the keeper finds its transaction mined instead of sending
        // another; the period is paid once and the next pass sends nothing.
        const faultedBefore = proxy.faulted;
        proxy.inject({ kind: "lose-reply" }, { methods: ["eth_sendRawTransaction"], count: 1 });
        const lost = await pass();
        expect(lost.periods.find((p) => p.period === next.period)?.status).toBe("distributed");
        expect(proxy.faulted).toBe(faultedBefore + 1);
        const paid = await publicClient.readContract({
          address: distributor,
          abi: iDAFeeDistributorAbi,
          functionName: "periodFees",
          args: [BigInt(next.period)],
        });
        expect(paid).toEqual({ accrued: next.accrued, distributed: true });
        const after = await pass();
        expect(after.periods.map((p) => p.status)).toEqual(["already", "already"]);
        expect(proxy.forwardedTxs).toHaveLength(1);
      } finally {
        await proxy.close();
      }
    },
  );

  /** FeesDistributed events per period: each period must be paid exactly once on the chain. */
  const distributions = async () => {
    const logs = await stack.publicClient.getContractEvents({
      address: distributor,
      abi: iDAFeeDistributorAbi,
      eventName: "FeesDistributed",
      fromBlock: 0n,
    });
    const byPeriod = new Map<number, number>();
    for (const l of logs) byPeriod.set(Number(l.args.period), (byPeriod.get(Number(l.args.period)) ?? 0) + 1);
    return byPeriod;
  };
  /** A new certificate's fee, then the end of its period. Returns the period. */
  const feePeriod = async (seed: number) => {
    await disperse(fleet.disperseParams(payloadOf(3_000, seed)));
    const dry = await runDaFeesOnce(stack.publicClient, undefined, { feeDistributor: distributor, dryRun: true });
    const period = dry.periods.find((p) => p.status === "pending")!.period;
    await increaseTime(DAY);
    return period;
  };

  it(
    "a reorg drops the distribute transaction: the next pass pays that period again, once",
    { timeout: 120_000 },
    async () => {
      const { publicClient } = stack;
      const walletClient = createWalletClient({
        account: keeper,
        chain: publicClient.chain,
        transport: custom(stack.connection.provider as never),
      });
      const period = await feePeriod(14);
      const snapshot = await publicClient.request({ method: "evm_snapshot" as never });
      const paid = await runDaFeesOnce(publicClient, walletClient, { feeDistributor: distributor });
      expect(paid.periods.find((p) => p.period === period)?.status).toBe("distributed");
      expect((await distributions()).get(period)).toBe(1);

      expect(await publicClient.request({ method: "evm_revert" as never, params: [snapshot] as never })).toBe(true);
      await publicClient.request({ method: "hardhat_mine" as never, params: ["0x3"] as never });
      expect((await distributions()).get(period)).toBeUndefined();
      const fees = () =>
        publicClient.readContract({
          address: distributor,
          abi: iDAFeeDistributorAbi,
          functionName: "periodFees",
          args: [BigInt(period)],
        });
      expect((await fees()).distributed).toBe(false);

      const again = await runDaFeesOnce(publicClient, walletClient, { feeDistributor: distributor });
      expect(again.periods.find((p) => p.period === period)?.status).toBe("distributed");
      const last = await runDaFeesOnce(publicClient, walletClient, { feeDistributor: distributor });
      expect(last.periods.every((p) => p.status === "already")).toBe(true);
      expect((await fees()).distributed).toBe(true);
      expect([...(await distributions()).values()].every((n) => n === 1)).toBe(true);
      expect((await distributions()).get(period)).toBe(1);
      expect(await publicClient.getBalance({ address: distributor })).toBe(0n);
    },
  );

  // Each kill point starts two CLI processes (85 s for the three on this loaded machine): CI runs the one around
  // the distribute send (6 s), the deep profile (VCLOUD_TEST_PROFILE=deep) all three. Where exactly the kill lands
  // does not change what is checked, so the test is deterministic.
  const killPoints = process.env.VCLOUD_TEST_PROFILE === "deep" ? [1_500, 3_500, 6_000] : [6_000];
  it(
    "`vcloud keeper da-fees` SIGKILLed and restarted --once: each period paid exactly once",
    { timeout: 300_000 },
    async () => {
      const args = ["--json", "keeper", "da-fees", "--rpc-url", bridge.url, "--fee-distributor", distributor];
      const env = { ...process.env, VCLOUD_LOG_LEVEL: "error", VCLOUD_PRIVATE_KEY: KEEPER_KEY };
      // Kill points from process start: start-up, the reads, around the distribute send.
      for (const [round, killAfterMs] of killPoints.entries()) {
        const period = await feePeriod(20 + round);
        const child = spawn(process.execPath, [join(PROJECT_ROOT, "bin", "vcloud.mjs"), ...args, "--interval", "1"], {
          cwd: PROJECT_ROOT,
          env,
          stdio: "ignore",
          detached: true,
        });
        const exited = new Promise<void>((r) => child.once("exit", () => r()));
        await new Promise((r) => setTimeout(r, killAfterMs));
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
        await exited;
        const restart = await vcloudAsync([...args, "--once"], { VCLOUD_PRIVATE_KEY: KEEPER_KEY });
        expect(restart.stderr, `killed after ${killAfterMs} ms`).toBe("");
        expect(restart.code).toBe(0);
        const out = JSON.parse(restart.stdout) as { periods: { period: number; status: string }[] };
        expect(out.periods.find((p) => p.period === period)?.status).toMatch(/^(distributed|already)$/);
        const counts = await distributions();
        expect(counts.get(period), `killed after ${killAfterMs} ms`).toBe(1);
        expect([...counts.values()].every((n) => n === 1)).toBe(true);
        expect(await stack.publicClient.getBalance({ address: distributor })).toBe(0n);
      }
    },
  );

  it("names a bad flag and exits 2", () => {
    const bad = vcloud(
      ["keeper", "da-fees", "--once", "--fee-distributor", "0x12", "--rpc-url", "http://127.0.0.1:1"],
      {
        VCLOUD_PRIVATE_KEY: KEEPER_KEY,
      },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--fee-distributor/);
    const noKey = vcloud(["keeper", "da-fees", "--once", "--fee-distributor", distributor, "--rpc-url", bridge.url], {
      VCLOUD_PRIVATE_KEY: "",
    });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/--private-key: required to send transactions/);
  });
});
