import type { StoryStep } from "../story.js";
import { agentRegistered } from "./agent.js";
import { contractsDeployed } from "./contracts-deployed.js";
import { blobStoredAndRetrieved, daFleetStarted } from "./data-availability.js";
import { feesReachJarAndBuybackBurnsEigen } from "./fees-buyback.js";
import { forkChallengeResolved } from "./fork-challenge.js";
import { forkReady } from "./fork-ready.js";
import { cheatingOperatorCaught } from "./inference.js";
import { operatorsAllocate, stakersDepositAndDelegate } from "./restaking.js";
import { slashWithRedistribution } from "./slashing.js";
import { teeComputeTaskCertified } from "./tee-compute.js";
import { teeWorkerAttestsTask } from "./tee-worker.js";
import { teeWrongOutputSlashed } from "./tee-wrong-output.js";

/** The end-to-end story that `npm start` runs, in order. Each component appends its steps. */
export const storySteps: StoryStep[] = [
  contractsDeployed,
  stakersDepositAndDelegate,
  operatorsAllocate,
  slashWithRedistribution,
  daFleetStarted,
  blobStoredAndRetrieved,
  teeWorkerAttestsTask,
  teeComputeTaskCertified,
  teeWrongOutputSlashed,
  agentRegistered,
  feesReachJarAndBuybackBurnsEigen,
  forkReady,
  cheatingOperatorCaught,
  // Last: the open challenge freezes EIGEN wraps until governance resolves it, and the fork it creates
  // becomes canonical for everything after it.
  forkChallengeResolved,
];
