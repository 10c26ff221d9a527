import {
  encodeFunctionData,
  formatEther,
  getAddress,
  isAddressEqual,
  keccak256,
  parseEther,
  stringToHex,
  zeroHash,
  type Address,
  type Hex,
} from "viem";

import {
  claimStake,
  createFork,
  forkContracts,
  openChallenge,
  readForkStatus,
  redeemCommitment,
} from "../../fork/fork.js";
import { computeStakeSnapshot } from "../../fork/snapshot.js";
import {
  backingEigenAbi,
  canonicalForkRegistryAbi,
  eigenAbi,
  forkFactoryAbi,
  governanceTimelockAbi,
  iDelegationManagerAbi,
  iStrategyManagerAbi,
} from "../../lib/abis.js";
import { contractAddress } from "../../lib/deployments.js";
import { InvalidInputError } from "../../lib/errors.js";
import { sendContractWrite, type TxClients } from "../../lib/tx.js";
import type { StoryContext, StoryStep } from "../story.js";
import { DA_ROLES } from "./data-availability.js";
import { storyWallet } from "./story-wallet.js";

/** Restaked EIGEN behind the two colluding DA operators, and behind an honest one (whole tokens). */
export const COMMITTEE_STAKES = [parseEther("60000000"), parseEther("40000000")] as const;
export const HONEST_STAKE = parseEther("50000000");

async function advanceTime(ctx: StoryContext, seconds: bigint): Promise<void> {
  await ctx.publicClient.request({ method: "evm_increaseTime" as never, params: [Number(seconds)] as never });
  await ctx.publicClient.request({ method: "hardhat_mine" as never, params: ["0x1"] as never });
}

async function balanceOf(ctx: StoryContext, token: Address, who: Address): Promise<bigint> {
  return ctx.publicClient.readContract({
    address: token,
    abi: backingEigenAbi,
    functionName: "balanceOf",
    args: [who],
  });
}

/** A staker takes bEIGEN from governance, wraps it into EIGEN, delegates to `operator` and restakes it. */
async function restakeEigen(
  ctx: StoryContext,
  staker: TxClients,
  operator: Address,
  amount: bigint,
  k: { bEigen: Address; eigen: Address; strategy: Address; delegationManager: Address; strategyManager: Address },
): Promise<void> {
  const governance: TxClients = { publicClient: ctx.publicClient, walletClient: ctx.wallets[0]! };
  const me = staker.walletClient.account.address;
  await sendContractWrite(governance, {
    address: k.bEigen,
    abi: backingEigenAbi,
    functionName: "transfer",
    args: [me, amount],
  });
  await sendContractWrite(staker, {
    address: k.bEigen,
    abi: backingEigenAbi,
    functionName: "approve",
    args: [k.eigen, amount],
  });
  await sendContractWrite(staker, { address: k.eigen, abi: eigenAbi, functionName: "wrap", args: [amount] });
  await sendContractWrite(staker, {
    address: k.delegationManager,
    abi: iDelegationManagerAbi,
    functionName: "delegateTo",
    args: [operator, { signature: "0x", expiry: 0n }, zeroHash],
  });
  await sendContractWrite(staker, {
    address: k.eigen,
    abi: eigenAbi,
    functionName: "approve",
    args: [k.strategyManager, amount],
  });
  await sendContractWrite(staker, {
    address: k.strategyManager,
    abi: iStrategyManagerAbi,
    functionName: "depositIntoStrategy",
    args: [k.strategy, k.eigen, amount],
  });
}

/**
 * A fork challenge opened and resolved against a colluding committee: two DA operators signed a false
 * availability certificate. Stakers restake EIGEN behind them and behind an honest DA operator; a
 * challenger burns the commitment (CPF) of bEIGEN and names the two; anyone computes the stake snapshot and
 * creates the fork; governance makes it canonical through the timelock. On the fork the committee's stakers
 * hold nothing, the honest staker holds its stake, the challenger its commitment plus the reward, and EIGEN
 * follows the fork fully backed. Runs last: while the challenge is open EIGEN wraps are frozen.
 */
