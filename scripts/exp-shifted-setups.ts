/**
 * Experiment behind the shifted-setup encoder (docs/benchmarks.md, "DA encoding"): checks the math on
 * random blobs and measures the CPU per ratio-8 blob of the old path (coset commitments + link openings)
 * against the new one (shifted setups), on this thread with precompute 8.
 *
 *   npx tsx scripts/exp-shifted-setups.ts [--blobs N]
 *
 * Math check, per blob and coset k = 1..3: commitment of q_k's blob under setup k equals C (the blob's
 * commitment under the standard setup); q_k's cells are the same under either setup; its proofs under
 * setup k verify against C with setup k's verifyCellKzgProofBatch, and not under the standard setup.
 */
import { parseArgs } from "node:util";

import { cosetShift } from "../keepers/da/coding.js";
import {
  bitReverse,
  elementToBytes,
  fft,
  readElements,
  scaleCoefficients,
  writeElements,
} from "../keepers/da/field.js";
import { kzgForCoset, loadKzg } from "../keepers/da/kzg.js";
import { rng, randomBlob } from "../test/ts/da/helpers.js";

const { values } = parseArgs({ options: { blobs: { type: "string", default: "4" } } });
const blobs = Number(values.blobs);
const ratio = 8;
const standard = loadKzg(8);
const shiftedKzg = [1, 2, 3].map((k) => kzgForCoset(ratio, k));
const cpuMs = (f: () => void) => {
  const s = process.cpuUsage();
  f();
  const u = process.cpuUsage(s);
  return (u.user + u.system) / 1000;
};
const cosetBlobs = (blob: Uint8Array) => {
  const coeffs = fft(bitReverse(readElements(blob, 4096).values), true);
  return [1, 2, 3].map((k) => writeElements(bitReverse(fft(scaleCoefficients(coeffs, cosetShift(ratio, k))))));
};

const r = rng(7);
let oldMs = 0;
let newMs = 0;
for (let b = 0; b < blobs; b++) {
  const blob = randomBlob(r);
  const c = standard.blobToKzgCommitment(blob);
  const qs = cosetBlobs(blob);
  qs.forEach((q, i) => {
    const kzg = shiftedKzg[i]!;
    if (!Buffer.from(kzg.blobToKzgCommitment(q)).equals(Buffer.from(c))) throw new Error(`coset ${i + 1}: C_k != C`);
    const [cells, proofs] = kzg.computeCellsAndKzgProofs(q);
    const [oldCells] = standard.computeCellsAndKzgProofs(q);
    if (!cells.every((cell, j) => Buffer.from(cell).equals(Buffer.from(oldCells[j]!)))) throw new Error("cells differ");
    const idx = cells.map((_, j) => j);
    const cs = cells.map(() => c);
    if (!kzg.verifyCellKzgProofBatch(cs, idx, cells, proofs)) throw new Error(`coset ${i + 1}: proofs fail`);
    if (standard.verifyCellKzgProofBatch(cs, idx, cells, proofs)) throw new Error("verifies under the wrong setup");
  });
  // Old path: 4 x (commitment + cells) + 2 openings; new: 1 commitment + 4 x cells. Both with the FFTs.
  oldMs += cpuMs(() => {
    const q = cosetBlobs(blob);
    for (const x of [blob, ...q]) {
      standard.blobToKzgCommitment(x);
      standard.computeCellsAndKzgProofs(x);
    }
    for (const x of q.slice(0, 2)) standard.computeKzgProof(x, elementToBytes(12345n));
  });
  newMs += cpuMs(() => {
    const q = cosetBlobs(blob);
    standard.blobToKzgCommitment(blob);
    standard.computeCellsAndKzgProofs(blob);
    q.forEach((x, i) => shiftedKzg[i]!.computeCellsAndKzgProofs(x));
  });
}
console.log(`math holds on ${blobs} random blobs x 3 cosets`);
console.log(`CPU per ratio-8 blob: old ${(oldMs / blobs).toFixed(0)} ms, new ${(newMs / blobs).toFixed(0)} ms`);
