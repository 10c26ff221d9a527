import { describe, expect, it } from "vitest";

import { InvalidBlobError } from "../../../keepers/da/errors.js";
import {
  BlobFramer,
  blobCountFor,
  blobsToPayload,
  BYTES_PER_BLOB,
  HEADER_BYTES,
  PAYLOAD_BYTES_PER_BLOB,
  payloadToBlobs,
  assertCanonicalBlob,
} from "../../../keepers/da/framing.js";
import { rng } from "./helpers.js";

const FIRST = PAYLOAD_BYTES_PER_BLOB - HEADER_BYTES;
const SIZES = [
  0,
  1,
  30,
  31,
  32,
  FIRST - 1,
  FIRST,
  FIRST + 1,
  FIRST + PAYLOAD_BYTES_PER_BLOB,
  3 * PAYLOAD_BYTES_PER_BLOB + 7,
];

describe("payload <-> blob framing", () => {
  it.each(SIZES)("round-trips a %i-byte payload through canonical blobs", (size) => {
    const payload = rng(size).bytes(size);
    const blobs = payloadToBlobs(payload);
    expect(blobs).toHaveLength(blobCountFor(size));
    for (const blob of blobs) {
      expect(blob.length).toBe(BYTES_PER_BLOB);
      for (let i = 0; i < 4096; i++) expect(blob[i * 32]).toBe(0);
      assertCanonicalBlob(blob);
    }
    expect(Buffer.from(blobsToPayload(blobs, size)).equals(Buffer.from(payload))).toBe(true);
  });

  it("fills the first blob exactly at 126,945 bytes and spills at 126,946", () => {
    expect(blobCountFor(0)).toBe(1);
    expect(blobCountFor(FIRST)).toBe(1);
    expect(blobCountFor(FIRST + 1)).toBe(2);
    expect(blobCountFor(64 * 1024 * 1024)).toBe(Math.ceil((64 * 1024 * 1024 + HEADER_BYTES) / PAYLOAD_BYTES_PER_BLOB));
  });

  it("streams identically whatever the piece sizes", () => {
    const r = rng(9);
    const payload = r.bytes(2 * PAYLOAD_BYTES_PER_BLOB + 100);
    const framer = new BlobFramer(payload.length);
    const streamed: Uint8Array[] = [];
    for (let at = 0; at < payload.length;) {
      const n = 1 + r.int(50_000);
      streamed.push(...framer.push(payload.subarray(at, at + n)));
      at += n;
    }
    streamed.push(...framer.finish());
    const whole = payloadToBlobs(payload);
    expect(streamed.map((b) => Buffer.from(b).toString("hex"))).toEqual(
      whole.map((b) => Buffer.from(b).toString("hex")),
    );
  });

  it("rejects a stream longer or shorter than announced", () => {
    expect(() => new BlobFramer(3).push(new Uint8Array(4))).toThrow(/more than the announced 3 bytes/);
    const framer = new BlobFramer(10);
    framer.push(new Uint8Array(5));
    expect(() => framer.finish()).toThrow(/announced 10 bytes but received 5/);
  });

  it("rejects a blob element whose top byte is not zero, naming the element", () => {
    const blobs = payloadToBlobs(new Uint8Array(10));
    blobs[0]![32 * 5] = 1;
    expect(() => blobsToPayload(blobs)).toThrow(InvalidBlobError);
    expect(() => blobsToPayload(blobs)).toThrow(/blob 0 element 5/);
  });

  it("rejects an unknown version, a length that disagrees with the manifest, and non-zero padding", () => {
    const blobs = payloadToBlobs(new Uint8Array(10).fill(7));
    const badVersion = blobs.map((b) => new Uint8Array(b));
    badVersion[0]![1] = 9;
    expect(() => blobsToPayload(badVersion)).toThrow(/framing version: expected 1, found 9/);
    expect(() => blobsToPayload(blobs, 11)).toThrow(/payloadLength.*says 11 bytes but the blob header says 10/);
    const padded = blobs.map((b) => new Uint8Array(b));
    padded[0]![32 * 100 + 3] = 1;
    expect(() => blobsToPayload(padded)).toThrow(/padding/);
    expect(() => blobsToPayload([...blobs, blobs[0]!])).toThrow(/needs 1 blob\(s\) but 2 were given/);
  });

  it("rejects a truncated blob and non-canonical elements in raw blobs", () => {
    expect(() => assertCanonicalBlob(new Uint8Array(100))).toThrow(/exactly 131072 bytes, got 100/);
    const blob = new Uint8Array(BYTES_PER_BLOB);
    blob.set(Buffer.from("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001", "hex"), 32 * 4095);
    expect(() => assertCanonicalBlob(blob)).toThrow(/element 4095/);
    blob[32 * 4095 + 31] = 0; // modulus - 1: canonical
    expect(() => assertCanonicalBlob(blob)).not.toThrow();
  });
});
