/**
 * Coset-link proofs. Chunks on coset k >= 1 are proven against C_k, the commitment of q_k(x) = p(g^k x),
 * with q_0 = p and C_0 the blob commitment. Consecutive cosets are shifts of each other,
 * q_{k+1}(x) = q_k(g x), and one random combination of these m - 1 identities is checked at one random
 * point (Fiat-Shamir over all commitments):
 *
 *   gamma = H("VCLOUD_DA_COSET_LINK_GAMMA_V1", ratio, C_0..C_{m-1}),  z = H("VCLOUD_DA_COSET_LINK_V1", gamma, C_0..C_{m-1})
 *   A = sum_k gamma^k q_{k+1}   (commitment sum_k gamma^k C_{k+1}),   opened at z
 *   B = sum_k gamma^k q_k       (commitment sum_k gamma^k C_k),       opened at g z
 *   accept iff A(z) = B(g z) = the claimed value                        (k = 0..m-2)
 *
 * A(x) - B(g x) = sum_k gamma^k (q_{k+1}(x) - q_k(g x)) is the zero polynomial when every C_k is honest.
 * Otherwise it is non-zero except with probability (m - 2) / r over gamma, and then vanishes at the
 * random z with probability at most 4096 / r (Schwartz-Zippel). So by induction from C_0 every C_k
 * commits to p(g^k x). Cost: two c-kzg openings to prove, two checks (plus 2(m-1) G1 scalings) to verify.
 */
import { createHash } from "node:crypto";

import { bls12_381 } from "@noble/curves/bls12-381.js";

import { cosetShift } from "./coding.js";
import { add, BLS_MODULUS, elementToBytes, mul, readElement, writeElements } from "./field.js";
import type { Kzg } from "./kzg.js";

export type CosetLink = {
  /** A(z) = B(g z), 32 bytes. */
  value: Uint8Array;
  /** KZG proof of A(z) against sum gamma^k C_{k+1}. */
  proofAtZ: Uint8Array;
  /** KZG proof of B(g z) against sum gamma^k C_k. */
  proofAtShiftedZ: Uint8Array;
};

function hashToField(tag: string, parts: readonly Uint8Array[]): bigint {
  const h = createHash("sha256").update(tag);
  for (const p of parts) h.update(p);
  const v = BigInt(`0x${h.digest("hex")}`) % BLS_MODULUS;
  return v === 0n ? 1n : v;
}

/** The Fiat-Shamir challenges (gamma, z) of a blob's commitments. */
export function linkChallenges(ratio: number, commitments: readonly Uint8Array[]): { gamma: bigint; z: bigint } {
  const gamma = hashToField("VCLOUD_DA_COSET_LINK_GAMMA_V1", [Uint8Array.of(ratio), ...commitments]);
  const z = hashToField("VCLOUD_DA_COSET_LINK_V1", [elementToBytes(gamma), ...commitments]);
  return { gamma, z };
}

/** sum_k gamma^k values[first + k] for k = 0..count-1, element-wise over 4096 elements. */
function combine(values: readonly (readonly bigint[])[], first: number, count: number, gamma: bigint): bigint[] {
  const out = new Array<bigint>(4096).fill(0n);
  let g = 1n;
  for (let k = 0; k < count; k++) {
    const vals = values[first + k]!;
    for (let i = 0; i < 4096; i++) out[i] = add(out[i]!, mul(g, vals[i]!));
    g = mul(g, gamma);
  }
  return out;
}

/**
 * Builds the link proof. `cosetValues[k]` holds q_k's blob as field elements (k = 0..m-1, blob order) and
 * `commitments[k]` = C_k.
 */
export function proveCosetLink(
  kzg: Kzg,
  ratio: number,
  cosetValues: readonly (readonly bigint[])[],
  commitments: readonly Uint8Array[],
): CosetLink {
  const m = commitments.length;
  const { gamma, z } = linkChallenges(ratio, commitments);
  const a = writeElements(combine(cosetValues, 1, m - 1, gamma));
  const b = writeElements(combine(cosetValues, 0, m - 1, gamma));
  const [proofAtZ, yA] = kzg.computeKzgProof(a, elementToBytes(z));
  const [proofAtShiftedZ, yB] = kzg.computeKzgProof(b, elementToBytes(mul(cosetShift(ratio, 1), z)));
  if (!Buffer.from(yA).equals(Buffer.from(yB))) throw new Error("coset link: cosets are not shifts (encoder bug)");
  return { value: yA, proofAtZ, proofAtShiftedZ };
}

/** Checks a link proof; returns a reason string when it fails, undefined when it holds. */
export function checkCosetLink(
  kzg: Kzg,
  ratio: number,
  commitments: readonly Uint8Array[],
  link: CosetLink | null,
): string | undefined {
  const m = commitments.length;
  if (m === 1) return link === null ? undefined : "a ratio-2 blob has no coset link";
  if (!link) return "missing coset link proof";
  if (link.value.length !== 32 || readElement(link.value, 0) >= BLS_MODULUS) {
    return "coset link value is not a field element";
  }
  const { gamma, z } = linkChallenges(ratio, commitments);
  const G1 = bls12_381.G1.Point;
  let cA = G1.ZERO;
  let cB = G1.ZERO;
  try {
    const points = commitments.map((c) => G1.fromBytes(c));
    let g = 1n;
    for (let k = 0; k < m - 1; k++) {
      cA = cA.add(points[k + 1]!.multiply(g));
      cB = cB.add(points[k]!.multiply(g));
      g = mul(g, gamma);
    }
  } catch (error) {
    return `coset commitment malformed: ${(error as Error).message}`;
  }
  const atZ = opens(kzg, cA.toBytes(true), elementToBytes(z), link.value, link.proofAtZ);
  if (typeof atZ === "string") return `coset link proof at z malformed: ${atZ}`;
  const shifted = elementToBytes(mul(cosetShift(ratio, 1), z));
  const atShifted = opens(kzg, cB.toBytes(true), shifted, link.value, link.proofAtShiftedZ);
  if (typeof atShifted === "string") return `coset link proof at g z malformed: ${atShifted}`;
  return atZ && atShifted ? undefined : "coset commitments are not shifts of the blob polynomial";
}

/** c-kzg verifyKzgProof, with malformed input (not a point, not a field element) reported as a message. */
function opens(kzg: Kzg, c: Uint8Array, z: Uint8Array, y: Uint8Array, proof: Uint8Array): boolean | string {
  try {
    return kzg.verifyKzgProof(c, z, y, proof);
  } catch (error) {
    return (error as Error).message;
  }
}
