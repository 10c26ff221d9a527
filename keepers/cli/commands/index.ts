import type { Command } from "commander";

import { registerDeployments } from "./deployments.js";
import { registerDevnet } from "./devnet.js";
import { registerFees } from "./fees.js";
import { registerFork } from "./fork.js";
import { registerRewards } from "./rewards.js";

/**
 * Every subcommand group of `vcloud`. A component adds its group here (one line), in the order users
 * meet them: stake, operator, avs, da, tee, ai, agent, fees, fork, keeper, devnet.
 */
export function registerCommandGroups(program: Command): void {
  registerFork(program);
  registerDevnet(program);
  registerDeployments(program);
  registerFees(program);
  registerRewards(program);
}
