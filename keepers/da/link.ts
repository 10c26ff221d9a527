/**
 * Coset-link proofs. Chunks on coset k >= 1 are proven against C_k, the commitment of q_k(x) = p(g^k x).
 * This proof ties every C_k to the blob commitment C = C_0 with one Fiat-Shamir point z:
 *
 *   z = H("VCLOUD_DA_COSET_LINK_V1", ratio, C_0..C_{m-1}) mod r
 *   y_k = p(g^k z), proven against C_0 at g^k z                          (k = 1..m-1, c-kzg computeKzgProof)
 *   gamma = H("VCLOUD_DA_COSET_LINK_GAMMA_V1", z, y_1..y_{m-1}) mod r
 *   T = sum_k gamma^k q_k, proven at z against sum_k gamma^k C_k to equal sum_k gamma^k y_k
 *
 * If some C_k committed to anything but p(g^k x), the two degree-<4096 polynomials would agree at the
 * random z only with probability 4096 / r (Schwartz-Zippel), and the gamma-combination hides no
 * cancellation except with probability m / r. Verifying costs m single-point KZG checks.
 */
import { createHash } from "node:crypto";

import { bls12_381 } from "@noble/curves/bls12-381.js";

import { cosetShift } from "./coding.js";
import { BLS_MODULUS, elementToBytes, mul, readElement, add } from "./field.js";
import type { Kzg } from "./kzg.js";

export type CosetLink = {
  /** y_k = p(g^k z) for k = 1..m-1, 32 bytes each. */
  values: Uint8Array[];
  /** KZG proofs of y_k against the blob commitment. */
  proofs: Uint8Array[];
  /** KZG proof that sum gamma^k q_k(z) = sum gamma^k y_k against sum gamma^k C_k. */
  combinedProof: Uint8Array;
};

function hashToField(tag: string, parts: readonly Uint8Array[]): bigint {
  const h = createHash("sha256").update(tag);
  for (const p of parts) h.update(p);
  const v = BigInt(`0x${h.digest("hex")}`) % BLS_MODULUS;
  return v === 0n ? 1n : v;
}

export function linkChallenge(ratio: number, commitments: readonly Uint8Array[]): bigint {
  return hashToField("VCLOUD_DA_COSET_LINK_V1", [Uint8Array.of(ratio), ...commitments]);
}

export function linkGamma(z: bigint, values: readonly Uint8Array[]): bigint {
  return hashToField("VCLOUD_DA_COSET_LINK_GAMMA_V1", [elementToBytes(z), ...values]);
}

/**
 * Builds the link proof. `blob` is p's blob; `cosetBlobs[k]` is q_k's blob for k >= 1 (index 0 unused),
 * `cosetValues[k]` its elements as field elements; `commitments[k]` = C_k.
 */
export function proveCosetLink(
  kzg: Kzg,
  ratio: number,
  blob: Uint8Array,
  cosetValues: readonly (readonly bigint[])[],
  commitments: readonly Uint8Array[],
): CosetLink {
  const m = commitments.length;
  const z = linkChallenge(ratio, commitments);
  const values: Uint8Array[] = [];
  const proofs: Uint8Array[] = [];
  for (let k = 1; k < m; k++) {
    const [proof, y] = kzg.computeKzgProof(blob, elementToBytes(mul(cosetShift(ratio, k), z)));
    values.push(y);
    proofs.push(proof);
  }
  const gamma = linkGamma(z, values);
  const combined = new Array<bigint>(4096).fill(0n);
  let g = 1n;
  for (let k = 1; k < m; k++) {
    g = mul(g, gamma);
    const vals = cosetValues[k]!;
    for (let i = 0; i < 4096; i++) combined[i] = add(combined[i]!, mul(g, vals[i]!));
  }
  const combinedBlob = new Uint8Array(4096 * 32);
  const hex = combined.map((v) => v.toString(16).padStart(64, "0")).join("");
  combinedBlob.set(Buffer.from(hex, "hex"));
  const [combinedProof] = kzg.computeKzgProof(combinedBlob, elementToBytes(z));
  return { values, proofs, combinedProof };
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
  if (link.values.length !== m - 1 || link.proofs.length !== m - 1) {
    return `coset link must carry ${m - 1} values and proofs`;
  }
  const z = linkChallenge(ratio, commitments);
  for (let k = 1; k < m; k++) {
    const y = link.values[k - 1]!;
    if (y.length !== 32 || readElement(y, 0) >= BLS_MODULUS) return `coset link value ${k} is not a field element`;
    const ok = opens(kzg, commitments[0]!, elementToBytes(mul(cosetShift(ratio, k), z)), y, link.proofs[k - 1]!);
    if (typeof ok === "string") return `coset link proof ${k} malformed: ${ok}`;
    if (!ok) return `coset link proof ${k} does not open the blob commitment`;
  }
  const gamma = linkGamma(z, link.values);
  const G1 = bls12_381.G1.Point;
  let combined = G1.ZERO;
  let expected = 0n;
  let g = 1n;
  try {
    for (let k = 1; k < m; k++) {
      g = mul(g, gamma);
      combined = combined.add(G1.fromBytes(commitments[k]!).multiply(g));
      expected = add(expected, mul(g, readElement(link.values[k - 1]!, 0)));
    }
  } catch (error) {
    return `coset commitment malformed: ${(error as Error).message}`;
  }
  const ok = opens(kzg, combined.toBytes(true), elementToBytes(z), elementToBytes(expected), link.combinedProof);
  if (typeof ok === "string") return `combined coset proof malformed: ${ok}`;
  return ok ? undefined : "coset commitments are not shifts of the blob polynomial";
}

/** c-kzg verifyKzgProof, with malformed input (not a point, not a field element) reported as a message. */
function opens(kzg: Kzg, c: Uint8Array, z: Uint8Array, y: Uint8Array, proof: Uint8Array): boolean | string {
  try {
    return kzg.verifyKzgProof(c, z, y, proof);
  } catch (error) {
    return (error as Error).message;
  }
}
