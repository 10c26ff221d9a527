import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import DevnetStakeModule from "./DevnetStake.js";
import FeesModule from "./Fees.js";
import RestakingModule from "./Restaking.js";

const WAD = 10n ** 18n;

/**
 * vcloud's DA AVS: the BLS registrar of the DA operator set (keys, aggregate-key history, unique-stake
 * weights), the blob certificate registry (certificates, the protocol share of fees to the fee jar,
 * availability challenges; it is the set's slasher) and the DA fee distributor that pays the operators'
 * share of fees to the signers through the RewardsCoordinator in WETH (docs/da-network.md "Fees"). The AVS
 * account then creates the operator set, points the AllocationManager at the registrar and appoints the
 * distributor as its rewards submitter (keepers/da-network/setup.ts `createDaOperatorSet`).
 * Parameters besides the registry's: `daFeesKeeper` (who may call `distribute`: the `vcloud keeper da-fees`
 * account; default devnet account 14, the DA AVS's) and `feePeriodSeconds` (default one day, the coordinator's interval).
 */
export default buildModule("DataAvailability", (m) => {
  const restaking = m.useModule(RestakingModule);
  const stake = m.useModule(DevnetStakeModule);
  const { feeJar, rewardsCoordinator } = m.useModule(FeesModule);
  const avs = m.getParameter("avs", m.getAccount(14));
  const governance = m.getAccount(0);
  const registrar = m.contract(
    "BLSAVSRegistrar",
    [restaking.allocationManager, avs, 0, [{ strategy: stake.testTokenStrategy, multiplier: WAD }]],
    { id: "DARegistrar" },
  );
  const certificateRegistry = m.contract("BlobCertificateRegistry", [
    {
      registrar,
      governance,
      confirmationThresholdBps: m.getParameter("confirmationThresholdBps", 5500),
      adversaryThresholdBps: m.getParameter("adversaryThresholdBps", 3300),
      maxReferenceAge: m.getParameter("maxReferenceAge", 300),
      maxTtl: m.getParameter("maxTtlSeconds", 30 * 24 * 3600),
      responseWindow: m.getParameter("responseWindowSeconds", 3600),
      minChallengeBond: m.getParameter("minChallengeBond", 10n ** 16n),
      unavailabilitySlashWad: m.getParameter("unavailabilitySlashWad", WAD / 10n),
      feePerBytePeriod: m.getParameter("feePerBytePeriod", 1000n),
      periodSeconds: m.getParameter("periodSeconds", 24 * 3600),
      protocolFeeBps: m.getParameter("protocolFeeBps", 2000),
      feeJar,
    },
  ]);
  const wrappedEther = m.contract("WrappedEther", []);
  const feeDistributor = m.contract("DAFeeDistributor", [
    {
      governance,
      registry: certificateRegistry,
      registrar,
      rewardsCoordinator,
      weth: wrappedEther,
      distributor: m.getParameter("daFeesKeeper", m.getAccount(14)),
      periodSeconds: m.getParameter("feePeriodSeconds", 24 * 3600),
    },
  ]);
  m.call(certificateRegistry, "setFeeDistributor", [feeDistributor]);
  return {
    daRegistrar: registrar,
    blobCertificateRegistry: certificateRegistry,
    daFeeDistributor: feeDistributor,
    wrappedEther,
  };
});
