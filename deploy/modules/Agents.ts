import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * ERC-8004 agent registries and vcloud's validator bridge. The reputation and validation registries are
 * bound to the identity registry; VcloudValidator answers in the validation registry and is governed by
 * `governance` (the deployer on the devnet, the timelock in production), which registers the verification
 * AVSs (TEE task mailbox, inference claims) as sources once they are deployed.
 */
export default buildModule("Agents", (m) => {
  const deployer = m.getAccount(0);
  const governance = m.getParameter("governance", deployer);
  const identityRegistry = m.contract("IdentityRegistry", []);
  const reputationRegistry = m.contract("ReputationRegistry", [identityRegistry]);
  const validationRegistry = m.contract("ValidationRegistry", [identityRegistry]);
  const vcloudValidator = m.contract("VcloudValidator", [validationRegistry, governance]);
  return { identityRegistry, reputationRegistry, validationRegistry, vcloudValidator };
});
