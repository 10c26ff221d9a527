import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import AgentsModule from "./modules/Agents.js";
import EigenModule from "./modules/Eigen.js";
import FeesModule from "./modules/Fees.js";
import GovernanceHandoffModule from "./modules/GovernanceHandoff.js";
import PermissionsModule from "./modules/Permissions.js";
import RestakingModule from "./modules/Restaking.js";
import SlashersModule from "./modules/Slashers.js";

/**
 * The production root: the restaking core, slashers, EIGEN / bEIGEN with fork challenges, fees and rewards
 * and the ERC-8004 registries, without the devnet test token, handed to the GovernanceTimelock
 * (GovernanceHandoff.ts). Parameters: deploy/parameters/production.example.json. The component AVSs (DA,
 * compute, inference) choose their stake strategies per deployment and are deployed by their own modules.
 */
export default buildModule("VCloudProduction", (m) => {
  const { pauserRegistry } = m.useModule(PermissionsModule);
  const restaking = m.useModule(RestakingModule);
  const slashers = m.useModule(SlashersModule);
  const fork = m.useModule(EigenModule);
  const fees = m.useModule(FeesModule);
  const agents = m.useModule(AgentsModule);
  m.useModule(GovernanceHandoffModule);
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
