import { erc20Abi, getAddress, parseEventLogs } from "viem";

import { iAllocationManagerAbi, iInstantSlasherAbi, iStrategyManagerAbi, iVictimPayoutAbi } from "../../lib/abis.js";
import { sendContractWrite } from "../../lib/tx.js";
import type { StoryStep } from "../story.js";
import { addressOf, clientsOf, RESTAKING_ROLES, restakingContracts, SET1_MAGNITUDE, STAKES } from "./restaking.js";

const WAD = 10n ** 18n;

/**
 * Operator 0 is slashed 50% in redistributing set 1 through the InstantSlasher; after the slash resolution
 * delay anyone clears the slash to the VictimPayout, governance names two victims, and each claims its share.
 * Checks that the victims receive exactly the tokens the strategy let go.
 */
export const slashWithRedistribution: StoryStep = {
  name: "slash with redistribution to the victim payout",
  async run(ctx) {
    const k = restakingContracts(ctx);
    const governance = clientsOf(ctx, RESTAKING_ROLES.governance);
    const avs = addressOf(ctx, RESTAKING_ROLES.avs);
    const operator = addressOf(ctx, RESTAKING_ROLES.operators[0]);
    const set = { avs, id: 1 };

    await sendContractWrite(governance, {
      address: k.instantSlasher,
      abi: iInstantSlasherAbi,
      functionName: "setSlashRequester",
      args: [governance.walletClient.account.address, true],
    });
    const slash = await sendContractWrite(governance, {
      address: k.instantSlasher,
      abi: iInstantSlasherAbi,
      functionName: "slash",
      args: [
        {
          operator,
          operatorSetId: 1,
          strategies: [k.strategy],
          wadsToSlash: [WAD / 2n],
          description: "devnet story: operator 0 served a wrong result",
        },
      ],
    });
    const [executed] = parseEventLogs({
      abi: iInstantSlasherAbi,
      logs: slash.receipt.logs,
      eventName: "SlashExecuted",
    });
    if (!executed) throw new Error("no SlashExecuted event");
    const slashId = executed.args.slashId;
    const slashedShares = executed.args.shares[0]!;
    const expectedShares = (STAKES[0] * SET1_MAGNITUDE) / WAD / 2n;
    if (slashedShares !== expectedShares)
      throw new Error(`slashed ${slashedShares} shares, expected ${expectedShares}`);

    // Wait out the slash resolution delay, then clear (permissionless).
    const resolution = await ctx.publicClient.readContract({
      address: k.strategyManager,
      abi: iStrategyManagerAbi,
      functionName: "getSlashResolutionBlock",
      args: [set, slashId],
    });
    const now = await ctx.publicClient.getBlockNumber();
    if (now <= BigInt(resolution))
      await ctx.publicClient.request({
        method: "hardhat_mine" as never,
        params: [`0x${(BigInt(resolution) - now + 1n).toString(16)}`] as never,
      });
    const balance = () =>
      ctx.publicClient.readContract({
        address: k.token,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [k.victimPayout],
      });
    const before = await balance();
    await sendContractWrite(clientsOf(ctx, RESTAKING_ROLES.victims[0]), {
      address: k.strategyManager,
      abi: iStrategyManagerAbi,
      functionName: "clearBurnOrRedistributableShares",
      args: [set, slashId],
    });
    const redistributed = (await balance()) - before;
    if (redistributed === 0n) throw new Error("nothing reached the VictimPayout");
    const recipient = await ctx.publicClient.readContract({
      address: k.allocationManager,
      abi: iAllocationManagerAbi,
      functionName: "getRedistributionRecipient",
      args: [set],
    });
    if (getAddress(recipient) !== getAddress(k.victimPayout))
      throw new Error(`set 1 pays ${recipient}, not the VictimPayout`);

    // Two victims owed 3:2 of what arrived claim exactly what arrived.
    const victims = RESTAKING_ROLES.victims.map((i) => addressOf(ctx, i));
    const owed = [(redistributed * 3n) / 5n, redistributed - (redistributed * 3n) / 5n];
    const created = await sendContractWrite(governance, {
      address: k.victimPayout,
      abi: iVictimPayoutAbi,
      functionName: "createPayout",
      args: [k.token, victims, owed, `slash ${slashId} of set 1`],
    });
    const [payoutCreated] = parseEventLogs({
      abi: iVictimPayoutAbi,
      logs: created.receipt.logs,
      eventName: "PayoutCreated",
    });
    const payoutId = payoutCreated!.args.payoutId;
    await sendContractWrite(governance, {
      address: k.victimPayout,
      abi: iVictimPayoutAbi,
      functionName: "fund",
      args: [payoutId],
    });
    let claimed = 0n;
    for (const [i, victimIndex] of RESTAKING_ROLES.victims.entries()) {
      const victimClients = clientsOf(ctx, victimIndex);
      const tokenBefore = await ctx.publicClient.readContract({
        address: k.token,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [victims[i]!],
      });
      await sendContractWrite(victimClients, {
        address: k.victimPayout,
        abi: iVictimPayoutAbi,
        functionName: "claim",
        args: [payoutId, victims[i]!],
      });
      const tokenAfter = await ctx.publicClient.readContract({
        address: k.token,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [victims[i]!],
      });
      if (tokenAfter - tokenBefore !== owed[i])
        throw new Error(`victim ${i} received ${tokenAfter - tokenBefore}, owed ${owed[i]}`);
      claimed += tokenAfter - tokenBefore;
    }
    if (claimed !== redistributed) throw new Error(`victims claimed ${claimed} of ${redistributed} redistributed`);
    ctx.state.set("slashing.payoutId", payoutId);
    return `slash ${slashId}: ${slashedShares / WAD} shares cut; ${redistributed / WAD} tokens redistributed to the VictimPayout and claimed by 2 victims`;
  },
};
