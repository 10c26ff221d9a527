import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { parseEther, parseEventLogs, type Address } from "viem";

import { LlamaEngine } from "../../ai/llama.js";
import { writeModel } from "../../ai/model.js";
import { BlsKey } from "../../bls/bls.js";
import { advanceBlocks, onboardDaOperator, send, syncDaStakes, WAD } from "../../da-network/setup.js";
import {
  iInferenceClaimsAbi,
  iStrategyManagerAbi,
  iVcloudValidatorAbi,
  iVictimPayoutAbi,
  vcloudTestTokenAbi,
} from "../../lib/abis.js";
import { contractAddress } from "../../lib/deployments.js";
import { replayOnce } from "../../replay/keeper.js";
import { postInferenceClaim } from "../../replay/publish.js";
import { createInferenceOperatorSet, INFERENCE_OPERATOR_SET_ID } from "../../replay/setup.js";
import type { StoryStep } from "../story.js";
import { DA_NETWORK, DA_ROLES } from "./data-availability.js";

/** Devnet accounts of the inference story: the AVS identity, one inference operator, the app, the replay keeper. */
export const INFERENCE_ROLES = { avs: 20, operator: 21, app: 22, keeper: 23 } as const;
const OPERATOR_STAKE = parseEther("100");
const ALLOCATION_CONFIGURATION_DELAY = 15;
const SLASH_RESOLUTION_DELAY = 5;
/** A small model so that the step stays fast on two cores. */
const SHAPE = { layers: 2, embedding: 128, feedForward: 256, heads: 4, kvHeads: 2 };
/** The model the story's app asks for (the replay keeper daemon replays with the same file). */
export const STORY_MODEL = { seed: 1n, shape: SHAPE } as const;

/**
 * The inference AVS creates its set; an operator joins with 100 tokens and posts two claims for the app: one
 * honest, one with the output of a different model. The replay keeper (holding the DA operators' BLS keys:
 * the DA set is the re-execution committee on the devnet) re-executes both from DA, challenges the cheat
 * with evidence on DA, and certifies the correct receipt: the operator is slashed 50% and the app claims its
 * 90% of the redistributed stake from the VictimPayout.
 */
