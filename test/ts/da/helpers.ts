import { FIELD_ELEMENTS_PER_BLOB } from "../../../keepers/da/framing.js";
import { loadKzg } from "../../../keepers/da/kzg.js";

/** Deterministic PRNG (mulberry32) so property tests replay exactly. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    bytes: (n: number) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256)),
    /** k distinct values from 0..n-1. */
    sample: (n: number, k: number) => {
      const all = Array.from({ length: n }, (_, i) => i);
      for (let i = 0; i < k; i++) {
        const j = i + Math.floor(next() * (n - i));
        [all[i], all[j]] = [all[j]!, all[i]!];
      }
      return all.slice(0, k);
    },
  };
}

/** A blob of random canonical field elements (top byte of each element below 0x73). */
export function randomBlob(r: ReturnType<typeof rng>): Uint8Array {
  const blob = r.bytes(FIELD_ELEMENTS_PER_BLOB * 32);
  for (let i = 0; i < FIELD_ELEMENTS_PER_BLOB; i++) blob[i * 32] = blob[i * 32]! % 0x73;
  return blob;
}

/** Tests load the setup without FK20 tables: less memory, same results. */
export function testKzg() {
  return loadKzg(0);
}
