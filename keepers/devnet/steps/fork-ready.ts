import { getAddress, parseEther } from "viem";

import {
  canonicalForkRegistryAbi,
  eigenAbi,
  forkChallengeManagerAbi,
  forkFactoryAbi,
  backingEigenAbi,
} from "../../lib/abis.js";
import { contractAddress } from "../../lib/deployments.js";
import { DEFAULT_RECEIPT_TIMEOUT_MS, waitForReceipt } from "../../lib/tx.js";
import type { StoryStep } from "../story.js";

/**
 * The fork stack is wired: bEIGEN is canonical, EIGEN is backed by it, the factory's stake pool is the
 * bEIGEN strategy, no challenge is open; and a wrap/unwrap round trip keeps EIGEN fully backed. (The story
 * does not open a challenge: it would freeze EIGEN wraps for every later step; test/ts/fork.test.ts runs the
 * whole fork scenario.)
 */
export const forkReady: StoryStep = {
  name: "EIGEN fork stack ready",
  async run(ctx) {
    const d = ctx.deployment;
    const bEigen = contractAddress(d, "BackingEigen");
    const eigen = contractAddress(d, "Eigen");
    const read = ctx.publicClient.readContract.bind(ctx.publicClient);
    const canonical = await read({
      address: contractAddress(d, "CanonicalForkRegistry"),
      abi: canonicalForkRegistryAbi,
      functionName: "canonicalToken",
    });
    if (getAddress(canonical) !== getAddress(bEigen)) throw new Error(`canonical token is ${canonical}, not bEIGEN`);
    const pool = await read({
      address: contractAddress(d, "ForkFactory"),
      abi: forkFactoryAbi,
      functionName: "stakePool",
    });
    if (getAddress(pool) !== getAddress(contractAddress(d, "BEigenStrategy")))
      throw new Error(`fork stake pool is ${pool}, not the BEigenStrategy`);
    const [open] = await read({
      address: contractAddress(d, "ForkChallengeManager"),
      abi: forkChallengeManagerAbi,
      functionName: "activeChallenge",
    });
    if (open) throw new Error("a fork challenge is open on a fresh devnet");

    const wallet = ctx.wallets[0]!;
    const amount = parseEther("1000");
    const send = async (hash: Promise<`0x${string}`>) => {
      const receipt = await waitForReceipt(ctx.publicClient, await hash, DEFAULT_RECEIPT_TIMEOUT_MS);
      if (receipt.status !== "success") throw new Error(`transaction ${receipt.transactionHash} reverted`);
    };
    await send(
      wallet.writeContract({ address: bEigen, abi: backingEigenAbi, functionName: "approve", args: [eigen, amount] }),
    );
    await send(wallet.writeContract({ address: eigen, abi: eigenAbi, functionName: "wrap", args: [amount] }));
    await send(wallet.writeContract({ address: eigen, abi: eigenAbi, functionName: "unwrap", args: [amount / 2n] }));
    const [wrapped, held] = await Promise.all([
      read({ address: eigen, abi: eigenAbi, functionName: "wrappedSupply" }),
      read({ address: eigen, abi: eigenAbi, functionName: "backingHeld" }),
    ]);
    if (wrapped !== held) throw new Error(`EIGEN ${wrapped} in circulation but ${held} bEIGEN backing`);
    return `bEIGEN canonical, EIGEN backed 1:1 (${wrapped} wrapped), stake pool = BEigenStrategy`;
  },
};
