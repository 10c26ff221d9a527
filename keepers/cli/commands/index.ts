import type { Command } from "commander";

import { registerAvs } from "./avs.js";
import { registerDeployments } from "./deployments.js";
import { registerDevnet } from "./devnet.js";
import { registerKeystore } from "./keystore.js";
import { registerOperator } from "./operator.js";
import { registerStake } from "./stake.js";

/**
 * Every subcommand group of `vcloud`. A component adds its group here (one line), in the order users
 * meet them: stake, operator, avs, da, tee, ai, agent, fees, fork, keeper, devnet.
 */
export function registerCommandGroups(program: Command): void {
  registerStake(program);
  registerOperator(program);
  registerAvs(program);
  registerDevnet(program);
  registerDeployments(program);
  registerKeystore(program);
}
