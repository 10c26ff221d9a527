import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { bytesToHex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";

import { vcloud } from "../helpers/cli.js";
import { randomBlob, rng, testKzg } from "./helpers.js";

// Each case spawns the CLI (tsx + KZG setup) several times: generous timeout for a loaded CI machine.
describe("vcloud da", { timeout: 400_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "vcloud-da-"));
  const payload = rng(5).bytes(150_000); // two blobs
  const input = join(dir, "payload.bin");
  const out = join(dir, "encoded");
  const chunks = join(out, "chunks");
  beforeAll(() => writeFileSync(input, payload));

  it("commit prints the c-kzg commitment of a blob file and names bad input", () => {
    const blob = randomBlob(rng(6));
    writeFileSync(join(dir, "blob.bin"), blob);
    const ok = vcloud(["da", "commit", "--blob", join(dir, "blob.bin"), "--json"]);
    expect(ok.stderr).toBe("");
    expect(JSON.parse(ok.stdout)).toEqual({ commitment: bytesToHex(testKzg().blobToKzgCommitment(blob)) });
    writeFileSync(join(dir, "short.bin"), blob.subarray(0, 131071));
    const short = vcloud(["da", "commit", "--blob", join(dir, "short.bin"), "--json"]);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/invalid --blob: .* must be exactly 131072 bytes, got 131071/);
    blob.fill(0xff, 32 * 9, 32 * 10);
    writeFileSync(join(dir, "bad.bin"), blob);
    const bad = vcloud(["da", "commit", "--blob", join(dir, "bad.bin")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/blob element 9: 0xffff.* is not a canonical field element/);
  });

  it("encode writes a manifest and one file per chunk and prints commitments and counts", () => {
    const res = vcloud(["da", "encode", input, "--out", out, "--ratio", "2", "--workers", "1", "--json"]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout);
    expect(json).toMatchObject({
      blobCount: 2,
      chunkCount: 256,
      ratio: 2,
      chunksToRecover: 64,
      payloadLength: 150_000,
    });
    expect(json.commitments).toHaveLength(2);
    expect(readdirSync(chunks)).toHaveLength(256);
    expect(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).blobs[0].commitment).toBe(json.commitments[0]);
    const badRatio = vcloud(["da", "encode", input, "--out", out, "--ratio", "3"]);
    expect(badRatio.code).toBe(2);
    expect(badRatio.stderr).toContain("invalid --ratio: must be 2, 4 or 8");
  });

  it("decode rebuilds the bytes from half the chunk files, skipping corrupt and truncated ones", () => {
    const r = rng(8);
    for (const blob of [0, 1]) {
      const names = readdirSync(chunks).filter((n) => n.startsWith(`b00000${blob}-`));
      const keep = new Set(r.sample(names.length, 66).map((i) => names[i]!));
      for (const n of names) if (!keep.has(n)) rmSync(join(chunks, n));
    }
    const [first, second] = readdirSync(chunks);
    const bytes = readFileSync(join(chunks, first!));
    bytes[200] = bytes[200]! ^ 4;
    writeFileSync(join(chunks, first!), bytes);
    truncateSync(join(chunks, second!), 100);
    const res = vcloud(["da", "decode", out, "--out", join(dir, "decoded.bin"), "--json"]);
    expect(res.stderr).toBe("");
    const json = JSON.parse(res.stdout);
    expect(json).toMatchObject({ bytes: 150_000, usedChunks: 128, chunkFilesFound: 132 });
    expect(json.rejectedChunks).toBeGreaterThanOrEqual(1);
    expect(Buffer.from(readFileSync(join(dir, "decoded.bin"))).equals(Buffer.from(payload))).toBe(true);
  });

  it("decode names how many valid chunks are missing, and rejects a lying manifest", () => {
    const names = readdirSync(chunks).filter((n) => n.startsWith("b000001-"));
    for (const n of names.slice(0, 4)) rmSync(join(chunks, n));
    const res = vcloud(["da", "decode", out, "--out", join(dir, "decoded2.bin")]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^error: blob 1: 2 valid chunk\(s\) missing: have 62 valid of the 64 needed/);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    writeFileSync(join(out, "manifest.json"), JSON.stringify({ ...manifest, payloadLength: 10 }));
    const lie = vcloud(["da", "decode", out, "--out", join(dir, "decoded3.bin")]);
    expect(lie.code).toBe(2);
    expect(lie.stderr).toMatch(/invalid manifest.json blobCount: says 2 but a 10-byte payload needs 1/);
    expect(readdirSync(dir).filter((n) => n.startsWith("decoded2") || n.includes("partial"))).toEqual([]);
  });
});
