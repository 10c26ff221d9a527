import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { readGgufFileInfo } from "node-llama-cpp";
import { describe, expect, it } from "vitest";

import {
  f16BitsToF32,
  f32ToF16Bits,
  GgmlTensorType,
  GgufValueType,
  GgufFormatError,
  quantizeQ8_0,
  scanGguf,
  writeGguf,
  type GgufValue,
} from "./gguf.js";
import { Prng } from "./prng.js";

describe("f16 conversion", () => {
  it("encodes exactly representable values to their IEEE binary16 bits", () => {
    expect(f32ToF16Bits(0)).toBe(0x0000);
    expect(f32ToF16Bits(-0)).toBe(0x8000);
    expect(f32ToF16Bits(1)).toBe(0x3c00);
    expect(f32ToF16Bits(-2)).toBe(0xc000);
    expect(f32ToF16Bits(65504)).toBe(0x7bff);
    expect(f32ToF16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(f32ToF16Bits(Infinity)).toBe(0x7c00);
    expect(f32ToF16Bits(1e6)).toBe(0x7c00); // overflow saturates to infinity
  });

  it("rounds to nearest, ties to even", () => {
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties go to the even mantissa (1).
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3*2^-11 lies halfway between 1+2^-10 (odd) and 1+2^-9 (even).
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });

  it("round-trips every finite binary16 value", () => {
    const wrong: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00) continue; // inf / nan
      if (f32ToF16Bits(f16BitsToF32(h)) !== h) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });
});

describe("Q8_0 quantisation", () => {
  it("stores an f16 scale max|x|/127 and rounded int8 values per 32-value block", () => {
    const data = new Float32Array(32).map((_, i) => (i - 16) / 16); // -1 .. 0.9375
    const q = quantizeQ8_0(data);
    expect(q.length).toBe(34);
    const view = new DataView(q.buffer);
    expect(f16BitsToF32(view.getUint16(0, true))).toBeCloseTo(1 / 127, 5);
    expect(view.getInt8(2)).toBe(-127); // x = -1
    expect(view.getInt8(2 + 16)).toBe(0); // x = 0
    expect(view.getInt8(2 + 24)).toBe(64); // x = 0.5 -> 63.5 rounds away from zero
  });

  it("rejects a length that is not a multiple of the block size", () => {
    expect(() => quantizeQ8_0(new Float32Array(33))).toThrow(RangeError);
  });
});

describe("GGUF writer", () => {
  it("writes a file that node-llama-cpp's reader parses back (metadata, tensor infos, aligned offsets)", async () => {
    const metadata = new Map<string, GgufValue>([
      ["general.architecture", { type: GgufValueType.STRING, value: "llama" }],
      ["general.alignment", { type: GgufValueType.UINT32, value: 32 }],
      ["test.flag", { type: GgufValueType.BOOL, value: true }],
      ["test.scores", { type: GgufValueType.ARRAY, itemType: GgufValueType.FLOAT32, value: [0.5, -1] }],
      ["test.names", { type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value: ["a", "\u2581b"] }],
    ]);
    const bytes = writeGguf(metadata, [
      { name: "a", dims: [3], type: GgmlTensorType.F32, data: new Float32Array([1, 2, 3]) },
      { name: "b", dims: [32, 2], type: GgmlTensorType.Q8_0, data: new Float32Array(64).fill(0.25) },
      { name: "c", dims: [4], type: GgmlTensorType.F16, data: new Float32Array([1, 2, 3, 4]) },
    ]);
    const path = join(mkdtempSync(join(tmpdir(), "vcloud-gguf-")), "t.gguf");
    writeFileSync(path, bytes);
    const info = await readGgufFileInfo(path, { logWarnings: false });
    expect(info.version).toBe(3);
    expect(info.metadata.general.architecture).toBe("llama");
    const raw = info.metadata as unknown as { test: { flag: boolean; scores: number[]; names: string[] } };
    expect(raw.test.flag).toBe(true);
    expect(raw.test.scores).toEqual([0.5, -1]);
    expect(raw.test.names).toEqual(["a", "\u2581b"]);
    const tensors = info.tensorInfo!;
    expect(tensors.map((t) => [t.name, t.dimensions.map(Number), t.ggmlType, Number(t.offset)])).toEqual([
      ["a", [3], 0, 0],
      ["b", [32, 2], 8, 32],
      ["c", [4], 1, 32 + 96],
    ]);
    // The data section starts aligned, and the F32 tensor's bytes are where the info says.
    const dataStart = Number(tensors[0]!.fileOffset);
    expect(dataStart % 32).toBe(0);
    expect(new Float32Array(bytes.slice(dataStart, dataStart + 12).buffer)).toEqual(new Float32Array([1, 2, 3]));
  });

  it("rejects tensor data that does not match its dimensions", () => {
    expect(() =>
      writeGguf(new Map(), [{ name: "x", dims: [4, 2], type: GgmlTensorType.F32, data: new Float32Array(7) }]),
    ).toThrow(/7 values for dims \[4, 2\]/);
  });
});

