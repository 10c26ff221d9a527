import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { readGgufFileInfo } from "node-llama-cpp";
import { describe, expect, it } from "vitest";

import { createModel, testVocabulary } from "./model.js";

const small = { layers: 1, embedding: 64, feedForward: 128, heads: 2, kvHeads: 1 };

describe("createModel", () => {
  it("is deterministic: the same seed gives the same bytes and hash", () => {
    const a = createModel({ seed: 11n, shape: small });
    const b = createModel({ seed: 11n, shape: small });
    expect(a.sha256).toBe(b.sha256);
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
  });

  it("gives a different model for a different seed or weight type", () => {
    const a = createModel({ seed: 11n, shape: small });
    expect(createModel({ seed: 12n, shape: small }).sha256).not.toBe(a.sha256);
    expect(createModel({ seed: 11n, shape: small, weightType: "f32" }).sha256).not.toBe(a.sha256);
  });

  it("is pinned: the default test model has a known hash (a change to the generator must be deliberate)", () => {
    expect(createModel({ seed: 1n }).sha256).toMatchInlineSnapshot(
      `"0x30f9f0b0df1754b4e0a370d342cc67f3f8b3b56ae3b6d8b196619e9f03590cad"`,
    );
  });

  it("writes a llama GGUF with a SentencePiece vocabulary and Q8_0 matrices", async () => {
    const model = createModel({ seed: 3n, shape: small });
    const path = join(mkdtempSync(join(tmpdir(), "vcloud-model-")), "m.gguf");
    writeFileSync(path, model.bytes);
    const info = await readGgufFileInfo(path, { logWarnings: false });
    expect(info.metadata.general.architecture).toBe("llama");
    const llama = (info.metadata as unknown as { llama: Record<string, unknown> }).llama;
    expect(llama.block_count).toBe(1);
    expect(llama.embedding_length).toBe(64);
    expect(info.metadata.tokenizer?.ggml.model).toBe("llama");
    expect(info.metadata.tokenizer?.ggml.tokens.length).toBe(model.vocabSize);
    const types = new Map(info.tensorInfo!.map((t) => [t.name, t.ggmlType]));
    expect(types.get("blk.0.attn_q.weight")).toBe(8); // Q8_0
    expect(types.get("blk.0.attn_norm.weight")).toBe(0); // F32
    expect(info.tensorInfo!.length).toBe(1 + 9 + 2); // embeddings, one block, output norm + output
  });

  it("rejects shapes llama.cpp or Q8_0 cannot use", () => {
    expect(() => createModel({ seed: 1n, shape: { embedding: 48 } })).toThrow(/multiple of 32/);
    expect(() => createModel({ seed: 1n, shape: { heads: 3 } })).toThrow(/multiple of heads/);
    expect(() => createModel({ seed: 1n, shape: { heads: 4, kvHeads: 3 } })).toThrow(/multiple of kvHeads/);
    expect(() => createModel({ seed: 1n, shape: { layers: 0 } })).toThrow(/positive integer/);
  });
});

describe("testVocabulary", () => {
  it("has unique pieces, the special tokens first and all 256 byte-fallback tokens", () => {
    const v = testVocabulary();
    expect(new Set(v.tokens).size).toBe(v.tokens.length);
    expect(v.tokens.slice(0, 3)).toEqual(["<unk>", "<s>", "</s>"]);
    expect(v.types.filter((t) => t === 6)).toHaveLength(256);
    expect(v.scores).toHaveLength(v.tokens.length);
  });
});
