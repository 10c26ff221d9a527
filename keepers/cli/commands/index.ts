import type { Command } from "commander";

import { registerAi } from "./ai.js";
import { registerDeployments } from "./deployments.js";
import { registerDevnet } from "./devnet.js";

/**
 * Every subcommand group of `vcloud`. A component adds its group here (one line), in the order users
 * meet them: stake, operator, avs, da, tee, ai, agent, fees, fork, keeper, devnet.
 */
export function registerCommandGroups(program: Command): void {
  registerAi(program);
  registerDevnet(program);
  registerDeployments(program);
}
