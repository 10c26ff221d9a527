import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

const ZERO = "0x0000000000000000000000000000000000000000";

/**
 * EIGEN / bEIGEN and intersubjective fork challenges (docs/fork.md): the governance timelock, bEIGEN, the
 * canonical fork registry, the challenge manager, EIGEN and the fork factory, wired together.
 * Parameters (WAD fractions and seconds): cpfWad, dpfWad, rewardWad, forkWindow, redeemWindow, lockDuration,
 * resolutionWindow, timelockDelay, initialSupply, stakePool (the bEIGEN strategy; zero until it exists).
 */
export default buildModule("Eigen", (m) => {
  const deployer = m.getAccount(0);
  const timelockDelay = m.getParameter("timelockDelay", 60n);
  const initialSupply = m.getParameter("initialSupply", 1_673_646_668_284_660_000_000_000_000n);
  const cpfWad = m.getParameter("cpfWad", 10n ** 16n);
  const dpfWad = m.getParameter("dpfWad", 5n * 10n ** 16n);
  const rewardWad = m.getParameter("rewardWad", 10n ** 17n);
  const forkWindow = m.getParameter("forkWindow", 300n);
  const redeemWindow = m.getParameter("redeemWindow", 600n);
  const lockDuration = m.getParameter("lockDuration", 900n);
  const resolutionWindow = m.getParameter("resolutionWindow", 1200n);
  const stakePool = m.getParameter("stakePool", ZERO);

  const timelock = m.contract("GovernanceTimelock", [timelockDelay, [deployer], [deployer], ZERO]);
  const backingEigen = m.contract("BackingEigen", ["Backing Eigen", "bEIGEN", timelock, ZERO, deployer, initialSupply]);
  const registry = m.contract("CanonicalForkRegistry", [backingEigen, timelock]);
  const challengeManager = m.contract("ForkChallengeManager", [registry, cpfWad, forkWindow, resolutionWindow]);
  const eigen = m.contract("Eigen", [registry, challengeManager]);
  const factory = m.contract("ForkFactory", [
    registry,
    challengeManager,
    eigen,
    stakePool,
    { dpfWad, rewardWad, redeemWindow, lockDuration },
    timelock,
  ]);
  m.call(registry, "bind", [challengeManager, factory]);
  return { timelock, backingEigen, registry, challengeManager, eigen, factory };
});
