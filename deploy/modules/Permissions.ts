import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The pauser registry shared by every pausable contract. Pausers: the deployer and an optional guardian;
 * unpauser: governance (the deployer on the devnet, the timelock in production).
 */
export default buildModule("Permissions", (m) => {
  const deployer = m.getAccount(0);
  const guardian = m.getParameter("guardian", deployer);
  const unpauser = m.getParameter("unpauser", deployer);
  const pauserRegistry = m.contract("PauserRegistry", [[deployer, guardian], unpauser]);
  return { pauserRegistry };
});
