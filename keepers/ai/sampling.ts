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

  /** Chooses from the full vocabulary's logits (index = token id). */
  next(logits: Float32Array): number {
    const ids = Array.from({ length: logits.length }, (_, i) => i);
    return this.nextFrom(ids, logits);
  }

  /**
   * Chooses among candidate tokens `ids` with logits `values` (same order). With the full vocabulary
   * this is `next`; with the engine's top-64 commitment the candidates are those 64 tokens.
   */
  nextFrom(ids: readonly number[], values: Float32Array): number {
    const { temperatureMilli, topK } = this.sampling;
    let order = ids.map((id, i) => ({ id, logit: values[i]! }));
    if (temperatureMilli === 0) {
      let best = order[0]!;
      for (const c of order) if (c.logit > best.logit || (c.logit === best.logit && c.id < best.id)) best = c;
      return best.id;
    }
    if (topK > 0 && topK < order.length) {
      order.sort((a, b) => b.logit - a.logit || a.id - b.id);
      order = order.slice(0, topK);
    }
    order.sort((a, b) => a.id - b.id);
    let max = -Infinity;
    for (const c of order) max = Math.max(max, c.logit);
    const scale = 1000 / temperatureMilli;
    const weights = order.map((c) => Math.exp((c.logit - max) * scale));
    const total = weights.reduce((a, b) => a + b, 0);
    const u = this.prng.nextFloat() * total;
    let acc = 0;
    for (let k = 0; k < order.length; k++) {
      acc += weights[k]!;
      if (u < acc) return order[k]!.id;
    }
    return order[order.length - 1]!.id;
  }
}
