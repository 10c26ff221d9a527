import { createHash } from "node:crypto";

import { bytesToHex, encodeAbiParameters, keccak256, padHex, stringToHex, type Hex } from "viem";

import { ReportDataMismatchError } from "./errors.js";
import type { Platform, VerifiedAttestation } from "./policy.js";

/** Domain separator of the task binding, so a report-data value cannot be replayed in another protocol. */
export const TASK_BINDING_DOMAIN = keccak256(stringToHex("vcloud.tee.task-binding.v1"));

/** What a worker's attestation commits to: which program ran on which input for which task, with what output. */
export type TaskBinding = {
  /** The program bundle's digest (see bundle.ts). */
  imageDigest: Hex;
  /** sha256 of the task input bytes. */
  inputHash: Hex;
  /** sha256 of the output bytes. */
  outputHash: Hex;
  /** The on-chain task hash (the mailbox's id for the task). */
  taskHash: Hex;
};

/** keccak256(abi.encode(domain, imageDigest, inputHash, outputHash, taskHash)) — easy to recompute in Solidity. */
export function taskBindingHash(binding: TaskBinding): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }],
      [TASK_BINDING_DOMAIN, binding.imageDigest, binding.inputHash, binding.outputHash, binding.taskHash],
    ),
  );
}

/**
 * The report data each platform carries for a binding: Nitro user_data and dev = the 32-byte hash; TDX
 * REPORTDATA (64 bytes) = hash || 32 zero bytes; Confidential Space eat_nonce = the hash as 64 lowercase
 * hex characters (nonces are strings of 10..74 characters), reported as its UTF-8 bytes.
 */
export function reportDataFor(platform: Platform, binding: TaskBinding): Hex {
  const hash = taskBindingHash(binding);
  switch (platform) {
    case "aws-nitro":
    case "dev":
      return hash;
    case "intel-tdx":
      return padHex(hash, { size: 64, dir: "right" });
    case "gcp-confidential-space":
      return bytesToHex(Buffer.from(hash.slice(2), "utf8"));
  }
}

/** The nonce string a Confidential Space token request carries for a binding. */
export function confidentialSpaceNonce(binding: TaskBinding): string {
  return taskBindingHash(binding).slice(2);
}

/** Throws unless a verified attestation's report data commits to exactly this binding. */
export function checkTaskBinding(result: VerifiedAttestation, binding: TaskBinding): void {
  const expected = reportDataFor(result.platform, binding);
  if (result.reportData.toLowerCase() !== expected.toLowerCase()) {
    throw new ReportDataMismatchError(expected, result.reportData);
  }
}

/**
 * sha256 of raw bytes, the hash used for task inputs and outputs (native, so hashing a large input costs
 * milliseconds; keccak in JavaScript runs at a few MB/s). Also the EVM's 0x02 precompile.
 */
export function hashBytes(data: Uint8Array): Hex {
  return `0x${createHash("sha256").update(data).digest("hex")}`;
}
