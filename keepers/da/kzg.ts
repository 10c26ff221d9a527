/**
 * The native KZG backend: c-kzg (c-kzg-4844 with blst) with the Ethereum KZG ceremony setup embedded in
 * the installed package (never fetched). c-kzg and @crate-crypto/node-eth-kzg measured the same speed
 * (docs/da.md); c-kzg is chosen because it exposes every primitive this encoder needs (commitments,
 * single-point proofs, cells) under one setup and is the reference the EIPs test against.
 *
 * The setup is loaded once per thread (each worker loads its own).
 */
import { createRequire } from "node:module";

import type * as CKzg from "c-kzg";

import { InvalidBlobError } from "./errors.js";
import { assertCanonicalBlob } from "./framing.js";

export type Kzg = typeof CKzg;

/** c-kzg's FK20 precomputation level (0..15): 8 speeds up cell proofs ~1.7x for ~100 MB of tables. */
export const DEFAULT_PRECOMPUTE = 8;

const require = createRequire(import.meta.url);
let loaded: { kzg: Kzg; precompute: number } | undefined;

/** Loads c-kzg and its embedded mainnet trusted setup in this thread (idempotent). */
export function loadKzg(precompute = DEFAULT_PRECOMPUTE): Kzg {
  if (loaded) return loaded.kzg;
  if (!Number.isInteger(precompute) || precompute < 0 || precompute > 15) {
    throw new RangeError(`KZG precompute must be an integer 0..15, got ${precompute}`);
  }
  const kzg = require("c-kzg") as Kzg;
  kzg.loadTrustedSetup(precompute);
  loaded = { kzg, precompute };
  return kzg;
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
