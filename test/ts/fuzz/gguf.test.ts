/**
 * Fuzzes the GGUF header scanner (keepers/ai/gguf.ts scanGguf), which runs on model files before they are
 * handed to llama.cpp. Property: every mutated or random file either scans to a result or fails with
 * GgufFormatError; the scanner never asks for bytes outside the file and never throws anything else.
 */
import { describe, expect, it } from "vitest";

import {
  GgmlTensorType,
  GgufFormatError,
  GgufValueType,
  scanGguf,
  writeGguf,
  type GgufValue,
} from "../../../keepers/ai/gguf.js";
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, mutateBytes, Rng } from "./fuzz.js";

const MODEL = writeGguf(
  new Map<string, GgufValue>([
    ["general.architecture", { type: GgufValueType.STRING, value: "llama" }],
    ["general.alignment", { type: GgufValueType.UINT32, value: 32 }],
    ["test.flag", { type: GgufValueType.BOOL, value: true }],
    ["test.scores", { type: GgufValueType.ARRAY, itemType: GgufValueType.FLOAT32, value: [0.5, -1] }],
    ["test.names", { type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value: ["a", "b"] }],
  ]),
  [
    { name: "a", dims: [3], type: GgmlTensorType.F32, data: new Float32Array([1, 2, 3]) },
    { name: "b", dims: [32, 2], type: GgmlTensorType.Q8_0, data: new Float32Array(64).fill(0.25) },
  ],
);

/** Scans `bytes`, failing the test if the scanner reads outside the file. */
function scan(bytes: Uint8Array, index: number) {
  return scanGguf(bytes.length, (position, length) => {
    if (!(position >= 0 && length >= 0 && position + length <= bytes.length)) {
      throw new Error(`input #${index}: read of ${length} bytes at ${position} outside a ${bytes.length}-byte file`);
    }
    return bytes.subarray(position, position + length);
  });
}

function expectScanOrFormatError(bytes: Uint8Array, index: number): "ok" | "rejected" {
  try {
    const result = scan(bytes, index);
    expect(result.version === 2 || result.version === 3).toBe(true);
    return "ok";
  } catch (error) {
    if (!(error instanceof GgufFormatError)) {
      throw new Error(`input #${index} threw an untyped ${(error as Error)?.name}: ${String(error)}`, { cause: error });
    }
    expect(error.offset).toBeGreaterThanOrEqual(0);
    return "rejected";
  }
}

describe("scanGguf under fuzzing", () => {
  it("scans the unmutated model", () => {
    expect(scan(MODEL, -1).tensors.map((t) => t.name)).toEqual(["a", "b"]);
  });

  it(
    `${FUZZ_RUNS} mutated model headers scan or fail with GgufFormatError, reading only inside the file`,
    { timeout: FUZZ_TIMEOUT_MS },
    () => {
      const rng = new Rng(0x6609);
      // Mutate the header region (metadata and tensor infos), where the scanner reads.
      const headerEnd = MODEL.length - 3 * 4 - 2 * 34;
      let rejected = 0;
      for (let i = 0; i < FUZZ_RUNS; i++) {
        const head = mutateBytes(MODEL.subarray(0, headerEnd), rng);
        const input = new Uint8Array(head.length + MODEL.length - headerEnd);
        input.set(head);
        input.set(MODEL.subarray(headerEnd), head.length);
        if (expectScanOrFormatError(input, i) === "rejected") rejected++;
      }
      expect(rejected).toBeGreaterThan(FUZZ_RUNS / 4);
    },
  );

  it(
    `${FUZZ_RUNS} random files with a GGUF magic and version fail with GgufFormatError or scan`,
    { timeout: FUZZ_TIMEOUT_MS },
    () => {
      const rng = new Rng(0x660a);
      for (let i = 0; i < FUZZ_RUNS; i++) {
        const input = rng.bytes(8 + rng.int(256));
        new DataView(input.buffer).setUint32(0, 0x46554747, true);
        new DataView(input.buffer).setUint32(4, rng.pick([2, 3]), true);
        expectScanOrFormatError(input, i);
      }
    },
  );
});
