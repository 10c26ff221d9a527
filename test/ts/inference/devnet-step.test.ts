/**
 * The devnet story step of the inference AVS on a real `hardhat node` with the whole stack deployed by
 * deploy/VCloud.ts (devnet parameters): the DA fleet starts (the re-execution committee), then
 * "cheating operator caught by the replay keeper, slashed, app compensated" runs and checks the app's payout;
 * then `vcloud keeper replay --once` (the real CLI, addresses from the deployments file) catches another
 * cheating claim: the first run challenges, a second run one block later certifies and the claim is Refuted.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  createPublicClient,
  createWalletClient,
  http,
  type Account,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, describe, expect, it } from "vitest";

import { LlamaEngine } from "../../../keepers/ai/llama.js";
import { writeModel } from "../../../keepers/ai/model.js";
import { BlsKey } from "../../../keepers/bls/bls.js";
import { advanceBlocks } from "../../../keepers/da-network/setup.js";
import { devnetAccounts } from "../../../keepers/devnet/accounts.js";
import { DA_NETWORK, DA_ROLES, daFleetStarted } from "../../../keepers/devnet/steps/data-availability.js";
import { cheatingOperatorCaught, INFERENCE_ROLES } from "../../../keepers/devnet/steps/inference.js";
import { runStory } from "../../../keepers/devnet/story.js";
import { chainFor } from "../../../keepers/lib/chain.js";
import { PROJECT_ROOT } from "../../../keepers/lib/paths.js";
import { inferenceClaimsAbi } from "../../../keepers/lib/abis.js";
import { createLogger } from "../../../keepers/lib/logger.js";
import { postInferenceClaim } from "../../../keepers/replay/publish.js";

import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";

/**
 * Runs the real `vcloud` bin without blocking this process: the DA nodes the story started live in this
 * process and must keep answering the CLI's retrievals.
 */
function vcloudAsync(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, "bin", "vcloud.mjs"), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, VCLOUD_LOG_LEVEL: "warn", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const SHAPE = { layers: 2, embedding: 128, feedForward: 256, heads: 4, kvHeads: 2 };

describe("devnet story: inference", () => {
  let devnet: TestDevnet | undefined;
  const shutdown: (() => Promise<void>)[] = [];

  afterAll(async () => {
    for (const fn of shutdown.reverse()) await fn();
    await devnet?.node.stop();
  });

  it("deploys InferenceClaims with the stack and the replay keeper catches the cheating operator", async () => {
    devnet = await startTestDevnet();
    expect(Object.keys(devnet.deployment.contracts)).toEqual(
      expect.arrayContaining(["InferenceClaims", "InferenceRegistrar", "InferenceVictimPayout"]),
    );
    const chain: Chain = chainFor(devnet.deployment.chainId, devnet.rpcUrl);
    const transport = http(devnet.rpcUrl);
    const accounts = devnetAccounts();
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 }) as PublicClient<
      Transport,
      Chain
    >;
    const wallets = accounts.map((a) =>
      createWalletClient({ account: privateKeyToAccount(a.privateKey), chain, transport, pollingInterval: 50 }),
    ) as WalletClient<Transport, Chain, Account>[];
    const results = await runStory([daFleetStarted, cheatingOperatorCaught], {
      rpcUrl: devnet.rpcUrl,
      deployment: devnet.deployment,
      publicClient,
      wallets,
      accounts,
      logger: createLogger({ level: "silent" }),
      state: new Map(),
      onShutdown: (fn) => void shutdown.push(fn),
    });
    expect(results.map((r) => [r.name, r.ok, r.ok ? "" : r.detail])).toEqual([
      [daFleetStarted.name, true, ""],
      [cheatingOperatorCaught.name, true, ""],
    ]);
    expect(results[1]!.detail).toMatch(/refuted; operator slashed, app paid 45 tokens/);

    // The same keeper through the CLI, against the devnet and its deployments file: a new cheating claim is
    // challenged by `vcloud keeper replay --once`, then certified by a second run one block later.
    const dir = mkdtempSync(join(tmpdir(), "vcloud-replay-cli-"));
    const asked = join(dir, "asked.gguf");
    const other = join(dir, "other.gguf");
    await writeModel(asked, { seed: 11n, shape: SHAPE });
    await writeModel(other, { seed: 12n, shape: SHAPE });
    const askedEngine = await LlamaEngine.create({ modelPath: asked, settings: { threads: 1, contextSize: 128 } });
    const otherEngine = await LlamaEngine.create({ modelPath: other, settings: { threads: 1, contextSize: 128 } });
    const request = { prompt: "Is this answer from the model I paid for?", seed: 3n, maxTokens: 5 };
    const c = (name: string) => devnet!.deployment.contracts[name] as Address;
    const posted = await postInferenceClaim({
      publicClient,
      walletClient: wallets[INFERENCE_ROLES.operator]!,
      claims: c("InferenceClaims"),
      da: {
        certificateRegistry: c("BlobCertificateRegistry"),
        registrar: c("DARegistrar"),
        ttlSeconds: 3600,
        ...DA_NETWORK,
      },
      request,
      receipt: await otherEngine.run(request),
      modelHash: askedEngine.model.sha256,
      app: accounts[INFERENCE_ROLES.app]!.address,
      fee: 1n,
    });
    const honestHash = (await askedEngine.run(request)).hash;
    await askedEngine.close();
    await otherEngine.close();
    const args = [
      "--json",
      "keeper",
      "replay",
      "--once",
      "--rpc-url",
      devnet.rpcUrl,
      "--model",
      asked,
      "--threads",
      "1",
      "--db",
      join(dir, "replay.sqlite"),
      "--from-block",
      String(await publicClient.getBlockNumber()),
      ...DA_ROLES.operators.flatMap((_, i) => [
        "--bls-key",
        BlsKey.fromSeed(new Uint8Array(32).fill(0xd0 + i)).secretHex,
      ]),
    ];
    const env = {
      VCLOUD_DEPLOYMENTS_DIR: devnet.deploymentsDir,
      VCLOUD_PRIVATE_KEY: accounts[INFERENCE_ROLES.keeper]!.privateKey,
    };
    const first = await vcloudAsync(args, env);
    expect(first.stderr).not.toContain("error:");
    expect(first.code).toBe(0);
    const challenged = (JSON.parse(first.stdout) as { claimId: string; action: string; replayedHash?: string }[]).find(
      (o) => o.claimId === posted.claimId,
    );
    expect(challenged).toMatchObject({ action: "challenge", replayedHash: honestHash });
    await advanceBlocks(publicClient, 1);
    const second = await vcloudAsync(args, env);
    expect(second.code).toBe(0);
    expect(
      (JSON.parse(second.stdout) as { claimId: string; action: string }[]).find((o) => o.claimId === posted.claimId),
    ).toMatchObject({ action: "certify" });
    const claim = (await publicClient.readContract({
      address: c("InferenceClaims"),
      abi: inferenceClaimsAbi,
      functionName: "getClaim",
      args: [posted.claimId],
    })) as { status: number; certifiedReceiptHash: string };
    expect(claim.status).toBe(4);
    expect(claim.certifiedReceiptHash).toBe(honestHash);
  }, 900_000);
});
