import type { Command } from "commander";

import { registerDaNetwork } from "./da-network.js";
import { registerDeployments } from "./deployments.js";
import { registerDevnet } from "./devnet.js";
import { registerTee } from "./tee.js";

/**
 * Every subcommand group of `vcloud`. A component adds its group here (one line), in the order users
 * meet them: stake, operator, avs, da, tee, ai, agent, fees, fork, keeper, devnet.
 */
export function registerCommandGroups(program: Command): void {
  registerTee(program);
  registerDevnet(program);
  registerDeployments(program);
  registerDaNetwork(program);
}
