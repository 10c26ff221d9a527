import { beforeAll, describe, expect, it } from "vitest";

import { decodeChunks, encodePayload, verifyChunks, type EncodedPayload } from "../../../keepers/da/api.js";
import { codingParams, cosetShift } from "../../../keepers/da/coding.js";
import {
  InvalidBlobHeaderError,
  InvalidCodingParamsError,
  InvalidManifestError,
  NotEnoughChunksError,
} from "../../../keepers/da/errors.js";
import { bitReverse, fft, readElements, scaleCoefficients, writeElements } from "../../../keepers/da/field.js";
import { PAYLOAD_BYTES_PER_BLOB, payloadToBlobs } from "../../../keepers/da/framing.js";
import type { Chunk } from "../../../keepers/da/types.js";
import { rng, testKzg } from "./helpers.js";

const flip = (bytes: Uint8Array, bit: number) => {
  const copy = new Uint8Array(bytes);
  copy[bit >> 3] = copy[bit >> 3]! ^ (1 << (bit & 7));
  return copy;
};
const pick = (chunks: Chunk[], indices: number[]) => indices.map((i) => chunks[i]!);
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe("erasure coding with KZG multiproofs", () => {
  const encoded = new Map<string, { payload: Uint8Array; enc: EncodedPayload }>();
  beforeAll(async () => {
    testKzg();
    for (const [ratio, chunkSize, size] of [
      [8, 64, 50_000],
      [4, 256, 1],
      [2, 64, PAYLOAD_BYTES_PER_BLOB + 5],
    ] as const) {
      const payload = rng(ratio).bytes(size);
      encoded.set(`${ratio}`, { payload, enc: await encodePayload(payload, { ratio, chunkSize }) });
    }
  }, 300_000);

  it("derives the chunk geometry from ratio and chunk size, and rejects others", () => {
    expect(codingParams()).toMatchObject({ ratio: 8, chunksPerBlob: 512, chunksToRecover: 64, cosets: 4 });
    expect(codingParams({ ratio: 4, chunkSize: 256 })).toMatchObject({ chunksPerBlob: 64, chunksToRecover: 16 });
    expect(() => codingParams({ ratio: 3 })).toThrow(InvalidCodingParamsError);
    expect(() => codingParams({ ratio: 16 })).toThrow(/ratio: must be one of 2, 4, 8/);
    expect(() => codingParams({ chunkSize: 100 })).toThrow(/chunk size/);
  });

  it("every chunk of every ratio verifies against the manifest", async () => {
    for (const { enc } of encoded.values()) {
      const all = enc.chunks.flat();
      const { valid, rejected } = await verifyChunks(enc.manifest, all);
      expect(rejected).toEqual([]);
      expect(valid).toHaveLength(enc.manifest.chunkCount);
    }
  });

  it.each([8, 4, 2])(
    "ratio %i: rebuilds the payload from random subsets of exactly 1/ratio of the chunks",
    async (ratio) => {
      const { payload, enc } = encoded.get(`${ratio}`)!;
      const r = rng(100 + ratio);
      for (let trial = 0; trial < 4; trial++) {
        const subset = enc.chunks.flatMap((blobChunks) =>
          pick(blobChunks, r.sample(enc.manifest.chunksPerBlob, enc.manifest.chunksToRecover)),
        );
        const { payload: out, usedChunks } = await decodeChunks(enc.manifest, subset);
        expect(same(out, payload)).toBe(true);
        expect(usedChunks).toBe(enc.manifest.chunksToRecover * enc.manifest.blobCount);
      }
    },
  );

  it("ratio 8: rebuilds from unfavourable subsets (only extension cosets, one cell per 8, the last 64)", async () => {
    const { payload, enc } = encoded.get("8")!;
    const chunks = enc.chunks[0]!;
    const subsets = [
      Array.from({ length: 64 }, (_, i) => 128 + i * 6), // cosets 1..3 only, no systematic data
      Array.from({ length: 64 }, (_, i) => i * 8),
      Array.from({ length: 64 }, (_, i) => 448 + i),
      [...Array.from({ length: 63 }, (_, i) => i), 511], // systematic but one
    ];
    for (const subset of subsets) {
      const { payload: out } = await decodeChunks(enc.manifest, pick(chunks, subset));
      expect(same(out, payload)).toBe(true);
    }
  });

  it("rejects corrupted chunks (data bit, proof bit, wrong index, another blob) and decodes the same bytes", async () => {
    const { payload, enc } = encoded.get("2")!;
    const [blob0, blob1] = enc.chunks as [Chunk[], Chunk[]];
    const r = rng(7);
    const good = pick(blob0, r.sample(128, 64));
    const bad: Chunk[] = [
      { ...blob0[good[0]!.index]!, data: flip(good[0]!.data, r.int(2048 * 8)) },
      { ...good[1]!, proofs: flip(good[1]!.proofs, r.int(48 * 8)) },
      { ...good[2]!, index: (good[2]!.index + 1) % 128 },
      { ...blob1[5]!, blobIndex: 0 }, // another blob's chunk, honest about its commitment
      { ...blob1[6]!, blobIndex: 0, commitment: blob0[6]!.commitment }, // and one lying about it
    ];
    const { valid, rejected } = await verifyChunks(enc.manifest, bad);
    expect(valid).toEqual([]);
    expect(rejected.map((x) => x.reason)).toEqual([
      expect.stringMatching(/multiproof does not verify/),
      expect.stringMatching(/multiproof does not verify/),
      expect.stringMatching(/multiproof does not verify/),
      expect.stringMatching(/another blob/),
      expect.stringMatching(/multiproof does not verify/),
    ]);
    const rest = blob1.slice(0, 64);
    const { payload: out, rejectedChunks } = await decodeChunks(enc.manifest, [...bad, ...good, ...rest]);
    expect(same(out, payload)).toBe(true);
    expect(rejectedChunks.length).toBeGreaterThanOrEqual(1);
  });

  it("fails with the number of missing valid chunks when corruption leaves too few", async () => {
    const { enc } = encoded.get("8")!;
    const chunks = enc.chunks[0]!.slice(100, 164);
    const corrupted = [{ ...chunks[0]!, data: flip(chunks[0]!.data, 77) }, ...chunks.slice(1)];
    const err = await decodeChunks(enc.manifest, corrupted).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotEnoughChunksError);
    expect((err as Error).message).toBe(
      "blob 0: 1 valid chunk(s) missing: have 63 valid of the 64 needed (1 chunk(s) rejected: proof failed or malformed)",
    );
    await expect(decodeChunks(enc.manifest, chunks.slice(0, 10))).rejects.toThrow(/54 valid chunk\(s\) missing/);
  });

  it("checks coset-k chunks under coset k's setup only: another coset's index or old-style proofs fail", async () => {
    const { payload, enc } = encoded.get("8")!;
    const kzg = testKzg();
    const chunk = enc.chunks[0]![200]!; // cell 72 of coset 1
    await expect(verifyChunks(enc.manifest, [chunk])).resolves.toMatchObject({ rejected: [] });
    // The same cell index in cosets 2 and 3: proofs made under setup 1 do not hold under setups 2 and 3.
    const moved = [328, 456].map((index) => ({ ...chunk, index }));
    // Coset 1's cell proven the old way (standard setup, i.e. against q_1's own commitment C_1, not C).
    const coeffs = fft(bitReverse(readElements(payloadToBlobs(payload)[0]!, 4096).values), true);
    const q1 = writeElements(bitReverse(fft(scaleCoefficients(coeffs, cosetShift(8, 1)))));
    const [cells, proofs] = kzg.computeCellsAndKzgProofs(q1);
    expect(same(cells[72]!, chunk.data)).toBe(true);
    const oldStyle = { ...chunk, proofs: proofs[72]! };
    const { valid, rejected } = await verifyChunks(enc.manifest, [...moved, oldStyle]);
    expect(valid).toEqual([]);
    expect(rejected.map((r) => r.reason)).toEqual(
      Array(3).fill("KZG multiproof does not verify (data, proof or index corrupted)"),
    );
  });

  it("refuses a format-1 manifest by name, leftover coset fields, and a commitment that is not a G1 point", async () => {
    const { enc } = encoded.get("8")!;
    const chunks = enc.chunks[0]!.slice(0, 64);
    const v1 = { ...enc.manifest, format: "vcloud-da-manifest/1" };
    await expect(decodeChunks(v1, chunks)).rejects.toThrow(InvalidManifestError);
    await expect(decodeChunks(v1, chunks)).rejects.toThrow(
      /manifest format: vcloud-da-manifest\/1 \(coset commitments \+ coset-link proof\) is no longer supported; re-encode the payload to get a vcloud-da-manifest\/2 manifest/,
    );
    const leftover = structuredClone(enc.manifest);
    Object.assign(leftover.blobs[0]!, { cosetCommitments: [], link: null });
    await expect(decodeChunks(leftover, chunks)).rejects.toThrow(/manifest blobs\.0: Unrecognized key/);
    const notAPoint = structuredClone(enc.manifest);
    notAPoint.blobs[0]!.commitment = `0x${"ff".repeat(48)}`;
    await expect(decodeChunks(notAPoint, chunks)).rejects.toThrow(InvalidBlobHeaderError);
    await expect(decodeChunks(notAPoint, chunks)).rejects.toThrow(
      /blob 0: invalid header: the commitment is not a G1 point/,
    );
  });

  it("rejects a manifest that lies about sizes or the payload hash", async () => {
    const { enc } = encoded.get("2")!;
    const chunks = enc.chunks.flat();
    const lie = (patch: object) => ({ ...enc.manifest, ...patch });
    await expect(decodeChunks(lie({ blobCount: 3 }), chunks)).rejects.toThrow(InvalidManifestError);
    await expect(decodeChunks(lie({ payloadLength: 10 }), chunks)).rejects.toThrow(/blobCount.*needs 1/);
    await expect(decodeChunks(lie({ payloadLength: enc.manifest.payloadLength + 1 }), chunks)).rejects.toThrow(
      /says \d+ bytes but the blob header says/,
    );
    await expect(decodeChunks(lie({ chunkCount: 1 }), chunks)).rejects.toThrow(/chunkCount/);
    await expect(decodeChunks(lie({ payloadSha256: `0x${"ab".repeat(32)}` }), chunks)).rejects.toThrow(/payloadSha256/);
    await expect(decodeChunks(lie({ ratio: 3 }), chunks)).rejects.toThrow(/coding parameters/);
  });
});
