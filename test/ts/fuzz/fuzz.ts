/**
 * Shared pieces of the input fuzzers: a seeded PRNG, byte and JSON mutators, and the run count.
 * CI runs `FUZZ_RUNS` inputs per surface (default 2,000); the deep profile sets VCLOUD_FUZZ_RUNS=100000.
 * Every run is deterministic: the seed is fixed, so a failure names the input index to replay.
 */

/** Inputs per fuzzed surface: VCLOUD_FUZZ_RUNS, default 2,000. */
export const FUZZ_RUNS = (() => {
  const raw = process.env.VCLOUD_FUZZ_RUNS;
  if (raw === undefined || raw === "") return 2_000;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`VCLOUD_FUZZ_RUNS must be a positive integer, got ${raw}`);
  return n;
})();

/**
 * Per-test time limit of the fuzz tests whose size follows FUZZ_RUNS: vitest's default 120 s in CI (a few
 * hundred to 2,000 inputs), two hours with a larger VCLOUD_FUZZ_RUNS (the deep profile's 100,000 inputs run
 * for minutes on a loaded machine).
 */
export const FUZZ_TIMEOUT_MS = FUZZ_RUNS > 2_000 ? 2 * 60 * 60_000 : 120_000;

/** mulberry32: a small deterministic PRNG. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x20, 0x40];

/**
 * One to four random edits of `input` (bit flip, byte set, interesting byte, truncation, extension,
 * insertion, deletion, block duplication). The result always differs from the input.
 */
export function mutateBytes(input: Uint8Array, rng: Rng): Uint8Array {
  for (;;) {
    let out = Uint8Array.from(input);
    const edits = 1 + rng.int(4);
    for (let e = 0; e < edits; e++) {
      const pos = out.length === 0 ? 0 : rng.int(out.length);
      switch (rng.int(8)) {
        case 0:
          if (out.length) out[pos]! ^= 1 << rng.int(8);
          break;
        case 1:
          if (out.length) out[pos] = rng.int(256);
          break;
        case 2:
          if (out.length) out[pos] = rng.pick(INTERESTING);
          break;
        case 3:
          out = out.slice(0, pos);
          break;
        case 4: {
          const tail = rng.bytes(1 + rng.int(16));
          const grown = new Uint8Array(out.length + tail.length);
          grown.set(out);
          grown.set(tail, out.length);
          out = grown;
          break;
        }
        case 5: {
          const ins = rng.bytes(1 + rng.int(4));
          out = Uint8Array.from([...out.subarray(0, pos), ...ins, ...out.subarray(pos)]);
          break;
        }
        case 6:
          out = Uint8Array.from([...out.subarray(0, pos), ...out.subarray(pos + 1 + rng.int(8))]);
          break;
        case 7: {
          const len = Math.min(1 + rng.int(16), out.length - pos);
          if (len > 0) out = Uint8Array.from([...out.subarray(0, pos + len), ...out.subarray(pos)]);
          break;
        }
      }
    }
    if (out.length !== input.length || out.some((b, i) => b !== input[i])) return out;
  }
}

/** A random JSON value of bounded depth and size. */
export function randomJson(rng: Rng, depth = 3): unknown {
  const kind = rng.int(depth > 0 ? 9 : 7);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.int(2) === 0;
    case 2:
      return rng.pick([0, -1, 1, 2, 4, 8, 64, 128, 2 ** 31, 2 ** 53, -(2 ** 53), 1.5, 1e308, -0]);
    case 3:
      return rng.int(1_000_000);
    case 4:
      return rng.pick(["", "0x", "0x00", "abc", "\u0000", "vcloud-da-manifest/1", "0x" + "ab".repeat(48)]);
    case 5:
      return "0x" + Buffer.from(rng.bytes(rng.int(64))).toString("hex");
    case 6:
      return Buffer.from(rng.bytes(rng.int(32))).toString("base64");
    case 7:
      return Array.from({ length: rng.int(4) }, () => randomJson(rng, depth - 1));
    default:
      return Object.fromEntries(
        Array.from({ length: rng.int(4) }, () => [
          rng.pick(["a", "format", "ratio", "blobs", "0", ""]),
          randomJson(rng, depth - 1),
        ]),
      );
  }
}

/**
 * Mutates a JSON document structurally: replaces, removes or perturbs one to three values at random
 * paths (numbers nudged by ±1, doubled, negated; strings truncated or given a bad character).
 */
export function mutateJson(input: unknown, rng: Rng): unknown {
  const copy = structuredClone(input);
  const edits = 1 + rng.int(3);
  let out: unknown = copy;
  for (let e = 0; e < edits; e++) out = editAt(out, rng);
  return out;
}

function editAt(value: unknown, rng: Rng): unknown {
  const container = value !== null && typeof value === "object";
  if (!container || rng.int(4) === 0) return perturb(value, rng);
  if (Array.isArray(value)) {
    if (value.length === 0 || rng.int(6) === 0) return [...value, randomJson(rng, 1)];
    const i = rng.int(value.length);
    if (rng.int(6) === 0) return value.filter((_, j) => j !== i);
    const next = [...value];
    next[i] = editAt(value[i], rng);
    return next;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 0) return { x: randomJson(rng, 1) };
  const key = rng.pick(keys);
  if (rng.int(8) === 0) {
    const { [key]: _dropped, ...rest } = obj;
    return rest;
  }
  return { ...obj, [key]: editAt(obj[key], rng) };
}

function perturb(value: unknown, rng: Rng): unknown {
  if (typeof value === "number") {
    return rng.pick([value + 1, value - 1, value * 2, -value, 0, value + 0.5, Number.MAX_SAFE_INTEGER + 2]);
  }
  if (typeof value === "string") {
    if (value.length > 0 && rng.int(2) === 0) return value.slice(0, rng.int(value.length));
    const pos = rng.int(value.length + 1);
    return value.slice(0, pos) + rng.pick(["g", "Z", " ", "0x", "\u00ff"]) + value.slice(pos);
  }
  return randomJson(rng, 2);
}
