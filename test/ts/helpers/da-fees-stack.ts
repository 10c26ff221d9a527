/**
 * The DA fee path of a deployment on top of a DA stack: a fee jar behind the protocol fee, a RewardsCoordinator,
 * WETH and a DAFeeDistributor that the certificate registry forwards the operators' share to (as
 * deploy/modules/DataAvailability.ts wires them), so `confirmBlob` pays exactly what a deployed one pays.
 */
import type { Address } from "viem";

import type { deployDaStack } from "./da-stack.js";

type DaStack = Awaited<ReturnType<typeof deployDaStack>>;

export type DaFeePath = { distributor: Address; rewardsCoordinator: Address; weth: Address; feeJar: Address };

/** Deploys and wires the fee path; `keeper` is the account allowed to distribute ended periods. */
export async function deployDaFeePath(stack: DaStack, keeper: Address, periodSeconds: number): Promise<DaFeePath> {
  const { viem, governance, avs } = stack;
  const jar = await viem.deployContract("FeeJar", [
    governance.account.address,
    "0x0000000000000000000000000000000000000000",
  ]);
  const protocolFee = await viem.deployContract("ProtocolFee", [governance.account.address, jar.address, 2000]);
  const rc = await viem.deployContract("RewardsCoordinator", [
    governance.account.address,
    governance.account.address,
    {
      allocationManager: stack.core.allocationManager.address,
      protocolFee: protocolFee.address,
      calculationIntervalSeconds: periodSeconds,
      maxRewardsDuration: 70 * periodSeconds,
      maxRetroactiveLength: 30 * periodSeconds,
      maxFutureLength: 30 * periodSeconds,
      activationDelay: 3600,
      operatorSplitDelay: 7 * periodSeconds,
    },
  ]);
  const wrapped = await viem.deployContract("WrappedEther", []);
  const dist = await viem.deployContract("DAFeeDistributor", [
    {
      governance: governance.account.address,
      registry: stack.registry.address,
      registrar: stack.registrar.address,
      rewardsCoordinator: rc.address,
      weth: wrapped.address,
      distributor: keeper,
      periodSeconds,
    },
  ]);
  await stack.registry.write.setFeeDistributor([dist.address], { account: governance.account });
  await rc.write.setRewardsSubmitter([dist.address, true], { account: avs.account });
  return { distributor: dist.address, rewardsCoordinator: rc.address, weth: wrapped.address, feeJar: jar.address };
}
