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
  decodeFunctionData,
  getAddress,
  type Hex,
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
import { BlsKey, pubkeyHash, signatureToHex } from "../../../keepers/bls/bls.js";
import { advanceBlocks } from "../../../keepers/da-network/setup.js";
import { devnetAccounts } from "../../../keepers/devnet/accounts.js";
import { DA_NETWORK, DA_ROLES, daFleetStarted } from "../../../keepers/devnet/steps/data-availability.js";
import { cheatingOperatorCaught, INFERENCE_ROLES } from "../../../keepers/devnet/steps/inference.js";
import { runStory } from "../../../keepers/devnet/story.js";
import { chainFor } from "../../../keepers/lib/chain.js";
import { PROJECT_ROOT } from "../../../keepers/lib/paths.js";
import { committeeEndpointsAbi, inferenceClaimsAbi } from "../../../keepers/lib/abis.js";
import { createLogger } from "../../../keepers/lib/logger.js";
import { SIGN_PATH } from "../../../keepers/replay/committee.js";
import { postInferenceClaim } from "../../../keepers/replay/publish.js";

import { freePort } from "../helpers/cli.js";
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

/**
 * SIGKILLs a child's whole process group: `bin/vcloud.mjs` runs the CLI in a child (tsx, then node), so
 * killing the wrapper alone would leave the keeper running.
 */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

