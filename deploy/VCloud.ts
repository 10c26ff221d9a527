import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import EigenModule from "./modules/Eigen.js";
import FeesModule from "./modules/Fees.js";
import PermissionsModule from "./modules/Permissions.js";
import { RestakingDevnetModule } from "./modules/Restaking.js";

/**
 * The whole vcloud stack. Each component has its own module under deploy/modules/; this root module
 * pulls them in and returns every contract under the name it has in deployments/<chainId>.json.
 */
export default buildModule("VCloud", (m) => {
  const { pauserRegistry } = m.useModule(PermissionsModule);
  const restaking = m.useModule(RestakingDevnetModule);
  const fork = m.useModule(EigenModule);
  const fees = m.useModule(FeesModule);
  return {
    PauserRegistry: pauserRegistry,
    StrategyManager: restaking.strategyManager,
    DelegationManager: restaking.delegationManager,
    AllocationManager: restaking.allocationManager,
    StrategyFactory: restaking.strategyFactory,
    VcloudTestToken: restaking.vcloudTestToken,
    TestTokenStrategy: restaking.testTokenStrategy,
    GovernanceTimelock: fork.timelock,
    BackingEigen: fork.backingEigen,
    Eigen: fork.eigen,
    CanonicalForkRegistry: fork.registry,
    ForkChallengeManager: fork.challengeManager,
    ForkFactory: fork.factory,
    FeeJar: fees.feeJar,
    ProtocolFee: fees.protocolFee,
    BuybackReleaser: fees.buybackReleaser,
    DutchAuctionReleaser: fees.dutchAuctionReleaser,
    RewardsCoordinator: fees.rewardsCoordinator,
    BEigenStrategy: fork.bEigenStrategy,
  };
});
