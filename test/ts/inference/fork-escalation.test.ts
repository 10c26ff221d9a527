/**
 * `--escalate-timed-out`: the replay keeper challenges a cheating claim, the re-execution committee stays
 * silent past its deadline, the keeper closes the challenge with `resolveTimedOut` and then, inside the
 * appeal window, escalates it to an EIGEN fork challenge through `InferenceClaims.escalateToFork`: the
 * accused are the silent committee members, the evidence pointer is the keeper's DA evidence, and the
 * commitment is paid in the canonical bEIGEN, only when within `--max-fork-commitment` and held. The real
 * fork stack (deploy/modules/Eigen.ts), the real DA nodes and the tiny generated model of the other replay tests.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  getAddress,
  parseEventLogs,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type Transport,
  type WalletClient,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import EigenModule from "../../../deploy/modules/Eigen.js";
import type { InferenceRequest } from "../../../keepers/ai/engine.js";
import type { LlamaEngine } from "../../../keepers/ai/llama.js";
import type { DaNode } from "../../../keepers/da-network/node.js";
import { send } from "../../../keepers/da-network/setup.js";
import { backingEigenAbi, inferenceClaimsAbi } from "../../../keepers/lib/abis.js";
import { createLogger } from "../../../keepers/lib/logger.js";
import { ClaimStatus } from "../../../keepers/replay/decide.js";
import { replayOnce, type ReplayKeeperParams } from "../../../keepers/replay/keeper.js";
import { postInferenceClaim } from "../../../keepers/replay/publish.js";
import { deployDaStack, ether } from "../helpers/da-stack.js";
import { deployInferenceStack, startStackDaNodes, writeReplayModels } from "./inference-stack.js";

type Wallet = WalletClient<Transport, Chain, Account>;

const BOND = ether("0.1");
const RESOLUTION_TIMEOUT = 600;
const SUPPLY = ether("1000000");
/** cpfWad 1% of the bEIGEN supply. */
const COMMITMENT = ether("10000");
const logger = createLogger({ level: "silent" });

