import { getAddress } from "viem";

import { pauserRegistryAbi } from "../../lib/abis.js";
import { contractAddress } from "../../lib/deployments.js";
import type { StoryStep } from "../story.js";

/** Every recorded contract has code, and governance (the deployer on the devnet) holds the unpauser role. */
export const contractsDeployed: StoryStep = {
  name: "contracts deployed",
  async run(ctx) {
    const names = Object.keys(ctx.deployment.contracts);
    for (const name of names) {
      const code = await ctx.publicClient.getCode({ address: contractAddress(ctx.deployment, name) });
      if (!code || code === "0x") throw new Error(`${name} has no code`);
    }
    const unpauser = await ctx.publicClient.readContract({
      address: contractAddress(ctx.deployment, "PauserRegistry"),
      abi: pauserRegistryAbi,
      functionName: "unpauser",
    });
    const governance = ctx.accounts[0]!.address;
    if (getAddress(unpauser) !== getAddress(governance))
      throw new Error(`unpauser is ${unpauser}, expected ${governance}`);
    return `${names.length} contracts with code; unpauser is governance`;
  },
};
