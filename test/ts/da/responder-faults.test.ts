/**
 * The challenge responder of `vcloud da node --answer-challenges` under injected faults (issue #13). Its chain
 * client goes through the loopback RPC proxy (test/ts/support/rpc-proxy.ts); the DA nodes, the retrieval of
 * the challenged blob and the test's own reads talk to the chain directly. Faults: the endpoint down,
 * JSON-RPC errors, slower than the client's timeout, the reply of its response lost after it landed, a reorg
 * dropping its response before the deadline, a reorg putting a new challenge in blocks it had scanned, a
 * restarted responder meeting its own response still in the pool, and the node's responder loop with the endpoint down. Every case checks the chain: each challenge answered
 * (one `ChallengeAnswered` on the chain), never slashed.
 */
import { pino } from "pino";
import { keccak256, parseEther, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ChallengeStatus } from "../../../keepers/da-network/challenge-decide.js";
import { ChallengeResponder } from "../../../keepers/da-network/challenge-responder.js";
import { disperse } from "../../../keepers/da-network/disperser.js";
import type { Logger } from "../../../keepers/lib/logger.js";
import { payloadOf, startDaFleet, type DaFleet } from "../helpers/da-fleet.js";
import { ether } from "../helpers/da-stack.js";
import { proxiedClients, startRpcProxy, type Eip1193, type RpcProxy } from "../support/rpc-proxy.js";

/** The operator whose node answers. */
const R = 1;
const RESPONDER_KEY = keccak256(toHex("vcloud da challenge responder fault test")) as Hex;

