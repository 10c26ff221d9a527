/**
 * Inference claims on an in-process chain with the real restaking core and a real BLS re-execution
 * committee: an honest claim survives its window (validator outcome Verified), a cheating claim (an output
 * from a different model) is challenged, the committee certifies the correct receipt, the operator is
 * slashed through the redistributing inference set and the app is paid; a frivolous challenger loses its bond.
 * Receipts come from real runs of keepers/ai's llama.cpp engine on a tiny generated model. Each claim's
 * payload gets a real DA certificate first (InferenceClaims refuses a certificate that is not available).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { keccak256, toHex, type Address, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { InferenceRequest, Receipt } from "../../../keepers/ai/engine.js";
import { LlamaEngine } from "../../../keepers/ai/llama.js";
import { writeModel } from "../../../keepers/ai/model.js";
import { g2ToSol, aggregate } from "../../../keepers/bls/bls.js";
import { advanceBlocks, send } from "../../../keepers/da-network/setup.js";
import { bLSApkRegistryAbi } from "../../../keepers/lib/abis.js";
import { encodeClaimPayload } from "../../../keepers/replay/payload.js";
import { deployDaStack, DEVNET_RESTAKING, ether } from "../helpers/da-stack.js";
import { confirmOnDa, deployInferenceStack, SET_ID } from "./inference-stack.js";

const WINDOW = 3600n;
const BOND = ether("0.1");
const shape = { layers: 2, embedding: 128, feedForward: 256, heads: 4, kvHeads: 2 };

describe("inference claims: challenge game with a BLS re-execution committee", () => {
  // The DA stack's operators serve as the re-execution committee (the verification operator set).
  let s: Awaited<ReturnType<typeof deployDaStack>>;
  let claims: Awaited<ReturnType<typeof s.viem.deployContract<"InferenceClaims">>>;
  let payout: Awaited<ReturnType<typeof s.viem.deployContract<"VictimPayout">>>;
  let validatorResponse: (claimId: Hex) => Promise<number>;
  let request: InferenceRequest;
  let honest: Receipt;
  let cheat: Receipt;
  let honestReceipt: Hex;
  let wrongModelReceipt: Hex;
  let modelHash: Hex;
  let promptHash: Hex;
  const engines: LlamaEngine[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "vcloud-inference-claims-"));
    await writeModel(join(dir, "a.gguf"), { seed: 5n, shape });
    await writeModel(join(dir, "b.gguf"), { seed: 6n, shape });
    request = { prompt: "Replay me bit for bit.", seed: 1n, maxTokens: 4 };
    for (const file of ["a.gguf", "b.gguf"]) {
      engines.push(
        await LlamaEngine.create({ modelPath: join(dir, file), settings: { threads: 1, contextSize: 256 } }),
      );
    }
    honest = await engines[0]!.run(request);
    cheat = await engines[1]!.run(request);
    honestReceipt = honest.hash;
    wrongModelReceipt = cheat.hash;
    modelHash = honest.model.sha256;
    promptHash = honest.prompt.hash;

    s = await deployDaStack({ stakes: [ether("100"), ether("200"), ether("300")] });
    const wallets = await s.viem.getWalletClients();
    ({ claims, payout, validatorResponse } = await deployInferenceStack(
      s,
      { inferenceAvs: wallets[8]!, operator: wallets[9]!, app: wallets[10]! },
      {
        challengeWindow: WINDOW,
        minChallengeBond: BOND,
      },
    ));
  }, 300_000);

  afterAll(async () => {
    for (const e of engines) await e.close();
  });

  const wallets = async () => {
    const w = await s.viem.getWalletClients();
    return { operator: w[9]!, app: w[10]!, challenger: w[11]! };
  };

  /** Certifies the claim payload (request + receipt) on DA, then posts the claim naming the honest model. */
  async function post(receipt: Receipt, nonce: number): Promise<Hex> {
    const { operator, app } = await wallets();
    const daCertificateId = await confirmOnDa(s, operator, encodeClaimPayload(request, receipt), {
      nonce: keccak256(toHex(`da-${nonce}`)),
    });
    const input = {
      app: app.account.address,
      modelHash,
      promptHash,
      daCertificateId,
      receiptHash: receipt.hash,
      fee: ether("0.01"),
    };
    const { result } = await s.publicClient.simulateContract({
      account: operator.account,
      address: claims.address,
      abi: claims.abi,
      functionName: "postClaim",
      args: [input],
    });
    await send(s.clients, operator, {
      address: claims.address,
      abi: claims.abi,
      functionName: "postClaim",
      args: [input],
    });
    return result;
  }

  /** All committee members sign keccak256(abi.encode(domain, claimId, receipt)); the certificate is posted. */
  async function certify(claimId: Hex, receipt: Hex): Promise<void> {
    await advanceBlocks(s.publicClient, 1);
    const referenceBlock = Number(await s.publicClient.getBlockNumber()) - 1;
    const message = (await s.publicClient.readContract({
      address: claims.address,
      abi: claims.abi,
      functionName: "committeeMessage",
      args: [claimId, receipt],
    })) as Hex;
    const sigma = g2ToSol(aggregate(s.keys.map((k) => k.sign(message))));
    const apkRegistry = (await s.publicClient.readContract({
      address: s.registrar.address,
      abi: s.registrar.abi,
      functionName: "apkRegistry",
    })) as Address;
    const apkIndex = (await s.publicClient.readContract({
      address: apkRegistry,
      abi: bLSApkRegistryAbi,
      functionName: "getApkIndexAtBlock",
      args: [referenceBlock],
    })) as bigint;
    await send(s.clients, s.governance, {
      address: claims.address,
      abi: claims.abi,
      functionName: "resolve",
      args: [claimId, receipt, referenceBlock, { nonSignerPubkeys: [], apkIndex, sigma }],
    });
  }

  const status = async (claimId: Hex) =>
    (
      (await s.publicClient.readContract({
        address: claims.address,
        abi: claims.abi,
        functionName: "verificationOutcome",
        args: [claimId],
      })) as { status: number }
    ).status;

  it("the engine gives different receipts for the honest and the other model", () => {
    expect(honestReceipt).not.toBe(wrongModelReceipt);
  });

  it("a claim whose DA certificate was never confirmed is refused (CertificateNotAvailable)", async () => {
    const { operator, app } = await wallets();
    const unconfirmed = keccak256(toHex("not on DA"));
    await expect(
      s.publicClient.simulateContract({
        account: operator.account,
        address: claims.address,
        abi: claims.abi,
        functionName: "postClaim",
        args: [
          {
            app: app.account.address,
            modelHash,
            promptHash,
            daCertificateId: unconfirmed,
            receiptHash: honestReceipt,
            fee: ether("0.01"),
          },
        ],
      }),
    ).rejects.toThrow(/CertificateNotAvailable/);
  });

  it("an honest claim survives its window and reads as Verified", async () => {
    const id = await post(honest, 1);
    expect(await status(id)).toBe(1);
    await s.publicClient.request({ method: "evm_increaseTime" as never, params: [Number(WINDOW) + 1] as never });
    await advanceBlocks(s.publicClient, 1);
    expect(await status(id)).toBe(2);
    expect(await validatorResponse(id)).toBe(100);
  });

  it("a cheating claim is refuted by the committee: operator slashed, app owed the redistributed stake", async () => {
    const { challenger, app } = await wallets();
    const id = await post(cheat, 2);
    const evidence = await confirmOnDa(s, challenger, encodeClaimPayload(request, honest), {
      nonce: keccak256(toHex(`evidence-${id}`)),
    });
    await send(s.clients, challenger, {
      address: claims.address,
      abi: claims.abi,
      functionName: "challenge",
      args: [id, honestReceipt, 0, evidence],
      value: BOND,
    });
    await certify(id, honestReceipt);
    expect(await status(id)).toBe(3);
    expect(await validatorResponse(id)).toBe(0);
    const owed = (await s.publicClient.readContract({
      address: payout.address,
      abi: payout.abi,
      functionName: "victimOf",
      args: [1n, app.account.address],
    })) as readonly [bigint, bigint];
    // Half of the operator's 100 tokens slashed, 90% of it owed to the app.
    expect(owed[0]).toBe(ether("45"));
    const claim = (await s.publicClient.readContract({
      address: claims.address,
      abi: claims.abi,
      functionName: "getClaim",
      args: [id],
    })) as { slashId: bigint; operator: Address };
    await advanceBlocks(s.publicClient, DEVNET_RESTAKING.slashResolutionDelayBlocks + 1);
    const inferenceAvs = (await s.viem.getWalletClients())[8]!.account.address;
    await send(s.clients, s.governance, {
      address: s.core.strategyManager.address,
      abi: s.core.strategyManager.abi,
      functionName: "clearBurnOrRedistributableShares",
      args: [{ avs: inferenceAvs, id: SET_ID }, claim.slashId],
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
  });

  it("a frivolous challenger loses its bond to the operator and the claim reads as Verified", async () => {
    const { challenger, operator } = await wallets();
    const id = await post(honest, 3);
    const evidence = await confirmOnDa(s, challenger, encodeClaimPayload(request, cheat), {
      nonce: keccak256(toHex(`evidence-${id}`)),
    });
    await send(s.clients, challenger, {
      address: claims.address,
      abi: claims.abi,
      functionName: "challenge",
      args: [id, wrongModelReceipt, 0, evidence],
      value: BOND,
    });
    const before = await s.publicClient.getBalance({ address: operator.account.address });
    await certify(id, honestReceipt);
    expect(await s.publicClient.getBalance({ address: operator.account.address })).toBe(before + BOND);
    expect(await status(id)).toBe(2);
  });
});
