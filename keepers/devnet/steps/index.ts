import type { StoryStep } from "../story.js";
import { contractsDeployed } from "./contracts-deployed.js";
import { operatorsAllocate, stakersDepositAndDelegate } from "./restaking.js";
import { slashWithRedistribution } from "./slashing.js";

/** The end-to-end story that `npm start` runs, in order. Each component appends its steps. */
export const storySteps: StoryStep[] = [
  contractsDeployed,
  stakersDepositAndDelegate,
  operatorsAllocate,
  slashWithRedistribution,
];
