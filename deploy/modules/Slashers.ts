import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import RestakingModule from "./Restaking.js";

/**
 * Slashers and the victim payout for one AVS: an InstantSlasher (for objectively proven faults), a
 * VetoableSlasher (requests a veto committee can cancel within `vetoWindowBlocks`, which must be shorter
 * than the AllocationManager's deallocation delay) and a VictimPayout (the redistribution recipient of
 * the AVS's redistributing operator sets). The AVS names the slashers when it creates its operator sets.
 * Parameters: `avs` (default: devnet account 1), `owner` and `vetoCommittee` (default: the deployer, i.e.
 * governance on the devnet), `vetoWindowBlocks`.
 */
const SlashersModule = buildModule("Slashers", (m) => {
  const { allocationManager } = m.useModule(RestakingModule);
  const deployer = m.getAccount(0);
  const avs = m.getParameter("avs", m.getAccount(1));
  const owner = m.getParameter("owner", deployer);
  const vetoCommittee = m.getParameter("vetoCommittee", deployer);
  const vetoWindowBlocks = m.getParameter("vetoWindowBlocks", 50_000);
  const instantSlasher = m.contract("InstantSlasher", [allocationManager, avs, owner]);
  const vetoableSlasher = m.contract("VetoableSlasher", [
    allocationManager,
    avs,
    owner,
    vetoCommittee,
    vetoWindowBlocks,
  ]);
  const victimPayout = m.contract("VictimPayout", [owner]);
  return { instantSlasher, vetoableSlasher, victimPayout };
});

export default SlashersModule;
