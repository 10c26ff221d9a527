/**
 * Generates the shifted trusted setups the DA encoder uses for cosets k >= 1 (docs/da.md, "Shifted
 * setups"). For the shift exponent e (of g, the primitive 32768-th root of unity) the secret is
 * s_e = g^-e tau, and the file holds, in c-kzg's text format (4096, 65, G1 Lagrange in natural order, G2
 * monomial, G1 monomial):
 *
 *   G1 monomial  [s_e^i]_1 = g^-ei [tau^i]_1            (i < 4096)
 *   G2 monomial  [s_e^i]_2 = g^-ei [tau^i]_2            (i < 65)
 *   G1 Lagrange  [L_j(s_e)]_1 = sum_i w^-ij (g^-ei / 4096) [tau^i]_1   (one inverse G1 DFT, w = g^8)
 *
 * Only public points are scaled: nobody learns tau. A polynomial q(x) = p(g^e x) then commits under s_e to
 * exactly p's commitment under tau. Input is the ceremony setup embedded in c-kzg (never downloaded).
 *
 *   npx tsx scripts/gen-shifted-setups.ts [--shifts 1,2,3]     (about a minute per shift per core)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { bls12_381 } from "@noble/curves/bls12-381.js";

import { SHIFTED_SETUP_EXPONENTS, shiftedSetupPath } from "../keepers/da/kzg.js";
import { inv, mul, pow, rootOfUnity } from "../keepers/da/field.js";

const N = 4096;
const G2_POINTS = 65;
const G1 = bls12_381.G1.Point;
const G2 = bls12_381.G2.Point;
type G1Point = InstanceType<typeof G1>;

const require = createRequire(import.meta.url);
const standardPath = resolve(dirname(require.resolve("c-kzg/package.json")), "deps/c-kzg/trusted_setup.txt");

function parseSetup(text: string) {
  const words = text.split(/\s+/).filter(Boolean);
  if (words[0] !== String(N) || words[1] !== String(G2_POINTS)) throw new Error("unexpected setup header");
  const g1Lagrange = words.slice(2, 2 + N);
  const g2Monomial = words.slice(2 + N, 2 + N + G2_POINTS);
  const g1Monomial = words.slice(2 + N + G2_POINTS, 2 + 2 * N + G2_POINTS);
  if (g1Monomial.length !== N) throw new Error("setup has no G1 monomial points");
  return { g1Lagrange, g2Monomial, g1Monomial };
}

/** out_j = sum_i root^(ij) points_i, radix-2 (projective points, no inversions). */
function dft(points: readonly G1Point[], root: bigint): G1Point[] {
  const n = points.length;
  const bits = Math.log2(n);
  const a = new Array<G1Point>(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    a[r] = points[i]!;
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const w = pow(root, BigInt(n / size));
    const twiddles: bigint[] = [1n];
    for (let j = 1; j < half; j++) twiddles.push(mul(twiddles[j - 1]!, w));
    for (let start = 0; start < n; start += size) {
      for (let j = 0; j < half; j++) {
        const u = a[start + j]!;
        const v = j === 0 ? a[start + j + half]! : a[start + j + half]!.multiplyUnsafe(twiddles[j]!);
        a[start + j] = u.add(v);
        a[start + j + half] = u.subtract(v);
      }
    }
  }
  return a;
}

const hex = (p: { toBytes(compressed?: boolean): Uint8Array }) => Buffer.from(p.toBytes(true)).toString("hex");

export function shiftedSetupText(standard: ReturnType<typeof parseSetup>, exponent: number): string {
  const g = rootOfUnity(32768);
  const shiftInv = inv(pow(g, BigInt(exponent)));
  const scales: bigint[] = [1n];
  for (let i = 1; i < N; i++) scales.push(mul(scales[i - 1]!, shiftInv));
  const g1Monomial = standard.g1Monomial.map((h, i) => G1.fromHex(h).multiplyUnsafe(scales[i]!));
  const g2Monomial = standard.g2Monomial.map((h, i) => G2.fromHex(h).multiplyUnsafe(scales[i]!));
  const nInv = inv(BigInt(N));
  const prescaled = g1Monomial.map((p) => p.multiplyUnsafe(nInv));
  const g1Lagrange = dft(prescaled, inv(rootOfUnity(N)));
  return [String(N), String(G2_POINTS), ...g1Lagrange.map(hex), ...g2Monomial.map(hex), ...g1Monomial.map(hex)].join(
    "\n",
  );
}

if (resolve(process.argv[1] ?? "") === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { shifts: { type: "string" } } });
  const shifts = values.shifts ? values.shifts.split(",").map(Number) : [...SHIFTED_SETUP_EXPONENTS];
  const standard = parseSetup(readFileSync(standardPath, "utf8"));
  for (const e of shifts) {
    if (!(SHIFTED_SETUP_EXPONENTS as readonly number[]).includes(e)) throw new Error(`no shifted setup ${e}`);
    const started = Date.now();
    writeFileSync(shiftedSetupPath(e), `${shiftedSetupText(standard, e)}\n`);
    console.log(`shift ${e}: ${shiftedSetupPath(e)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}
