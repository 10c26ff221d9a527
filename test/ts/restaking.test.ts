/**
 * Issue 3's flow through the `vcloud` CLI against a devnet started for this file:
 * deposit -> delegate -> allocate -> register -> views -> queue -> complete, with the refusals of bad
 * input (exit 2 naming the flag) on the way. The staker signs with an encrypted keystore.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startTestDevnet, type TestDevnet } from "./helpers/devnet.js";
import {
  avs,
  big,
  cli,
  expectRefused,
  keystoreFor,
  mine,
  mintTestToken,
  operator,
  run,
  staker,
  WAD,
} from "./helpers/restaking.js";

type Tx = { action: string; hash: string };

describe("restaking through the CLI", () => {
  let devnet: TestDevnet;
  let strategy: string;
  let token: string;
  let ks: { keystore: string; passwordFile: string };
  const asStaker = () => ["--keystore", ks.keystore, "--password-file", ks.passwordFile];

  beforeAll(async () => {
    devnet = await startTestDevnet();
    strategy = devnet.deployment.contracts.TestTokenStrategy!;
    token = devnet.deployment.contracts.VcloudTestToken!;
    await mintTestToken(devnet, [staker.address, operator.address]);
    ks = keystoreFor(devnet, staker.privateKey);
  });

  afterAll(async () => {
    await devnet?.node.stop();
  });

  it("deposit -> delegate -> allocate -> register -> views -> queue -> complete", { timeout: 900_000 }, async () => {
    // The operator registers; the AVS creates operator set 0 with itself as slasher.
    const registered = cli<{ isOperator: boolean; allocationDelay: { isSet: boolean; delay: number } }>(
      devnet,
      operator.privateKey,
      ["operator", "register", "--allocation-delay", "0", "--metadata-uri", "ipfs://op"],
    );
    expect(registered.isOperator).toBe(true);
    expect(registered.allocationDelay).toEqual({ isSet: true, delay: 0 });

    const created = cli<{ exists: boolean; slasher: string; strategies: string[]; transactions: Tx[] }>(
      devnet,
      avs.privateKey,
      [
        "avs",
        "create-sets",
        "--operator-set",
        "0",
        "--strategy",
        strategy,
        "--slasher",
        avs.address,
        "--metadata-uri",
        "ipfs://avs",
      ],
    );
    expect(created.exists).toBe(true);
    expect(created.slasher).toBe(avs.address);
    expect(created.strategies).toEqual([strategy]);
    expect(created.transactions.map((t) => t.action)).toEqual(["updateAVSMetadataURI", "createOperatorSets"]);
    expect(created.transactions[1]!.hash).toMatch(/^0x[0-9a-f]{64}$/);

    // Deposit 100 tokens (approve + deposit) with the keystore signer.
    const deposited = cli<{ transactions: Tx[]; depositShares: string; withdrawableShares: string; token: string }>(
      devnet,
      undefined,
      ["stake", "deposit", "--strategy", strategy, "--amount", "100", ...asStaker()],
    );
    expect(deposited.transactions.map((t) => t.action)).toEqual(["approve", "depositIntoStrategy"]);
    expect(big(deposited.depositShares)).toBe(100n * WAD);
    expect(big(deposited.withdrawableShares)).toBe(100n * WAD);
    expect(deposited.token).toBe(token);

    const delegated = cli<{ delegatedTo: string }>(devnet, undefined, [
      "stake",
      "delegate",
      "--operator",
      operator.address,
      ...asStaker(),
    ]);
    expect(delegated.delegatedTo).toBe(operator.address);

    // The operator allocates 25% and registers for the set.
    const allocated = cli<{ allocations: { currentMagnitude: string; allocatedStake: string }[] }>(
      devnet,
      operator.privateKey,
      [
        "operator",
        "allocate",
        "--avs",
        avs.address,
        "--operator-set",
        "0",
        "--strategy",
        strategy,
        "--magnitude",
        "25%",
      ],
    );
    expect(big(allocated.allocations[0]!.currentMagnitude)).toBe(WAD / 4n);
    const joined = cli<{ registeredSets: { avs: string; id: number }[] }>(devnet, operator.privateKey, [
      "operator",
      "register-for-sets",
      "--avs",
      avs.address,
      "--operator-set",
      "0",
    ]);
    expect(joined.registeredSets).toEqual([{ avs: avs.address, id: 0 }]);

    // Views: the staker's 100 shares are 25% slashable by set 0; the operator and the AVS agree.
    const position = cli<{
      delegatedTo: string;
      strategies: { depositShares: string; withdrawableShares: string }[];
      slashable: { operatorSet: { avs: string; id: number }; slashableShares: string }[];
      slashes: unknown[];
    }>(devnet, undefined, ["stake", "show", "--staker", staker.address]);
    expect(position.delegatedTo).toBe(operator.address);
    expect(big(position.strategies[0]!.withdrawableShares)).toBe(100n * WAD);
    expect(position.slashable).toHaveLength(1);
    expect(position.slashable[0]!.operatorSet).toEqual({ avs: avs.address, id: 0 });
    expect(big(position.slashable[0]!.slashableShares)).toBe(25n * WAD);
    expect(position.slashes).toEqual([]);

    const opView = cli<{
      strategies: { operatorShares: string; encumberedMagnitude: string; allocatableMagnitude: string }[];
      allocations: { allocatedStake: string }[];
    }>(devnet, undefined, ["operator", "show", "--operator", operator.address]);
    expect(big(opView.strategies[0]!.operatorShares)).toBe(100n * WAD);
    expect(big(opView.strategies[0]!.allocatableMagnitude)).toBe((WAD * 3n) / 4n);
    expect(big(opView.allocations[0]!.allocatedStake)).toBe(25n * WAD);

    const avsView = cli<{ operatorSets: { members: string[]; allocatedStake: { shares: string }[] }[] }>(
      devnet,
      undefined,
      ["avs", "show", "--avs", avs.address],
    );
    expect(avsView.operatorSets[0]!.members).toEqual([operator.address]);
    expect(big(avsView.operatorSets[0]!.allocatedStake[0]!.shares)).toBe(25n * WAD);

    // Deallocate down to 10%: the decrease waits for the deallocation delay (and stays slashable).
    const deallocated = cli<{ allocations: { currentMagnitude: string; pendingDiff: string; effectBlock: number }[] }>(
      devnet,
      operator.privateKey,
      [
        "operator",
        "deallocate",
        "--avs",
        avs.address,
        "--operator-set",
        "0",
        "--strategy",
        strategy,
        "--magnitude",
        "10%",
      ],
    );
    expect(big(deallocated.allocations[0]!.currentMagnitude)).toBe(WAD / 4n);
    expect(big(deallocated.allocations[0]!.pendingDiff)).toBe(-(WAD * 15n) / 100n);

    // Queue everything; completing before the delay is refused before sending.
    const queued = cli<{
      withdrawalRoots: string[];
      queuedWithdrawals: { completableAtBlock: string; shares: string[] }[];
    }>(devnet, undefined, ["stake", "queue-withdrawal", "--strategy", strategy, "--shares", "all", ...asStaker()]);
    expect(queued.withdrawalRoots).toHaveLength(1);
    expect(big(queued.queuedWithdrawals[0]!.shares[0])).toBe(100n * WAD);
    const root = queued.withdrawalRoots[0]!;
    expectRefused(
      run(devnet, undefined, ["stake", "complete-withdrawal", "--root", root, ...asStaker()]),
      "--root",
      /can be completed from block/,
    );

    // Shares in the queue are still slashable by the set during the delay, and `stake show` says which part.
    type Shown = {
      slashable: { slashableShares: string; delegatedSlashableShares: string; queuedSlashableShares: string }[];
      queuedWithdrawals: { slashable: boolean }[];
    };
    const during = cli<Shown>(devnet, undefined, ["stake", "show", "--staker", staker.address]);
    expect(big(during.slashable[0]!.slashableShares)).toBe(25n * WAD);
    expect(big(during.slashable[0]!.queuedSlashableShares)).toBe(25n * WAD);
    expect(big(during.slashable[0]!.delegatedSlashableShares)).toBe(0n);
    expect(during.queuedWithdrawals[0]!.slashable).toBe(true);

    await mine(devnet, 12);
    // Once the withdrawal is completable (not yet completed), nothing of it is slashable any more.
    const after = cli<Shown>(devnet, undefined, ["stake", "show", "--staker", staker.address]);
    expect(after.queuedWithdrawals[0]!.slashable).toBe(false);
    expect(after.slashable.reduce((n, s) => n + big(s.queuedSlashableShares) + big(s.slashableShares), 0n)).toBe(0n);
    const cleared = cli<{ strategies: { encumberedMagnitude: string }[] }>(devnet, operator.privateKey, [
      "operator",
      "clear-deallocations",
      "--strategy",
      strategy,
    ]);
    expect(big(cleared.strategies[0]!.encumberedMagnitude)).toBe(WAD / 10n);
    const completed = cli<{ withdrawn: { shares: string; tokensReceived: string }[]; strategies: unknown[] }>(
      devnet,
      undefined,
      ["stake", "complete-withdrawal", "--root", root, ...asStaker()],
    );
    expect(big(completed.withdrawn[0]!.tokensReceived)).toBe(100n * WAD);
    expect(completed.strategies).toEqual([]);
  });

  it("refuses bad input with exit code 2 naming the flag, before sending anything", { timeout: 600_000 }, () => {
    expectRefused(
      run(devnet, undefined, ["stake", "deposit", "--strategy", strategy, "--amount", "1000000", ...asStaker()]),
      "--amount",
      /exceeds your VCT balance/,
    );
    expectRefused(
      run(devnet, undefined, ["stake", "deposit", "--strategy", "0x1234", "--amount", "1", ...asStaker()]),
      "--strategy",
    );
    expectRefused(
      run(devnet, undefined, ["stake", "deposit", "--strategy", strategy, "--amount", "1"]),
      "--private-key",
    );
    expectRefused(
      run(devnet, operator.privateKey, [
        "operator",
        "allocate",
        "--avs",
        avs.address,
        "--operator-set",
        "0",
        "--strategy",
        strategy,
        "--magnitude",
        "101%",
      ]),
      "--magnitude",
    );
    expectRefused(
      run(devnet, operator.privateKey, [
        "operator",
        "allocate",
        "--avs",
        avs.address,
        "--operator-set",
        "9",
        "--strategy",
        strategy,
        "--magnitude",
        "10%",
      ]),
      "--operator-set",
      /has no operator set 9/,
    );
    expectRefused(
      run(devnet, undefined, ["stake", "delegate", "--operator", avs.address, ...asStaker()]),
      "--operator",
      /not a registered operator/,
    );
    expectRefused(
      run(devnet, undefined, ["stake", "deposit", "--strategy", strategy, "--amount", "1", "--keystore", ks.keystore]),
      "--password-file",
    );
  });
});
