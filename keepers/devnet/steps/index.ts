import type { StoryStep } from "../story.js";
import { contractsDeployed } from "./contracts-deployed.js";
import { teeWorkerAttestsTask } from "./tee-worker.js";

/** The end-to-end story that `npm start` runs, in order. Each component appends its steps. */
export const storySteps: StoryStep[] = [contractsDeployed, teeWorkerAttestsTask];