describe("devnet story: inference", () => {
  let devnet: TestDevnet | undefined;
  const shutdown: (() => Promise<void>)[] = [];
  /** What the kill test reuses from the story test. */
  let story:
    | {
        publicClient: PublicClient<Transport, Chain>;
        wallets: WalletClient<Transport, Chain, Account>[];
        accounts: ReturnType<typeof devnetAccounts>;
        dir: string;
        asked: string;
        other: string;
      }
    | undefined;

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
    story = { publicClient, wallets, accounts, dir, asked, other };
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

  /**
   * Issue #13 for the replay keeper: the daemon is SIGKILLed at points taken from its own log (after a
   * replay, while evidence is being stored on DA, right after the first of two challenges) and restarted
   * with `--once`, as cron would. The chain must then hold exactly one challenge per cheating claim, by the
   * keeper, and the keeper must have sent exactly one `challenge` transaction per claim (none reverted, none
   * lost). CI kills once, mid-pass (one claim challenged, the other not yet); the deep profile
   * (VCLOUD_TEST_PROFILE=deep) also kills during start-up, after a replay and while evidence is stored.
   */
  it("`vcloud keeper replay` SIGKILLed at several points and restarted: every cheating claim challenged exactly once", async () => {
    const { publicClient, wallets, accounts, dir, asked, other } = story!;
    const c = (name: string) => devnet!.deployment.contracts[name] as Address;
    const claimsAddress = c("InferenceClaims");
    const keeper = accounts[INFERENCE_ROLES.keeper]!.address;
    const otherEngine = await LlamaEngine.create({ modelPath: other, settings: { threads: 1, contextSize: 128 } });
    const askedHash = (await LlamaEngine.create({ modelPath: asked, settings: { threads: 1, contextSize: 128 } }).then(
      async (e) => {
        const hash = e.model.sha256;
        await e.close();
        return hash;
      },
    )) as Hex;
    const db = join(dir, "faults.sqlite");
    const args = [
      "--json",
      "keeper",
      "replay",
      "--rpc-url",
      devnet!.rpcUrl,
      "--model",
      asked,
      "--threads",
      "1",
      "--db",
      db,
      "--from-block",
      String(await publicClient.getBlockNumber()),
    ];
    const env = {
      VCLOUD_DEPLOYMENTS_DIR: devnet!.deploymentsDir,
      VCLOUD_PRIVATE_KEY: accounts[INFERENCE_ROLES.keeper]!.privateKey,
    };
    const killPoints =
      process.env.VCLOUD_TEST_PROFILE === "deep"
        ? ["start-up", "claim re-executed", "dispersing", "claim challenged"]
        : ["claim challenged"];
    let round = 0;
    try {
      for (const killOn of killPoints) {
        round++;
        // Two cheating claims per round (answers from another model than the one the app asked for).
        const ids: Hex[] = [];
        for (const k of [0, 1]) {
          const request = { prompt: `Kill round ${round}, claim ${k}.`, seed: BigInt(round * 10 + k), maxTokens: 3 };
          const posted = await postInferenceClaim({
            publicClient,
            walletClient: wallets[INFERENCE_ROLES.operator]!,
            claims: claimsAddress,
            da: {
              certificateRegistry: c("BlobCertificateRegistry"),
              registrar: c("DARegistrar"),
              ttlSeconds: 3600,
              ...DA_NETWORK,
            },
            request,
            receipt: await otherEngine.run(request),
            modelHash: askedHash,
            app: accounts[INFERENCE_ROLES.app]!.address,
            fee: 1n,
          });
          ids.push(posted.claimId);
        }
        const from = (await publicClient.getBlockNumber()) + 1n;

        const child = spawn(process.execPath, [join(PROJECT_ROOT, "bin", "vcloud.mjs"), ...args, "--interval", "1"], {
          cwd: PROJECT_ROOT,
          env: { ...process.env, ...env, VCLOUD_LOG_LEVEL: "info" },
          stdio: ["ignore", "ignore", "pipe"],
          detached: true,
        });
        const exited = new Promise<void>((r) => child.once("exit", () => r()));
        // Kill on the first log line with the chosen message (start-up: on the process's first log line).
        await new Promise<void>((resolveKill, reject) => {
          const timer = setTimeout(() => reject(new Error(`keeper never logged "${killOn}"`)), 180_000);
          let buffered = "";
          child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
            buffered += chunk;
            const lines = buffered.split("\n");
            buffered = lines.pop()!;
            for (const line of lines) {
              let msg: string;
              try {
                msg = (JSON.parse(line) as { msg?: string }).msg ?? "";
              } catch {
                msg = line;
              }
              if (killOn === "start-up" || msg === killOn) {
                killGroup(child.pid!);
                clearTimeout(timer);
                resolveKill();
                return;
              }
            }
          });
          child.once("exit", () => {
            clearTimeout(timer);
            resolveKill();
          });
        });
        killGroup(child.pid!);
        await exited;

        const restart = await vcloudAsync([...args, "--once"], env);
        expect(restart.stderr, `restart after a kill at "${killOn}"`).not.toContain("error:");
        expect(restart.code).toBe(0);

        // Chain state: one ClaimChallenged per claim, by the keeper; one successful challenge tx per claim.
        for (const id of ids) {
          const events = await publicClient.getContractEvents({
            address: claimsAddress,
            abi: inferenceClaimsAbi,
            eventName: "ClaimChallenged",
            args: { claimId: id },
            fromBlock: from,
          });
          expect(events.length, `challenges of ${id} after a kill at "${killOn}"`).toBe(1);
          expect(getAddress(events[0]!.args.challenger!)).toBe(getAddress(keeper));
        }
        const sent: Hex[] = [];
        for (let block = from; block <= (await publicClient.getBlockNumber()); block++) {
          const { transactions } = await publicClient.getBlock({ blockNumber: block, includeTransactions: true });
          for (const tx of transactions) {
            if (getAddress(tx.from) !== getAddress(keeper) || !tx.to || getAddress(tx.to) !== getAddress(claimsAddress))
              continue;
            const call = decodeFunctionData({ abi: inferenceClaimsAbi, data: tx.input });
            expect(call.functionName).toBe("challenge");
            const receipt = await publicClient.getTransactionReceipt({ hash: tx.hash });
            expect(receipt.status).toBe("success");
            sent.push((call.args as readonly [Hex])[0]);
          }
        }
        expect(sent.sort(), `challenge transactions after a kill at "${killOn}"`).toEqual([...ids].sort());
      }
    } finally {
      await otherEngine.close();
    }
  }, 900_000);

  /**
   * The member side through the real CLI: `vcloud keeper replay --committee-listen` with DA operator 0's
   * key and account publishes its endpoint in InferenceCommitteeEndpoints and, asked for a claim the kill
   * test left challenged, signs the hash it computed and refuses the claimed one.
   */
  it("`vcloud keeper replay --committee-listen` publishes its endpoint and signs only the receipt hash it computed", async () => {
    const { publicClient, accounts, dir, asked } = story!;
    const c = (name: string) => devnet!.deployment.contracts[name] as Address;
    const operator = accounts[DA_ROLES.operators[0]]!;
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        join(PROJECT_ROOT, "bin", "vcloud.mjs"),
        ...["keeper", "replay", "--rpc-url", devnet!.rpcUrl, "--model", asked, "--threads", "1"],
        ...["--db", join(dir, "member.sqlite"), "--no-challenge", "--interval", "60"],
        ...["--bls-key", BlsKey.fromSeed(new Uint8Array(32).fill(0xd0)).secretHex],
        ...["--committee-listen", `127.0.0.1:${port}`],
      ],
      {
        cwd: PROJECT_ROOT,
        env: {
          ...process.env,
          VCLOUD_LOG_LEVEL: "warn",
          VCLOUD_DEPLOYMENTS_DIR: devnet!.deploymentsDir,
          VCLOUD_PRIVATE_KEY: operator.privateKey,
        },
        stdio: "ignore",
        detached: true,
      },
    );
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    try {
      const url = `http://127.0.0.1:${port}`;
      let published = "";
      for (let i = 0; i < 600 && published !== url; i++) {
        published = (await publicClient.readContract({
          address: c("InferenceCommitteeEndpoints"),
          abi: committeeEndpointsAbi,
          functionName: "endpointOf",
          args: [operator.address],
        })) as string;
        if (published !== url) await new Promise((r) => setTimeout(r, 200));
      }
      expect(published).toBe(url);
      // A claim the kill test left challenged (the keeper there holds no committee key).
      const challenges = await publicClient.getContractEvents({
        address: c("InferenceClaims"),
        abi: inferenceClaimsAbi,
        eventName: "ClaimChallenged",
        fromBlock: 0n,
      });
      const claimId = challenges.at(-1)!.args.claimId!;
      const claim = (await publicClient.readContract({
        address: c("InferenceClaims"),
        abi: inferenceClaimsAbi,
        functionName: "getClaim",
        args: [claimId],
      })) as { status: number; receiptHash: Hex; challengerReceiptHash: Hex };
      expect(claim.status).toBe(2);
      const ask = (receiptHash: Hex) =>
        fetch(`${url}${SIGN_PATH}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ claimId, receiptHash }),
        });
      const refused = await ask(claim.receiptHash);
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { error: string }).error).toContain(
        `receipt mismatch: this member computed ${claim.challengerReceiptHash}`,
      );
      const signed = await ask(claim.challengerReceiptHash);
      expect(signed.status).toBe(200);
      const body = (await signed.json()) as { signatures: { pubkeyHash: Hex; signature: Hex }[] };
      const key = BlsKey.fromSeed(new Uint8Array(32).fill(0xd0));
      const message = (await publicClient.readContract({
        address: c("InferenceClaims"),
        abi: inferenceClaimsAbi,
        functionName: "committeeMessage",
        args: [claimId, claim.challengerReceiptHash],
      })) as Hex;
      expect(body.signatures).toEqual([
        { pubkeyHash: pubkeyHash(key.pubkeySol), signature: signatureToHex(key.sign(message)) },
      ]);
    } finally {
      killGroup(child.pid!);
      await exited;
    }
  }, 300_000);
});