export const cheatingOperatorCaught: StoryStep = {
  name: "cheating operator caught by the replay keeper, slashed, app compensated",
  async run(ctx) {
    const c = (name: string) => contractAddress(ctx.deployment, name);
    const k = {
      allocationManager: c("AllocationManager"),
      delegationManager: c("DelegationManager"),
      strategyManager: c("StrategyManager"),
      token: c("VcloudTestToken"),
      strategy: c("TestTokenStrategy"),
      registrar: c("InferenceRegistrar"),
      claims: c("InferenceClaims"),
      victimPayout: c("InferenceVictimPayout"),
      validator: c("VcloudValidator"),
    };
    const da = {
      certificateRegistry: c("BlobCertificateRegistry"),
      registrar: c("DARegistrar"),
      ttlSeconds: 7 * 24 * 3600,
      ...DA_NETWORK,
    };
    const clients = { publicClient: ctx.publicClient };
    const governance = ctx.wallets[0]!;
    const avs = ctx.wallets[INFERENCE_ROLES.avs]!;
    const operator = ctx.wallets[INFERENCE_ROLES.operator]!;
    const app = ctx.wallets[INFERENCE_ROLES.app]!.account.address;

    await createInferenceOperatorSet(clients, avs, { ...k, strategies: [k.strategy] });
    await send(clients, governance, {
      address: k.validator,
      abi: iVcloudValidatorAbi,
      functionName: "addSource",
      args: [k.claims, "inference"],
    });
    await send(clients, governance, {
      address: k.token,
      abi: vcloudTestTokenAbi,
      functionName: "mint",
      args: [operator.account.address, OPERATOR_STAKE],
    });
    await onboardDaOperator(clients, operator, {
      ...k,
      avs: avs.account.address,
      stake: OPERATOR_STAKE,
      magnitude: WAD,
      blsKey: BlsKey.fromSeed(new Uint8Array(32).fill(0xe0)),
      socket: "http://127.0.0.1:1/inference",
      allocationConfigurationDelay: ALLOCATION_CONFIGURATION_DELAY,
    });
    await advanceBlocks(ctx.publicClient, 2);
    await syncDaStakes(clients, governance, k.registrar, [operator.account.address]);

    const dir = mkdtempSync(join(tmpdir(), "vcloud-devnet-inference-"));
    const engines: LlamaEngine[] = [];
    try {
      const asked = join(dir, "asked.gguf");
      const other = join(dir, "other.gguf");
      await writeModel(asked, STORY_MODEL);
      await writeModel(other, { seed: 2n, shape: SHAPE });
      for (const modelPath of [asked, other]) {
        engines.push(await LlamaEngine.create({ modelPath, settings: { threads: 1, contextSize: 128 } }));
      }
      const [honest, cheat] = engines as [LlamaEngine, LlamaEngine];
      const post = async (engine: LlamaEngine, prompt: string) => {
        const request = { prompt, seed: 1n, maxTokens: 8 };
        return postInferenceClaim({
          publicClient: ctx.publicClient,
          walletClient: operator,
          claims: k.claims,
          da,
          request,
          receipt: await engine.run(request),
          modelHash: honest.model.sha256,
          app,
          fee: parseEther("0.01"),
          logger: ctx.logger,
        });
      };
      const honestClaim = await post(honest, "What does vcloud verify?");
      const cheatClaim = await post(cheat, "Summarise restaking in one line.");

      const keeper = () =>
        replayOnce({
          publicClient: ctx.publicClient,
          walletClient: ctx.wallets[INFERENCE_ROLES.keeper]!,
          claims: k.claims,
          da,
          models: [asked],
          policy: { mode: "all" },
          committeeKeys: DA_ROLES.operators.map((_, i) => BlsKey.fromSeed(new Uint8Array(32).fill(0xd0 + i))),
          engine: { threads: 1 },
          dbPath: join(dir, "replay.sqlite"),
          logger: ctx.logger,
        });
      const first = await keeper();
      const challenged = first.find((o) => o.claimId === cheatClaim.claimId);
      if (challenged?.action !== "challenge")
        throw new Error(`keeper did not challenge: ${JSON.stringify(challenged)}`);
      const honestOutcome = first.find((o) => o.claimId === honestClaim.claimId);
      if (honestOutcome?.reason !== "replay matches")
        throw new Error(`honest claim not matched: ${JSON.stringify(honestOutcome)}`);
      await advanceBlocks(ctx.publicClient, 1);
      const second = await keeper();
      const certified = second.find((o) => o.claimId === cheatClaim.claimId);
      if (certified?.action !== "certify" || !certified.txHash)
        throw new Error(`committee did not certify: ${JSON.stringify(certified)}`);

      const resolution = await ctx.publicClient.getTransactionReceipt({ hash: certified.txHash });
      const [refuted] = parseEventLogs({ abi: iInferenceClaimsAbi, logs: resolution.logs, eventName: "ClaimRefuted" });
      const [opened] = parseEventLogs({
        abi: iInferenceClaimsAbi,
        logs: resolution.logs,
        eventName: "CompensationOpened",
      });
      if (!refuted || !opened) throw new Error("the resolution neither refuted the claim nor opened a payout");

      await advanceBlocks(ctx.publicClient, SLASH_RESOLUTION_DELAY + 1);
      await send(clients, governance, {
        address: k.strategyManager,
        abi: iStrategyManagerAbi,
        functionName: "clearBurnOrRedistributableShares",
        args: [{ avs: avs.account.address, id: INFERENCE_OPERATOR_SET_ID }, refuted.args.slashId],
      });
      await send(clients, governance, {
        address: k.victimPayout,
        abi: iVictimPayoutAbi,
        functionName: "fund",
        args: [opened.args.payoutId],
      });
      const balance = () =>
        ctx.publicClient.readContract({
          address: k.token,
          abi: vcloudTestTokenAbi,
          functionName: "balanceOf",
          args: [app as Address],
        });
      const before = await balance();
      await send(clients, ctx.wallets[INFERENCE_ROLES.app]!, {
        address: k.victimPayout,
        abi: iVictimPayoutAbi,
        functionName: "claim",
        args: [opened.args.payoutId, app],
      });
      const paid = (await balance()) - before;
      if (paid !== opened.args.owedToApp) throw new Error(`app received ${paid}, owed ${opened.args.owedToApp}`);
      ctx.state.set("inference.claims", { honest: honestClaim.claimId, cheat: cheatClaim.claimId });
      return (
        `claim ${cheatClaim.claimId.slice(0, 10)}… challenged at step ${challenged.firstDivergentStep} and refuted; ` +
        `operator slashed, app paid ${Number(paid / 10n ** 15n) / 1000} tokens; honest claim matched on replay`
      );
    } finally {
      for (const engine of engines) await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