export const forkChallengeResolved: StoryStep = {
  name: "fork challenge resolved against a colluding committee",
  async run(ctx) {
    const d = ctx.deployment;
    const contracts = forkContracts(d);
    const k = {
      bEigen: contracts.backingEigen,
      eigen: contracts.eigen,
      strategy: contractAddress(d, "BEigenStrategy"),
      delegationManager: contractAddress(d, "DelegationManager"),
      strategyManager: contractAddress(d, "StrategyManager"),
    };
    const timelock = contractAddress(d, "GovernanceTimelock");
    const read = ctx.publicClient.readContract.bind(ctx.publicClient);

    // The committee: DA operators 0 and 1 collude, DA operator 2 is honest. All are registered operators.
    const [committee0, committee1, honestOperator] = DA_ROLES.operators.map((i) =>
      getAddress(ctx.accounts[i]!.address),
    );
    for (const op of [committee0!, committee1!, honestOperator!]) {
      const registered = await read({
        address: k.delegationManager,
        abi: iDelegationManagerAbi,
        functionName: "isOperator",
        args: [op],
      });
      if (!registered) throw new Error(`DA operator ${op} is not a registered operator (the DA step must run first)`);
    }

    // 1. Stakers restake EIGEN behind the committee and behind the honest operator.
    const committeeStakers: TxClients[] = [];
    for (const [i, op] of [committee0!, committee1!].entries()) {
      const staker = await storyWallet(ctx, `fork: staker of committee member ${i}`);
      await restakeEigen(ctx, staker, op, COMMITTEE_STAKES[i]!, k);
      committeeStakers.push(staker);
    }
    const honest = await storyWallet(ctx, "fork: staker of the honest operator");
    await restakeEigen(ctx, honest, honestOperator!, HONEST_STAKE, k);

    // 2. The challenger burns the commitment and opens the challenge, citing the DA certificate.
    const challenger = await storyWallet(ctx, "fork: challenger");
    const required = (await readForkStatus(ctx.publicClient, { contracts })).requiredCommitment;
    await sendContractWrite(
      { publicClient: ctx.publicClient, walletClient: ctx.wallets[0]! },
      {
        address: k.bEigen,
        abi: backingEigenAbi,
        functionName: "transfer",
        args: [challenger.walletClient.account.address, required],
      },
    );
    const supplyBefore = await read({ address: k.bEigen, abi: backingEigenAbi, functionName: "totalSupply" });
    const certificate = ctx.state.get("da.certificate");
    const evidenceHash: Hex =
      typeof certificate === "string" && /^0x[0-9a-fA-F]{64}$/.test(certificate)
        ? (certificate as Hex)
        : keccak256(stringToHex("devnet story: false availability certificate"));
    const opened = await openChallenge(challenger, {
      contracts,
      accused: [committee0!, committee1!],
      evidenceHash,
      evidencePointer: stringToHex(`da-cert:${evidenceHash}`),
    });
    const burned =
      supplyBefore - (await read({ address: k.bEigen, abi: backingEigenAbi, functionName: "totalSupply" }));
    if (burned !== opened.commitment)
      throw new Error(`challenge burned ${burned} bEIGEN, commitment ${opened.commitment}`);
    const open = await readForkStatus(ctx.publicClient, { contracts });
    if (!open.wrapsFrozen || open.challenge?.status !== "open") throw new Error("the challenge did not open");

    // 3. Anyone computes the stake snapshot at the challenge block and creates the fork.
    await ctx.publicClient.request({ method: "hardhat_mine" as never, params: ["0x1"] as never });
    const snapshot = await computeStakeSnapshot(ctx.publicClient, {
      challengeManager: contracts.challengeManager,
      delegationManager: k.delegationManager,
      strategyManager: k.strategyManager,
      strategy: k.strategy,
      bEigen: k.bEigen,
      challengeId: opened.challengeId,
    });
    const excluded = COMMITTEE_STAKES[0] + COMMITTEE_STAKES[1];
    if (snapshot.stakedExcluded !== excluded || snapshot.stakedClaimable !== HONEST_STAKE)
      throw new Error(
        `snapshot excludes ${snapshot.stakedExcluded} and keeps ${snapshot.stakedClaimable}; expected ${excluded} and ${HONEST_STAKE}`,
      );
    const fork = await createFork(challenger, { contracts, snapshot, snapshotUri: "devnet://fork-snapshot/1" });

    // 4. Claims on the fork: the honest staker gets its stake; the committee's stakers cannot claim.
    const honestAddress = honest.walletClient.account.address;
    await claimStake(honest, { contracts, forkId: fork.forkId, snapshot, staker: honestAddress });
    for (const staker of committeeStakers) {
      const refused = await claimStake(staker, {
        contracts,
        forkId: fork.forkId,
        snapshot,
        staker: staker.walletClient.account.address,
      }).then(
        () => false,
        (error: unknown) => error instanceof InvalidInputError,
      );
      if (!refused) throw new Error(`committee staker ${staker.walletClient.account.address} could claim on the fork`);
    }
    const redeemed = await redeemCommitment(challenger, { contracts, forkId: fork.forkId });

    // 5. Governance makes the fork canonical through the timelock; EIGEN follows it.
    const data = encodeFunctionData({
      abi: canonicalForkRegistryAbi,
      functionName: "setCanonical",
      args: [fork.forkId],
    });
    const delay = await read({ address: timelock, abi: governanceTimelockAbi, functionName: "getMinDelay" });
    const governance: TxClients = { publicClient: ctx.publicClient, walletClient: ctx.wallets[0]! };
    await sendContractWrite(governance, {
      address: timelock,
      abi: governanceTimelockAbi,
      functionName: "schedule",
      args: [contracts.registry, 0n, data, zeroHash, zeroHash, delay],
    });
    await advanceTime(ctx, delay);
    await sendContractWrite(governance, {
      address: timelock,
      abi: governanceTimelockAbi,
      functionName: "execute",
      args: [contracts.registry, 0n, data, zeroHash, zeroHash],
    });
    await sendContractWrite(governance, {
      address: k.eigen,
      abi: eigenAbi,
      functionName: "followCanonicalFork",
      args: [],
    });

    // 6. The outcome, on chain.
    const status = await readForkStatus(ctx.publicClient, { contracts, challengeId: opened.challengeId });
    if (status.challenge?.status !== "fork-accepted") throw new Error(`challenge is ${status.challenge?.status}`);
    if (!isAddressEqual(status.canonicalToken, fork.token) || !isAddressEqual(status.eigenBacking, fork.token))
      throw new Error(
        `canonical token ${status.canonicalToken}, EIGEN backing ${status.eigenBacking}; fork ${fork.token}`,
      );
    for (const staker of committeeStakers) {
      const held = await balanceOf(ctx, fork.token, staker.walletClient.account.address);
      if (held !== 0n) throw new Error(`committee staker holds ${held} fork bEIGEN`);
    }
    const honestHeld = await balanceOf(ctx, fork.token, honestAddress);
    if (honestHeld !== HONEST_STAKE)
      throw new Error(`honest staker holds ${honestHeld} fork bEIGEN, staked ${HONEST_STAKE}`);
    const rewardWad = await read({ address: contracts.factory, abi: forkFactoryAbi, functionName: "rewardWad" });
    const challengerHeld = await balanceOf(ctx, fork.token, challenger.walletClient.account.address);
    if (challengerHeld !== redeemed.commitment + redeemed.reward || redeemed.commitment !== opened.commitment)
      throw new Error(
        `challenger holds ${challengerHeld} fork bEIGEN; commitment ${opened.commitment} + reward ${redeemed.reward}`,
      );
    if (redeemed.reward !== (excluded * rewardWad) / 10n ** 18n)
      throw new Error(`reward ${redeemed.reward} is not ${rewardWad} WAD of the excluded ${excluded}`);
    const [wrapped, backing] = await Promise.all([
      read({ address: k.eigen, abi: eigenAbi, functionName: "wrappedSupply" }),
      read({ address: k.eigen, abi: eigenAbi, functionName: "backingHeld" }),
    ]);
    if (wrapped !== backing) throw new Error(`EIGEN ${wrapped} in circulation, ${backing} fork bEIGEN backing`);
    const f = status.forks.find((x) => x.forkId === fork.forkId)!;
    if (f.totalClaimed + f.unclaimed + f.excludedSupply !== f.supplyAtTimepoint)
      throw new Error(`fork ${fork.forkId} does not conserve supply`);
    ctx.state.set("fork.forkId", fork.forkId);
    return (
      `challenger burned ${formatEther(opened.commitment)} bEIGEN accusing 2 DA operators; fork ${fork.forkId} ` +
      `excludes their ${formatEther(excluded)} restaked; canonical via timelock; committee stakers hold 0, ` +
      `honest staker ${formatEther(honestHeld)}, challenger ${formatEther(challengerHeld)} (reward ${formatEther(redeemed.reward)})`
    );
  },
};
