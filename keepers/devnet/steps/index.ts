import type { StoryStep } from "../story.js";
import { agentRegistered } from "./agent.js";
import { contractsDeployed } from "./contracts-deployed.js";
import { forkReady } from "./fork-ready.js";

/** The end-to-end story that `npm start` runs, in order. Each component appends its steps. */
export const storySteps: StoryStep[] = [contractsDeployed, forkReady];
export const storySteps: StoryStep[] = [contractsDeployed, agentRegistered];
import { operatorsAllocate, stakersDepositAndDelegate } from "./restaking.js";
import { slashWithRedistribution } from "./slashing.js";

export const storySteps: StoryStep[] = [
  contractsDeployed,
  stakersDepositAndDelegate,
  operatorsAllocate,
  slashWithRedistribution,
];
import { teeWorkerAttestsTask } from "./tee-worker.js";

export const storySteps: StoryStep[] = [contractsDeployed, teeWorkerAttestsTask];