describe("replay keeper --escalate-timed-out: a silent committee is taken to an EIGEN fork challenge", () => {
  let s: Awaited<ReturnType<typeof deployDaStack>>;
  let claims: Address;
  let bEigen: Address;
  let operator: Wallet;
  let app: Wallet;
  let keeperWallet: Wallet;
  let honestModel: string;
  let honest: LlamaEngine;
  let other: LlamaEngine;
  const nodes: DaNode[] = [];
  const dir = mkdtempSync(join(tmpdir(), "vcloud-fork-escalation-"));
  const dbPath = join(dir, "keeper.sqlite");

  const da = () => ({
    certificateRegistry: s.registry.address as Address,
    registrar: s.registrar.address as Address,
    maxOperators: 16,
    ttlSeconds: 7 * 24 * 3600,
    timeoutMs: 20_000,
  });

  /** A challenger-only keeper pass: it holds no committee key, so nobody certifies its challenges. */
  const keeper = (overrides: Partial<ReplayKeeperParams> = {}) =>
    replayOnce({
      publicClient: s.publicClient,
      walletClient: keeperWallet,
      claims,
      da: da(),
      models: [honestModel],
      policy: { mode: "all" },
      engine: { threads: 1 },
      bond: BOND,
      dbPath,
      logger,
      ...overrides,
    });

  const claim = async (claimId: Hex) =>
    (await s.publicClient.readContract({
      address: claims,
      abi: inferenceClaimsAbi,
      functionName: "getClaim",
      args: [claimId],
    })) as { status: number; escalated: boolean; evidenceCertificateId: Hex };
  const bEigenOf = (who: Address) =>
    s.publicClient.readContract({ address: bEigen, abi: backingEigenAbi, functionName: "balanceOf", args: [who] });
  const timeTravel = async (seconds: number) => {
    await s.publicClient.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
    await s.publicClient.request({ method: "evm_mine" as never, params: [] as never });
  };

  beforeAll(async () => {
    ({ honestModel, honest, other } = await writeReplayModels(dir));
    s = await deployDaStack({ stakes: [ether("100"), ether("200"), ether("300")] });
    nodes.push(...(await startStackDaNodes(s, "vcloud-fork-escalation-da", logger)));
    // The fork stack as deploy/ ships it, its bEIGEN supply minted to the deployer (s.governance).
    const fork = await s.connection.ignition.deploy(EigenModule, {
      parameters: { Eigen: { initialSupply: SUPPLY } },
      displayUi: false,
    });
    bEigen = fork.backingEigen.address as Address;
    const wallets = (await s.viem.getWalletClients()) as unknown as Wallet[];
    const [inferenceAvs, op, a, k] = [wallets[8]!, wallets[9]!, wallets[10]!, wallets[11]!];
    operator = op;
    app = a;
    keeperWallet = k;
    ({
      claims: { address: claims },
    } = await deployInferenceStack(
      s,
      { inferenceAvs, operator, app },
      {
        challengeWindow: 3600n,
        minChallengeBond: BOND,
        resolutionTimeout: BigInt(RESOLUTION_TIMEOUT),
        forkRegistry: fork.registry.address as Address,
      },
    ));
  }, 600_000);

  afterAll(async () => {
    await honest?.close();
    await other?.close();
    for (const node of nodes) await node.close();
  });

  it("challenges, times out, then escalates once, within the commitment cap and with the bEIGEN held", async () => {
    const request: InferenceRequest = { prompt: "A claim nobody certifies.", seed: 3n, maxTokens: 4 };
    const { claimId } = await postInferenceClaim({
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
    const escalate = { escalateTimedOut: { maxCommitment: COMMITMENT } };

    const [challenged] = await keeper(escalate);
    expect(challenged).toMatchObject({ claimId, action: "challenge" });
    expect((await claim(claimId)).status).toBe(ClaimStatus.Challenged);

    // The committee (the DA operators) stays silent past its deadline: the challenger closes the challenge.
    await timeTravel(RESOLUTION_TIMEOUT + 1);
    expect((await keeper(escalate))[0]).toMatchObject({ claimId, action: "timeout" });
    expect((await claim(claimId)).status).toBe(ClaimStatus.TimedOut);

    // A cap below the manager's required commitment: nothing is sent, the keeper says why and waits.
    const capped = await keeper({ escalateTimedOut: { maxCommitment: COMMITMENT - 1n } });
    expect(capped[0]).toMatchObject({
      action: "wait",
      reason: `fork commitment ${COMMITMENT} exceeds --max-fork-commitment ${COMMITMENT - 1n}`,
    });
    // No bEIGEN in the keeper's wallet yet: it waits and names the shortfall.
    const broke = await keeper(escalate);
    expect(broke[0]).toMatchObject({
      action: "wait",
      reason: expect.stringMatching(/needs bEIGEN; this wallet holds 0/),
    });
    expect((await claim(claimId)).escalated).toBe(false);

    await send(s.clients, s.governance, {
      address: bEigen,
      abi: backingEigenAbi,
      functionName: "transfer",
      args: [keeperWallet.account.address, COMMITMENT],
    });
    const fromBlock = await s.publicClient.getBlockNumber();
    const escalated = await keeper(escalate);
    expect(escalated[0]).toMatchObject({ claimId, action: "escalate" });
    expect(await bEigenOf(keeperWallet.account.address)).toBe(0n);

    const onChain = await claim(claimId);
    expect(onChain.escalated).toBe(true);
    const [forkChallengeId, appellant] = (await s.publicClient.readContract({
      address: claims,
      abi: inferenceClaimsAbi,
      functionName: "forkEscalation",
      args: [claimId],
    })) as [bigint, Address, boolean];
    expect(forkChallengeId).toBeGreaterThan(0n);
    expect(appellant).toBe(getAddress(keeperWallet.account.address));
    const logs = await s.publicClient.getLogs({ address: claims, fromBlock, toBlock: "latest" });
    const [opened] = parseEventLogs({ abi: inferenceClaimsAbi, logs, eventName: "ClaimForkChallengeOpened" });
    expect(opened!.args.commitment).toBe(COMMITMENT);
    // Every committee member stayed silent: all three DA operators are accused, ascending.
    const committee = s.operators
      .map((o) => getAddress(o.account.address))
      .sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
    expect(opened!.args.accused).toEqual(committee);

    // The next pass closes the claim and sends nothing more; so does a pass after that.
    const before = await s.publicClient.getTransactionCount({ address: keeperWallet.account.address });
    expect((await keeper(escalate))[0]).toMatchObject({
      claimId,
      action: "close",
      reason: "escalated to an EIGEN fork challenge",
    });
    expect(await keeper(escalate)).toEqual([]);
    expect(await s.publicClient.getTransactionCount({ address: keeperWallet.account.address })).toBe(before);
    expect(onChain.evidenceCertificateId).not.toBe(`0x${"00".repeat(32)}`);
  });
});
