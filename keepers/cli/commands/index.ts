import type { Command } from "commander";

import { registerDaNetwork } from "./da-network.js";
import { registerDa } from "./da.js";
import { registerAgentCommands } from "./agent.js";
import { registerAi } from "./ai.js";
import { registerDeployments } from "./deployments.js";
import { registerDevnet } from "./devnet.js";
import { registerFork } from "./fork.js";
import { registerFees } from "./fees.js";
import { registerRewards } from "./rewards.js";
import { registerAvs } from "./avs.js";
import { registerKeystore } from "./keystore.js";
import { registerOperator } from "./operator.js";
import { registerStake } from "./stake.js";
import { registerTee } from "./tee.js";

/**
 * Every subcommand group of `vcloud`. A component adds its group here (one line), in the order users
 * meet them: stake, operator, avs, da, tee, ai, agent, fees, fork, keeper, devnet.
 */
export function registerCommandGroups(program: Command): void {
  registerDa(program);
  registerFork(program);
  registerAgentCommands(program);
  registerTee(program);
  registerAi(program);
  registerDevnet(program);
  registerDeployments(program);
  registerDaNetwork(program);
  registerFees(program);
  registerRewards(program);
  registerStake(program);
  registerOperator(program);
  registerAvs(program);
  registerKeystore(program);
}
