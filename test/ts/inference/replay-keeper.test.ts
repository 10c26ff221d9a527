/**
 * The replay keeper on an in-process chain with the real restaking core, real DA nodes and a real BLS
 * re-execution committee (the DA operators, as the verification set): an operator posts claims with their
 * request and receipt on DA; the keeper re-executes every claim with keepers/ai's llama.cpp engine on a
 * generated tiny model. The honest claim survives its window (validation 100); the cheating claim (a
 * receipt from another model) is challenged by the keeper with evidence on DA, the keeper's committee keys
 * certify the correct receipt, the operator is slashed and the app is paid from the VictimPayout (0); a
 * frivolous challenger's bond goes to the operator. Passes are idempotent across keeper restarts.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { getAddress, type Account, type Address, type Chain, type Hex, type Transport, type WalletClient } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { InferenceRequest, Receipt } from "../../../keepers/ai/engine.js";
import { LlamaEngine } from "../../../keepers/ai/llama.js";
import type { DaNode } from "../../../keepers/da-network/node.js";
import { retrieve } from "../../../keepers/da-network/retriever.js";
import { advanceBlocks, send } from "../../../keepers/da-network/setup.js";
import { createLogger } from "../../../keepers/lib/logger.js";
import { SIGN_PATH, startCommitteeMember, type CommitteeMember } from "../../../keepers/replay/committee.js";
import { replayOnce, type ReplayKeeperParams } from "../../../keepers/replay/keeper.js";
import { parseEvidencePayload } from "../../../keepers/replay/payload.js";
import { postInferenceClaim } from "../../../keepers/replay/publish.js";
import { deployDaStack, DEVNET_RESTAKING, ether } from "../helpers/da-stack.js";
import { confirmOnDa, deployInferenceStack, SET_ID, startStackDaNodes, writeReplayModels } from "./inference-stack.js";

type Wallet = WalletClient<Transport, Chain, Account>;

const WINDOW = 3600n;
const BOND = ether("0.1");
const THRESHOLDS = { confirmationThreshold: 55, adversaryThreshold: 33 };
const logger = createLogger({ level: "silent" });
const ZERO_SALT: Hex = `0x${"00".repeat(32)}`;

describe("replay keeper: re-executes claims, challenges cheaters, serves on the committee", () => {
  let s: Awaited<ReturnType<typeof deployDaStack>>;
  let claims: Awaited<ReturnType<typeof s.viem.deployContract<"InferenceClaims">>>;
  let payout: Awaited<ReturnType<typeof s.viem.deployContract<"VictimPayout">>>;
  let committeeEndpoints: Awaited<ReturnType<typeof s.viem.deployContract<"CommitteeEndpoints">>>;
  let validatorResponse: (claimId: Hex) => Promise<number>;
  let inferenceAvs: Wallet;
  let operator: Wallet;
  let app: Wallet;
  let keeperWallet: Wallet;
  let frivolous: Wallet;
  let honestModel: string;
  let otherModel: string;
  let honest: LlamaEngine;
  let other: LlamaEngine;
  const nodes: DaNode[] = [];
  const dir = mkdtempSync(join(tmpdir(), "vcloud-replay-keeper-"));
  const dbPath = join(dir, "keeper.sqlite");
  const ids: Record<string, Hex> = {};
  const receipts: Record<string, Receipt> = {};

  const da = () => ({
    certificateRegistry: s.registry.address as Address,
    registrar: s.registrar.address as Address,
    maxOperators: 16,
    thresholds: THRESHOLDS,
    ttlSeconds: 7 * 24 * 3600,
    timeoutMs: 20_000,
  });

  const keeper = (overrides: Partial<ReplayKeeperParams> = {}) =>
    replayOnce({
      publicClient: s.publicClient,
      walletClient: keeperWallet,
      claims: claims.address,
      da: da(),
      models: [honestModel],
      policy: { mode: "all" },
      committeeKeys: s.keys,
      engine: { threads: 1 },
      dbPath,
      logger,
      ...overrides,
    });

  const getClaim = async (id: Hex) =>
    (await s.publicClient.readContract({
      address: claims.address,
      abi: claims.abi,
      functionName: "getClaim",
      args: [id],
    })) as {
      status: number;
      challenger: Address;
      challengerReceiptHash: Hex;
      firstDivergentStep: number;
      evidenceCertificateId: Hex;
      certifiedReceiptHash: Hex;
      slashId: bigint;
    };

  async function post(name: string, request: InferenceRequest, engine: LlamaEngine): Promise<Hex> {
    const receipt = await engine.run(request);
    receipts[name] = receipt;
    const posted = await postInferenceClaim({
      publicClient: s.publicClient,
      walletClient: operator,
      claims: claims.address,
      da: da(),
      request,
      receipt,
      modelHash: honest.model.sha256, // the model the app asked for, whatever the operator ran
      app: app.account.address,
      fee: ether("0.01"),
      logger,
    });
    ids[name] = posted.claimId;
    return posted.claimId;
  }

  beforeAll(async () => {
    ({ honestModel, otherModel, honest, other } = await writeReplayModels(dir));
    s = await deployDaStack({ stakes: [ether("100"), ether("200"), ether("300")] });
    nodes.push(...(await startStackDaNodes(s, "vcloud-replay-da", logger)));
    const wallets = (await s.viem.getWalletClients()) as unknown as Wallet[];
    [inferenceAvs, operator, app, keeperWallet, frivolous] = [
      wallets[8]!,
      wallets[9]!,
      wallets[10]!,
      wallets[11]!,
      wallets[12]!,
    ];
    ({ claims, payout, validatorResponse, committeeEndpoints } = await deployInferenceStack(
      s,
      { inferenceAvs, operator, app },
      {
        challengeWindow: WINDOW,
        minChallengeBond: BOND,
      },
    ));
  }, 600_000);

  const members: CommitteeMember[] = [];

  afterAll(async () => {
    for (const member of members) await member.close();
    await honest?.close();
    await other?.close();
    for (const node of nodes) await node.close();
  });

  it("challenges the cheating claim with evidence on DA and leaves the honest one alone", async () => {
    await post("honest", { prompt: "Replay me bit for bit.", seed: 1n, maxTokens: 6 }, honest);
    await post("cheat", { prompt: "A different question.", seed: 2n, maxTokens: 6 }, other);
    const outcomes = await keeper();
    const byId = new Map(outcomes.map((o) => [o.claimId, o]));
    expect(byId.get(ids.honest!)).toMatchObject({ action: "wait", reason: "replay matches" });
    expect(byId.get(ids.cheat!)).toMatchObject({ action: "challenge", firstDivergentStep: 0 });

    const correct = await honest.run({ prompt: "A different question.", seed: 2n, maxTokens: 6 });
    const claim = await getClaim(ids.cheat!);
    expect(claim.status).toBe(2);
    expect(getAddress(claim.challenger)).toBe(getAddress(keeperWallet.account.address));
    expect(claim.challengerReceiptHash).toBe(correct.hash);
    const { payload } = await retrieve({
      publicClient: s.publicClient,
      ...da(),
      certificateId: claim.evidenceCertificateId,
    });
    const evidence = parseEvidencePayload(payload);
    expect(evidence.receipt.hash).toBe(correct.hash);
    expect(evidence.claimedReceiptHash).toBe(receipts.cheat!.hash);
    expect(evidence.field).toBe("model.sha256");
  });

  it("a restarted keeper neither replays nor challenges again, and certifies once a block has passed", async () => {
    const again = await keeper();
    expect(again.find((o) => o.claimId === ids.cheat)).toMatchObject({
      action: "wait",
      reason: "waiting for a block after the challenge",
    });
    await advanceBlocks(s.publicClient, 1);
    const third = await keeper();
    expect(third.find((o) => o.claimId === ids.cheat)).toMatchObject({ action: "certify" });
    const claim = await getClaim(ids.cheat!);
    expect(claim.status).toBe(4); // Refuted
    expect(claim.certifiedReceiptHash).toBe(claim.challengerReceiptHash);
    // Decided claims are closed in the checkpoint: a later pass does nothing with them.
    const fourth = await keeper();
    expect(fourth.find((o) => o.claimId === ids.cheat)).toMatchObject({ action: "close" });
    expect((await keeper()).some((o) => o.claimId === ids.cheat)).toBe(false);
  });

  it("the cheating operator is slashed and the app is paid from the VictimPayout", async () => {
    const claim = await getClaim(ids.cheat!);
    const owed = (await s.publicClient.readContract({
      address: payout.address,
      abi: payout.abi,
      functionName: "victimOf",
      args: [1n, app.account.address],
    })) as readonly [bigint, bigint];
    expect(owed[0]).toBe(ether("45")); // half of 100 slashed, 90% to the app
    await advanceBlocks(s.publicClient, DEVNET_RESTAKING.slashResolutionDelayBlocks + 1);
    await send(s.clients, s.governance, {
      address: s.core.strategyManager.address,
      abi: s.core.strategyManager.abi,
      functionName: "clearBurnOrRedistributableShares",
      args: [{ avs: inferenceAvs.account.address, id: SET_ID }, claim.slashId],
    });
    await send(s.clients, s.governance, { address: payout.address, abi: payout.abi, functionName: "fund", args: [1n] });
    await send(s.clients, app, {
      address: payout.address,
      abi: payout.abi,
      functionName: "claim",
      args: [1n, app.account.address],
    });
    const balance = (await s.publicClient.readContract({
      address: s.token,
      abi: s.core.vcloudTestToken.abi,
      functionName: "balanceOf",
      args: [app.account.address],
    })) as bigint;
    expect(balance).toBe(ether("45"));
    const keeperOwed = (await s.publicClient.readContract({
      address: payout.address,
      abi: payout.abi,
      functionName: "victimOf",
      args: [1n, keeperWallet.account.address],
    })) as readonly [bigint, bigint];
    expect(keeperOwed[0]).toBe(ether("5"));
    expect(await validatorResponse(ids.cheat!)).toBe(0);
  });

  it("a frivolous challenger loses its bond: the keeper's committee certifies the claimed receipt", async () => {
    const id = await post("honest2", { prompt: "Another honest answer.", seed: 3n, maxTokens: 4 }, honest);
    // The frivolous challenger's "evidence" (a receipt of another model) is on DA, as the contract requires.
    const evidence = await confirmOnDa(s, frivolous, new TextEncoder().encode(`receipt ${receipts.cheat!.hash}`), {
      nonce: receipts.cheat!.hash,
    });
    await send(s.clients, frivolous, {
      address: claims.address,
      abi: claims.abi,
      functionName: "challenge",
      args: [id, receipts.cheat!.hash, 0, evidence],
      value: BOND,
    });
    await advanceBlocks(s.publicClient, 1);
    const before = await s.publicClient.getBalance({ address: operator.account.address });
    const outcomes = await keeper();
    expect(outcomes.find((o) => o.claimId === id)).toMatchObject({
      action: "certify",
      replayedHash: receipts.honest2!.hash,
    });
    expect(await s.publicClient.getBalance({ address: operator.account.address })).toBe(before + BOND);
    const claim = await getClaim(id);
    expect(claim.status).toBe(3); // Upheld
    expect(getAddress(claim.challenger)).toBe(getAddress(frivolous.account.address));
  });

  it("the honest claim survives its window and reads 100 in the validation registry", async () => {
    await s.publicClient.request({ method: "evm_increaseTime" as never, params: [Number(WINDOW) + 1] as never });
    await advanceBlocks(s.publicClient, 1);
    const outcomes = await keeper();
    expect(outcomes.find((o) => o.claimId === ids.honest)).toMatchObject({
      action: "close",
      reason: "window passed unchallenged",
    });
    expect((await getClaim(ids.honest!)).status).toBe(1);
    expect(await validatorResponse(ids.honest!)).toBe(100);
  });

  it("a keeper that samples nothing and holds no committee key only watches", async () => {
    const id = await post("unsampled", { prompt: "Nobody checks this one.", seed: 4n, maxTokens: 3 }, other);
    const outcomes = await keeper({
      dbPath: join(dir, "watcher.sqlite"),
      policy: { mode: "sample", fractionBps: 0, salt: ZERO_SALT },
      committeeKeys: [],
    });
    expect(outcomes.find((o) => o.claimId === id)).toMatchObject({
      action: "wait",
      reason: "not in this keeper's sample",
    });
    expect((await getClaim(id)).status).toBe(1);
  });

  it("a cheating claim with the `selected` logits commitment is replayed with that commitment and refuted", async () => {
    // The commitment that meets the receipt-overhead target (docs/benchmarks.md): greedy, one logit per step.
    const settings = { threads: 1, contextSize: 256, logits: "selected" } as const;
    const request = { prompt: "Greedy and cheap.", seed: 5n, maxTokens: 4 };
    const cheapOther = await LlamaEngine.create({ modelPath: otherModel, settings });
    const cheapHonest = await LlamaEngine.create({ modelPath: honestModel, settings });
    let correct: Receipt;
    let id: Hex;
    try {
      id = await post("selectedCheat", request, cheapOther);
      correct = await cheapHonest.run(request);
    } finally {
      await cheapOther.close();
      await cheapHonest.close();
    }
    expect(receipts.selectedCheat!.logits.encoding).toBe("f32le-selected");
    expect(correct.logits.encoding).toBe("f32le-selected");
    expect((await keeper()).find((o) => o.claimId === id)).toMatchObject({ action: "challenge" });
    expect((await getClaim(id)).challengerReceiptHash).toBe(correct.hash);
    await advanceBlocks(s.publicClient, 1);
    expect((await keeper()).find((o) => o.claimId === id)).toMatchObject({ action: "certify" });
    const claim = await getClaim(id);
    expect(claim.status).toBe(4); // Refuted
    expect(claim.certifiedReceiptHash).toBe(correct.hash);
  });

  describe("committee members on other hosts (--committee-listen)", () => {
    const RESOLUTION_TIMEOUT = 6 * 3600;
    const up: boolean[] = [];
    /** A keeper that challenges and aggregates, holding no committee key: every signature comes over HTTP. */
    const aggregator = () =>
      keeper({ committeeKeys: [], committee: { endpoints: committeeEndpoints.address, timeoutMs: 20_000 } });
    const challenger = () => keeper({ committeeKeys: [] });

    beforeAll(async () => {
      // Three members, one per DA (= committee) operator, each with its own key, models and engine.
      for (let i = 0; i < s.keys.length; i++) {
        const member = await startCommitteeMember({
          publicClient: s.publicClient,
          claims: claims.address,
          da: da(),
          engine: { threads: 1 },
          keys: [s.keys[i]!],
          models: [honestModel],
          host: "127.0.0.1",
          port: 0,
          logger,
        });
        members.push(member);
        up.push(true);
        await send(s.clients, s.operators[i]!, {
          address: committeeEndpoints.address,
          abi: committeeEndpoints.abi,
          functionName: "setEndpoint",
          args: [member.url],
        });
      }
    });

    const stop = async (i: number) => {
      if (!up[i]) return;
      up[i] = false;
      await members[i]!.close();
    };

    async function challengedCheat(name: string, prompt: string, seed: bigint): Promise<Hex> {
      const id = await post(name, { prompt, seed, maxTokens: 4 }, other);
      expect((await challenger()).find((o) => o.claimId === id)).toMatchObject({ action: "challenge" });
      await advanceBlocks(s.publicClient, 1);
      return id;
    }

    it("a member asked to sign a receipt hash it did not compute refuses, naming the hash it computed", async () => {
      const id = await challengedCheat("remote1", "Signed by members elsewhere.", 7n);
      const claimed = receipts.remote1!.hash;
      const response = await fetch(`${members[0]!.url}${SIGN_PATH}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ claimId: id, receiptHash: claimed }),
      });
      expect(response.status).toBe(409);
      const correct = (await getClaim(id)).challengerReceiptHash;
      expect(((await response.json()) as { error: string }).error).toBe(
        `receipt mismatch: this member computed ${correct}, asked to sign ${claimed}`,
      );
      const bad = await fetch(`${members[0]!.url}${SIGN_PATH}`, { method: "POST", body: "{}" });
      expect(bad.status).toBe(400);
    });

    it("with one member down the others' signatures reach the threshold and the claim is refuted", async () => {
      const id = ids.remote1!;
      await stop(0); // weight 50 of 300; 100 + 150 = 250 >= 60%
      const outcomes = await aggregator();
      expect(outcomes.find((o) => o.claimId === id)).toMatchObject({ action: "certify" });
      const claim = await getClaim(id);
      expect(claim.status).toBe(4); // Refuted
      expect(claim.certifiedReceiptHash).toBe(claim.challengerReceiptHash);
    });

    it("with two members down the keeper waits and says who did not sign; past the deadline it closes the challenge", async () => {
      const id = await challengedCheat("remote2", "Too few members answer.", 8n);
      await stop(1); // only 150 of 300 left, 180 needed
      const outcome = (await aggregator()).find((o) => o.claimId === id);
      expect(outcome?.action).toBe("wait");
      expect(outcome?.reason).toMatch(
        /^signers hold 150000000000000000000 of 300000000000000000000 committee stake, 6000 bps needed; no signature from /,
      );
      expect(outcome?.reason).toContain(
        `${getAddress(s.operators[0]!.account.address)}: ${members[0]!.url}${SIGN_PATH}: unreachable`,
      );
      expect(outcome?.reason).toContain(
        `${getAddress(s.operators[1]!.account.address)}: ${members[1]!.url}${SIGN_PATH}: unreachable`,
      );
      expect((await getClaim(id)).status).toBe(2); // still Challenged

      // The committee misses its deadline: the challenger closes the challenge and gets its bond back.
      await s.publicClient.request({ method: "evm_increaseTime" as never, params: [RESOLUTION_TIMEOUT + 1] as never });
      await advanceBlocks(s.publicClient, 1);
      const before = await s.publicClient.getBalance({ address: keeperWallet.account.address });
      const closed = (await challenger()).find((o) => o.claimId === id);
      expect(closed).toMatchObject({ action: "timeout" });
      expect((await getClaim(id)).status).toBe(5); // TimedOut
      const receipt = await s.publicClient.getTransactionReceipt({ hash: closed!.txHash! });
      const gas = receipt.gasUsed * receipt.effectiveGasPrice;
      expect(await s.publicClient.getBalance({ address: keeperWallet.account.address })).toBe(before + BOND - gas);
      // The next pass reads TimedOut and closes the claim; the one after does nothing with it.
      expect((await challenger()).find((o) => o.claimId === id)).toMatchObject({ action: "close" });
      expect((await challenger()).some((o) => o.claimId === id)).toBe(false);
    });
  });
});
