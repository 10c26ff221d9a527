import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import CoreModule from "./modules/Core.js";
import GovernanceHandoffModule from "./modules/GovernanceHandoff.js";

/**
 * The production root: the core (deploy/modules/Core.ts) without the devnet test token, handed to the
 * GovernanceTimelock (GovernanceHandoff.ts). Parameters: deploy/parameters/production.example.json
 * (docs/deploy.md). The component AVSs (DA, compute, inference) choose their stake strategies per
 * deployment and are deployed by their own modules.
 */
export default buildModule("VCloudProduction", (m) => {
  const core = m.useModule(CoreModule);
  m.useModule(GovernanceHandoffModule);
  return core;
});
