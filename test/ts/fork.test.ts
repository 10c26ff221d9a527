import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { network } from "hardhat";
import {
  encodeFunctionData,
  getAddress,
  keccak256,
  parseEther,
  stringToHex,
  zeroAddress,
  zeroHash,
  type Account,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import EigenModule from "../../deploy/modules/Eigen.js";
import RestakingModule from "../../deploy/modules/Restaking.js";
import {
  claimStake,
  createFork,
  lockAndClaim,
  openChallenge,
  readForkStatus,
  redeemCommitment,
  type ForkClients,
  type ForkContracts,
} from "../../keepers/fork/fork.js";
import { computeStakeSnapshot, snapshotFromJson, snapshotToJson } from "../../keepers/fork/snapshot.js";
import { backingEigenAbi } from "../../keepers/lib/abis.js";
import { InvalidInputError } from "../../keepers/lib/errors.js";
import { vcloud } from "./helpers/cli.js";

/**
 * The fork scenario on an in-process chain with the real restaking core: two operators, one accused; a
 * challenger opens a challenge and a fork; governance makes the fork canonical through the timelock.
 * Honest stakers and plain EIGEN / bEIGEN holders end with the same value on the canonical fork, the accused
 * operator's stakers with none, the challenger with its commitment plus its reward.
 */

const SUPPLY = parseEther("1000000");
const ALICE = parseEther("100000"); // plain bEIGEN holder
const BOB = parseEther("100000"); // EIGEN holder
const HONEST = parseEther("200000"); // restaked EIGEN, delegated to the honest operator
const SLASHED = parseEther("150000"); // restaked EIGEN, delegated to the accused operator
const CHALLENGER = parseEther("50000");
const TIMELOCK_DELAY = 60n;

const ScenarioModule = buildModule("ForkScenario", (m) => {
  const fork = m.useModule(EigenModule);
  const core = m.useModule(RestakingModule);
  return {
    ...fork,
    delegationManager: m.contractAt("DelegationManager", core.delegationManager),
    strategyManager: m.contractAt("StrategyManager", core.strategyManager),
  };
});

type Wallet = WalletClient<Transport, Chain, Account>;

describe("fork scenario", () => {
  let connection: Awaited<ReturnType<typeof network.create>>;
  let publicClient: PublicClient<Transport, Chain>;
  let wallets: Wallet[];
  let c: Awaited<ReturnType<typeof deploy>>;
  let contracts: ForkContracts;

  async function deploy() {
    const deployed = (await connection.ignition.deploy(ScenarioModule, {
      parameters: { Eigen: { initialSupply: SUPPLY, timelockDelay: Number(TIMELOCK_DELAY) } },
      displayUi: false,
    })) as unknown as Record<string, { address: Address }>;
    const at = (key: string) => deployed[key]!.address;
    const { viem } = connection;
    return {
      backingEigen: await viem.getContractAt("BackingEigen", at("backingEigen")),
      eigen: await viem.getContractAt("Eigen", at("eigen")),
      registry: await viem.getContractAt("CanonicalForkRegistry", at("registry")),
      challengeManager: await viem.getContractAt("ForkChallengeManager", at("challengeManager")),
      factory: await viem.getContractAt("ForkFactory", at("factory")),
      timelock: await viem.getContractAt("GovernanceTimelock", at("timelock")),
      bEigenStrategy: await viem.getContractAt("BEigenStrategy", at("bEigenStrategy")),
      delegationManager: await viem.getContractAt("DelegationManager", at("delegationManager")),
      strategyManager: await viem.getContractAt("StrategyManager", at("strategyManager")),
    };
  }

  const clientsOf = (wallet: Wallet): ForkClients => ({ publicClient, walletClient: wallet });

  async function tx(wallet: Wallet, call: Parameters<Wallet["writeContract"]>[0]) {
    const hash = await wallet.writeContract(call);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe("success");
  }

  async function bal(token: Address, who: Address): Promise<bigint> {
    return publicClient.readContract({
      address: token,
      abi: backingEigenAbi,
      functionName: "balanceOf",
      args: [who],
    });
  }

  beforeAll(async () => {
    connection = await network.create();
    publicClient = (await connection.viem.getPublicClient()) as unknown as PublicClient<Transport, Chain>;
    wallets = (await connection.viem.getWalletClients()) as unknown as Wallet[];
    c = await deploy();
    contracts = {
      backingEigen: c.backingEigen.address,
      eigen: c.eigen.address,
      challengeManager: c.challengeManager.address,
      registry: c.registry.address,
      factory: c.factory.address,
    };
  });

  afterAll(async () => {
    await connection?.close();
  });

  it("excludes the accused operator's stakers and keeps everyone else whole on the canonical fork", async () => {
    const [gov, opGood, opBad, honest, slashed, bob, alice, challenger] = wallets as [
      Wallet,
      Wallet,
      Wallet,
      Wallet,
      Wallet,
      Wallet,
      Wallet,
      Wallet,
    ];
    const bEigen = c.backingEigen.address;
    const eigen = c.eigen.address;
    const eigenAbi = c.eigen.abi;
    const bAbi = c.backingEigen.abi;

    // --- Holdings: plain bEIGEN, plain EIGEN, restaked EIGEN behind two operators ------------------------
    for (const [w, amount] of [
      [alice, ALICE],
      [bob, BOB],
      [honest, HONEST],
      [slashed, SLASHED],
      [challenger, CHALLENGER],
    ] as const)
      await tx(gov, { address: bEigen, abi: bAbi, functionName: "transfer", args: [w.account.address, amount] });
    for (const [w, amount] of [
      [bob, BOB],
      [honest, HONEST],
      [slashed, SLASHED],
    ] as const) {
      await tx(w, { address: bEigen, abi: bAbi, functionName: "approve", args: [eigen, amount] });
      await tx(w, { address: eigen, abi: eigenAbi, functionName: "wrap", args: [amount] });
    }
    const dm = c.delegationManager;
    const sm = c.strategyManager;
    for (const op of [opGood, opBad])
      await tx(op, {
        address: dm.address,
        abi: dm.abi,
        functionName: "registerAsOperator",
        args: [zeroAddress, 0, "ipfs://op"],
      });
    for (const [w, op, amount] of [
      [honest, opGood, HONEST],
      [slashed, opBad, SLASHED],
    ] as const) {
      await tx(w, {
        address: dm.address,
        abi: dm.abi,
        functionName: "delegateTo",
        args: [op.account.address, { signature: "0x", expiry: 0n }, zeroHash],
      });
      await tx(w, { address: eigen, abi: eigenAbi, functionName: "approve", args: [sm.address, amount] });
      await tx(w, {
        address: sm.address,
        abi: sm.abi,
        functionName: "depositIntoStrategy",
        args: [c.bEigenStrategy.address, eigen, amount],
      });
    }
    expect(await bal(bEigen, c.bEigenStrategy.address)).toBe(HONEST + SLASHED);

    // The accused operator's staker sees trouble coming and asks to leave: a third of its stake is queued
    // for withdrawal before the challenge. Queued stake stays in the pool and slashable for the withdrawal
    // delay, attributed to the operator it was delegated to, so the fork still excludes it.
    await tx(slashed, {
      address: dm.address,
      abi: dm.abi,
      functionName: "queueWithdrawals",
      args: [
        [
          {
            strategies: [c.bEigenStrategy.address],
            depositShares: [SLASHED / 3n],
            __deprecated_withdrawer: zeroAddress,
          },
        ],
      ],
    });

    // --- The challenge -------------------------------------------------------------------------------------
    const opened = await openChallenge(clientsOf(challenger), {
      contracts,
      accused: [opBad.account.address],
      evidenceHash: keccak256(stringToHex("inference replay mismatch")),
      evidencePointer: stringToHex("task:42"),
    });
    const commitment = SUPPLY / 100n; // CPF = 1%
    expect(opened.commitment).toBe(commitment);
    let status = await readForkStatus(publicClient, { contracts });
    expect(status.wrapsFrozen).toBe(true);
    expect(status.challenge?.status).toBe("open");
    await expect(
      openChallenge(clientsOf(challenger), {
        contracts,
        accused: [opGood.account.address],
        evidenceHash: keccak256("0x01"),
        evidencePointer: "0x01",
      }),
    ).rejects.toThrow(/still open/);

    // --- The snapshot and the fork ---------------------------------------------------------------------------
    await connection.networkHelpers.mine();
    const computed = await computeStakeSnapshot(publicClient, {
      challengeManager: contracts.challengeManager,
      delegationManager: dm.address,
      strategyManager: sm.address,
      strategy: c.bEigenStrategy.address,
      bEigen,
      challengeId: opened.challengeId,
    });
    expect(computed.positions).toContainEqual({
      staker: getAddress(slashed.account.address),
      operator: getAddress(opBad.account.address),
      amount: SLASHED / 3n,
      source: "queued-withdrawal",
    });
    const snapshot = snapshotFromJson(snapshotToJson(computed)); // as published and read back by others
    expect(snapshot.stakedClaimable).toBe(HONEST);
    expect(snapshot.stakedExcluded).toBe(SLASHED);
    const created = await createFork(clientsOf(challenger), {
      contracts,
      snapshot,
      snapshotUri: "ipfs://snapshot-of-challenge-1",
    });
    const forkToken = created.token;

    // --- Claims ------------------------------------------------------------------------------------------------
    await claimStake(clientsOf(honest), {
      contracts,
      forkId: created.forkId,
      snapshot,
      staker: honest.account.address,
    });
    await expect(
      claimStake(clientsOf(slashed), { contracts, forkId: created.forkId, snapshot, staker: slashed.account.address }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await lockAndClaim(clientsOf(alice), { contracts, forkId: created.forkId });
    await expect(lockAndClaim(clientsOf(alice), { contracts, forkId: created.forkId })).rejects.toThrow(/nothing left/);
    const redeemed = await redeemCommitment(clientsOf(challenger), { contracts, forkId: created.forkId });
    const reward = SLASHED / 10n; // 10% of the excluded stake
    expect(redeemed.commitment).toBe(commitment);
    expect(redeemed.reward).toBe(reward);

    // --- Governance makes the fork canonical, through the timelock --------------------------------------------
    const data = encodeFunctionData({ abi: c.registry.abi, functionName: "setCanonical", args: [created.forkId] });
    const tl = c.timelock;
    await tx(gov, {
      address: tl.address,
      abi: tl.abi,
      functionName: "schedule",
      args: [c.registry.address, 0n, data, zeroHash, zeroHash, TIMELOCK_DELAY],
    });
    await connection.networkHelpers.time.increase(TIMELOCK_DELAY);
    await tx(gov, {
      address: tl.address,
      abi: tl.abi,
      functionName: "execute",
      args: [c.registry.address, 0n, data, zeroHash, zeroHash],
    });

    // EIGEN holders do nothing: EIGEN's backing follows, and one EIGEN redeems one canonical bEIGEN.
    await tx(bob, { address: eigen, abi: eigenAbi, functionName: "unwrap", args: [BOB] });
    status = await readForkStatus(publicClient, { contracts, challengeId: opened.challengeId });
    expect(status.challenge?.status).toBe("fork-accepted");
    expect(status.canonicalToken).toBe(forkToken);
    expect(status.eigenBacking).toBe(forkToken);

    // --- Outcome on the canonical fork ----------------------------------------------------------------------
    expect(await bal(forkToken, bob.account.address)).toBe(BOB);
    expect(await bal(forkToken, alice.account.address)).toBe(ALICE);
    expect(await bal(forkToken, honest.account.address)).toBe(HONEST);
    expect(await bal(forkToken, slashed.account.address)).toBe(0n);
    expect(await bal(forkToken, challenger.account.address)).toBe(commitment + reward);
    const wrapped = await publicClient.readContract({ address: eigen, abi: eigenAbi, functionName: "wrappedSupply" });
    const held = await publicClient.readContract({ address: eigen, abi: eigenAbi, functionName: "backingHeld" });
    expect(wrapped).toBe(held);
    const fork = status.forks[0]!;
    expect(fork.totalClaimed + fork.unclaimed + fork.excludedSupply).toBe(fork.supplyAtTimepoint);
    expect(fork.excludedSupply).toBe(SLASHED - reward);
  });
});

describe("vcloud fork CLI input checks", () => {
  it("names the bad flag before sending anything", () => {
    const base = ["fork", "challenge", "--evidence", "task:1", "--rpc-url", "http://127.0.0.1:1"];
    const badAccused = vcloud([...base, "--accused", "nope", "--evidence-hash", keccak256("0x01")]);
    expect(badAccused.code).toBe(2);
    expect(badAccused.stderr).toContain("--accused");
    const both = vcloud(["fork", "claim", "--fork", "1", "--lock", "--snapshot", "x.json"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--snapshot");
  });
});
