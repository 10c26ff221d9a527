import type { Command } from "commander";

import { registerAgentCommands } from "./agent.js";
import { registerAi } from "./ai.js";
import { registerAvs } from "./avs.js";
import { registerDaNetwork } from "./da-network.js";
import { registerDa } from "./da.js";
import { registerDeployments } from "./deployments.js";
import { registerDevnet } from "./devnet.js";
import { registerFees } from "./fees.js";
import { registerFork } from "./fork.js";
import { registerGovernance } from "./governance.js";
import { registerKeystore } from "./keystore.js";
import { registerOperator } from "./operator.js";
import { registerReplayKeeper } from "./replay.js";
import { registerRewards } from "./rewards.js";
import { registerStake } from "./stake.js";
import { registerTee } from "./tee.js";

/**
 * Every subcommand group of `vcloud`, in the order users meet them: stake, operator, avs, da, tee, ai,
 * agent, fees, fork, keeper, devnet. Groups that extend another group (`da node|put|get` on `da`,
 * rewards on `stake`/`avs`/`keeper`) are registered after it.
 */
export function registerCommandGroups(program: Command): void {
  registerStake(program);
  registerOperator(program);
  registerAvs(program);
  registerDa(program);
  registerDaNetwork(program);
  registerTee(program);
  registerAi(program);
  registerAgentCommands(program);
  registerFees(program);
  registerRewards(program);
  registerFork(program);
  registerGovernance(program);
  registerReplayKeeper(program);
  registerKeystore(program);
  registerDevnet(program);
  registerDeployments(program);
}
