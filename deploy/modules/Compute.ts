import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import DevnetStakeModule from "./DevnetStake.js";
import FeesModule from "./Fees.js";
import RestakingModule from "./Restaking.js";

const WAD = 10n ** 18n;

/**
 * vcloud's TEE compute AVS: the BLS registrar of the compute operator set (its own AVS address, since the
 * AllocationManager calls one registrar per AVS), the app registry (program digests and allowed measurements,
 * upgrades after a delay) and the task mailbox (tasks, certified results, fee split to the fee jar; it is the
 * set's slasher for missed SLAs and refuted outputs; its execution timeout, parameter
 * `executionTimeoutSeconds`, is set here). The AVS account then creates the operator set with the
 * mailbox as slasher and points the AllocationManager at the registrar (keepers/da-network/setup.ts
 * `createBlsOperatorSet`; on the devnet the story step `keepers/devnet/steps/tee-compute.ts` does it).
 */
export default buildModule("Compute", (m) => {
  const restaking = m.useModule(RestakingModule);
  const stake = m.useModule(DevnetStakeModule);
  const { feeJar } = m.useModule(FeesModule);
  const avs = m.getParameter("avs", m.getAccount(16));
  const governance = m.getAccount(0);
  const registrar = m.contract(
    "BLSAVSRegistrar",
    [restaking.allocationManager, avs, 0, [{ strategy: stake.testTokenStrategy, multiplier: WAD }]],
    { id: "ComputeRegistrar" },
  );
  const appRegistry = m.contract("AppRegistry", [m.getParameter("upgradeDelaySeconds", 3600)]);
  const taskMailbox = m.contract("TaskMailbox", [
    {
      registrar,
      appRegistry,
      governance,
      thresholdBps: m.getParameter("thresholdBps", 6000),
      protocolFeeBps: m.getParameter("protocolFeeBps", 2000),
      feeJar,
      minTaskFee: m.getParameter("minTaskFee", 10n ** 15n),
      maxTaskSla: m.getParameter("maxTaskSlaSeconds", 3600),
      maxReferenceAge: m.getParameter("maxReferenceAge", 300),
      missedSlaSlashWad: m.getParameter("missedSlaSlashWad", WAD / 10n),
      wrongResultSlashWad: m.getParameter("wrongResultSlashWad", WAD / 2n),
    },
  ]);
  // An executor that accepted a task has this long to get its result certified before the dispatcher takes
  // the task from it on-chain (`reassignTask`: slashed, the next executor runs it). Tasks with a shorter SLA
  // are only slashed at expiry. 0 turns reassignment before expiry off.
  m.call(taskMailbox, "setExecutionTimeout", [m.getParameter("executionTimeoutSeconds", 300)]);
  return { computeRegistrar: registrar, appRegistry, taskMailbox };
});
