import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import PermissionsModule from "./Permissions.js";

/**
 * The restaking core: DelegationManager, AllocationManager, StrategyManager and StrategyFactory, wired
 * together. Nothing devnet-only: the test token lives in DevnetStake.ts, so the production root
 * (deploy/VCloudProduction.ts) deploys exactly this.
 *
 * No proxies: the DelegationManager is deployed first, the AllocationManager and StrategyManager take its
 * address in their constructors, and `DelegationManager.setCoreContracts` (owner-only, once) closes the
 * circle. The deployer owns the DelegationManager, StrategyManager and StrategyFactory; the production root
 * hands them to the governance timelock (GovernanceHandoff.ts). Governance of the AllocationManager and of
 * strategy deposit caps is the pauser registry's unpauser (the timelock in production).
 * Delays are in blocks (see deploy/parameters/*.json); defaults are EigenLayer mainnet's.
 */
export default buildModule("Restaking", (m) => {
  const { pauserRegistry } = m.useModule(PermissionsModule);
  const deployer = m.getAccount(0);
  const minWithdrawalDelayBlocks = m.getParameter("minWithdrawalDelayBlocks", 100_800);
  const deallocationDelay = m.getParameter("deallocationDelay", 100_800);
  const allocationConfigurationDelay = m.getParameter("allocationConfigurationDelay", 126_000);
  const slashResolutionDelayBlocks = m.getParameter("slashResolutionDelayBlocks", 50_400);

  const delegationManager = m.contract("DelegationManager", [pauserRegistry, deployer, minWithdrawalDelayBlocks]);
  const allocationManager = m.contract("AllocationManager", [
    delegationManager,
    pauserRegistry,
    deallocationDelay,
    allocationConfigurationDelay,
  ]);
  const strategyManager = m.contract("StrategyManager", [
    delegationManager,
    pauserRegistry,
    deployer,
    slashResolutionDelayBlocks,
  ]);
  const strategyFactory = m.contract("StrategyFactory", [strategyManager, pauserRegistry, deployer]);
  const wired = m.call(delegationManager, "setCoreContracts", [strategyManager, allocationManager]);
  m.call(strategyManager, "setStrategyWhitelister", [strategyFactory], { after: [wired] });

  return {
    delegationManager,
    allocationManager,
    strategyManager,
    strategyFactory,
  };
});
