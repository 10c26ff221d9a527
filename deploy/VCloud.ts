import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import ComputeModule from "./modules/Compute.js";
import CoreModule from "./modules/Core.js";
import DataAvailabilityModule from "./modules/DataAvailability.js";
import DevnetStakeModule from "./modules/DevnetStake.js";
import InferenceModule from "./modules/Inference.js";

/**
 * The whole vcloud stack for a devnet: the core (deploy/modules/Core.ts), the devnet test token with its
 * strategy, and the component AVSs staked in it, every contract under the name it has in
 * deployments/<chainId>.json. The deployer keeps every owner role; deploy/VCloudProduction.ts is the
 * production root (no test token, everything handed to the governance timelock).
 */
export default buildModule("VCloud", (m) => {
  const core = m.useModule(CoreModule);
  const stake = m.useModule(DevnetStakeModule);
  const da = m.useModule(DataAvailabilityModule);
  const compute = m.useModule(ComputeModule);
  const inference = m.useModule(InferenceModule);
  return {
    ...core,
    VcloudTestToken: stake.vcloudTestToken,
    TestTokenStrategy: stake.testTokenStrategy,
    DARegistrar: da.daRegistrar,
    BlobCertificateRegistry: da.blobCertificateRegistry,
    DAFeeDistributor: da.daFeeDistributor,
    WrappedEther: da.wrappedEther,
    ComputeRegistrar: compute.computeRegistrar,
    AppRegistry: compute.appRegistry,
    TaskMailbox: compute.taskMailbox,
    InferenceRegistrar: inference.inferenceRegistrar,
    InferenceVictimPayout: inference.inferenceVictimPayout,
    InferenceClaims: inference.inferenceClaims,
    InferenceCommitteeEndpoints: inference.inferenceCommitteeEndpoints,
  };
});
