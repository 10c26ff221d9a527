import type { Command } from "commander";

type Register = (program: Command) => void;

/**
 * Every subcommand module of `vcloud`, in the order users meet its groups (stake, operator, avs, da, tee,
 * ai, agent, fees, fork, keeper, devnet), with the top-level groups it adds commands to. A module that
 * extends another module's group (`da node|put|get` on `da`, rewards on `stake`/`avs`/`keeper`) comes after
 * it. Modules load lazily: a command pays only for the modules of its own group (test/ts/cli-groups.test.ts
 * checks this table against what each module registers).
 */
export const COMMAND_MODULES: readonly { groups: readonly string[]; load: () => Promise<Register> }[] = [
  { groups: ["stake"], load: async () => (await import("./stake.js")).registerStake },
  { groups: ["operator"], load: async () => (await import("./operator.js")).registerOperator },
  { groups: ["avs"], load: async () => (await import("./avs.js")).registerAvs },
  { groups: ["da"], load: async () => (await import("./da.js")).registerDa },
  { groups: ["da", "keeper"], load: async () => (await import("./da-network.js")).registerDaNetwork },
  { groups: ["tee", "keeper"], load: async () => (await import("./tee.js")).registerTee },
  { groups: ["ai"], load: async () => (await import("./ai.js")).registerAi },
  { groups: ["agent"], load: async () => (await import("./agent.js")).registerAgentCommands },
  { groups: ["fees", "keeper"], load: async () => (await import("./fees.js")).registerFees },
  { groups: ["keeper", "stake", "avs"], load: async () => (await import("./rewards.js")).registerRewards },
  { groups: ["fork"], load: async () => (await import("./fork.js")).registerFork },
  { groups: ["governance"], load: async () => (await import("./governance.js")).registerGovernance },
  { groups: ["keeper"], load: async () => (await import("./replay.js")).registerReplayKeeper },
  { groups: ["keeper"], load: async () => (await import("./da-fees.js")).registerDaFees },
  { groups: ["keystore"], load: async () => (await import("./keystore.js")).registerKeystore },
  { groups: ["devnet"], load: async () => (await import("./devnet.js")).registerDevnet },
  { groups: ["deployments"], load: async () => (await import("./deployments.js")).registerDeployments },
];

/**
 * Registers the subcommand groups: only the modules that add to `group` when it names a known group (the
 * command line's first word), otherwise every module (`--help`, no command, an unknown command).
 */
export async function registerCommandGroups(program: Command, group?: string): Promise<void> {
  const known = group !== undefined && COMMAND_MODULES.some((m) => m.groups.includes(group));
  const modules = known ? COMMAND_MODULES.filter((m) => m.groups.includes(group)) : COMMAND_MODULES;
  const registers = await Promise.all(modules.map((m) => m.load()));
  for (const register of registers) register(program);
}
