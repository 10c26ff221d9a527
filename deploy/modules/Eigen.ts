import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import PermissionsModule from "./Permissions.js";
import RestakingModule from "./Restaking.js";

const ZERO = "0x0000000000000000000000000000000000000000";

/**
 * EIGEN / bEIGEN and intersubjective fork challenges (docs/fork.md): the governance timelock, bEIGEN, the
 * canonical fork registry, the challenge manager, EIGEN and the fork factory, wired together; plus the bEIGEN
 * strategy (restaked EIGEN held as bEIGEN), whitelisted in the restaking core and used as the stake pool
 * that fork snapshots split.
 * Parameters (WAD fractions and seconds): cpfWad, dpfWad, rewardWad, forkWindow, redeemWindow, lockDuration,
 * resolutionWindow, timelockDelay, governanceProposer and governanceExecutor (default: the deployer), initialSupply (default: the deployed bEIGEN supply, 1,673,646,668.28466
 * bEIGEN, minted to the deployer). In the plain-JSON parameter files WADs and amounts are decimal strings
 * (they exceed 2^53) and windows and delays are numbers (seconds).
 */
export default buildModule("Eigen", (m) => {
  const deployer = m.getAccount(0);
  const timelockDelay = m.getParameter("timelockDelay", 60);
  const initialSupply = m.getParameter("initialSupply", 1_673_646_668_284_660_000_000_000_000n);
  const cpfWad = m.getParameter("cpfWad", 10n ** 16n);
  const dpfWad = m.getParameter("dpfWad", 5n * 10n ** 16n);
  const rewardWad = m.getParameter("rewardWad", 10n ** 17n);
  const forkWindow = m.getParameter("forkWindow", 300);
  const redeemWindow = m.getParameter("redeemWindow", 600);
  const lockDuration = m.getParameter("lockDuration", 900);
  const resolutionWindow = m.getParameter("resolutionWindow", 1200);
  const { pauserRegistry } = m.useModule(PermissionsModule);
  const restaking = m.useModule(RestakingModule);

  // Proposers schedule, executors execute; the zero address as executor lets anyone execute a ready
  // operation. The deployer stays a proposer so the production root can schedule the handoff; governance
  // (a multisig) joins through governanceProposer / governanceExecutor and later revokes the deployer.
  const proposers = [deployer, m.getParameter("governanceProposer", deployer)];
  const executors = [deployer, m.getParameter("governanceExecutor", deployer)];
  const timelock = m.contract("GovernanceTimelock", [timelockDelay, proposers, executors, ZERO]);
  const backingEigen = m.contract("BackingEigen", ["Backing Eigen", "bEIGEN", timelock, ZERO, deployer, initialSupply]);
  const registry = m.contract("CanonicalForkRegistry", [backingEigen, timelock]);
  const challengeManager = m.contract("ForkChallengeManager", [registry, cpfWad, forkWindow, resolutionWindow]);
  const eigen = m.contract("Eigen", [registry, challengeManager]);
  const bEigenStrategy = m.contract("BEigenStrategy", [restaking.strategyManager, pauserRegistry, eigen]);
  m.call(restaking.strategyFactory, "whitelistStrategies", [[bEigenStrategy]], { after: [RestakingModule] });
  const factory = m.contract("ForkFactory", [
    registry,
    challengeManager,
    eigen,
    bEigenStrategy,
    { dpfWad, rewardWad, redeemWindow, lockDuration },
    timelock,
  ]);
  m.call(registry, "bind", [challengeManager, factory]);
  return { timelock, backingEigen, registry, challengeManager, eigen, factory, bEigenStrategy };
});
