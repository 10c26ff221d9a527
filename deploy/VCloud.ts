import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import AgentsModule from "./modules/Agents.js";
import PermissionsModule from "./modules/Permissions.js";

/**
 * The whole vcloud stack. Each component has its own module under deploy/modules/; this root module
 * pulls them in and returns every contract under the name it has in deployments/<chainId>.json.
 */
export default buildModule("VCloud", (m) => {
  const { pauserRegistry } = m.useModule(PermissionsModule);
  const agents = m.useModule(AgentsModule);
  return {
    PauserRegistry: pauserRegistry,
    IdentityRegistry: agents.identityRegistry,
    ReputationRegistry: agents.reputationRegistry,
    ValidationRegistry: agents.validationRegistry,
    VcloudValidator: agents.vcloudValidator,
  };
});
