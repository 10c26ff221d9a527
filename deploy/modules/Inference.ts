import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import DataAvailabilityModule from "./DataAvailability.js";
import DevnetStakeModule from "./DevnetStake.js";
import EigenModule from "./Eigen.js";
import RestakingModule from "./Restaking.js";

const WAD = 10n ** 18n;

/**
 * vcloud's inference AVS (docs/inference-claims.md): the BLS registrar of the inference operator set,
 * the VictimPayout that receives the set's redistributed stake, and InferenceClaims (claims, challenge
 * window, committee resolution; the set's slasher and a payout manager of the VictimPayout). The
 * re-execution committee is the verification operator set: the DA set (DARegistrar) on this deployment,
 * whose operators already run BLS keys and stake-weighted certificates. The AVS account then creates the redistributing operator set and points the
 * AllocationManager at the registrar (keepers/replay/setup.ts `createInferenceOperatorSet`); governance
 * registers InferenceClaims as the VcloudValidator's "inference" source. Appeals that accuse the committee
 * open EIGEN fork challenges on the Eigen module's CanonicalForkRegistry / ForkChallengeManager. Claims'
 * DA certificates are checked against the DA module's BlobCertificateRegistry.
 * Parameters: `avs` (default devnet account 20), `committeeThresholdBps`,
 * `challengerRewardBps`, `maxReferenceAge` (blocks), `challengeWindowSeconds`, `appealWindowSeconds`, `resolutionTimeoutSeconds` (committee deadline after a challenge),
 * `minChallengeBond` (wei), `slashWad`.
 */
export default buildModule("Inference", (m) => {
  const restaking = m.useModule(RestakingModule);
  const stake = m.useModule(DevnetStakeModule);
  const { daRegistrar, blobCertificateRegistry } = m.useModule(DataAvailabilityModule);
  const { registry: forkRegistry } = m.useModule(EigenModule);
  const deployer = m.getAccount(0);
  const avs = m.getParameter("avs", m.getAccount(20));
  const registrar = m.contract(
    "BLSAVSRegistrar",
    [restaking.allocationManager, avs, 0, [{ strategy: stake.testTokenStrategy, multiplier: WAD }]],
    { id: "InferenceRegistrar" },
  );
  const victimPayout = m.contract("VictimPayout", [deployer], { id: "InferenceVictimPayout" });
  const inferenceClaims = m.contract("InferenceClaims", [
    {
      allocationManager: restaking.allocationManager,
      inferenceAvs: avs,
      inferenceSetId: 0,
      committeeRegistrar: daRegistrar,
      victimPayout,
      committeeThresholdBps: m.getParameter("committeeThresholdBps", 6000),
      challengerRewardBps: m.getParameter("challengerRewardBps", 1000),
      maxReferenceAge: m.getParameter("maxReferenceAge", 300),
      challengeWindow: m.getParameter("challengeWindowSeconds", 3600),
      appealWindow: m.getParameter("appealWindowSeconds", 3600),
      resolutionTimeout: m.getParameter("resolutionTimeoutSeconds", 6 * 3600),
      minChallengeBond: m.getParameter("minChallengeBond", 10n ** 17n),
      slashWad: m.getParameter("slashWad", WAD / 2n),
      forkRegistry,
      // postClaim requires the claim's DA certificate (prompt + output) to be available here.
      daRegistry: blobCertificateRegistry,
    },
  ]);
  m.call(victimPayout, "setPayoutManager", [inferenceClaims, true]);
  // Committee members register their committee-duty URL here (`vcloud keeper replay --committee-listen`).
  const committeeEndpoints = m.contract("CommitteeEndpoints", [daRegistrar], { id: "InferenceCommitteeEndpoints" });
  return {
    inferenceRegistrar: registrar,
    inferenceVictimPayout: victimPayout,
    inferenceClaims,
    inferenceCommitteeEndpoints: committeeEndpoints,
  };
});
