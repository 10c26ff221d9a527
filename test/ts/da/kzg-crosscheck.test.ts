import { createRequire } from "node:module";

import { beforeAll, describe, expect, it } from "vitest";

import { codingParams } from "../../../keepers/da/coding.js";
import { chunksOf, encodeBlob } from "../../../keepers/da/encode-blob.js";
import { InvalidBlobError } from "../../../keepers/da/errors.js";
import { bitReverse, fft, readElements, rootOfUnity, pow, BLS_MODULUS } from "../../../keepers/da/field.js";
import { blobToCommitment, type Kzg } from "../../../keepers/da/kzg.js";
import { randomBlob, rng, testKzg } from "./helpers.js";

type EthKzg = {
  blobToKzgCommitment(blob: Uint8Array): Uint8Array;
  computeCellsAndKzgProofs(blob: Uint8Array): { cells: Uint8Array[]; proofs: Uint8Array[] };
};
const require = createRequire(import.meta.url);

describe("KZG backend cross-checks", () => {
  let kzg: Kzg;
  let ethKzg: EthKzg;
  beforeAll(() => {
    kzg = testKzg();
    const { DasContextJs } = require("@crate-crypto/node-eth-kzg") as {
      DasContextJs: { create(o: { usePrecomp: boolean }): EthKzg };
    };
    ethKzg = DasContextJs.create({ usePrecomp: false });
  });

  it("commitments are byte-identical to c-kzg's and rust-eth-kzg's blobToKzgCommitment on seeded random blobs", () => {
    const r = rng(1);
    for (let i = 0; i < 3; i++) {
      const blob = randomBlob(r);
      const ours = blobToCommitment(blob);
      expect(Buffer.from(ours).toString("hex")).toBe(Buffer.from(kzg.blobToKzgCommitment(blob)).toString("hex"));
      expect(Buffer.from(ours).toString("hex")).toBe(Buffer.from(ethKzg.blobToKzgCommitment(blob)).toString("hex"));
    }
  });

  it("ratio-2 chunks are exactly the PeerDAS cells and cell proofs (checked against rust-eth-kzg)", () => {
    const blob = randomBlob(rng(2));
    const params = codingParams({ ratio: 2, chunkSize: 64 });
    const encoded = encodeBlob(kzg, blob, params);
    const chunks = chunksOf(encoded, params, 0);
    const reference = ethKzg.computeCellsAndKzgProofs(blob);
    expect(chunks).toHaveLength(128);
    for (const i of [0, 1, 63, 64, 100, 127]) {
      expect(Buffer.from(chunks[i]!.data).equals(Buffer.from(reference.cells[i]!))).toBe(true);
      expect(Buffer.from(chunks[i]!.proofs).equals(Buffer.from(reference.proofs[i]!))).toBe(true);
    }
  });

  it("the field FFT reproduces c-kzg's extension (same roots of unity and bit-reversed layout)", () => {
    const blob = randomBlob(rng(3));
    const cells = kzg.computeCellsAndKzgProofs(blob)[0];
    const coeffs = fft(bitReverse(readElements(blob, 4096).values), true);
    const extension = bitReverse(fft([...coeffs, ...new Array<bigint>(4096).fill(0n)]));
    for (const c of [0, 64, 65, 127]) {
      const cell = readElements(cells[c]!, 64).values;
      expect(cell).toEqual(extension.slice(c * 64, c * 64 + 64));
    }
    expect(pow(rootOfUnity(8192), 8192n)).toBe(1n);
    expect(pow(rootOfUnity(8192), 4096n)).toBe(BLS_MODULUS - 1n);
  });

  it("rejects a non-canonical element with the element's index", () => {
    const blob = randomBlob(rng(4));
    blob.fill(0xff, 32 * 17, 32 * 18);
    expect(() => blobToCommitment(blob)).toThrow(InvalidBlobError);
    expect(() => blobToCommitment(blob)).toThrow(/element 17/);
    expect(() => blobToCommitment(blob.subarray(0, 1000))).toThrow(/exactly 131072 bytes/);
  });
});
