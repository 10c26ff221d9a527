import type { Sampling } from "./engine.js";
import { Prng } from "./prng.js";

/**
 * Token selection from raw logits, implemented here rather than in llama.cpp so that it is part of the
 * pinned, reviewable computation:
 *
 * - greedy (temperatureMilli = 0): the largest logit, the lowest token id on ties;
 * - seeded: candidates = all tokens, or the top K by (logit desc, id asc); weights
 *   w_i = exp((l_i - max) * 1000 / temperatureMilli) in float64; u = one 53-bit draw from the
 *   request's sampling stream (Prng("vcloud-ai-sample-v1", seed)) times the total weight; the first
 *   candidate, in id order, whose cumulative weight exceeds u. Math.exp in V8 is a software
 *   port of fdlibm, so the result does not depend on the CPU.
 */
export const SAMPLING_DOMAIN = "vcloud-ai-sample-v1";

export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  return best;
}

export class Sampler {
  private readonly prng: Prng;

  constructor(
    readonly sampling: Sampling,
    seed: bigint,
  ) {
    this.prng = new Prng(SAMPLING_DOMAIN, seed);
  }

  next(logits: Float32Array): number {
    const { temperatureMilli, topK } = this.sampling;
    if (temperatureMilli === 0) return argmax(logits);
    let candidates: number[] = Array.from({ length: logits.length }, (_, i) => i);
    if (topK > 0 && topK < logits.length) {
      candidates.sort((a, b) => logits[b]! - logits[a]! || a - b);
      candidates = candidates.slice(0, topK).sort((a, b) => a - b);
    }
    let max = -Infinity;
    for (const i of candidates) max = Math.max(max, logits[i]!);
    const scale = 1000 / temperatureMilli;
    const weights = candidates.map((i) => Math.exp((logits[i]! - max) * scale));
    const total = weights.reduce((a, b) => a + b, 0);
    const u = this.prng.nextFloat() * total;
    let acc = 0;
    for (let k = 0; k < candidates.length; k++) {
      acc += weights[k]!;
      if (u < acc) return candidates[k]!;
    }
    return candidates[candidates.length - 1]!;
  }
}
