import { keccak_256 } from "@noble/hashes/sha3.js";

/**
 * A seeded pseudo-random generator (xoshiro128**, Blackman & Vigna) whose 128-bit state is the first
 * 16 bytes of keccak256(domain || seed as 32-byte big-endian). Pure 32-bit integer arithmetic
 * (`Math.imul`, shifts), so every JavaScript engine on every CPU produces the same stream.
 *
 * Used for model weights (`vcloud ai model create`) and for seeded sampling in the engine; the domain
 * string keeps those streams apart.
 */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(domain: string, seed: bigint) {
    if (seed < 0n || seed >= 1n << 256n) throw new RangeError(`seed must be a uint256, got ${seed}`);
    const input = new Uint8Array(domain.length + 32);
    input.set(new TextEncoder().encode(domain), 0);
    const seedBytes = seed.toString(16).padStart(64, "0");
    for (let i = 0; i < 32; i++) input[domain.length + i] = parseInt(seedBytes.slice(2 * i, 2 * i + 2), 16);
    const digest = keccak_256(input);
    const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
    this.s0 = view.getUint32(0, true);
    this.s1 = view.getUint32(4, true);
    this.s2 = view.getUint32(8, true);
    this.s3 = view.getUint32(12, true);
    // xoshiro must not start from the all-zero state (probability 2^-128, but be exact).
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits (two draws). */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