describe("DA challenge responder under RPC faults and reorgs: each challenge answered once, never slashed", () => {
  let fleet: DaFleet;
  let proxy: RpcProxy;
  let responder: ChallengeResponder;
  let certificateId: Hex;
  let logger: Logger;
  const logs: { msg: string; err?: { message?: string } }[] = [];
  const account = privateKeyToAccount(RESPONDER_KEY);

  const rpc = <T>(method: string, params: unknown[] = []) =>
    fleet.stack.publicClient.request({ method: method as never, params: params as never }) as Promise<T>;
  const clients = (timeout?: number) => proxiedClients(proxy, fleet.stack.publicClient.chain, account, timeout);
  const newResponder = (timeout?: number) => {
    const { publicClient, walletClient } = clients(timeout);
    return new ChallengeResponder(publicClient, walletClient, {
      certificateRegistry: fleet.stack.registry.address,
      registrar: fleet.stack.registrar.address,
      operator: fleet.operatorAddress(R),
      timeoutMs: 5_000,
      receiptTimeoutMs: 10_000,
      logger,
    });
  };
  /** Opens a challenge against R (as governance, directly on the chain); returns its id. */
  const challenge = async (elementIndex: number) => {
    await fleet.stack.registry.write.challengeAvailability(
      [certificateId, fleet.operatorAddress(R), 0, elementIndex, []],
      {
        value: ether("0.01"),
      },
    );
    return fleet.stack.registry.read.challengeCount();
  };
  const status = async (id: bigint) => (await fleet.stack.registry.read.getChallenge([id])).status;
  /** `ChallengeAnswered` events on the current chain, by challenge id. */
  const answeredEvents = async () =>
    (
      await fleet.stack.publicClient.getContractEvents({
        address: fleet.stack.registry.address,
        abi: fleet.stack.registry.abi,
        eventName: "ChallengeAnswered",
        fromBlock: 0n,
      })
    ).map((l) => l.args.challengeId!);
  const ids = (pass: { answered: { challengeId: bigint }[] }) => pass.answered.map((a) => a.challengeId);
  /** Polls `check` until it holds; the bound is generous (it is not a timing assertion). */
  const eventually = async (what: string, check: () => Promise<boolean> | boolean, boundMs = 30_000) => {
    const until = Date.now() + boundMs;
    while (!(await check())) {
      if (Date.now() > until) throw new Error(`not reached within ${boundMs} ms: ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    logger = pino(
      { level: "warn", base: undefined },
      { write: (line: string) => logs.push(JSON.parse(line) as (typeof logs)[number]) },
    );
    fleet = await startDaFleet({ stakes: [ether("100"), ether("200"), ether("300"), ether("400")], logger });
    certificateId = (await disperse(fleet.disperseParams(payloadOf(4_000, 41)))).certificateId;
    await rpc("hardhat_setBalance", [account.address, toHex(parseEther("100"))]);
    proxy = await startRpcProxy(fleet.stack.connection.provider as unknown as Eip1193);
    responder = newResponder();
  }, 300_000);

  afterAll(async () => {
    await proxy?.close();
    await fleet?.close();
  });

  it("endpoint down, JSON-RPC errors, slow beyond the timeout: the pass fails clearly; then it answers once", async () => {
    const id = await challenge(3);
    await proxy.down();
    await expect(responder.pass()).rejects.toThrow(/HTTP request failed/);
    await proxy.up();
    proxy.inject({ kind: "error", message: "injected fault: logs unavailable" }, { methods: ["eth_getLogs"] });
    await expect(responder.pass()).rejects.toThrow(/injected fault: logs unavailable/);
    proxy.clear();
    proxy.inject({ kind: "slow", delayMs: 1_500 });
    await expect(newResponder(500).pass()).rejects.toThrow(/took too long/);
    proxy.clear();
    // A refused send fails that challenge only (named, retried next pass), not the pass.
    proxy.inject({ kind: "error", message: "injected fault: pool full" }, { methods: ["eth_sendRawTransaction"] });
    const refused = await responder.pass();
    proxy.clear();
    expect(ids(refused)).toEqual([]);
    expect(refused.failed).toEqual([{ challengeId: id, reason: expect.stringMatching(/injected fault: pool full/) }]);
    expect(proxy.forwardedTxs).toEqual([]);
    expect(await status(id)).toBe(ChallengeStatus.Open);

    expect(ids(await responder.pass())).toEqual([id]);
    expect(await status(id)).toBe(ChallengeStatus.Answered);
    expect(await answeredEvents()).toEqual([id]);
    expect(await responder.pass()).toEqual({ answered: [], failed: [] });
    expect(proxy.forwardedTxs).toHaveLength(1);
  });

  it("the response's reply is lost after it landed: the pass recognises it; one response on chain", async () => {
    const id = await challenge(4);
    proxy.inject({ kind: "lose-reply" }, { methods: ["eth_sendRawTransaction"], count: 1 });
    const faulted = proxy.faulted;
    const lost = await responder.pass();
    expect(proxy.faulted).toBe(faulted + 1);
    expect(lost.failed).toEqual([]);
    expect(ids(lost)).toEqual([id]);
    expect(proxy.forwardedTxs).toHaveLength(2);
    expect(lost.answered[0]!.transactionHash).toBe(proxy.forwardedTxs[1]);
    expect(await status(id)).toBe(ChallengeStatus.Answered);
    expect(await responder.pass()).toEqual({ answered: [], failed: [] });
    expect(proxy.forwardedTxs).toHaveLength(2);
    expect((await answeredEvents()).filter((x) => x === id)).toHaveLength(1);
  });

  it("a reorg drops the response before the deadline: the responder answers again, once", async () => {
    const id = await challenge(5);
    const snapshot = await rpc<Hex>("evm_snapshot");
    expect(ids(await responder.pass())).toEqual([id]);
    expect(ids(await responder.pass())).toEqual([]);
    expect(await rpc<boolean>("evm_revert", [snapshot])).toBe(true);
    await rpc("hardhat_mine", ["0x3"]);
    expect(await status(id)).toBe(ChallengeStatus.Open);

    expect(ids(await responder.pass())).toEqual([id]);
    expect(await responder.pass()).toEqual({ answered: [], failed: [] });
    expect(await status(id)).toBe(ChallengeStatus.Answered);
    expect((await answeredEvents()).filter((x) => x === id)).toHaveLength(1);
  });

  it("a reorg puts a new challenge in blocks the responder had scanned: it rescans and answers it", async () => {
    const snapshot = await rpc<Hex>("evm_snapshot");
    await rpc("hardhat_mine", ["0x2"]);
    const scannedHead = await fleet.stack.publicClient.getBlockNumber({ cacheTime: 0 });
    expect(await responder.pass()).toEqual({ answered: [], failed: [] });
    expect(await rpc<boolean>("evm_revert", [snapshot])).toBe(true);
    // The new chain reaches the same height; the challenge sits in a block number already scanned.
    const id = await challenge(6);
    await rpc("hardhat_mine", ["0x1"]);
    expect(await fleet.stack.publicClient.getBlockNumber({ cacheTime: 0 })).toBe(scannedHead);

    expect(ids(await responder.pass())).toEqual([id]);
    expect(await status(id)).toBe(ChallengeStatus.Answered);
    expect(logs.map((l) => l.msg)).toContain("the chain reorganised past the last scanned block; rescanning");
  });

  it("a restarted responder finds its response still in the pool: it sends no second one", async () => {
    const id = await challenge(8);
    const sent = proxy.forwardedTxs.length;
    await rpc("evm_setAutomine", [false]);
    try {
      const first = responder.pass();
      await eventually("the response in the pool", () => proxy.forwardedTxs.length === sent + 1);
      // A restart keeps no state: a fresh responder scans from block 0 and meets the same open challenge.
      // (It used to send a second response, refused here only by the node's gas estimate in the pending state.)
      expect(await newResponder().pass()).toEqual({ answered: [], failed: [] });
      expect(proxy.forwardedTxs).toHaveLength(sent + 1);
      await rpc("hardhat_mine", ["0x1"]);
      expect(ids(await first)).toEqual([id]);
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    expect(await status(id)).toBe(ChallengeStatus.Answered);
    expect((await answeredEvents()).filter((x) => x === id)).toHaveLength(1);
  });

  it("the node's responder loop with the endpoint down logs the failure, keeps serving, then answers", async () => {
    const id = await challenge(7);
    await proxy.down();
    const sent = proxy.forwardedTxs.length;
    const { publicClient, walletClient } = clients();
    // From block 0: it meets the earlier, answered challenges too and must leave them alone.
    const node = await fleet.restartNode(R, {
      challengeResponder: { publicClient, walletClient, intervalMs: 100, receiptTimeoutMs: 10_000 },
    });
    await eventually("two failed responder passes logged", () => {
      const failed = logs.filter((l) => l.msg === "challenge responder pass failed");
      return failed.length >= 2 && failed.every((l) => /HTTP request failed/.test(l.err?.message ?? ""));
    });
    expect((await fetch(`${node.url}/v1/certificates/${certificateId}`)).status).toBe(200);
    await proxy.up();
    await eventually("the challenge answered", async () => (await status(id)) === ChallengeStatus.Answered);
    await fleet.restartNode(R); // stops the loop
    expect(proxy.forwardedTxs).toHaveLength(sent + 1);

    // Every challenge answered exactly once on this chain; none can slash R.
    const count = Number(await fleet.stack.registry.read.challengeCount());
    const all = Array.from({ length: count }, (_, i) => BigInt(i + 1));
    expect((await answeredEvents()).sort((a, b) => Number(a - b))).toEqual(all);
    for (const c of all) expect(await status(c)).toBe(ChallengeStatus.Answered);
    const slashes = await fleet.stack.publicClient.getContractEvents({
      address: fleet.stack.registry.address,
      abi: fleet.stack.registry.abi,
      eventName: "OperatorSlashedForUnavailability",
      fromBlock: 0n,
    });
    expect(slashes).toEqual([]);
  });
});
