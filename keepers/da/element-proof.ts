/**
 * Single-element openings for on-chain fraud proofs: a KZG proof that a blob holds `value` at `index`,
 * checkable by the EIP-4844 point-evaluation precompile (contracts/da/BlobElementVerifier.sol).
 */
import { createHash } from "node:crypto";

import { bytesToHex, type Hex } from "viem";

import { InvalidBlobError } from "./errors.js";
import { bitReversalPermutation, elementToBytes, pow, rootOfUnity } from "./field.js";
import { assertCanonicalBlob, FIELD_ELEMENTS_PER_BLOB } from "./framing.js";
import { loadKzg } from "./kzg.js";

export type ElementProof = { index: number; z: Hex; value: Hex; proof: Hex };

/** w^brp(index): the evaluation point of blob element `index` (same as BlobElements.evaluationPoint). */
export function evaluationPoint(index: number): bigint {
  if (!Number.isInteger(index) || index < 0 || index >= FIELD_ELEMENTS_PER_BLOB) {
    throw new InvalidBlobError("index", `must be an integer 0..${FIELD_ELEMENTS_PER_BLOB - 1}, got ${index}`);
  }
  return pow(rootOfUnity(FIELD_ELEMENTS_PER_BLOB), BigInt(bitReversalPermutation(FIELD_ELEMENTS_PER_BLOB)[index]!));
}

/** Proves the blob's element at `index`; `value` equals the blob's 32 bytes at that position. */
export function proveElement(blob: Uint8Array, index: number): ElementProof {
  assertCanonicalBlob(blob);
  const z = elementToBytes(evaluationPoint(index));
  const [proof, value] = loadKzg().computeKzgProof(blob, z);
  return { index, z: bytesToHex(z), value: bytesToHex(value), proof: bytesToHex(proof) };
}

/** The EIP-4844 versioned hash of a commitment: 0x01 || sha256(commitment)[1:]. */
export function versionedHash(commitment: Uint8Array): Hex {
  const digest = createHash("sha256").update(commitment).digest();
  digest[0] = 0x01;
  return bytesToHex(digest);
}
