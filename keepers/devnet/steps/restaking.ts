import { getAddress, parseEther, zeroAddress, zeroHash, type Address } from "viem";

import {
  iAllocationManagerAbi,
  iDelegationManagerAbi,
  iStrategyManagerAbi,
  vcloudTestTokenAbi,
} from "../../lib/abis.js";
import { contractAddress } from "../../lib/deployments.js";
import { sendContractWrite, type TxClients } from "../../lib/tx.js";
import type { StoryContext, StoryStep } from "../story.js";

const WAD = 10n ** 18n;

/** Devnet roles used by the restaking and slashing steps (indices into the funded accounts). */
export const RESTAKING_ROLES = {
  governance: 0,
  avs: 1,
  operators: [2, 3, 4],
  stakers: [5, 6, 7],
  victims: [8, 9],
} as const;

/** Stakes of the three stakers (tokens), each delegated to the operator with the same index. */
export const STAKES = [parseEther("100"), parseEther("200"), parseEther("300")] as const;

/** Magnitudes the three operators allocate to burning set 0 (the issue-3 example: 10%, 10%, 20%). */
export const SET0_MAGNITUDES = [WAD / 10n, WAD / 10n, WAD / 5n] as const;
/** Operator 0 also allocates half of its stake to redistributing set 1. */
export const SET1_MAGNITUDE = WAD / 2n;

export function clientsOf(ctx: StoryContext, index: number): TxClients {
  const walletClient = ctx.wallets[index];
  if (!walletClient) throw new Error(`no devnet account ${index}`);
  return { publicClient: ctx.publicClient, walletClient };
}

export function addressOf(ctx: StoryContext, index: number): Address {
  return getAddress(ctx.accounts[index]!.address);
}

export function restakingContracts(ctx: StoryContext) {
  const c = (name: string) => contractAddress(ctx.deployment, name);
  return {
    strategyManager: c("StrategyManager"),
    delegationManager: c("DelegationManager"),
    allocationManager: c("AllocationManager"),
    token: c("VcloudTestToken"),
    strategy: c("TestTokenStrategy"),
    instantSlasher: c("InstantSlasher"),
    victimPayout: c("VictimPayout"),
  };
}

/** Three operators register; three stakers deposit distinct stakes and each delegates to one operator. */
export const stakersDepositAndDelegate: StoryStep = {
  name: "stakers deposit and delegate",
  async run(ctx) {
    const k = restakingContracts(ctx);
    const governance = clientsOf(ctx, RESTAKING_ROLES.governance);
    for (const [i, operatorIndex] of RESTAKING_ROLES.operators.entries()) {
      await sendContractWrite(clientsOf(ctx, operatorIndex), {
        address: k.delegationManager,
        abi: iDelegationManagerAbi,
        functionName: "registerAsOperator",
        args: [zeroAddress, 0, `ipfs://vcloud-devnet-operator-${i}`],
      });
    }
    for (const [i, stakerIndex] of RESTAKING_ROLES.stakers.entries()) {
      const staker = clientsOf(ctx, stakerIndex);
      const amount = STAKES[i]!;
      await sendContractWrite(governance, {
        address: k.token,
        abi: vcloudTestTokenAbi,
        functionName: "mint",
        args: [addressOf(ctx, stakerIndex), amount],
      });
      await sendContractWrite(staker, {
        address: k.token,
        abi: vcloudTestTokenAbi,
        functionName: "approve",
        args: [k.strategyManager, amount],
      });
      await sendContractWrite(staker, {
        address: k.strategyManager,
        abi: iStrategyManagerAbi,
        functionName: "depositIntoStrategy",
        args: [k.strategy, k.token, amount],
      });
      await sendContractWrite(staker, {
        address: k.delegationManager,
        abi: iDelegationManagerAbi,
        functionName: "delegateTo",
        args: [addressOf(ctx, RESTAKING_ROLES.operators[i]!), { signature: "0x", expiry: 0n }, zeroHash],
      });
    }
    const operators = RESTAKING_ROLES.operators.map((i) => addressOf(ctx, i));
    const shares = await ctx.publicClient.readContract({
      address: k.delegationManager,
      abi: iDelegationManagerAbi,
      functionName: "getOperatorsShares",
      args: [operators, [k.strategy]],
    });
    shares.forEach((row, i) => {
      if (row[0] !== STAKES[i]) throw new Error(`operator ${i} has ${row[0]} shares, expected ${STAKES[i]}`);
    });
    ctx.state.set("restaking.operators", operators);
    ctx.state.set("restaking.strategy", k.strategy);
    return `3 operators hold ${STAKES.map((s) => s / WAD).join("/")} delegated tokens`;
  },
};

