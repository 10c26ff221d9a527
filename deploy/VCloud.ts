import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import PermissionsModule from "./modules/Permissions.js";
import RestakingModule from "./modules/Restaking.js";
import SlashersModule from "./modules/Slashers.js";

/**
 * The whole vcloud stack. Each component has its own module under deploy/modules/; this root module
 * pulls them in and returns every contract under the name it has in deployments/<chainId>.json.
 */
export default buildModule("VCloud", (m) => {
  const { pauserRegistry } = m.useModule(PermissionsModule);
  const restaking = m.useModule(RestakingModule);
  const slashers = m.useModule(SlashersModule);
  return {
    PauserRegistry: pauserRegistry,
    StrategyManager: restaking.strategyManager,
    DelegationManager: restaking.delegationManager,
    AllocationManager: restaking.allocationManager,
    StrategyFactory: restaking.strategyFactory,
    VcloudTestToken: restaking.vcloudTestToken,
    TestTokenStrategy: restaking.testTokenStrategy,
    InstantSlasher: slashers.instantSlasher,
    VetoableSlasher: slashers.vetoableSlasher,
    VictimPayout: slashers.victimPayout,
  };
});
