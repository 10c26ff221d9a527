/**
 * Reads the DA operator set as it was at a reference block: members (AllocationManager), their weights
 * (the registrar's stake table, unique slashable stake), sockets and BLS keys. Everyone in the flow
 * (disperser, nodes, retriever) derives the chunk assignment from this same snapshot.
 */
import type { Address, Chain, PublicClient, Transport } from "viem";

import {
  bLSApkRegistryAbi,
  bLSAVSRegistrarAbi,
  blobCertificateRegistryAbi,
  iAllocationManagerAbi,
  operatorStakeTableAbi,
} from "../lib/abis.js";
import type { SolG1 } from "../bls/bls.js";

export type SetMember = { operator: Address; stake: bigint; socket: string; pubkey: SolG1; pubkeyHash: `0x${string}` };

export type OperatorSetSnapshot = {
  referenceBlock: number;
  /** Every member at the reference block (also those with zero weight: they are in the aggregate key). */
  members: SetMember[];
  totalStake: bigint;
  apkRegistry: Address;
  stakeTable: Address;
};

export async function readOperatorSet(params: {
  publicClient: PublicClient<Transport, Chain>;
  registrar: Address;
  referenceBlock: number;
}): Promise<OperatorSetSnapshot> {
  const { publicClient, registrar } = params;
  const blockNumber = BigInt(params.referenceBlock);
  const read = <T>(address: Address, abi: readonly unknown[], functionName: string, args: unknown[] = []) =>
    publicClient.readContract({ address, abi, functionName, args, blockNumber } as never) as Promise<T>;
  const [allocationManager, avs, operatorSetId, apkRegistry, stakeTable] = await Promise.all([
    read<Address>(registrar, bLSAVSRegistrarAbi, "allocationManager"),
    read<Address>(registrar, bLSAVSRegistrarAbi, "avs"),
    read<number>(registrar, bLSAVSRegistrarAbi, "operatorSetId"),
    read<Address>(registrar, bLSAVSRegistrarAbi, "apkRegistry"),
    read<Address>(registrar, bLSAVSRegistrarAbi, "stakeTable"),
  ]);
  const operators = await read<Address[]>(allocationManager, iAllocationManagerAbi, "getMembers", [
    { avs, id: operatorSetId },
  ]);
  const members = await Promise.all(
    operators.map(async (operator) => {
      const [stake, socket, [pubkey, pubkeyHash]] = await Promise.all([
        read<bigint>(stakeTable, operatorStakeTableAbi, "operatorStakeAt", [operator, params.referenceBlock]),
        // Sockets are where to reach the operator now, not security state: read them at the latest block.
        publicClient.readContract({
          address: registrar,
          abi: bLSAVSRegistrarAbi,
          functionName: "socketOf",
          args: [operator],
        }) as Promise<string>,
        read<[SolG1, `0x${string}`]>(apkRegistry, bLSApkRegistryAbi, "getRegisteredPubkey", [operator]),
      ]);
      return { operator, stake, socket, pubkey, pubkeyHash };
    }),
  );
  return {
    referenceBlock: params.referenceBlock,
    members,
    totalStake: members.reduce((sum, m) => sum + m.stake, 0n),
    apkRegistry,
    stakeTable,
  };
}

/** Stake shares (integer percent) a certificate needs signed, and the share assumed adversarial. */
export type DaThresholds = { confirmationThreshold: number; adversaryThreshold: number };

/**
 * The thresholds governance set on the BlobCertificateRegistry, in whole percent rounded up, so that a
 * disperser never posts a certificate the registry would refuse and the assignment check never assumes
 * fewer adversaries than the registry does (e.g. 5550 bps reads as 56%).
 */
export async function readThresholds(params: {
  publicClient: PublicClient<Transport, Chain>;
  certificateRegistry: Address;
}): Promise<DaThresholds> {
  const read = (functionName: "confirmationThresholdBps" | "adversaryThresholdBps") =>
    params.publicClient.readContract({
      address: params.certificateRegistry,
      abi: blobCertificateRegistryAbi,
      functionName,
    }) as Promise<number>;
  const [confirmationBps, adversaryBps] = await Promise.all([
    read("confirmationThresholdBps"),
    read("adversaryThresholdBps"),
  ]);
  return {
    confirmationThreshold: Math.ceil(Number(confirmationBps) / 100),
    adversaryThreshold: Math.ceil(Number(adversaryBps) / 100),
  };
}
