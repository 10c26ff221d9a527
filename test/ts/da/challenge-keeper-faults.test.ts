/**
 * The DA challenge keeper under injected faults (issue #13). Its pass talks to the in-process chain through
 * the loopback RPC proxy (test/ts/support/rpc-proxy.ts): the endpoint goes down, returns JSON-RPC errors,
 * is slower than the client's timeout, loses the reply of a challenge and of a slash transaction, and the
 * chain reorganises away a filed challenge and a slash. A pass that dies right after its send (the
 * in-process stand-in for a kill between send and record) is covered too, also followed by a restart and a
 * reorg dropping exactly that challenge; the SIGKILLed daemon is in challenge-keeper-kill.test.ts (deep
 * profile). Every case checks the chain afterwards: one challenge per
 * (certificate, operator), one slash per challenge, none lost.
 */
import { keccak256, parseEther, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ChallengeStatus } from "../../../keepers/da-network/challenge-decide.js";
import {
  ChallengeStore,
  runChallengePass,
  type ChallengeKeeperConfig,
} from "../../../keepers/da-network/challenge-keeper.js";
import { disperse } from "../../../keepers/da-network/disperser.js";
import { FLEET_MAX_OPERATORS, payloadOf, startDaFleet, type DaFleet } from "../helpers/da-fleet.js";
import { ether } from "../helpers/da-stack.js";
import { proxiedClients, startRpcProxy, type Eip1193, type RpcProxy } from "../support/rpc-proxy.js";

const DARK = 0;
const KEEPER_KEY = keccak256(toHex("vcloud da-challenge keeper fault test")) as Hex;

