/**
 * The on-chain side of a task result, computed off-chain exactly as TaskMailbox / AppRegistry do: the
 * allowed-measurements hash an app registers, the message the executor set signs for a result, and the
 * aggregate certificate built from the operators' signatures at a reference block.
 */
import type { Signature } from "@chainsafe/blst";
import {
  encodeAbiParameters,
  keccak256,
  stringToHex,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";

import { aggregate, g2ToSol, type SolG1, type SolG2 } from "../bls/bls.js";
import { sortByPubkeyHash } from "../da-network/disperser.js";
import { readOperatorSet } from "../da-network/operator-set.js";
import { bLSApkRegistryAbi } from "../lib/abis.js";
import { VcloudError } from "../lib/errors.js";

/** What the executor set certifies for a task (ITaskMailbox.TaskResult). */
export type MailboxTaskResult = { outputHash: Hex; attestationHash: Hex; outputCertificateId: Hex };

const TASK_RESULT_COMPONENTS = [
  { name: "outputHash", type: "bytes32" },
  { name: "attestationHash", type: "bytes32" },
  { name: "outputCertificateId", type: "bytes32" },
] as const;

/**
 * keccak256 of an allowed measurement set: the canonical JSON of its entries sorted by name, names and
 * values lower-cased (so `{imageDigest: "0x…"}` for dev attestations, `{pcr0, pcr1, pcr2}` for Nitro).
 */
export function measurementsHash(measurements: Readonly<Record<string, string>>): Hex {
  const entries = Object.entries(measurements)
    .map(([k, v]) => [k, v.toLowerCase()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return keccak256(stringToHex(JSON.stringify(entries)));
}

/** keccak256(abi.encode(taskHash, result)): TaskMailbox.getMessageHash. */
export function taskResultMessage(taskHash: Hex, result: MailboxTaskResult): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "tuple", components: TASK_RESULT_COMPONENTS }],
      [taskHash, result],
    ),
  );
}

/** Thrown when no operator signature is usable for a certificate. */
export class NoSignaturesError extends VcloudError {
  override name = "NoSignaturesError";
  constructor(referenceBlock: number) {
    super(`no executor signed the result at reference block ${referenceBlock}`);
  }
}

export type TaskCertificate = {
  referenceBlock: number;
  signature: { nonSignerPubkeys: SolG1[]; apkIndex: bigint; sigma: SolG2 };
  signers: Address[];
  nonSigners: Address[];
  signedStake: bigint;
  totalStake: bigint;
};

/**
 * Builds the certificate for `submitResult` from per-operator signatures over the result message: every
 * member of the set at `referenceBlock` that did not sign is listed as a non-signer (sorted by key hash).
 * The caller checks the signatures first; a wrong one makes the aggregate fail on-chain.
 */
export async function buildTaskCertificate(params: {
  publicClient: PublicClient<Transport, Chain>;
  registrar: Address;
  referenceBlock: number;
  /** Signatures by lower-cased operator address. */
  signatures: ReadonlyMap<string, Signature>;
}): Promise<TaskCertificate> {
  const snapshot = await readOperatorSet(params);
  const signers = snapshot.members.filter((m) => params.signatures.has(m.operator.toLowerCase()));
  const nonSigners = snapshot.members.filter((m) => !params.signatures.has(m.operator.toLowerCase()));
  if (signers.length === 0) throw new NoSignaturesError(params.referenceBlock);
  const apkIndex = (await params.publicClient.readContract({
    address: snapshot.apkRegistry,
    abi: bLSApkRegistryAbi,
    functionName: "getApkIndexAtBlock",
    args: [params.referenceBlock],
  })) as bigint;
  const signedStake = signers.reduce((sum, m) => sum + m.stake, 0n);
  return {
    referenceBlock: params.referenceBlock,
    signature: {
      nonSignerPubkeys: sortByPubkeyHash(nonSigners),
      apkIndex,
      sigma: g2ToSol(aggregate(signers.map((m) => params.signatures.get(m.operator.toLowerCase())!))),
    },
    signers: signers.map((m) => m.operator),
    nonSigners: nonSigners.map((m) => m.operator),
    signedStake,
    totalStake: snapshot.totalStake,
  };
}
