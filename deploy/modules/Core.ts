import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import AgentsModule from "./Agents.js";
import EigenModule from "./Eigen.js";
import FeesModule from "./Fees.js";
import PermissionsModule from "./Permissions.js";
import RestakingModule from "./Restaking.js";
import SlashersModule from "./Slashers.js";

/**
 * What every vcloud deployment has, devnet or production: permissions, the restaking core, slashers,
 * EIGEN / bEIGEN with fork challenges, fees and rewards, and the ERC-8004 registries. Returns each contract
 * under the name it has in deployments/<chainId>.json; the roots (deploy/VCloud.ts,
 * deploy/VCloudProduction.ts) add their own.
 */
export default buildModule("Core", (m) => {
  const { pauserRegistry } = m.useModule(PermissionsModule);
  const restaking = m.useModule(RestakingModule);
  const slashers = m.useModule(SlashersModule);
  const fork = m.useModule(EigenModule);
  const fees = m.useModule(FeesModule);
  const agents = m.useModule(AgentsModule);
  return {
    PauserRegistry: pauserRegistry,
    StrategyManager: restaking.strategyManager,
    DelegationManager: restaking.delegationManager,
    AllocationManager: restaking.allocationManager,
    StrategyFactory: restaking.strategyFactory,
    InstantSlasher: slashers.instantSlasher,
    VetoableSlasher: slashers.vetoableSlasher,
    VictimPayout: slashers.victimPayout,
    GovernanceTimelock: fork.timelock,
    BackingEigen: fork.backingEigen,
    Eigen: fork.eigen,
    CanonicalForkRegistry: fork.registry,
    ForkChallengeManager: fork.challengeManager,
    ForkFactory: fork.factory,
    BEigenStrategy: fork.bEigenStrategy,
    FeeJar: fees.feeJar,
    ProtocolFee: fees.protocolFee,
    BuybackReleaser: fees.buybackReleaser,
    DutchAuctionReleaser: fees.dutchAuctionReleaser,
    RewardsCoordinator: fees.rewardsCoordinator,
    IdentityRegistry: agents.identityRegistry,
    ReputationRegistry: agents.reputationRegistry,
    ValidationRegistry: agents.validationRegistry,
    VcloudValidator: agents.vcloudValidator,
  };
});
