import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import RestakingModule from "./Restaking.js";

/**
 * Devnet stake: a mintable test token (`VcloudTestToken`, minted by the deployer) and its strategy
 * (`TestTokenStrategy`, uncapped; the unpauser may call setTVLLimits), deployed through the strategy
 * factory so the devnet has something to restake. Only the devnet root (deploy/VCloud.ts) uses it.
 */
const DevnetStakeModule = buildModule("DevnetStake", (m) => {
  const { strategyFactory } = m.useModule(RestakingModule);
  const deployer = m.getAccount(0);
  const vcloudTestToken = m.contract("VcloudTestToken", ["vcloud Test Token", "VCT", deployer]);
  // The factory may only deploy once it is the strategy manager's whitelister (set in the Restaking module).
  const deployed = m.call(strategyFactory, "deployNewStrategy", [vcloudTestToken], { after: [RestakingModule] });
  const strategyAddress = m.readEventArgument(deployed, "StrategySetForToken", "strategy");
  const testTokenStrategy = m.contractAt("StrategyBase", strategyAddress, { id: "TestTokenStrategy" });
  return { vcloudTestToken, testTokenStrategy };
});

export default DevnetStakeModule;

/** The restaking core with the devnet stake, for tests and tools that deploy the core on its own. */
export const DevnetCoreModule = buildModule("DevnetCore", (m) => ({
  ...m.useModule(RestakingModule),
  ...m.useModule(DevnetStakeModule),
}));
