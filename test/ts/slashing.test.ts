/**
 * Issue 4's scenario through the `vcloud` CLI against a devnet started for this file: an operator in a
 * redistributing set (recipient: the VictimPayout) is slashed 50% through the InstantSlasher; a staker who
 * queued a withdrawal one block earlier still loses 50%; after the resolution delay the slash is cleared to
 * the payout and the victims claim exactly the redistributed tokens. Then a VetoableSlasher request is
 * vetoed by the committee. In between, an ERC-8004 agent whose validation is backed by the slashed set
 * shows that slash on its `vcloud agent show` page (issue 7).
 */
import { createPublicClient, createWalletClient, http, keccak256, stringToHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { testVerificationSourceAbi } from "../../keepers/lib/abis.js";
import { chainFor } from "../../keepers/lib/chain.js";
import { deployArtifact } from "./helpers/deploy.js";

import { startTestDevnet, type TestDevnet } from "./helpers/devnet.js";
import {
  avs,
  big,
  blockNumber,
  cli,
  expectRefused,
  governance,
  mine,
  mintTestToken,
  operator,
  run,
  staker,
  victimA,
  victimB,
  WAD,
} from "./helpers/restaking.js";

describe("slashing with redistribution through the CLI", () => {
  let devnet: TestDevnet;
  let strategy: string;
  let token: string;
  let instant: string;
  let vetoable: string;
  let payout: string;

  beforeAll(async () => {
    devnet = await startTestDevnet();
    const c = devnet.deployment.contracts;
    [strategy, token, instant, vetoable, payout] = [
      c.TestTokenStrategy!,
      c.VcloudTestToken!,
      c.InstantSlasher!,
      c.VetoableSlasher!,
      c.VictimPayout!,
    ];
    await mintTestToken(devnet, [staker.address]);
  });

  afterAll(async () => {
    await devnet?.node.stop();
  });

  it(
    "a staker who queued a withdrawal one block before a 50% slash still loses 50%, and victims claim exactly the redistributed tokens",
    { timeout: 900_000 },
    async () => {
      // Set-up: a redistributing set paying the VictimPayout, slashed through the InstantSlasher.
      cli(devnet, operator.privateKey, ["operator", "register", "--allocation-delay", "0"]);
      const set = cli<{ redistributing: boolean; redistributionRecipient: string; slasher: string }>(
        devnet,
        avs.privateKey,
        [
          "avs",
          "create-sets",
          "--operator-set",
          "1",
          "--strategy",
          strategy,
          "--slasher",
          instant,
          "--redistribution-recipient",
          payout,
          "--metadata-uri",
          "ipfs://avs",
        ],
      );
      expect(set.redistributing).toBe(true);
      expect(set.redistributionRecipient).toBe(payout);
      expect(set.slasher).toBe(instant);
      const allowed = cli<{ allowed: boolean }>(devnet, governance.privateKey, [
        "avs",
        "allow-requester",
        "--slasher",
        instant,
        "--requester",
        governance.address,
      ]);
      expect(allowed.allowed).toBe(true);

      cli(devnet, staker.privateKey, ["stake", "deposit", "--strategy", strategy, "--amount", "100"]);
      cli(devnet, staker.privateKey, ["stake", "delegate", "--operator", operator.address]);
      cli(devnet, operator.privateKey, [
        "operator",
        "allocate",
        "--avs",
        avs.address,
        "--operator-set",
        "1",
        "--strategy",
        strategy,
        "--magnitude",
        "100%",
      ]);
      cli(devnet, operator.privateKey, ["operator", "register-for-sets", "--avs", avs.address, "--operator-set", "1"]);

      // The staker queues everything; the slash lands in the next block.
      const queued = cli<{ withdrawalRoots: string[]; transactions: { blockNumber: string }[] }>(
        devnet,
        staker.privateKey,
        ["stake", "queue-withdrawal", "--strategy", strategy, "--shares", "all"],
      );
      const root = queued.withdrawalRoots[0]!;
      const queuedAt = big(queued.transactions[0]!.blockNumber);

      const slashed = cli<{
        slashId: string;
        sharesSlashed: string[];
        maxMagnitudesAfter: string[];
        transactions: { blockNumber: string }[];
      }>(devnet, governance.privateKey, [
        "avs",
        "slash",
        "--via",
        "instant",
        "--operator",
        operator.address,
        "--operator-set",
        "1",
        "--strategy",
        strategy,
        "--wad",
        "50%",
        "--description",
        "served a wrong result",
      ]);
      expect(big(slashed.transactions[0]!.blockNumber)).toBe(queuedAt + 1n);
      expect(big(slashed.slashId)).toBe(1n);
      expect(big(slashed.sharesSlashed[0])).toBe(50n * WAD);
      expect(big(slashed.maxMagnitudesAfter[0])).toBe(WAD / 2n);

      // `stake show` reports the slash that hit the queued withdrawal, and the halved queued shares.
      const position = cli<{
        queuedWithdrawals: { root: string; shares: string[] }[];
        slashes: { via: string; operator: string; wadSlashed: string[]; description: string }[];
      }>(devnet, undefined, ["stake", "show", "--staker", staker.address]);
      expect(position.queuedWithdrawals[0]!.root).toBe(root);
      expect(big(position.queuedWithdrawals[0]!.shares[0])).toBe(50n * WAD);
      expect(position.slashes).toHaveLength(1);
      expect(position.slashes[0]!.via).toBe("queued withdrawal");
      expect(position.slashes[0]!.operator).toBe(operator.address);
      expect(big(position.slashes[0]!.wadSlashed[0])).toBe(WAD / 2n);
      expect(position.slashes[0]!.description).toBe("served a wrong result");

      // Clearing is refused until the slash resolution delay has passed.
      expectRefused(
        run(devnet, staker.privateKey, [
          "avs",
          "clear-slash",
          "--avs",
          avs.address,
          "--operator-set",
          "1",
          "--slash-id",
          "1",
        ]),
        "--slash-id",
        /can be cleared from block/,
      );

      await mine(devnet, 12);
      const completed = cli<{ withdrawn: { tokensReceived: string }[] }>(devnet, staker.privateKey, [
        "stake",
        "complete-withdrawal",
        "--root",
        root,
      ]);
      expect(big(completed.withdrawn[0]!.tokensReceived)).toBe(50n * WAD);

      // Anyone clears the slash: the tokens go to the VictimPayout.
      const cleared = cli<{ recipient: string; cleared: { shares: string; tokensSent: string; token: string }[] }>(
        devnet,
        staker.privateKey,
        ["avs", "clear-slash", "--avs", avs.address, "--operator-set", "1", "--slash-id", "1"],
      );
      expect(cleared.recipient).toBe(payout);
      expect(cleared.cleared[0]!.token).toBe(token);
      const redistributed = big(cleared.cleared[0]!.tokensSent);
      expect(redistributed).toBe(50n * WAD);

      // Governance names the victims; anyone funds; each victim claims its share.
      const created = cli<{ payoutId: string; totalOwed: string }>(devnet, governance.privateKey, [
        "avs",
        "payout",
        "create",
        "--token",
        token,
        "--victim",
        `${victimA.address}:30`,
        "--victim",
        `${victimB.address}:20`,
        "--description",
        "slash 1 of set 1",
      ]);
      expect(big(created.payoutId)).toBe(1n);
      const funded = cli<{ fundedNow: string }>(devnet, staker.privateKey, ["avs", "payout", "fund", "--id", "1"]);
      expect(big(funded.fundedNow)).toBe(redistributed);
      const claimA = cli<{ amount: string }>(devnet, victimA.privateKey, ["avs", "payout", "claim", "--id", "1"]);
      const claimB = cli<{ amount: string }>(devnet, victimB.privateKey, ["avs", "payout", "claim", "--id", "1"]);
      expect(big(claimA.amount)).toBe(30n * WAD);
      expect(big(claimB.amount)).toBe(20n * WAD);
      expect(big(claimA.amount) + big(claimB.amount)).toBe(redistributed);
      expectRefused(
        run(devnet, victimA.privateKey, ["avs", "payout", "claim", "--id", "1"]),
        "--id",
        /nothing to claim/,
      );
      const shown = cli<{ funded: string; claimed: string; unassigned: string }>(devnet, undefined, [
        "avs",
        "payout",
        "show",
        "--id",
        "1",
      ]);
      expect(big(shown.claimed)).toBe(redistributed);
      expect(big(shown.unassigned)).toBe(0n);
    },
  );

  it(
    "an ERC-8004 agent whose validation is backed by the slashed set shows that slash on its page",
    { timeout: 600_000 },
    async () => {
      // A verification source whose claims are backed by set 1 (slashed 50% in the first test).
      const publicClient = createPublicClient({
        chain: chainFor(31337, devnet.rpcUrl),
        transport: http(devnet.rpcUrl),
      });
      const gov = createWalletClient({
        account: privateKeyToAccount(governance.privateKey),
        chain: chainFor(31337, devnet.rpcUrl),
        transport: http(devnet.rpcUrl),
      });
      const source = await deployArtifact(
        publicClient,
        gov,
        "test/TestVerificationSource.sol",
        "TestVerificationSource",
        [governance.address, 60n],
      );
      cli(devnet, governance.privateKey, ["agent", "source", "add", "--source", source, "--kind", "inference"]);
      const agent = cli<{ agentId: string }>(devnet, victimA.privateKey, [
        "agent",
        "register",
        "--name",
        "backed-agent",
        "--description",
        "answers backed by operator set 1",
      ]);
      const subject = keccak256(stringToHex("claim backed by set 1"));
      // The agent's own account posts the claim (the bridge only answers for subjects the agent requested).
      const agentAccount = createWalletClient({
        account: privateKeyToAccount(victimA.privateKey),
        chain: chainFor(31337, devnet.rpcUrl),
        transport: http(devnet.rpcUrl),
      });
      await publicClient.waitForTransactionReceipt({
        hash: await agentAccount.writeContract({
          address: source,
          abi: testVerificationSourceAbi,
          functionName: "post",
          args: [subject, keccak256(stringToHex("receipt")), { avs: avs.address, id: 1 }],
        }),
      });
      const requested = cli<{ requestHash: string }>(devnet, victimA.privateKey, [
        "agent",
        "validate",
        "request",
        "--agent-id",
        agent.agentId,
        "--source",
        source,
        "--subject",
        subject,
      ]);
      await publicClient.request({ method: "evm_increaseTime" as never, params: [61] as never });
      await mine(devnet, 1);
      const answered = cli<{ response: number }>(devnet, staker.privateKey, [
        "agent",
        "validate",
        "respond",
        "--request-hash",
        requested.requestHash,
        "--source",
        source,
        "--subject",
        subject,
      ]);
      expect(answered.response).toBe(100);

      const page = cli<{
        validation: {
          operatorSets: {
            avs: string;
            id: number;
            validations: number;
            slashingHistory: { operator: string; wadSlashed: string[]; description: string }[] | null;
          }[];
        };
      }>(devnet, undefined, ["agent", "show", "--agent-id", agent.agentId]);
      expect(page.validation.operatorSets).toHaveLength(1);
      const backing = page.validation.operatorSets[0]!;
      expect(backing).toMatchObject({ avs: avs.address, id: 1, validations: 1 });
      expect(backing.slashingHistory).toHaveLength(1);
      expect(backing.slashingHistory![0]).toMatchObject({
        operator: operator.address,
        description: "served a wrong result",
      });
      expect(big(backing.slashingHistory![0]!.wadSlashed[0])).toBe(WAD / 2n);
    },
  );

  it(
    "a VetoableSlasher request is cancelled by the veto committee and can no longer be executed",
    { timeout: 600_000 },
    async () => {
      // Set 2 uses the VetoableSlasher (committee = governance on the devnet).
      cli(devnet, avs.privateKey, [
        "avs",
        "create-sets",
        "--operator-set",
        "2",
        "--strategy",
        strategy,
        "--slasher",
        vetoable,
      ]);
      cli(devnet, governance.privateKey, ["avs", "allow-requester", "--slasher", vetoable, "--requester", avs.address]);
      cli(devnet, operator.privateKey, ["operator", "register-for-sets", "--avs", avs.address, "--operator-set", "2"]);
      const requested = cli<{ requestId: string; vetoableUntil: number; status: string }>(devnet, avs.privateKey, [
        "avs",
        "slash",
        "--via",
        "vetoable",
        "--operator",
        operator.address,
        "--operator-set",
        "2",
        "--strategy",
        strategy,
        "--wad",
        "10%",
      ]);
      expect(requested.status).toBe("pending");
      expect(BigInt(requested.vetoableUntil)).toBeGreaterThanOrEqual(await blockNumber(devnet));
      expectRefused(
        run(devnet, avs.privateKey, ["avs", "execute-slash", "--request", requested.requestId]),
        "--request",
        /veto window is open/,
      );
      const cancelled = cli<{ status: string }>(devnet, governance.privateKey, [
        "avs",
        "cancel-slash",
        "--request",
        requested.requestId,
      ]);
      expect(cancelled.status).toBe("cancelled");
      await mine(devnet, 6);
      expectRefused(
        run(devnet, avs.privateKey, ["avs", "execute-slash", "--request", requested.requestId]),
        "--request",
        /no longer pending/,
      );
      // Only the committee may cancel: the simulation's custom error is reported by name.
      const again = cli<{ requestId: string }>(devnet, avs.privateKey, [
        "avs",
        "slash",
        "--via",
        "vetoable",
        "--operator",
        operator.address,
        "--operator-set",
        "2",
        "--strategy",
        strategy,
        "--wad",
        "10%",
      ]);
      const refused = run(devnet, avs.privateKey, ["avs", "cancel-slash", "--request", again.requestId]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`cancelSlash would revert: NotVetoCommittee(${avs.address})`);
    },
  );
});
