import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import EigenModule from "./Eigen.js";
import RestakingModule from "./Restaking.js";

/**
 * Fees, buyback and rewards (docs/fees.md): the FeeJar; the ProtocolFee (20% by default, at most 50%) that
 * AVS contracts and the RewardsCoordinator pay into the jar; the two EIGEN-burning releasers (the
 * fixed-threshold BuybackReleaser, which the jar starts with, and the DutchAuctionReleaser that governance
 * can switch to with `FeeJar.setReleaser`); and the RewardsCoordinator over the restaking core's
 * AllocationManager. The burn token is EIGEN from the Eigen module (`Eigen.burnFrom` burns EIGEN and its
 * bEIGEN backing).
 * Parameters: governance (owner of everything; default the deployer), feeBips, buybackThreshold,
 * auctionStartPrice, auctionFloorPrice, auctionDuration (seconds), rewardsUpdater (default the deployer),
 * calculationIntervalSeconds, maxRewardsDuration, maxRetroactiveLength, maxFutureLength, activationDelay,
 * operatorSplitDelay (seconds).
 */
export default buildModule("Fees", (m) => {
  const deployer = m.getAccount(0);
  const governance = m.getParameter("governance", deployer);
  const { eigen } = m.useModule(EigenModule);
  const { allocationManager } = m.useModule(RestakingModule);

  // The deployer wires the jar to its releaser, then hands the jar to governance (Ownable2Step: governance
  // calls acceptOwnership; on the devnet governance is the deployer).
  const feeJar = m.contract("FeeJar", [deployer, "0x0000000000000000000000000000000000000000"]);
  const protocolFee = m.contract("ProtocolFee", [governance, feeJar, m.getParameter("feeBips", 2000)]);
  const buybackReleaser = m.contract("BuybackReleaser", [
    governance,
    feeJar,
    eigen,
    m.getParameter("buybackThreshold", 4000n * 10n ** 18n),
  ]);
  const dutchAuctionReleaser = m.contract("DutchAuctionReleaser", [
    governance,
    feeJar,
    eigen,
    {
      startPrice: m.getParameter("auctionStartPrice", 100_000n * 10n ** 18n),
      floorPrice: m.getParameter("auctionFloorPrice", 100n * 10n ** 18n),
      duration: m.getParameter("auctionDuration", 7n * 86_400n),
    },
  ]);
  const releaserSet = m.call(feeJar, "setReleaser", [buybackReleaser]);
  m.call(feeJar, "transferOwnership", [governance], { after: [releaserSet] });

  const rewardsCoordinator = m.contract("RewardsCoordinator", [
    governance,
    m.getParameter("rewardsUpdater", deployer),
    {
      allocationManager: allocationManager!,
      protocolFee,
      calculationIntervalSeconds: m.getParameter("calculationIntervalSeconds", 86_400),
      maxRewardsDuration: m.getParameter("maxRewardsDuration", 70 * 86_400),
      maxRetroactiveLength: m.getParameter("maxRetroactiveLength", 30 * 86_400),
      maxFutureLength: m.getParameter("maxFutureLength", 30 * 86_400),
      activationDelay: m.getParameter("activationDelay", 86_400),
      operatorSplitDelay: m.getParameter("operatorSplitDelay", 7 * 86_400),
    },
  ]);
  return { feeJar, protocolFee, buybackReleaser, dutchAuctionReleaser, rewardsCoordinator };
});
