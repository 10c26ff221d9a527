/**
 * The native KZG backend: c-kzg (c-kzg-4844 with blst) with the Ethereum KZG ceremony setup embedded in
 * the installed package (never fetched). c-kzg and @crate-crypto/node-eth-kzg measured the same speed
 * (docs/da.md); c-kzg is chosen because it exposes every primitive this encoder needs (commitments,
 * single-point proofs, cells) under one setup and is the reference the EIPs test against.
 *
 * Cosets k >= 1 of a ratio-R extension use *shifted* setups (secret s = g^-e tau, g the primitive
 * 32768-th root of unity, e = k * 8 / R; files in ./setups, made by scripts/gen-shifted-setups.ts): under
 * setup e the coset polynomial q(x) = p(g^e x) commits to the blob commitment C itself, so its cells'
 * proofs verify against C. c-kzg keeps its setup in N-API instance data, so each setup is a separate load
 * of the addon (process.dlopen of kzg.node gives a fresh napi_env each time), in each thread that needs it.
 *
 * Setups are loaded once per thread (each worker loads its own); shifted ones on first use.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import type * as CKzg from "c-kzg";

import { InvalidBlobError, InvalidCodingParamsError } from "./errors.js";
import { assertCanonicalBlob } from "./framing.js";

export type Kzg = typeof CKzg;

/** c-kzg's FK20 precomputation level (0..15): 8 speeds up cell proofs ~1.7x for ~100 MB of tables. */
export const DEFAULT_PRECOMPUTE = 8;

/** Shift exponents e (of the primitive 32768-th root g) with a shipped setup: cosets of ratios 4 and 8. */
export const SHIFTED_SETUP_EXPONENTS = [1, 2, 3] as const;
const LARGEST_RATIO = 8;

const require = createRequire(import.meta.url);
const setupsDir = join(dirname(fileURLToPath(import.meta.url)), "setups");
let loaded: { kzg: Kzg; precompute: number } | undefined;
/** Shifted instances by exponent: for proving (the standard's precompute) and, if none, for verifying (0). */
const shiftedProvers = new Map<number, Kzg>();
const shiftedVerifiers = new Map<number, Kzg>();

/** Path of the shifted setup file for exponent e. */
export function shiftedSetupPath(exponent: number): string {
  return join(setupsDir, `trusted_setup_shift_${exponent}_of_32768.txt`);
}

function checkPrecompute(precompute: number): void {
  if (!Number.isInteger(precompute) || precompute < 0 || precompute > 15) {
    throw new RangeError(`KZG precompute must be an integer 0..15, got ${precompute}`);
  }
}

/** Loads c-kzg and its embedded mainnet trusted setup in this thread (idempotent). */
export function loadKzg(precompute = DEFAULT_PRECOMPUTE): Kzg {
  if (loaded) return loaded.kzg;
  checkPrecompute(precompute);
  const kzg = require("c-kzg") as Kzg;
  kzg.loadTrustedSetup(precompute);
  loaded = { kzg, precompute };
  return kzg;
}

/** A further instance of the c-kzg addon (its own napi_env, so its own setup). */
function freshAddon(): Kzg {
  const addonPath = join(dirname(require.resolve("c-kzg/package.json")), "build", "Release", "kzg.node");
  const module = { exports: {} as Kzg };
  process.dlopen(module, addonPath);
  return module.exports;
}

/**
 * The c-kzg instance for coset `coset` of a ratio-`ratio` extension: the standard setup for coset 0, the
 * shifted setup e = coset * 8 / ratio otherwise, loaded in this thread on first use. Proving (FK20) loads it
 * with the standard setup's precompute level; verification never uses the FK20 tables, so `verify` reuses a
 * proving instance if there is one and otherwise loads one with precompute 0 (about 3 MB instead of about
 * 100 MB: a DA node that only verifies pays almost nothing for the shifted setups).
 */
export function kzgForCoset(ratio: number, coset: number, use: "prove" | "verify" = "prove"): Kzg {
  const standard = loadKzg();
  if (coset === 0) return standard;
  const exponent = (coset * LARGEST_RATIO) / ratio;
  if (!(SHIFTED_SETUP_EXPONENTS as readonly number[]).includes(exponent)) {
    throw new InvalidCodingParamsError("coset", `no shifted setup for coset ${coset} of ratio ${ratio}`);
  }
  const prover = shiftedProvers.get(exponent);
  if (prover) return prover;
  const cache = use === "prove" || loaded!.precompute === 0 ? shiftedProvers : shiftedVerifiers;
  let kzg = cache.get(exponent);
  if (!kzg) {
    kzg = freshAddon();
    // The native loader takes (precompute, path); the package's JS wrapper only resolves the path.
    kzg.loadTrustedSetup(cache === shiftedProvers ? loaded!.precompute : 0, shiftedSetupPath(exponent));
    cache.set(exponent, kzg);
  }
  return kzg;
}

/** Loads every setup a ratio-`ratio` extension needs in this thread (so the first blob is not slower). */
export function preloadSetups(ratio: number, precompute = DEFAULT_PRECOMPUTE): void {
  loadKzg(precompute);
  for (let k = 1; k < ratio / 2; k++) kzgForCoset(ratio, k);
}

/** The commitment to a 131,072-byte blob, byte-identical to c-kzg's blobToKzgCommitment. */
export function blobToCommitment(blob: Uint8Array): Uint8Array {
  assertCanonicalBlob(blob);
  try {
    return loadKzg().blobToKzgCommitment(blob);
  } catch (error) {
    throw new InvalidBlobError("blob", (error as Error).message, { cause: error });
  }
}
