import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import AgentsModule from "./modules/Agents.js";
import DataAvailabilityModule from "./modules/DataAvailability.js";
import EigenModule from "./modules/Eigen.js";
import FeesModule from "./modules/Fees.js";
import InferenceModule from "./modules/Inference.js";
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
  const fork = m.useModule(EigenModule);
  const fees = m.useModule(FeesModule);
  const agents = m.useModule(AgentsModule);
  const da = m.useModule(DataAvailabilityModule);
  const inference = m.useModule(InferenceModule);
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
    DARegistrar: da.daRegistrar,
    BlobCertificateRegistry: da.blobCertificateRegistry,
    InferenceRegistrar: inference.inferenceRegistrar,
    InferenceVictimPayout: inference.inferenceVictimPayout,
    InferenceClaims: inference.inferenceClaims,
  };
});
