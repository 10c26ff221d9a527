import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  createWalletClient,
  getAddress,
  http,
  parseEther,
  parseEventLogs,
  WaitForTransactionReceiptTimeoutError,
  type Hex,
} from "viem";
import { nonceManager, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startHardhatNode, type DevnetNode } from "../../keepers/devnet/node.js";
import { runBuyback } from "../../keepers/fees/buyback.js";
import { backingEigenAbi, iReleaserAbi, rewardsCoordinatorAbi, vcloudTestTokenAbi } from "../../keepers/lib/abis.js";
import { createLogger } from "../../keepers/lib/logger.js";
import { PROJECT_ROOT } from "../../keepers/lib/paths.js";
import { runRewardsOnce } from "../../keepers/rewards/keeper.js";
import { RewardsStore } from "../../keepers/rewards/store.js";
import { freePort, vcloud, vcloudAsync } from "./helpers/cli.js";
import { deployFeesStack, INTERVAL, THRESHOLD, type FeesStack } from "./support/fees-stack.js";
import { startRpcProxy, type RpcProxy } from "./support/rpc-proxy.js";

/**
 * SIGKILLs a keeper's whole process group: `bin/vcloud.mjs` runs the CLI in a child (tsx, then node), so
 * killing the wrapper alone would leave the keeper running. The child is spawned `detached` (its own group).
 */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/**
 * Keepers under injected faults on loopback (issue #13): the buyback and rewards keepers talk to a real
 * hardhat node through an RPC proxy that goes down, is slow, returns errors, drops transactions and cuts
 * replies; the chain reorganises its last blocks; the keeper process is SIGKILLed at several points and
 * restarted. Each case checks the keeper failed with a clear error while the fault lasted and, once it
 * cleared, that the chain holds exactly one submission: none lost, none duplicated.
 */