describe("DA challenge keeper under RPC faults and reorgs: one challenge and one slash each, none lost", () => {
  let fleet: DaFleet;
  let proxy: RpcProxy;
  let config: ChallengeKeeperConfig;
  let store: ChallengeStore;
  const certificates: Hex[] = [];
  const keeper = privateKeyToAccount(KEEPER_KEY);

  const rpc = <T>(method: string, params: unknown[] = []) =>
    fleet.stack.publicClient.request({ method: method as never, params: params as never }) as Promise<T>;
  const clients = (timeout?: number) => proxiedClients(proxy, fleet.stack.publicClient.chain, keeper, timeout);
  const pass = (timeout?: number) => {
    const { publicClient, walletClient } = clients(timeout);
    return runChallengePass(publicClient, walletClient, { config, store });
  };
  /** Every challenge on chain, by id: (certificate, operator, status). */
  const challengesOnChain = async () => {
    const count = Number(await fleet.stack.registry.read.challengeCount());
    const out = [];
    for (let id = 1; id <= count; id++) {
      const c = await fleet.stack.registry.read.getChallenge([BigInt(id)]);
      out.push({ id, certificateId: c.certificateId, operator: c.operator.toLowerCase(), status: c.status });
    }
    return out;
  };
  const slashEvents = async () =>
    (
      await fleet.stack.publicClient.getContractEvents({
        address: fleet.stack.registry.address,
        abi: fleet.stack.registry.abi,
        eventName: "OperatorSlashedForUnavailability",
        fromBlock: 0n,
      })
    ).map((l) => Number(l.args.challengeId));
  const dark = () => fleet.operatorAddress(DARK).toLowerCase();

  beforeAll(async () => {
    fleet = await startDaFleet({ stakes: [ether("100"), ether("200"), ether("300"), ether("400")] });
    // Two certificates signed by every node; then node DARK goes dark, so each must get one challenge.
    for (const seed of [31, 32])
      certificates.push((await disperse(fleet.disperseParams(payloadOf(4_000, seed)))).certificateId);
    await fleet.stopNode(DARK);
    await rpc("hardhat_setBalance", [keeper.address, toHex(parseEther("100"))]);
    proxy = await startRpcProxy(fleet.stack.connection.provider as unknown as Eip1193);
    store = new ChallengeStore(":memory:");
    config = {
      certificateRegistry: fleet.stack.registry.address,
      registrar: fleet.stack.registrar.address,
      maxOperators: FLEET_MAX_OPERATORS,
      // One certificate per pass, resampled only after an hour: a re-filed challenge is the keeper's reorg
      // handling, not a routine resample.
      samplesPerPass: 1,
      resampleSeconds: 3600,
      timeoutMs: 5_000,
      receiptTimeoutMs: 10_000,
    };
  }, 300_000);

  afterAll(async () => {
    store?.close();
    await proxy?.close();
    await fleet?.close();
  });

  it("endpoint down, JSON-RPC errors, slow beyond the timeout: the pass fails clearly and sends nothing", async () => {
    await proxy.down();
    await expect(pass()).rejects.toThrow(/HTTP request failed/);
    await proxy.up();
    proxy.inject({ kind: "error", message: "injected fault: logs unavailable" }, { methods: ["eth_getLogs"] });
    await expect(pass()).rejects.toThrow(/injected fault: logs unavailable/);
    proxy.clear();
    proxy.inject({ kind: "slow", delayMs: 1_500 });
    await expect(pass(500)).rejects.toThrow(/took too long/);
    proxy.clear();
    expect(proxy.forwardedTxs).toEqual([]);
    expect(await challengesOnChain()).toEqual([]);
  });

  it("a pass dies right after its send (no receipt, nothing recorded): the next pass sends nothing more", async () => {
    // Every receipt read fails: the challenge lands, the pass throws before recording anything about it.
    proxy.inject(
      { kind: "error", message: "injected fault: receipts unavailable" },
      {
        methods: ["eth_getTransactionReceipt"],
      },
    );
    await expect(pass()).rejects.toThrow(/injected fault: receipts unavailable/);
    proxy.clear();
    expect(await challengesOnChain()).toEqual([
      { id: 1, certificateId: certificates[0], operator: dark(), status: ChallengeStatus.Open },
    ]);
    // A fresh store (a crash that lost the checkpoint) and the same store both see it on chain.
    const fresh = new ChallengeStore(":memory:");
    try {
      const { publicClient, walletClient } = clients();
      expect((await runChallengePass(publicClient, walletClient, { config, store: fresh })).opened).toEqual([]);
    } finally {
      fresh.close();
    }
    const sent = proxy.forwardedTxs.length;
    expect((await pass()).opened).toEqual([]);
    expect(proxy.forwardedTxs).toHaveLength(sent);
    expect(await challengesOnChain()).toHaveLength(1);
  });

  it("the challenge's reply is lost after it landed: the pass recognises it; one challenge on chain", async () => {
    const faulted = proxy.faulted;
    proxy.inject({ kind: "lose-reply" }, { methods: ["eth_sendRawTransaction"], count: 1 });
    const lost = await pass();
    expect(proxy.faulted).toBe(faulted + 1);
    expect(lost.opened.map((o) => [o.certificateId, o.operator.toLowerCase()])).toEqual([[certificates[1], dark()]]);
    expect(await challengesOnChain()).toEqual([
      { id: 1, certificateId: certificates[0], operator: dark(), status: ChallengeStatus.Open },
      { id: 2, certificateId: certificates[1], operator: dark(), status: ChallengeStatus.Open },
    ]);
    expect(proxy.forwardedTxs).toHaveLength(2);
    expect((await pass()).opened).toEqual([]);
    expect(proxy.forwardedTxs).toHaveLength(2);
  });

  it("a reorg drops a filed and scanned challenge: the next pass files it again, once", async () => {
    // A third certificate, dispersed while DARK is up: DARK signs it, then goes dark again and owes its chunks.
    await fleet.startNode(DARK);
    const third = (await disperse(fleet.disperseParams(payloadOf(4_000, 33)))).certificateId;
    await fleet.stopNode(DARK);
    const snapshot = await rpc<Hex>("evm_snapshot");
    const filed = await pass();
    expect(filed.opened.map((o) => o.certificateId)).toEqual([third]);
    // The next pass scans the block holding it (the store now records it and that block's hash).
    expect((await pass()).opened).toEqual([]);
    expect(store.challenges().map((c) => c.certificateId)).toContain(third.toLowerCase());

    expect(await rpc<boolean>("evm_revert", [snapshot])).toBe(true);
    await rpc("hardhat_mine", ["0x3"]);
    expect(await challengesOnChain()).toHaveLength(2);

    const again = await pass();
    expect(again.opened.map((o) => [o.certificateId, o.operator.toLowerCase()])).toEqual([[third, dark()]]);
    const onChain = await challengesOnChain();
    expect(onChain.map((c) => c.certificateId)).toEqual([certificates[0], certificates[1], third]);
    expect(onChain.every((c) => c.operator === dark() && c.status === ChallengeStatus.Open)).toBe(true);
    expect((await pass()).opened).toEqual([]);
    expect(await challengesOnChain()).toHaveLength(3);
    // The store follows the new chain: the challenge under id 3 is the re-filed one, with its deadline.
    const stored = store.challenges().find((c) => c.challengeId === 3n)!;
    const chain3 = await fleet.stack.registry.read.getChallenge([3n]);
    expect(stored.deadline).toBe(Number(chain3.deadline));
  });

  it("a reorg drops a certificate's confirmation the keeper had recorded: passes go on, nothing is challenged", async () => {
    const snapshot = await rpc<Hex>("evm_snapshot");
    await fleet.startNode(DARK);
    const gone = (await disperse(fleet.disperseParams(payloadOf(3_000, 34)))).certificateId;
    const { publicClient, walletClient } = clients();
    const everything = { ...config, samplesPerPass: 10, resampleSeconds: 0 };
    // Everyone serves it: sampled and recorded, nothing opened.
    expect((await runChallengePass(publicClient, walletClient, { config: everything, store })).opened).toEqual([]);
    expect(store.certificates().map((c) => c.id)).toContain(gone.toLowerCase());
    await fleet.stopNode(DARK);
    expect(await rpc<boolean>("evm_revert", [snapshot])).toBe(true);
    await rpc("hardhat_mine", ["0x3"]);
    expect(await fleet.stack.registry.read.isAvailable([gone])).toBe(false);
    // The nodes still hold chunks for a certificate the chain no longer has; the keeper must not wedge on it.
    const after = await runChallengePass(publicClient, walletClient, { config: everything, store });
    expect(after.opened).toEqual([]);
    expect(after.sampled.map((c) => c.certificateId)).not.toContain(gone.toLowerCase());
    expect(await challengesOnChain()).toHaveLength(3);
  });

  it("after the window: a lost slash reply and a reorg dropping the slashes give one slash per challenge", async () => {
    const testClient = await fleet.stack.viem.getTestClient();
    await testClient.increaseTime({ seconds: 3601 });
    await testClient.mine({ blocks: 1 });
    const snapshot = await rpc<Hex>("evm_snapshot");
    proxy.inject({ kind: "lose-reply" }, { methods: ["eth_sendRawTransaction"], count: 1 });
    const slashed = await pass();
    expect(slashed.finalized.map((f) => Number(f.challengeId)).sort()).toEqual([1, 2, 3]);
    expect((await challengesOnChain()).every((c) => c.status === ChallengeStatus.Slashed)).toBe(true);
    expect((await slashEvents()).sort()).toEqual([1, 2, 3]);
    expect((await pass()).finalized).toEqual([]);

    // A reorg drops the three slashes: the store said Slashed; the keeper re-checks and slashes again, once.
    expect(await rpc<boolean>("evm_revert", [snapshot])).toBe(true);
    await rpc("hardhat_mine", ["0x3"]);
    expect((await challengesOnChain()).every((c) => c.status === ChallengeStatus.Open)).toBe(true);
    const again = await pass();
    expect(again.finalized.map((f) => Number(f.challengeId)).sort()).toEqual([1, 2, 3]);
    expect((await slashEvents()).sort()).toEqual([1, 2, 3]);
    expect((await pass()).finalized).toEqual([]);
    expect((await challengesOnChain()).every((c) => c.status === ChallengeStatus.Slashed)).toBe(true);
    expect(await slashEvents()).toHaveLength(3);
  });
  it("killed between its send and its record, restarted, then a reorg drops that challenge: filed again, once", async () => {
    await fleet.startNode(DARK);
    const late = (await disperse(fleet.disperseParams(payloadOf(3_000, 35)))).certificateId;
    await fleet.stopNode(DARK);
    // Every certificate is due again (the window test moved time an hour on): sample them all each pass.
    const all = { ...config, samplesPerPass: 10 };
    const run = () => {
      const { publicClient, walletClient } = clients();
      return runChallengePass(publicClient, walletClient, { config: all, store });
    };
    const snapshot = await rpc<Hex>("evm_snapshot");
    // The "kill": the challenge lands, then every receipt read fails, so the pass dies before recording the
    // send (or the sampling). (The pass reads receipts of its earlier slashes first, so only after the send.)
    const receiptsFail = async () =>
      proxy.inject(
        { kind: "error", message: "injected fault: receipts unavailable" },
        { methods: ["eth_getTransactionReceipt"] },
      );
    proxy.inject({ kind: "hook", after: receiptsFail }, { methods: ["eth_sendRawTransaction"], count: 1 });
    await expect(run()).rejects.toThrow(/injected fault: receipts unavailable/);
    proxy.clear();
    expect((await challengesOnChain()).map((c) => c.certificateId)).toEqual([
      ...certificates,
      expect.any(String),
      late,
    ]);
    // The restarted keeper scans the challenge, finds it on chain when sampling, sends nothing.
    expect((await run()).opened).toEqual([]);
    // Its own send was never recorded, so the recheck of its submissions cannot see a reorg drop it.
    expect(store.submissions().filter((x) => x.certificateId === late.toLowerCase())).toEqual([]);

    expect(await rpc<boolean>("evm_revert", [snapshot])).toBe(true);
    await rpc("hardhat_mine", ["0x3"]);
    expect(await challengesOnChain()).toHaveLength(3);
    const again = await run();
    expect(again.opened.map((o) => [o.certificateId, o.operator.toLowerCase()])).toEqual([[late, dark()]]);
    expect((await run()).opened).toEqual([]);
    const onChain = await challengesOnChain();
    expect(onChain.map((c) => c.certificateId)).toEqual([...certificates, expect.any(String), late]);
    expect(onChain[3]).toMatchObject({ operator: dark(), status: ChallengeStatus.Open });
  });
});
