/**
 * The devnet story step of the inference AVS on a real `hardhat node` with the whole stack deployed by
 * deploy/VCloud.ts (devnet parameters): the DA fleet starts (the re-execution committee), then
 * "cheating operator caught by the replay keeper, slashed, app compensated" runs and checks the app's payout.
 */
import {
  createPublicClient,
  createWalletClient,
  http,
  type Account,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, describe, expect, it } from "vitest";

import { devnetAccounts } from "../../../keepers/devnet/accounts.js";
import { daFleetStarted } from "../../../keepers/devnet/steps/data-availability.js";
import { cheatingOperatorCaught } from "../../../keepers/devnet/steps/inference.js";
import { runStory } from "../../../keepers/devnet/story.js";
import { chainFor } from "../../../keepers/lib/chain.js";
import { createLogger } from "../../../keepers/lib/logger.js";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";

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
    const accounts = devnetAccounts(20);
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
  }, 600_000);
});
