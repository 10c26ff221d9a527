/**
 * Fuzzes the DA parsers that read untrusted input: manifests (validateManifest) and chunk bytes
 * (parseChunk). Property: every input is either accepted (and then self-consistent) or rejected with the
 * typed InvalidManifestError / InvalidChunkError naming the field; never another exception.
 */
import { bytesToHex } from "viem";
import { describe, expect, it } from "vitest";

import { parseChunk, serializeChunk, CHUNK_HEADER_BYTES } from "../../../keepers/da/chunk-file.js";
import { BYTES_PER_CELL, BYTES_PER_PROOF, codingParams } from "../../../keepers/da/coding.js";
import { InvalidChunkError, InvalidManifestError } from "../../../keepers/da/errors.js";
import { MANIFEST_FORMAT, validateManifest } from "../../../keepers/da/manifest.js";
import { InvalidInputError } from "../../../keepers/lib/errors.js";
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, mutateBytes, mutateJson, randomJson, Rng } from "./fuzz.js";

/** A manifest that passes every structural check (its KZG values are random: validateManifest does not verify them). */
function validManifest(rng: Rng, ratio: 2 | 4 | 8, payloadLength: number) {
  const params = codingParams({ ratio, chunkSize: 64 });
  const blobCount = Math.max(1, Math.ceil((payloadLength + 31) / (4096 * 31)));
  const hex = (n: number) => bytesToHex(rng.bytes(n));
  return {
    format: MANIFEST_FORMAT,
    ratio,
    chunkSize: 64,
    chunksPerBlob: params.chunksPerBlob,
    chunksToRecover: params.chunksToRecover,
    payloadLength,
    payloadSha256: hex(32),
    blobCount,
    chunkCount: params.chunksPerBlob * blobCount,
    blobs: Array.from({ length: blobCount }, () => ({ commitment: hex(48) })),
  };
}

function expectTypedManifestError(input: unknown, index: number): void {
  try {
    const { manifest, params } = validateManifest(input, "fuzz");
    // Accepted: the fields that other code trusts must agree with each other.
    expect(manifest.chunkCount).toBe(params.chunksPerBlob * manifest.blobCount);
    expect(manifest.blobs.length).toBe(manifest.blobCount);
  } catch (error) {
    if (!(error instanceof InvalidManifestError)) {
      throw new Error(`input #${index} threw an untyped ${(error as Error)?.name}: ${String(error)}`, { cause: error });
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.field.startsWith("fuzz")).toBe(true);
  }
}

describe("validateManifest under fuzzing", () => {
  it("accepts the unmutated manifests the fuzzer starts from", () => {
    const rng = new Rng(1);
    for (const ratio of [2, 4, 8] as const) {
      expect(() => validateManifest(validManifest(rng, ratio, 1000))).not.toThrow();
    }
  });

  it(`rejects ${FUZZ_RUNS} mutated manifests only with InvalidManifestError`, { timeout: FUZZ_TIMEOUT_MS }, () => {
    const rng = new Rng(0x13a);
    let rejected = 0;
    for (let i = 0; i < FUZZ_RUNS; i++) {
      const base = validManifest(rng, rng.pick([2, 4, 8] as const), rng.pick([0, 1, 126_976, 200_000]));
      const input = mutateJson(base, rng);
      try {
        validateManifest(input, "fuzz");
      } catch {
        rejected++;
      }
      expectTypedManifestError(input, i);
    }
    // The mutator mostly breaks a rule; a fuzzer that never reaches a rejection would test nothing.
    expect(rejected).toBeGreaterThan(FUZZ_RUNS / 2);
  });

  it("regression (deep-profile input #15751): a payloadLength past the framing's maximum is an InvalidManifestError", () => {
    const manifest = { ...validManifest(new Rng(2), 2, 1000), payloadLength: Number.MAX_SAFE_INTEGER };
    expect(() => validateManifest(manifest, "fuzz")).toThrow(InvalidManifestError);
    expect(() => validateManifest(manifest, "fuzz")).toThrow(/fuzz payloadLength: too large/);
  });

  it(`rejects ${FUZZ_RUNS} random JSON values only with InvalidManifestError`, { timeout: FUZZ_TIMEOUT_MS }, () => {
    const rng = new Rng(0x13b);
    for (let i = 0; i < FUZZ_RUNS; i++) {
      const input = randomJson(rng, 4);
      expect(() => validateManifest(input, "fuzz")).toThrow(InvalidManifestError);
    }
  });
});

describe("parseChunk under fuzzing", () => {
  const cellsPerChunk = 1;
  const chunkBytes = (rng: Rng, ratio: number) =>
    serializeChunk(
      {
        blobIndex: rng.int(4),
        index: rng.int(256),
        commitment: rng.bytes(48),
        data: rng.bytes(cellsPerChunk * BYTES_PER_CELL),
        proofs: rng.bytes(cellsPerChunk * BYTES_PER_PROOF),
      },
      ratio,
    );

  it(
    `rejects ${FUZZ_RUNS} mutated chunks only with InvalidChunkError, and accepts only well-framed ones`,
    { timeout: FUZZ_TIMEOUT_MS },
    () => {
      const rng = new Rng(0x13c);
      let rejected = 0;
      for (let i = 0; i < FUZZ_RUNS; i++) {
        const ratio = rng.pick([2, 4, 8]);
        const original = chunkBytes(rng, ratio);
        const input = mutateBytes(original, rng);
        try {
          const { chunk, ratio: parsedRatio } = parseChunk(input, { ratio, cellsPerChunk }, "fuzz");
          // Accepted only with the exact framing; the parsed chunk re-serializes to the same bytes.
          expect(input.length).toBe(CHUNK_HEADER_BYTES + cellsPerChunk * (BYTES_PER_CELL + BYTES_PER_PROOF));
          expect(parsedRatio).toBe(ratio);
          expect(Buffer.from(serializeChunk(chunk, ratio)).equals(Buffer.from(input))).toBe(true);
        } catch (error) {
          if (!(error instanceof InvalidChunkError)) {
            throw new Error(`input #${i} threw an untyped ${(error as Error)?.name}: ${String(error)}`, {
              cause: error,
            });
          }
          expect(error.field).toBe("fuzz");
          rejected++;
        }
      }
      expect(rejected).toBeGreaterThan(FUZZ_RUNS / 4);
    },
  );

  it("regression (deep-profile input #6788): a non-zero reserved header byte is refused, not silently dropped", () => {
    const bytes = chunkBytes(new Rng(3), 2);
    bytes[9] = 0x40;
    expect(() => parseChunk(bytes, { ratio: 2, cellsPerChunk }, "fuzz")).toThrow(/reserved header byte 9 is 64/);
  });

  it(`rejects ${FUZZ_RUNS} random byte strings with InvalidChunkError`, { timeout: FUZZ_TIMEOUT_MS }, () => {
    const rng = new Rng(0x13d);
    for (let i = 0; i < FUZZ_RUNS; i++) {
      const input = rng.bytes(rng.int(CHUNK_HEADER_BYTES * 2));
      expect(() => parseChunk(input, { ratio: 2, cellsPerChunk }, "fuzz")).toThrow(InvalidChunkError);
    }
  });
});
