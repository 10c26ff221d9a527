import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { HANDED_OVER, HANDOFF_SALT, ZERO_PREDECESSOR } from "../../keepers/governance/handoff.js";
import AgentsModule from "./Agents.js";
import EigenModule from "./Eigen.js";
import FeesModule from "./Fees.js";
import PermissionsModule from "./Permissions.js";
import RestakingModule from "./Restaking.js";
import SlashersModule from "./Slashers.js";

/**
 * Production only: hands the stack to the GovernanceTimelock once every other module has finished its
 * owner-only wiring.
 *
 * 1. Every Ownable2Step contract (keepers/governance/handoff.ts `HANDED_OVER`) offers its ownership to the
 *    timelock (`transferOwnership`; the deployer stays owner until the timelock accepts).
 * 2. The deployer, a timelock proposer, schedules one batch of `acceptOwnership` calls with the timelock's
 *    minimum delay; after it, any executor runs it (`vcloud governance execute`).
 * 3. The pauser registry's unpauser (governance of the AllocationManager, deposit caps and unpausing)
 *    becomes the timelock at once.
 * The Ownable contracts of the Eigen module (bEIGEN, the fork registry and factory) are owned by the
 * timelock from their constructors.
 */
export default buildModule("GovernanceHandoff", (m) => {
  const { pauserRegistry } = m.useModule(PermissionsModule);
  const restaking = m.useModule(RestakingModule);
  const slashers = m.useModule(SlashersModule);
  const { timelock } = m.useModule(EigenModule);
  const fees = m.useModule(FeesModule);
  const agents = m.useModule(AgentsModule);
  const owned = {
    DelegationManager: restaking.delegationManager,
    StrategyManager: restaking.strategyManager,
    StrategyFactory: restaking.strategyFactory,
    InstantSlasher: slashers.instantSlasher,
    VetoableSlasher: slashers.vetoableSlasher,
    VictimPayout: slashers.victimPayout,
    FeeJar: fees.feeJar,
    ProtocolFee: fees.protocolFee,
    BuybackReleaser: fees.buybackReleaser,
    DutchAuctionReleaser: fees.dutchAuctionReleaser,
    RewardsCoordinator: fees.rewardsCoordinator,
    VcloudValidator: agents.vcloudValidator,
  } as const;
  const wiringDone = [RestakingModule, SlashersModule, EigenModule, FeesModule, AgentsModule];

  const offers = HANDED_OVER.map((name) =>
    m.call(owned[name], "transferOwnership", [timelock], { id: `offer_${name}`, after: wiringDone }),
  );
  const acceptances = HANDED_OVER.map((name) =>
    m.encodeFunctionCall(owned[name], "acceptOwnership", [], { id: `accept_${name}` }),
  );
  const minDelay = m.staticCall(timelock, "getMinDelay", []);
  const scheduled = m.call(
    timelock,
    "scheduleBatch",
    [
      HANDED_OVER.map((name) => owned[name]),
      HANDED_OVER.map(() => 0n),
      acceptances,
      ZERO_PREDECESSOR,
      HANDOFF_SALT,
      minDelay,
    ],
    { id: "scheduleAcceptance", after: offers },
  );
  m.call(pauserRegistry, "setUnpauser", [timelock], { id: "unpauserToTimelock", after: [scheduled] });
  return { timelock };
});