describe("keepers under RPC faults, reorgs and kills", () => {
  let node: DevnetNode;
  let stack: FeesStack;
  let proxy: RpcProxy;
  const FEES = parseEther("100");
  const prices = () => ({
    eigen: parseEther("1"),
    eth: parseEther("3000"),
    tokens: new Map([[getAddress(stack.addr.reward), parseEther("1")]]),
  });

  beforeAll(async () => {
    node = await startHardhatNode({
      host: "127.0.0.1",
      port: await freePort(),
      logger: createLogger({ level: "warn" }),
    });
    stack = await deployFeesStack(node.url);
    proxy = await startRpcProxy(node.url);
    // The searcher approves the releaser once, so each pass sends exactly one transaction (the release).
    await stack.mined(
      stack.wallets.searcher.writeContract({
        address: stack.addr.eigen,
        abi: backingEigenAbi,
        functionName: "approve",
        args: [stack.addr.firepit, parseEther("10000")],
      }),
    );
  }, 300_000);

  afterAll(async () => {
    await proxy?.close();
    await node?.stop();
  });

  const rpc = <T>(method: string, params: unknown[] = []) =>
    stack.publicClient.request({ method: method as never, params: params as never }) as Promise<T>;

  async function fillJar() {
    await stack.mined(
      stack.wallets.gov.writeContract({
        address: stack.addr.reward,
        abi: vcloudTestTokenAbi,
        functionName: "mint",
        args: [stack.addr.jar, FEES],
      }),
    );
  }

  /** What the chain says: releases since `fromBlock`, EIGEN supply, jar balance, searcher's nonce. */
  async function chainState(fromBlock: bigint) {
    const logs = await stack.publicClient.getLogs({ address: stack.addr.firepit, fromBlock, toBlock: "latest" });
    const releases = parseEventLogs({ abi: iReleaserAbi, logs, eventName: "Released" });
    const [supply, jar, nonce] = await Promise.all([
      stack.publicClient.readContract({ address: stack.addr.eigen, abi: backingEigenAbi, functionName: "totalSupply" }),
      stack.publicClient.readContract({
        address: stack.addr.reward,
        abi: vcloudTestTokenAbi,
        functionName: "balanceOf",
        args: [stack.addr.jar],
      }),
      stack.publicClient.getTransactionCount({ address: stack.wallets.searcher.account.address }),
    ]);
    return { releases: releases.length, supply, jar, nonce };
  }

  function buybackPass(options: { timeout?: number; receiptTimeoutMs?: number } = {}) {
    const { publicClient, wallet } = stack.clientsVia(proxy.url, "searcher", { timeout: options.timeout });
    return runBuyback(publicClient, wallet, {
      jar: stack.addr.jar,
      prices: prices(),
      minProfit: 0n,
      dryRun: false,
      receiptTimeoutMs: options.receiptTimeoutMs ?? 5_000,
    });
  }

  /**
   * Fills the jar, runs one keeper pass under `fault` (which must fail with `error`), clears the fault and
   * runs passes until the keeper holds; then exactly one release burned exactly one threshold.
   */
  async function underFault(
    fault: () => Promise<void> | void,
    error: RegExp | (new (...args: never[]) => Error),
    options: { timeout?: number } = {},
  ) {
    await fillJar();
    const from = (await stack.publicClient.getBlockNumber({ cacheTime: 0 })) + 1n;
    const before = await chainState(from);
    await fault();
    try {
      await expect(buybackPass(options)).rejects.toThrow(error as never);
    } finally {
      proxy.clear();
      await proxy.up();
    }
    let released = 0;
    for (let pass = 0; pass < 3; pass++) {
      const report = await buybackPass();
      if (!report.release) break;
      released++;
    }
    const after = await chainState(from);
    expect(after.releases).toBe(1);
    expect(before.supply - after.supply).toBe(THRESHOLD);
    expect(after.jar).toBe(0n);
    // One transaction from the searcher in all: no duplicate under any nonce.
    expect(after.nonce - before.nonce).toBe(1);
    return { released };
  }

  it("endpoint down: the pass fails with an HTTP error naming the endpoint; the next pass releases once", async () => {
    const { released } = await underFault(() => proxy.down(), /HTTP request failed[\s\S]*fetch failed/);
    expect(released).toBe(1);
  });

  it("JSON-RPC errors on every read: the pass fails naming the node's error; then one release", async () => {
    await underFault(
      () =>
        proxy.inject(
          { kind: "error", code: -32603, message: "injected fault: node overloaded" },
          { methods: ["eth_call"] },
        ),
      /injected fault: node overloaded/,
    );
  });

  it("HTTP 503 from the endpoint: the pass fails with the status; then one release", async () => {
    await underFault(() => proxy.inject({ kind: "error", httpStatus: 503 }), /Status: 503/);
  });

  it("a slow endpoint beyond the client's timeout: the pass times out; then one release", async () => {
    await underFault(() => proxy.inject({ kind: "slow", delayMs: 1_500 }), /took too long/, { timeout: 500 });
  });

  it("a dropped transaction: the pass times out waiting for it, the nonce stays free, the next pass fills it once", async () => {
    const { released } = await underFault(
      () => proxy.inject({ kind: "drop-tx" }, { count: 1 }),
      WaitForTransactionReceiptTimeoutError,
    );
    expect(proxy.droppedTxs.length).toBeGreaterThan(0);
    expect(released).toBe(1);
  });

  it("a send whose reply is lost after it landed: the keeper errs, and the next pass does not release again", async () => {
    const { released } = await underFault(
      () => proxy.inject({ kind: "lose-reply" }, { methods: ["eth_sendRawTransaction"], count: 1 }),
      Error,
    );
    // The release landed during the faulty pass; the recovery pass found the jar empty.
    expect(released).toBe(0);
  });

  it("a reorg drops the block holding the release: the next pass releases again, once, on the new chain", async () => {
    await fillJar();
    const from = (await stack.publicClient.getBlockNumber({ cacheTime: 0 })) + 1n;
    const before = await chainState(from);
    const snapshot = await rpc<Hex>("evm_snapshot");
    const first = await buybackPass();
    expect(first.release).toBeDefined();
    expect((await chainState(from)).releases).toBe(1);
    // Reorg: the last blocks are replaced by others without the keeper's transaction.
    expect(await rpc<boolean>("evm_revert", [snapshot])).toBe(true);
    await rpc("hardhat_mine", ["0x3"]);
    const reorged = await chainState(from);
    expect(reorged.releases).toBe(0);
    expect(reorged.jar).toBe(FEES);
    const second = await buybackPass();
    expect(second.release).toBeDefined();
    const after = await chainState(from);
    expect(after.releases).toBe(1);
    expect(before.supply - after.supply).toBe(THRESHOLD);
    expect(after.nonce - before.nonce).toBe(1);
    expect((await buybackPass()).release).toBeUndefined();
  });

  it("`vcloud keeper buyback` SIGKILLed at several points and restarted: exactly one release per filled jar", async () => {
    const args = [
      "--json",
      "keeper",
      "buyback",
      "--rpc-url",
      node.url,
      "--jar",
      stack.addr.jar,
      "--price",
      "EIGEN=1",
      "--price",
      "ETH=3000",
      "--price",
      `${stack.addr.reward}=1`,
    ];
    const env = { ...process.env, VCLOUD_LOG_LEVEL: "warn", VCLOUD_PRIVATE_KEY: stack.keys[2]!.privateKey };
    // Kill points from process start: during start-up, the first reads, around the send, and later.
    for (const killAfterMs of [400, 1_500, 2_500, 3_500, 5_000]) {
      await fillJar();
      const from = (await stack.publicClient.getBlockNumber({ cacheTime: 0 })) + 1n;
      const before = await chainState(from);
      const child = spawn(process.execPath, [join(PROJECT_ROOT, "bin", "vcloud.mjs"), ...args, "--interval", "1"], {
        cwd: PROJECT_ROOT,
        env,
        stdio: "ignore",
        detached: true,
      });
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      await new Promise((r) => setTimeout(r, killAfterMs));
      killGroup(child.pid!);
      await exited;
      // Restart (as cron would): one pass, which must not release a jar that is already empty.
      const restart = vcloud([...args, "--once"], { VCLOUD_PRIVATE_KEY: stack.keys[2]!.privateKey });
      expect(restart.stderr).toBe("");
      expect(restart.code).toBe(0);
      const after = await chainState(from);
      expect(after.releases, `killed after ${killAfterMs} ms`).toBe(1);
      expect(before.supply - after.supply).toBe(THRESHOLD);
      expect(after.jar).toBe(0n);
      expect(after.nonce - before.nonce).toBe(1);
    }
  }, 240_000);

  describe("rewards keeper", () => {
    // One keeper database across the cases, as one keeper would keep it.
    const dbPath = join(mkdtempSync(join(tmpdir(), "vcloud-rewards-faults-")), "rewards.sqlite");
    const db = () => dbPath;
    const contracts = () => ({
      rewardsCoordinator: stack.addr.rc,
      allocationManager: stack.addr.am,
      delegationManager: stack.addr.dm,
    });
    const rootsLength = () =>
      stack.publicClient.readContract({
        address: stack.addr.rc,
        abi: rewardsCoordinatorAbi,
        functionName: "getDistributionRootsLength",
      });

    /** The AVS funds one interval of rewards starting at the current period; time moves past its end. */
    async function fundPeriod(amount: bigint) {
      const w = stack.wallets;
      await stack.mined(
        w.gov.writeContract({
          address: stack.addr.reward,
          abi: vcloudTestTokenAbi,
          functionName: "mint",
          args: [w.avs.account.address, amount],
        }),
      );
      await stack.mined(
        w.avs.writeContract({
          address: stack.addr.reward,
          abi: vcloudTestTokenAbi,
          functionName: "approve",
          args: [stack.addr.rc, amount],
        }),
      );
      const now = (await stack.publicClient.getBlock()).timestamp;
      const start = now - (now % BigInt(INTERVAL));
      await stack.mined(
        w.avs.writeContract({
          address: stack.addr.rc,
          abi: rewardsCoordinatorAbi,
          functionName: "createOperatorSetRewardsSubmission",
          args: [
            { avs: w.avs.account.address, id: 1 },
            [
              {
                strategiesAndMultipliers: [{ strategy: stack.addr.strategy, multiplier: 10n ** 18n }],
                token: stack.addr.reward,
                amount,
                startTimestamp: Number(start),
                duration: INTERVAL,
              },
            ],
          ],
        }),
      );
      await rpc("evm_increaseTime", [2 * INTERVAL]);
      await rpc("evm_mine");
    }

    function rewardsPass(store: RewardsStore, http?: { timeout?: number; retryCount?: number }) {
      const { publicClient, wallet } = stack.clientsVia(proxy.url, "gov", http);
      return runRewardsOnce(publicClient, wallet, { contracts: contracts(), store });
    }

    it("endpoint down, then slow beyond the client's timeout: each pass fails clearly and posts nothing; then one root", async () => {
      const store = new RewardsStore(db());
      try {
        await fundPeriod(parseEther("100"));
        const roots = await rootsLength();
        await proxy.down();
        await expect(rewardsPass(store)).rejects.toThrow(/HTTP request failed[\s\S]*fetch failed/);
        await proxy.up();
        expect(await rootsLength()).toBe(roots);
        proxy.inject({ kind: "slow", delayMs: 1_500 });
        await expect(rewardsPass(store, { timeout: 500, retryCount: 0 })).rejects.toThrow(/took too long/);
        proxy.clear();
        expect(await rootsLength()).toBe(roots);
        // Whatever a failed pass computed is not on chain: the next pass posts one root, then nothing more.
        expect((await rewardsPass(store)).action).toBe("posted");
        expect(await rootsLength()).toBe(roots + 1n);
        expect(store.latest()?.status).toBe("posted");
        expect((await rewardsPass(store)).action).toBe("up-to-date");
        expect(await rootsLength()).toBe(roots + 1n);
      } finally {
        store.close();
      }
    }, 120_000);

    it("a dropped root transaction in a long-lived keeper (one nonce manager across passes): bounded wait, then the same root once", async () => {
      const store = new RewardsStore(db());
      try {
        await fundPeriod(parseEther("100"));
        const roots = await rootsLength();
        // As a daemon keeps it: one account with viem's local nonce manager for every pass.
        const { publicClient } = stack.clientsVia(proxy.url, "gov");
        const wallet = createWalletClient({
          account: privateKeyToAccount(stack.keys[0]!.privateKey, { nonceManager }),
          chain: publicClient.chain,
          transport: http(proxy.url),
        });
        const pass = () =>
          runRewardsOnce(publicClient, wallet, { contracts: contracts(), store, receiptTimeoutMs: 1_500 });
        const nonce = await stack.publicClient.getTransactionCount({ address: wallet.account.address });
        proxy.inject({ kind: "drop-tx" }, { count: 1 });
        const started = Date.now();
        await expect(pass()).rejects.toBeInstanceOf(WaitForTransactionReceiptTimeoutError);
        proxy.clear();
        expect(Date.now() - started).toBeLessThan(30_000);
        const computed = store.latest();
        expect(computed?.status).toBe("computed");
        expect(await rootsLength()).toBe(roots);
        const posted = await pass();
        expect(posted.action).toBe("posted");
        expect(posted.root).toBe(computed!.root);
        expect(await rootsLength()).toBe(roots + 1n);
        expect((await pass()).action).toBe("up-to-date");
        // The root took the nonce the lost transaction left free: nothing queued behind a gap.
        expect(await stack.publicClient.getTransactionCount({ address: wallet.account.address })).toBe(nonce + 1);
        expect(
          await stack.publicClient.getTransactionCount({ address: wallet.account.address, blockTag: "pending" }),
        ).toBe(nonce + 1);
      } finally {
        store.close();
      }
    }, 120_000);

    it("`vcloud keeper rewards --receipt-timeout 2` with its root dropped: fails on the bound (not the 120 s default); the next run posts the root once", async () => {
      await fundPeriod(parseEther("100"));
      const roots = await rootsLength();
      const run = () =>
        vcloudAsync(
          [
            "--json",
            "keeper",
            "rewards",
            "--rpc-url",
            proxy.url,
            "--rewards-coordinator",
            stack.addr.rc,
            "--db",
            db(),
          ].concat(["--once", "--receipt-timeout", "2"]),
          { VCLOUD_PRIVATE_KEY: stack.keys[0]!.privateKey },
        );
      proxy.inject({ kind: "drop-tx" }, { count: 1 });
      const started = Date.now();
      const dropped = await run();
      proxy.clear();
      expect(dropped.code, dropped.stderr).toBe(1);
      expect(dropped.stderr).toMatch(/Timed out while waiting for transaction/);
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(await rootsLength()).toBe(roots);
      const posted = await run();
      expect(posted.code, posted.stderr).toBe(0);
      expect(JSON.parse(posted.stdout)).toMatchObject({ action: "posted" });
      expect(await rootsLength()).toBe(roots + 1n);
    }, 90_000);

    it("errors and a lost reply while posting: clear failures, then exactly one root per period", async () => {
      const store = new RewardsStore(db());
      try {
        await fundPeriod(parseEther("100"));
        const roots = await rootsLength();
        proxy.inject({ kind: "error", message: "injected fault: upstream unavailable" }, { methods: ["eth_getLogs"] });
        await expect(rewardsPass(store)).rejects.toThrow(/injected fault: upstream unavailable/);
        proxy.clear();
        expect(await rootsLength()).toBe(roots);
        // The post lands but its reply is lost: the keeper errs with a computed root in its store.
        proxy.inject({ kind: "lose-reply" }, { methods: ["eth_sendRawTransaction"], count: 1 });
        await expect(rewardsPass(store)).rejects.toThrow();
        proxy.clear();
        expect(store.latest()?.status).toBe("computed");
        expect(await rootsLength()).toBe(roots + 1n);
        // Restarted pass: sees the root on chain, records it, posts nothing.
        expect((await rewardsPass(store)).action).toBe("reconciled");
        expect((await rewardsPass(store)).action).toBe("up-to-date");
        expect(await rootsLength()).toBe(roots + 1n);
      } finally {
        store.close();
      }
    }, 120_000);

    it("`vcloud keeper rewards` SIGKILLed at several points and restarted: one root per period, as stored", async () => {
      const args = ["--json", "keeper", "rewards", "--rpc-url", node.url, "--rewards-coordinator", stack.addr.rc];
      const key = { VCLOUD_PRIVATE_KEY: stack.keys[0]!.privateKey };
      for (const killAfterMs of [500, 2_500, 4_500]) {
        await fundPeriod(parseEther("10"));
        const roots = await rootsLength();
        const child = spawn(
          process.execPath,
          [join(PROJECT_ROOT, "bin", "vcloud.mjs"), ...args, "--db", db(), "--interval", "1"],
          {
            cwd: PROJECT_ROOT,
            env: { ...process.env, VCLOUD_LOG_LEVEL: "warn", ...key },
            stdio: "ignore",
            detached: true,
          },
        );
        const exited = new Promise<void>((r) => child.once("exit", () => r()));
        await new Promise((r) => setTimeout(r, killAfterMs));
        killGroup(child.pid!);
        await exited;
        const restart = vcloud([...args, "--db", db(), "--once"], key);
        expect(restart.stderr).toBe("");
        expect(restart.code).toBe(0);
        expect(await rootsLength(), `killed after ${killAfterMs} ms`).toBe(roots + 1n);
        const onChain = await stack.publicClient.readContract({
          address: stack.addr.rc,
          abi: rewardsCoordinatorAbi,
          functionName: "getDistributionRootAtIndex",
          args: [roots],
        });
        const store = new RewardsStore(db());
        try {
          expect(store.latestPosted()?.root).toBe(onChain.root);
          expect(store.latest()?.status).toBe("posted");
        } finally {
          store.close();
        }
      }
    }, 240_000);

    it("a reorg drops the posted root: the next pass posts it again, once, with the same earnings", async () => {
      const store = new RewardsStore(db());
      try {
        await fundPeriod(parseEther("100"));
        // Pin the head in the middle of a period: wall-clock time passing between the two passes must not
        // complete another (empty) period, or the second root would end later than the first.
        const head = Number((await stack.publicClient.getBlock()).timestamp);
        const middle = head - (head % INTERVAL) + INTERVAL + INTERVAL / 2;
        await rpc("evm_setNextBlockTimestamp", [middle]);
        await rpc("evm_mine");
        const roots = await rootsLength();
        const snapshot = await rpc<Hex>("evm_snapshot");
        const first = await rewardsPass(store);
        expect(first.action).toBe("posted");
        expect(await rootsLength()).toBe(roots + 1n);
        expect(await rpc<boolean>("evm_revert", [snapshot])).toBe(true);
        await rpc("evm_setNextBlockTimestamp", [middle + 1]);
        await rpc("hardhat_mine", ["0x2"]);
        expect(await rootsLength()).toBe(roots);
        const second = await rewardsPass(store);
        expect(second.action).toBe("posted");
        expect(second.root).toBe(first.root);
        expect(second.endTimestamp).toBe(first.endTimestamp);
        expect(await rootsLength()).toBe(roots + 1n);
        const onChain = await stack.publicClient.readContract({
          address: stack.addr.rc,
          abi: rewardsCoordinatorAbi,
          functionName: "getDistributionRootAtIndex",
          args: [roots],
        });
        expect(onChain.root).toBe(first.root);
        expect((await rewardsPass(store)).action).toBe("up-to-date");
      } finally {
        store.close();
      }
    }, 120_000);
  });
});