describe("Prng", () => {
  it("gives the same stream for the same domain and seed, and different streams otherwise", () => {
    const take = (p: Prng) => Array.from({ length: 8 }, () => p.nextUint32());
    expect(take(new Prng("d", 1n))).toEqual(take(new Prng("d", 1n)));
    expect(take(new Prng("d", 1n))).not.toEqual(take(new Prng("d", 2n)));
    expect(take(new Prng("d", 1n))).not.toEqual(take(new Prng("e", 1n)));
  });

  it("is pinned: a known seed gives known outputs on every machine", () => {
    const p = new Prng("vcloud-test", 42n);
    expect([p.nextUint32(), p.nextUint32(), p.nextUint32()]).toMatchInlineSnapshot(`
      [
        2299175738,
        4279281212,
        224266458,
      ]
    `);
  });

  it("draws floats in [0, 1) and rejects seeds outside uint256", () => {
    const p = new Prng("f", 7n);
    for (let i = 0; i < 1000; i++) {
      const x = p.nextFloat();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
    expect(() => new Prng("f", -1n)).toThrow(RangeError);
    expect(() => new Prng("f", 1n << 256n)).toThrow(RangeError);
  });
});

describe("scanGguf", () => {
  const reader = (bytes: Uint8Array) => (position: number, length: number) =>
    bytes.subarray(position, position + length);
  const file = writeGguf(
    new Map<string, GgufValue>([
      ["general.architecture", { type: GgufValueType.STRING, value: "llama" }],
      ["test.names", { type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value: ["a", "b"] }],
    ]),
    [{ name: "w", dims: [32, 2], type: GgmlTensorType.Q8_0, data: new Float32Array(64) }],
  );

  it("lists the tensors of a well-formed file", () => {
    expect(scanGguf(file.length, reader(file))).toEqual({
      version: 3,
      kvCount: 2,
      tensors: [{ name: "w", dims: [32, 2], type: 8 }],
    });
  });

  it("fails fast on a bad magic, version, count or length instead of reading past the file", () => {
    const bad = (mutate: (view: DataView, bytes: Uint8Array) => void) => {
      const bytes = file.slice();
      mutate(new DataView(bytes.buffer), bytes);
      return () => scanGguf(bytes.length, reader(bytes));
    };
    expect(bad((v) => v.setUint32(0, 0x12345678, true))).toThrow(/no GGUF magic/);
    expect(bad((v) => v.setUint32(4, 99, true))).toThrow(/unsupported GGUF version 99/);
    expect(bad((v) => v.setBigUint64(16, 1n << 40n, true))).toThrow(/cannot fit in the file/);
    // The first key's length claims more bytes than the file has.
    expect(bad((v) => v.setBigUint64(24, 1n << 30n, true))).toThrow(/runs past the end/);
    expect(() => scanGguf(40, reader(file))).toThrow(GgufFormatError);
  });
});