/**
 * The AVS creates burning set 0 and redistributing set 1 (recipient: the VictimPayout), both slashed through
 * the InstantSlasher; operators allocate 10%/10%/20% to set 0 and operator 0 allocates 50% to set 1.
 */
export const operatorsAllocate: StoryStep = {
  name: "operators allocate to operator sets",
  async run(ctx) {
    const k = restakingContracts(ctx);
    const avsIndex = RESTAKING_ROLES.avs;
    const avs = addressOf(ctx, avsIndex);
    const avsClients = clientsOf(ctx, avsIndex);
    const am = k.allocationManager;
    await sendContractWrite(avsClients, {
      address: am,
      abi: iAllocationManagerAbi,
      functionName: "updateAVSMetadataURI",
      args: [avs, "ipfs://vcloud-devnet-avs"],
    });
    const set = (operatorSetId: number) => ({ operatorSetId, strategies: [k.strategy], slasher: k.instantSlasher });
    await sendContractWrite(avsClients, {
      address: am,
      abi: iAllocationManagerAbi,
      functionName: "createOperatorSets",
      args: [avs, [set(0)]],
    });
    await sendContractWrite(avsClients, {
      address: am,
      abi: iAllocationManagerAbi,
      functionName: "createRedistributingOperatorSets",
      args: [avs, [set(1)], [k.victimPayout]],
    });
    for (const [i, operatorIndex] of RESTAKING_ROLES.operators.entries()) {
      const op = clientsOf(ctx, operatorIndex);
      const operator = addressOf(ctx, operatorIndex);
      const sets = i === 0 ? [0, 1] : [0];
      await sendContractWrite(op, {
        address: am,
        abi: iAllocationManagerAbi,
        functionName: "registerForOperatorSets",
        args: [operator, { avs, operatorSetIds: sets, data: "0x" }],
      });
      const params = [{ operatorSet: { avs, id: 0 }, strategies: [k.strategy], newMagnitudes: [SET0_MAGNITUDES[i]!] }];
      if (i === 0)
        params.push({ operatorSet: { avs, id: 1 }, strategies: [k.strategy], newMagnitudes: [SET1_MAGNITUDE] });
      await sendContractWrite(op, {
        address: am,
        abi: iAllocationManagerAbi,
        functionName: "modifyAllocations",
        args: [operator, params],
      });
    }
    // Allocation delay 0: effective from the allocation's own block.
    const operators = RESTAKING_ROLES.operators.map((i) => addressOf(ctx, i));
    const stake = await ctx.publicClient.readContract({
      address: am,
      abi: iAllocationManagerAbi,
      functionName: "getAllocatedStake",
      args: [{ avs, id: 0 }, operators, [k.strategy]],
    });
    const perOperator = stake.map((row) => row[0]!);
    const expected = STAKES.map((s, i) => (s * SET0_MAGNITUDES[i]!) / WAD);
    perOperator.forEach((v, i) => {
      if (v !== expected[i]) throw new Error(`operator ${i} allocated ${v} to set 0, expected ${expected[i]}`);
    });
    const total = perOperator.reduce((a, b) => a + b, 0n);
    ctx.state.set("restaking.avs", avs);
    return `set 0 unique slashable stake ${total / WAD} tokens (${perOperator.map((v) => v / WAD).join(" + ")}); operator 0 allocates 50% to redistributing set 1`;
  },
};
