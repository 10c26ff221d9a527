import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import PermissionsModule from "./Permissions.js";

/**
 * The restaking core: DelegationManager, AllocationManager, StrategyManager and StrategyFactory, wired
 * together, plus a mintable test token (`VcloudTestToken`, minted by the deployer) and its strategy
 * (`TestTokenStrategy`) so the devnet has something to stake.
 *
 * No proxies: the DelegationManager is deployed first, the AllocationManager and StrategyManager take its
 * address in their constructors, and `DelegationManager.setCoreContracts` (owner-only, once) closes the
 * circle. The deployer owns the DelegationManager, StrategyManager and StrategyFactory; hand them to
 * governance with `transferOwnership` + `acceptOwnership` (Ownable2Step) in production. Governance of the
 * AllocationManager and of strategy deposit caps is the pauser registry's unpauser.
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
  const whitelister = m.call(strategyManager, "setStrategyWhitelister", [strategyFactory], { after: [wired] });

  // Devnet stake: a test token and its strategy (uncapped; the unpauser may call setTVLLimits).
  const vcloudTestToken = m.contract("VcloudTestToken", ["vcloud Test Token", "VCT", deployer]);
  const deployed = m.call(strategyFactory, "deployNewStrategy", [vcloudTestToken], { after: [whitelister] });
  const strategyAddress = m.readEventArgument(deployed, "StrategySetForToken", "strategy");
  const testTokenStrategy = m.contractAt("StrategyBase", strategyAddress, { id: "TestTokenStrategy" });

  return {
    delegationManager,
    allocationManager,
    strategyManager,
    strategyFactory,
    vcloudTestToken,
    testTokenStrategy,
  };
});
