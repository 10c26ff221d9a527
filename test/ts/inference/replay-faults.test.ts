/**
 * The replay keeper under injected faults (issue 13): it talks to an in-process chain through the
 * loopback JSON-RPC proxy (test/ts/support/rpc-proxy.ts) that goes down, returns errors, is slow, cuts
 * the reply of its `challenge` transaction, drops a transaction in the middle of a pass; the chain
 * reorganises its last blocks. Each case checks the chain afterwards: a pass that cannot read the chain
 * fails clearly and challenges nothing; every cheating claim ends with exactly one challenge on chain and
 * one bond paid, whatever was lost on the way. The committee's sends (`resolve`, and `resolveTimedOut` past
 * the committee deadline) go through the same faults: each challenge is resolved exactly once on the chain
 * as it ends up, its bond paid back once, and the pass after sends nothing. Same tiny generated model as
 * replay-keeper.test.ts.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  createPublicClient,
  createWalletClient,
  http,
  parseEventLogs,
  parseTransaction,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createNonceManager, jsonRpc } from "viem/nonce";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { InferenceRequest } from "../../../keepers/ai/engine.js";
import type { LlamaEngine } from "../../../keepers/ai/llama.js";
import type { DaNode } from "../../../keepers/da-network/node.js";
import { advanceBlocks } from "../../../keepers/da-network/setup.js";
import { devnetAccounts } from "../../../keepers/devnet/accounts.js";
import { inferenceClaimsAbi } from "../../../keepers/lib/abis.js";
import { createLogger } from "../../../keepers/lib/logger.js";
import { ReplayCheckpoint } from "../../../keepers/replay/checkpoint.js";
import { replayOnce, type ReplayKeeperParams } from "../../../keepers/replay/keeper.js";
import { postInferenceClaim } from "../../../keepers/replay/publish.js";
import { deployDaStack, ether } from "../helpers/da-stack.js";
import { startRpcProxy, type Eip1193, type RpcProxy } from "../support/rpc-proxy.js";
import { deployInferenceStack, startStackDaNodes, writeReplayModels } from "./inference-stack.js";

type Wallet = WalletClient<Transport, Chain, Account>;

const BOND = ether("0.1");
const THRESHOLDS = { confirmationThreshold: 55, adversaryThreshold: 33 };
const logger = createLogger({ level: "silent" });
/** devnetAccounts index of the keeper (funded by the in-process chain; used by no other role here). */
const KEEPER_ACCOUNT = 15;

