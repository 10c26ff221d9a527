/**
 * The availability-challenge loop on loopback: a certificate signed by four DA nodes and confirmed through
 * an intermediate contract (a forwarder, standing for a Safe or multicall: the transaction's calldata is
 * not a confirmBlob call, so the keeper must learn the certificate from the event); one node then goes
 * dark and another loses its data but stays online and answers challenges. The challenge keeper samples
 * the certificate, challenges exactly those two (once, even with a fresh checkpoint store), the node that
 * lost its data rebuilds the blob from the network and answers, and after the window the keeper slashes
 * the dark one.
 */
import { rmSync } from "node:fs";

import { createWalletClient, custom, keccak256, parseEther, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  ChallengeStore,
  runChallengePass,
  type ChallengeKeeperConfig,
} from "../../../keepers/da-network/challenge-keeper.js";
import { ChallengeStatus } from "../../../keepers/da-network/challenge-decide.js";
import { disperse } from "../../../keepers/da-network/disperser.js";
import { iAllocationManagerAbi } from "../../../keepers/lib/abis.js";
import { FLEET_MAX_OPERATORS, payloadOf, startDaFleet, type DaFleet } from "../helpers/da-fleet.js";
import { ether } from "../helpers/da-stack.js";

const DARK = 2;
const AMNESIAC = 1;

