import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import PermissionsModule from "./Permissions.js";

/**
 * The restaking core: DelegationManager, AllocationManager, StrategyManager and StrategyFactory, wired
 * together. No proxies: the DelegationManager is deployed first, the AllocationManager and StrategyManager
 * take its address in their constructors, and `DelegationManager.setCoreContracts` (owner-only, once)
 * closes the circle. The deployer owns the DelegationManager, StrategyManager and StrategyFactory; hand them
 * to governance with `transferOwnership` + `acceptOwnership` (Ownable2Step) in production.
 * Delays are in blocks (see deploy/parameters/*.json).
 */
const RestakingModule = buildModule("Restaking", (m) => {
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
  return { delegationManager, allocationManager, strategyManager, strategyFactory };
});

/**
 * Devnet only: a mintable test token (`VcloudTestToken`, minted by the deployer) and its strategy
 * (`TestTokenStrategy`) with deposit caps, so the devnet has something to stake.
 */
export const RestakingDevnetModule = buildModule("RestakingDevnet", (m) => {
  const core = m.useModule(RestakingModule);
  const deployer = m.getAccount(0);
  const maxPerDeposit = m.getParameter("testStrategyMaxPerDeposit", 10n ** 24n);
  const maxTotalDeposits = m.getParameter("testStrategyMaxTotalDeposits", 10n ** 27n);
  const vcloudTestToken = m.contract("VcloudTestToken", ["vcloud Test Token", "VCT", deployer]);
  // After the whole core module, so the factory is already the StrategyManager's whitelister.
  const deployed = m.call(core.strategyFactory, "deployNewStrategy", [vcloudTestToken], {
    after: [RestakingModule],
  });
  const strategyAddress = m.readEventArgument(deployed, "StrategySetForToken", "strategy");
  const testTokenStrategy = m.contractAt("StrategyBase", strategyAddress, { id: "TestTokenStrategy" });
  // The unpauser (governance) sets caps; on the devnet that is the deployer.
  m.call(testTokenStrategy, "setTVLLimits", [maxPerDeposit, maxTotalDeposits]);
  return { ...core, vcloudTestToken, testTokenStrategy };
});

export default RestakingModule;
