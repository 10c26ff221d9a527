/**
 * The shipped shifted trusted setups (keepers/da/setups, made by scripts/gen-shifted-setups.ts): each is
 * the ceremony setup for the secret s_e = g^-e tau (g the primitive 32768-th root of unity), so the coset
 * polynomial q(x) = p(g^e x) commits under it to p's standard commitment C, and its cells' proofs verify
 * against C under that setup and under no other.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";

import { bls12_381 } from "@noble/curves/bls12-381.js";
import { beforeAll, describe, expect, it } from "vitest";

import { InvalidCodingParamsError } from "../../../keepers/da/errors.js";
import {
  bitReverse,
  fft,
  inv,
  pow,
  readElements,
  rootOfUnity,
  scaleCoefficients,
  writeElements,
} from "../../../keepers/da/field.js";
import { kzgForCoset, SHIFTED_SETUP_EXPONENTS, shiftedSetupPath, type Kzg } from "../../../keepers/da/kzg.js";
import { randomBlob, rng, testKzg } from "./helpers.js";

const require = createRequire(import.meta.url);
const G1 = bls12_381.G1.Point;
const G2 = bls12_381.G2.Point;
const words = (path: string) => readFileSync(path, "utf8").split(/\s+/).filter(Boolean);
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
const g = rootOfUnity(32768);

/** q(x) = p(g^e x) as a blob (bit-reversed evaluations on the 4096-point domain). */
function shiftedBlob(blob: Uint8Array, exponent: number): Uint8Array {
  const coeffs = fft(bitReverse(readElements(blob, 4096).values), true);
  return writeElements(bitReverse(fft(scaleCoefficients(coeffs, pow(g, BigInt(exponent))))));
}

describe("shifted trusted setups", () => {
  let standard: Kzg;
  const setups = new Map<number, Kzg>();
  beforeAll(() => {
    standard = testKzg();
    for (const e of SHIFTED_SETUP_EXPONENTS) setups.set(e, kzgForCoset(8, e));
  }, 120_000);

  it("are c-kzg files for the secret g^-e tau: generators first, [s]_1 = g^-e [tau]_1, and e([s]_1, G2) = e(G1, [s]_2)", () => {
    const std = words(resolve(dirname(require.resolve("c-kzg/package.json")), "deps/c-kzg/trusted_setup.txt"));
    const stdTau1 = G1.fromHex(std[2 + 4096 + 65 + 1]!);
    for (const e of SHIFTED_SETUP_EXPONENTS) {
      const w = words(shiftedSetupPath(e));
      expect(w.slice(0, 2)).toEqual(["4096", "65"]);
      expect(w).toHaveLength(2 + 4096 + 65 + 4096);
      const g2 = w.slice(2 + 4096, 2 + 4096 + 65);
      const g1Monomial = w.slice(2 + 4096 + 65);
      expect(G1.fromHex(g1Monomial[0]!).equals(G1.BASE)).toBe(true);
      expect(G2.fromHex(g2[0]!).equals(G2.BASE)).toBe(true);
      const s1 = G1.fromHex(g1Monomial[1]!);
      expect(s1.equals(stdTau1.multiply(inv(pow(g, BigInt(e)))))).toBe(true);
      const lhs = bls12_381.pairing(s1, G2.BASE);
      const rhs = bls12_381.pairing(G1.BASE, G2.fromHex(g2[1]!));
      expect(bls12_381.fields.Fp12.eql(lhs, rhs)).toBe(true);
    }
  });

  it("commit q(x) = p(g^e x) to p's standard commitment, and its cell proofs verify against C under setup e only", () => {
    const r = rng(31);
    for (let b = 0; b < 2; b++) {
      const blob = randomBlob(r);
      const c = standard.blobToKzgCommitment(blob);
      for (const e of SHIFTED_SETUP_EXPONENTS) {
        const kzg = setups.get(e)!;
        const q = shiftedBlob(blob, e);
        expect(same(kzg.blobToKzgCommitment(q), c)).toBe(true);
        expect(same(standard.blobToKzgCommitment(q), c)).toBe(false);
        const [cells, proofs] = kzg.computeCellsAndKzgProofs(q);
        const [standardCells] = standard.computeCellsAndKzgProofs(q);
        expect(cells.every((cell, i) => same(cell, standardCells[i]!))).toBe(true);
        const indices = cells.map((_, i) => i);
        const commitments = cells.map(() => c);
        expect(kzg.verifyCellKzgProofBatch(commitments, indices, cells, proofs)).toBe(true);
        for (const other of [standard, ...SHIFTED_SETUP_EXPONENTS.filter((x) => x !== e).map((x) => setups.get(x)!)]) {
          expect(other.verifyCellKzgProofBatch(commitments, indices, cells, proofs)).toBe(false);
        }
      }
    }
  });

  it("are separate addon instances, shared between ratios 4 and 8, and only for cosets that exist", () => {
    expect(kzgForCoset(8, 0)).toBe(standard);
    expect(new Set([standard, ...setups.values()]).size).toBe(4);
    expect(kzgForCoset(4, 1)).toBe(setups.get(2));
    expect(kzgForCoset(8, 3)).toBe(setups.get(3));
    expect(() => kzgForCoset(8, 4)).toThrow(InvalidCodingParamsError);
    expect(() => kzgForCoset(4, 2)).toThrow(/no shifted setup for coset 2 of ratio 4/);
  });
});
