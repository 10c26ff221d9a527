import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import DevnetStakeModule from "./DevnetStake.js";
import FeesModule from "./Fees.js";
import RestakingModule from "./Restaking.js";

const WAD = 10n ** 18n;

/**
 * vcloud's DA AVS: the BLS registrar of the DA operator set (keys, aggregate-key history, unique-stake
 * weights) and the blob certificate registry (certificates, fees to the fee jar, availability
 * challenges; it is the set's slasher). The AVS account then creates the operator set and points the
 * AllocationManager at the registrar (keepers/da-network/setup.ts `createDaOperatorSet`).
 */
export default buildModule("DataAvailability", (m) => {
  const restaking = m.useModule(RestakingModule);
  const stake = m.useModule(DevnetStakeModule);
  const { feeJar } = m.useModule(FeesModule);
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
  return { daRegistrar: registrar, blobCertificateRegistry: certificateRegistry };
});
