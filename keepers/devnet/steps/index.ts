import type { StoryStep } from "../story.js";
import { contractsDeployed } from "./contracts-deployed.js";
import { forkReady } from "./fork-ready.js";

/** The end-to-end story that `npm start` runs, in order. Each component appends its steps. */
export const storySteps: StoryStep[] = [contractsDeployed, forkReady];