describe("DA challenge keeper: a signer that does not serve is challenged, and slashed if it cannot answer", () => {
  let fleet: DaFleet;
  let config: ChallengeKeeperConfig;

  beforeAll(async () => {
    fleet = await startDaFleet({ stakes: [ether("100"), ether("200"), ether("300"), ether("400")] });
    config = {
      certificateRegistry: fleet.stack.registry.address,
      registrar: fleet.stack.registrar.address,
      maxOperators: FLEET_MAX_OPERATORS,
      samplesPerPass: 4,
      resampleSeconds: 0,
      timeoutMs: 10_000,
    };
  });
  afterAll(async () => {
    await fleet?.close();
  });

  const allocated = async (i: number) => {
    const [[stake]] = (await fleet.stack.publicClient.readContract({
      address: fleet.stack.core.allocationManager.address,
      abi: iAllocationManagerAbi,
      functionName: "getAllocatedStake",
      args: [{ avs: fleet.stack.avs.account.address, id: 0 }, [fleet.operatorAddress(i)], [fleet.stack.strategy]],
    })) as bigint[][] as [[bigint]];
    return stake;
  };

  it(
    "challenges the dark and the amnesiac signer once, the amnesiac answers, the dark one is slashed",
    { timeout: 300_000 },
    async () => {
      const { stack } = fleet;
      // The keeper signs locally (as the CLI does), so a lost reply is recognised by the transaction's hash.
      const account = privateKeyToAccount(keccak256(toHex("vcloud da-challenge keeper")) as Hex);
      await stack.publicClient.request({
        method: "hardhat_setBalance" as never,
        params: [account.address, toHex(parseEther("10"))] as never,
      });
      const keeperWallet = createWalletClient({
        account,
        chain: stack.publicClient.chain,
        transport: custom(stack.connection.provider as never),
      });
      const store = new ChallengeStore(":memory:");
      const forwarder = await stack.viem.deployContract("CallForwarder");
      const dispersed = await disperse(
        fleet.disperseParams(payloadOf(140_000, 21), { confirmVia: forwarder.address }), // two blobs
      );
      const tx = await stack.publicClient.getTransaction({ hash: dispersed.transactionHash });
      expect(tx.to?.toLowerCase()).toBe(forwarder.address.toLowerCase());

      // Everyone serves: the keeper samples and challenges no one.
      const quiet = await runChallengePass(stack.publicClient, keeperWallet, { config, store });
      expect(quiet.sampled.map((c) => c.certificateId)).toEqual([dispersed.certificateId]);
      expect(quiet.sampled[0]!.verdicts.every((v) => v.serves)).toBe(true);
      expect(quiet.opened).toEqual([]);

      // Node DARK goes dark; node AMNESIAC loses its chunks but keeps running and answers challenges.
      await fleet.stopNode(DARK);
      await fleet.stopNode(AMNESIAC);
      rmSync(fleet.dataDirs[AMNESIAC]!, { recursive: true, force: true });
      delete fleet.dataDirs[AMNESIAC];
      await fleet.startNode(AMNESIAC, {
        challengeResponder: { walletClient: stack.operators[AMNESIAC]!, intervalMs: 300 },
      });

      const pass = await runChallengePass(stack.publicClient, keeperWallet, { config, store });
      const verdicts = Object.fromEntries(pass.sampled[0]!.verdicts.map((v) => [v.operator.toLowerCase(), v]));
      expect(verdicts[fleet.operatorAddress(0).toLowerCase()]!.serves).toBe(true);
      expect(verdicts[fleet.operatorAddress(3).toLowerCase()]!.serves).toBe(true);
      expect(verdicts[fleet.operatorAddress(DARK).toLowerCase()]!.reason).toMatch(/ECONNREFUSED/);
      expect(verdicts[fleet.operatorAddress(AMNESIAC).toLowerCase()]!.reason).toMatch(/is not stored here/);
      expect(pass.opened.map((o) => o.operator.toLowerCase()).sort()).toEqual(
        [fleet.operatorAddress(DARK), fleet.operatorAddress(AMNESIAC)].map((a) => a.toLowerCase()).sort(),
      );
      expect(await stack.registry.read.challengeCount()).toBe(2n);
      const challengeOf = (i: number) =>
        pass.opened.find((o) => o.operator.toLowerCase() === fleet.operatorAddress(i).toLowerCase())!.challengeId!;

      // Idempotent: another pass, and a keeper restarted with an empty store, open nothing new.
      expect((await runChallengePass(stack.publicClient, keeperWallet, { config, store })).opened).toEqual([]);
      const fresh = new ChallengeStore(":memory:");
      expect((await runChallengePass(stack.publicClient, keeperWallet, { config, store: fresh })).opened).toEqual([]);
      expect(await stack.registry.read.challengeCount()).toBe(2n);

      // The amnesiac node rebuilds the blob from the network and answers with a KZG proof.
      for (let i = 0; i < 600; i++) {
        if ((await stack.registry.read.getChallenge([challengeOf(AMNESIAC)])).status === ChallengeStatus.Answered)
          break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect((await stack.registry.read.getChallenge([challengeOf(AMNESIAC)])).status).toBe(ChallengeStatus.Answered);
      expect((await stack.registry.read.getChallenge([challengeOf(DARK)])).status).toBe(ChallengeStatus.Open);

      // Inside the window nothing is finalized; after it, the dark signer is slashed 10% of its allocation.
      expect((await runChallengePass(stack.publicClient, keeperWallet, { config, store })).finalized).toEqual([]);
      const before = await allocated(DARK);
      const amnesiacBefore = await allocated(AMNESIAC);
      const testClient = await stack.viem.getTestClient();
      await testClient.increaseTime({ seconds: 3601 });
      await testClient.mine({ blocks: 1 });
      const final = await runChallengePass(stack.publicClient, keeperWallet, { config, store });
      expect(final.finalized.map((f) => f.challengeId)).toEqual([challengeOf(DARK)]);
      expect((await stack.registry.read.getChallenge([challengeOf(DARK)])).status).toBe(ChallengeStatus.Slashed);
      const cut = before - (await allocated(DARK));
      expect(cut).toBeGreaterThanOrEqual(before / 10n);
      expect(cut - before / 10n).toBeLessThan(1_000n);
      expect(await allocated(AMNESIAC)).toBe(amnesiacBefore);
      // Nothing left to finalize.
      expect((await runChallengePass(stack.publicClient, keeperWallet, { config, store })).finalized).toEqual([]);
      store.close();
      fresh.close();
    },
  );
});