describe("replay keeper under RPC faults and reorgs: no lost and no duplicated challenge", () => {
  let s: Awaited<ReturnType<typeof deployDaStack>>;
  let claims: Address;
  let operator: Wallet;
  let app: Wallet;
  let honestModel: string;
  let honest: LlamaEngine;
  let other: LlamaEngine;
  let proxy: RpcProxy;
  let provider: Eip1193;
  let keeperPublic: PublicClient<Transport, Chain>;
  let keeperWallet: Wallet;
  const nodes: DaNode[] = [];
  const dir = mkdtempSync(join(tmpdir(), "vcloud-replay-faults-"));
  const dbPath = join(dir, "keeper.sqlite");
  let prompts = 0;

  const da = () => ({
    certificateRegistry: s.registry.address as Address,
    registrar: s.registrar.address as Address,
    maxOperators: 16,
    thresholds: THRESHOLDS,
    ttlSeconds: 7 * 24 * 3600,
    timeoutMs: 20_000,
  });

  /** One keeper pass through the proxy; the challenger only (committee duties are not under test here). */
  const keeper = (overrides: Partial<ReplayKeeperParams> = {}) =>
    replayOnce({
      publicClient: keeperPublic,
      walletClient: keeperWallet,
      claims,
      da: da(),
      models: [honestModel],
      policy: { mode: "all" },
      engine: { threads: 1 },
      bond: BOND,
      dbPath,
      receiptTimeoutMs: 1_500,
      logger,
      ...overrides,
    });

  /** A claim whose receipt comes from another model than the one it names: the keeper must challenge it. */
  async function postCheat(): Promise<Hex> {
    const request: InferenceRequest = { prompt: `Cheat number ${++prompts}.`, seed: BigInt(prompts), maxTokens: 4 };
    const posted = await postInferenceClaim({
      publicClient: s.publicClient,
      walletClient: operator,
      claims,
      da: da(),
      request,
      receipt: await other.run(request),
      modelHash: honest.model.sha256,
      app: app.account.address,
      fee: ether("0.01"),
      logger,
    });
    return posted.claimId;
  }

  const status = async (claimId: Hex) =>
    Number(
      (
        (await s.publicClient.readContract({
          address: claims,
          abi: inferenceClaimsAbi,
          functionName: "getClaim",
          args: [claimId],
        })) as { status: number }
      ).status,
    );

  /** `eventName` events for `claimId` on the chain as it is now, read directly (not through the proxy). */
  async function events(eventName: "ClaimChallenged" | "ClaimRefuted" | "ChallengeTimedOut", claimId: Hex) {
    const logs = await s.publicClient.getLogs({ address: claims, fromBlock: 0n, toBlock: "latest" });
    return parseEventLogs({ abi: inferenceClaimsAbi, logs, eventName }).filter((e) => e.args.claimId === claimId);
  }
  const challenges = (claimId: Hex) => events("ClaimChallenged", claimId);

  const claimsBalance = () => s.publicClient.getBalance({ address: claims });
  const toClaims = (call: { params: readonly unknown[] }) =>
    parseTransaction(call.params[0] as Hex).to?.toLowerCase() === claims.toLowerCase();

  beforeAll(async () => {
    ({ honestModel, honest, other } = await writeReplayModels(dir));
    s = await deployDaStack({ stakes: [ether("100"), ether("200"), ether("300")] });
    nodes.push(...(await startStackDaNodes(s, "vcloud-replay-faults-da", logger)));
    const wallets = (await s.viem.getWalletClients()) as unknown as Wallet[];
    const [inferenceAvs, op, a] = [wallets[8]!, wallets[9]!, wallets[10]!];
    operator = op;
    app = a;
    ({
      claims: { address: claims },
    } = await deployInferenceStack(
      s,
      { inferenceAvs, operator, app },
      { challengeWindow: 3600n, minChallengeBond: BOND },
    ));

    // The keeper signs locally with viem's nonce manager (as keepers/lib/signer.ts does) and reaches the
    // chain only through the proxy.
    provider = s.connection.provider as unknown as Eip1193;
    proxy = await startRpcProxy(provider);
    const chain = s.publicClient.chain;
    keeperPublic = createPublicClient({ chain, transport: http(proxy.url) }) as PublicClient<Transport, Chain>;
    keeperWallet = createWalletClient({
      account: privateKeyToAccount(devnetAccounts(KEEPER_ACCOUNT + 1)[KEEPER_ACCOUNT]!.privateKey, {
        // Its own manager: viem's shared one may hold this account's count from another file's chain (same id).
        nonceManager: createNonceManager({ source: jsonRpc() }),
      }),
      chain,
      transport: http(proxy.url),
    });
  }, 600_000);

  afterAll(async () => {
    await proxy?.close();
    await honest?.close();
    await other?.close();
    for (const node of nodes) await node.close();
  });

  it("endpoint down, JSON-RPC errors, a slow endpoint: each pass fails clearly and challenges nothing", async () => {
    const cheat = await postCheat();
    const before = await claimsBalance();

    await proxy.down();
    await expect(keeper()).rejects.toThrow(/HTTP request failed/);
    await proxy.up();

    proxy.inject({ kind: "error", message: "injected fault: node unavailable" });
    await expect(keeper()).rejects.toThrow(/injected fault: node unavailable/);
    proxy.clear();

    // Beyond the client's timeout (viem's http transport, 500 ms here, no retries).
    const impatient = createPublicClient({
      chain: s.publicClient.chain,
      transport: http(proxy.url, { timeout: 500, retryCount: 0 }),
    }) as PublicClient<Transport, Chain>;
    proxy.inject({ kind: "slow", delayMs: 1_500 });
    await expect(keeper({ publicClient: impatient })).rejects.toThrow(/took too long/);
    proxy.clear();

    expect(await status(cheat)).toBe(1);
    expect(await challenges(cheat)).toHaveLength(0);
    expect(await claimsBalance()).toBe(before);

    // The fault cleared: the next pass challenges, once.
    expect((await keeper()).find((o) => o.claimId === cheat)).toMatchObject({ action: "challenge" });
    expect(await challenges(cheat)).toHaveLength(1);
    expect(await claimsBalance()).toBe(before + BOND);
    expect((await keeper()).find((o) => o.claimId === cheat)).toMatchObject({ action: "wait" });
    expect(await challenges(cheat)).toHaveLength(1);
  }, 300_000);

  it("the reply of the challenge is lost after it landed: the next pass sends nothing more; one bond paid", async () => {
    const cheat = await postCheat();
    const before = await claimsBalance();
    proxy.inject({ kind: "lose-reply" }, { methods: ["eth_sendRawTransaction"], match: toClaims, count: 1 });
    const first = await keeper();
    proxy.clear();
    expect(proxy.faulted).toBeGreaterThan(0);
    // Whatever the keeper concluded from the cut connection, the challenge is on chain once.
    expect(await status(cheat)).toBe(2);
    const landed = await challenges(cheat);
    expect(landed, JSON.stringify(first.find((o) => o.claimId === cheat))).toHaveLength(1);

    const next = await keeper();
    expect(next.find((o) => o.claimId === cheat)).toMatchObject({ action: "wait" });
    expect(await challenges(cheat)).toHaveLength(1);
    expect(await claimsBalance()).toBe(before + BOND);
    // The keeper knows the challenge is its own (it closes it if the committee misses its deadline).
    const checkpoint = new ReplayCheckpoint(dbPath);
    expect(checkpoint.local(cheat).challengeTx).toBe(landed[0]!.transactionHash);
    checkpoint.close();
  }, 300_000);

  it("a reorg drops the block holding the challenge: the next pass challenges again, once", async () => {
    const cheat = await postCheat();
    const before = await claimsBalance();
    const snapshot = (await provider.request({ method: "evm_snapshot" })) as Hex;
    expect((await keeper()).find((o) => o.claimId === cheat)).toMatchObject({ action: "challenge" });
    expect(await challenges(cheat)).toHaveLength(1);
    expect(await provider.request({ method: "evm_revert", params: [snapshot] })).toBe(true);
    await provider.request({ method: "hardhat_mine", params: ["0x3"] });
    expect(await status(cheat)).toBe(1);
    expect(await challenges(cheat)).toHaveLength(0);

    const again = (await keeper()).find((o) => o.claimId === cheat);
    expect(again, JSON.stringify(again)).toMatchObject({ action: "challenge" });
    expect(await status(cheat)).toBe(2);
    expect(await challenges(cheat)).toHaveLength(1);
    expect(await claimsBalance()).toBe(before + BOND);
  }, 300_000);

  it("a reorg drops a scanned claim and it is posted again in blocks already scanned: still challenged, once", async () => {
    const snapshot = (await provider.request({ method: "evm_snapshot" })) as Hex;
    const dropped = await postCheat();
    expect((await keeper()).find((o) => o.claimId === dropped)).toMatchObject({ action: "challenge" });
    const scannedUpTo = new ReplayCheckpoint(dbPath);
    const nextBlock = scannedUpTo.nextBlock()!;
    scannedUpTo.close();
    expect(await provider.request({ method: "evm_revert", params: [snapshot] })).toBe(true);
    // The operator posts again (a new claim) on the new chain, inside the blocks the keeper already scanned.
    const reposted = await postCheat();
    const [postedLog] = parseEventLogs({
      abi: inferenceClaimsAbi,
      logs: await s.publicClient.getLogs({ address: claims, fromBlock: 0n, toBlock: "latest" }),
      eventName: "ClaimPosted",
    }).filter((e) => e.args.claimId === reposted);
    expect(postedLog!.blockNumber).toBeLessThan(nextBlock);
    await provider.request({ method: "hardhat_mine", params: ["0x1"] });

    const outcomes = await keeper();
    expect(outcomes.find((o) => o.claimId === reposted)).toMatchObject({ action: "challenge" });
    expect(await challenges(reposted)).toHaveLength(1);
    expect(await status(dropped)).toBe(0); // gone with the reorg
    expect(await challenges(dropped)).toHaveLength(0);
  }, 300_000);

  it("the first of two challenges in one pass is dropped: bounded wait, the second fills the nonce, the next pass files the first; each once", async () => {
    const [a, b] = [await postCheat(), await postCheat()];
    const before = await claimsBalance();
    proxy.inject({ kind: "drop-tx" }, { match: toClaims, count: 1 });
    const started = Date.now();
    const first = await keeper();
    proxy.clear();
    expect(Date.now() - started).toBeLessThan(120_000);
    expect(proxy.droppedTxs.length).toBeGreaterThan(0);
    expect(first.find((o) => o.claimId === a)).toMatchObject({ action: "failed" });
    expect(first.find((o) => o.claimId === a)!.reason).toMatch(/Timed out while waiting for transaction/);
    expect(first.find((o) => o.claimId === b)).toMatchObject({ action: "challenge" });

    expect((await keeper()).find((o) => o.claimId === a)).toMatchObject({ action: "challenge" });
    expect(await challenges(a)).toHaveLength(1);
    expect(await challenges(b)).toHaveLength(1);
    expect(await claimsBalance()).toBe(before + 2n * BOND);
    // Nonces contiguous, nothing stuck in the pool behind a gap.
    const address = keeperWallet.account.address;
    expect(await s.publicClient.getTransactionCount({ address, blockTag: "pending" })).toBe(
      await s.publicClient.getTransactionCount({ address, blockTag: "latest" }),
    );
  }, 300_000);
  describe("committee sends: resolve and resolveTimedOut", () => {
    /** The keeper as challenger and committee (it holds the DA operators' BLS keys), on its own checkpoint. */
    const committeeDb = join(dir, "committee.sqlite");
    let committeeFrom = 0n;
    const committeeKeeper = () => keeper({ dbPath: committeeDb, committeeKeys: s.keys, fromBlock: committeeFrom });
    const find = async (pass: Promise<Awaited<ReturnType<typeof replayOnce>>>, claimId: Hex) =>
      (await pass).find((o) => o.claimId === claimId);

    beforeAll(async () => {
      committeeFrom = await s.publicClient.getBlockNumber();
    });

    /** A cheating claim this keeper challenged, one block back (the committee certifies from the next pass). */
    async function challengedCheat(): Promise<Hex> {
      const cheat = await postCheat();
      expect(await find(committeeKeeper(), cheat)).toMatchObject({ action: "challenge" });
      await advanceBlocks(s.publicClient, 1);
      return cheat;
    }

    /** Refuted once on the chain as it is, the bond back with the challenger; the next passes send nothing. */
    async function resolvedOnce(cheat: Hex, balanceBefore: bigint) {
      expect(await status(cheat)).toBe(4); // Refuted
      expect(await events("ClaimRefuted", cheat)).toHaveLength(1);
      expect(await claimsBalance()).toBe(balanceBefore);
      const sent = proxy.forwardedTxs.length;
      expect(await find(committeeKeeper(), cheat)).toMatchObject({ action: "close" });
      expect((await committeeKeeper()).some((o) => o.claimId === cheat)).toBe(false);
      expect(proxy.forwardedTxs.length).toBe(sent);
      expect(await events("ClaimRefuted", cheat)).toHaveLength(1);
    }

    it("resolve: endpoint down before the pass and as the resolve is sent; the next pass resolves once", async () => {
      const before = await claimsBalance();
      const cheat = await challengedCheat();
      expect(await claimsBalance()).toBe(before + BOND);

      await proxy.down();
      await expect(committeeKeeper()).rejects.toThrow(/HTTP request failed/);
      await proxy.up();
      // The endpoint goes down the moment the resolve is broadcast (the transaction is never forwarded).
      proxy.inject(
        { kind: "error" },
        {
          methods: ["eth_sendRawTransaction"],
          count: 1,
          match: (call) => {
            if (toClaims(call)) void proxy.down();
            return toClaims(call);
          },
        },
      );
      const failed = await find(committeeKeeper(), cheat);
      proxy.clear();
      await proxy.up();
      expect(failed).toMatchObject({ action: "failed" });
      expect(failed!.reason).toMatch(/HTTP request failed/);
      expect(await status(cheat)).toBe(2);
      expect(await events("ClaimRefuted", cheat)).toHaveLength(0);

      expect(await find(committeeKeeper(), cheat)).toMatchObject({ action: "certify" });
      await resolvedOnce(cheat, before);
    }, 300_000);

    it("resolve: its reply is lost after it landed; nothing is sent again", async () => {
      const before = await claimsBalance();
      const cheat = await challengedCheat();
      proxy.inject({ kind: "lose-reply" }, { methods: ["eth_sendRawTransaction"], match: toClaims, count: 1 });
      const first = await find(committeeKeeper(), cheat);
      proxy.clear();
      expect(proxy.faulted).toBeGreaterThan(0);
      expect(await events("ClaimRefuted", cheat), JSON.stringify(first)).toHaveLength(1);
      await resolvedOnce(cheat, before);
    }, 300_000);

    it("resolve: a reorg drops its block; the next pass resolves again, once", async () => {
      const before = await claimsBalance();
      const cheat = await challengedCheat();
      const snapshot = (await provider.request({ method: "evm_snapshot" })) as Hex;
      expect(await find(committeeKeeper(), cheat)).toMatchObject({ action: "certify" });
      expect(await status(cheat)).toBe(4);
      expect(await provider.request({ method: "evm_revert", params: [snapshot] })).toBe(true);
      await provider.request({ method: "hardhat_mine", params: ["0x3"] });
      expect(await status(cheat)).toBe(2);
      expect(await events("ClaimRefuted", cheat)).toHaveLength(0);
      expect(await claimsBalance()).toBe(before + BOND);

      expect(await find(committeeKeeper(), cheat)).toMatchObject({ action: "certify" });
      await resolvedOnce(cheat, before);
    }, 300_000);

    it("resolveTimedOut past the deadline: errors on the send, a lost reply, a reorg after the claims were closed; each closed once", async () => {
      // The challenger only (no committee key), so that the committee misses its deadline.
      const timeoutDb = join(dir, "timeout.sqlite");
      const from = await s.publicClient.getBlockNumber();
      const challenger = () => keeper({ dbPath: timeoutDb, fromBlock: from });
      const before = await claimsBalance();
      const [a, b] = [await postCheat(), await postCheat()];
      const filed = await challenger();
      for (const id of [a, b]) expect(filed.find((o) => o.claimId === id)).toMatchObject({ action: "challenge" });
      expect(await claimsBalance()).toBe(before + 2n * BOND);
      await provider.request({ method: "evm_increaseTime", params: [6 * 3600 + 1] });
      await advanceBlocks(s.publicClient, 1);

      proxy.inject(
        { kind: "error", code: -32000, message: "injected fault: txpool is full" },
        { methods: ["eth_sendRawTransaction"], match: toClaims },
      );
      const refused = await challenger();
      proxy.clear();
      for (const id of [a, b]) {
        expect(refused.find((o) => o.claimId === id)).toMatchObject({ action: "failed" });
        expect(refused.find((o) => o.claimId === id)!.reason).toMatch(/injected fault: txpool is full/);
        expect(await status(id)).toBe(2);
      }

      const snapshot = (await provider.request({ method: "evm_snapshot" })) as Hex;
      proxy.inject({ kind: "lose-reply" }, { methods: ["eth_sendRawTransaction"], match: toClaims, count: 1 });
      const lost = await challenger();
      proxy.clear();
      const timedOutOnce = async () => {
        for (const id of [a, b]) {
          expect(await status(id), JSON.stringify(lost)).toBe(5); // TimedOut
          expect(await events("ChallengeTimedOut", id)).toHaveLength(1);
        }
        expect(await claimsBalance()).toBe(before);
      };
      await timedOutOnce();
      // The next pass reads TimedOut, closes both and sends nothing.
      let sent = proxy.forwardedTxs.length;
      const closing = await challenger();
      for (const id of [a, b]) expect(closing.find((o) => o.claimId === id)).toMatchObject({ action: "close" });
      expect(proxy.forwardedTxs.length).toBe(sent);

      // A reorg drops both resolveTimedOut blocks after the keeper closed the claims: it reopens and resends them.
      expect(await provider.request({ method: "evm_revert", params: [snapshot] })).toBe(true);
      await provider.request({ method: "hardhat_mine", params: ["0x3"] });
      for (const id of [a, b]) expect(await status(id)).toBe(2);
      expect(await claimsBalance()).toBe(before + 2n * BOND);
      const again = await challenger();
      for (const id of [a, b]) expect(again.find((o) => o.claimId === id)).toMatchObject({ action: "timeout" });
      await timedOutOnce();

      sent = proxy.forwardedTxs.length;
      const last = await challenger();
      for (const id of [a, b]) expect(last.find((o) => o.claimId === id)).toMatchObject({ action: "close" });
      expect((await challenger()).some((o) => o.claimId === a || o.claimId === b)).toBe(false);
      expect(proxy.forwardedTxs.length).toBe(sent);
      await timedOutOnce();
      const address = keeperWallet.account.address;
      expect(await s.publicClient.getTransactionCount({ address, blockTag: "pending" })).toBe(
        await s.publicClient.getTransactionCount({ address, blockTag: "latest" }),
      );
    }, 300_000);
  });
});
