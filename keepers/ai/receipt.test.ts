import { createHash } from "node:crypto";

import { encodeAbiParameters, keccak256, toBytes } from "viem";
import { describe, expect, it } from "vitest";

import type { Receipt } from "./engine.js";
import { promptChunks } from "./llama.js";
import {
  compareReceipts,
  engineId,
  finalizeReceipt,
  logitsLink,
  logitsLinkBytes,
  parseReceipt,
  RECEIPT_TYPEHASH,
  receiptHash,
  ReceiptMismatchError,
  settingsId,
  tokensHash,
  ZERO_HASH,
} from "./receipt.js";
import { argmax, Sampler } from "./sampling.js";

const h = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as const;

function sample(overrides: { output?: Partial<Receipt["output"]> } = {}): Receipt {
  const chain = [logitsLink(ZERO_HASH, 0, Uint8Array.of(1, 2, 3, 4))];
  chain.push(logitsLink(chain[0]!, 1, Uint8Array.of(5, 6, 7, 8)));
  const text = overrides.output?.text ?? "hi";
  return finalizeReceipt({
    version: 1,
    model: { sha256: h(1), bytes: 100 },
    engine: { name: "llama.cpp", version: "v", backend: "cpu", cpuFeatures: "AVX2 = 1" },
    settings: {
      threads: 2,
      batchSize: 64,
      contextSize: 512,
      flashAttention: false,
      maxTokens: 2,
      sampling: { temperatureMilli: 0, topK: 0 },
      bound: { threads: 0, batchSize: 0 },
    },
    seed: "7",
    prompt: { hash: h(2), tokenCount: 3, tokensHash: h(3) },
    output: {
      tokenIds: [10, 11],
      text,
      textHash: keccak256(toBytes(text)),
      stopReason: "length",
      ...overrides.output,
    },
    logits: { encoding: "f32le-full", chain, head: chain[1]! },
  });
}

describe("receipt hash", () => {
  it("is keccak256 of the ABI encoding under RECEIPT_TYPEHASH, as a contract would rebuild it", () => {
    const r = sample();
    const expected = keccak256(
      encodeAbiParameters(
        [
          "bytes32",
          "uint16",
          "bytes32",
          "bytes32",
          "bytes32",
          "uint256",
          "bytes32",
          "bytes32",
          "bytes32",
          "bytes32",
          "uint8",
          "uint8",
          "uint32",
          "bytes32",
        ].map((type) => ({ type })),
        [
          RECEIPT_TYPEHASH,
          1,
          r.model.sha256,
          r.engine.id,
          r.settings.id,
          7n,
          r.prompt.hash,
          r.prompt.tokensHash,
          tokensHash([10, 11]),
          keccak256(toBytes("hi")),
          1,
          0,
          2,
          r.logits.head,
        ],
      ),
    );
    expect(r.hash).toBe(expected);
    expect(receiptHash(r)).toBe(expected);
  });

  it("changes when any committed field changes", () => {
    const base = sample();
    const variants: Receipt[] = [
      { ...base, model: { ...base.model, sha256: h(9) } },
      { ...base, engine: { ...base.engine, version: "other" } },
      { ...base, engine: { ...base.engine, cpuFeatures: "AVX512 = 1" } },
      { ...base, settings: { ...base.settings, contextSize: 1024 } },
      { ...base, settings: { ...base.settings, maxTokens: 3 } },
      { ...base, settings: { ...base.settings, sampling: { temperatureMilli: 700, topK: 0 } } },
      { ...base, settings: { ...base.settings, sampling: { temperatureMilli: 0, topK: 5 } } },
      { ...base, settings: { ...base.settings, bound: { threads: 0, batchSize: 64 } } },
      { ...base, seed: "8" },
      { ...base, prompt: { ...base.prompt, hash: h(5) } },
      { ...base, prompt: { ...base.prompt, tokensHash: h(6) } },
      { ...base, output: { ...base.output, tokenIds: [10, 12] } },
      { ...base, output: { ...base.output, text: "ho" } },
      { ...base, output: { ...base.output, stopReason: "eos" } },
      { ...base, logits: { ...base.logits, head: h(7) } },
      { ...base, logits: { ...base.logits, encoding: "topk-logprob-e4" } },
    ];
    const hashes = new Set(variants.map((v) => receiptHash(v)));
    expect(hashes.size).toBe(variants.length);
    expect(hashes.has(base.hash)).toBe(false);
  });

  it("leaves unbound execution settings (threads, batch size) out of the hash", () => {
    const base = sample();
    expect(receiptHash({ ...base, settings: { ...base.settings, threads: 8, batchSize: 3 } })).toBe(base.hash);
    const recorded: Receipt["settings"] = { ...base.settings, threads: 1 };
    expect(settingsId(recorded)).toBe(base.settings.id);
  });

  it("derives engine and settings ids from their fields", () => {
    const r = sample();
    expect(r.engine.id).toBe(engineId(r.engine));
    expect(engineId({ ...r.engine, backend: "cuda" })).not.toBe(r.engine.id);
  });
});

describe("parseReceipt", () => {
  it("accepts a receipt that went through JSON", () => {
    const r = sample();
    expect(parseReceipt(JSON.parse(JSON.stringify(r)))).toEqual(r);
  });

  it("names the first field that does not match what it commits to", () => {
    const r = sample();
    const tampered = JSON.parse(JSON.stringify(r)) as Receipt;
    tampered.output.tokenIds = [10, 13];
    expect(() => parseReceipt(tampered)).toThrow(ReceiptMismatchError);
    expect(() => parseReceipt(tampered)).toThrow(/receipt hash/);
    const badText = { ...r, output: { ...r.output, text: "changed" } };
    expect(() => parseReceipt(badText)).toThrow(/output.textHash/);
    const badHead = { ...r, logits: { ...r.logits, head: h(1) } };
    expect(() => parseReceipt(badHead)).toThrow(/logits.head/);
    const badSettings = { ...r, settings: { ...r.settings, contextSize: 99 } };
    expect(() => parseReceipt(badSettings)).toThrow(/settings.id/);
  });

  it("rejects a malformed document", () => {
    expect(() => parseReceipt({ version: 2 })).toThrow();
    expect(() => parseReceipt({ ...sample(), seed: "-1" })).toThrow();
    // A non-decimal seed is a validation error naming the field, not BigInt's SyntaxError (regression).
    expect(() => parseReceipt({ ...sample(), seed: "12abc" })).toThrow(/seed[\s\S]*must be a decimal integer/);
    expect(() => parseReceipt({ ...sample(), seed: "12abc" })).not.toThrow(SyntaxError);
  });
});

describe("compareReceipts", () => {
  it("reports equality, differing inputs, and the first diverging step", () => {
    const a = sample();
    expect(compareReceipts(a, a)).toEqual({ equal: true });
    const otherModel = { ...a, model: { ...a.model, sha256: h(8) }, hash: h(99) };
    expect(compareReceipts(a, otherModel)).toEqual({ equal: false, field: "model.sha256", firstDivergentStep: null });
    const chain = [a.logits.chain[0]!, h(5)];
    const diverged = { ...a, logits: { ...a.logits, chain, head: h(5) }, hash: h(98) };
    expect(compareReceipts(a, diverged)).toEqual({ equal: false, field: "logits.chain", firstDivergentStep: 1 });
    const token = { ...a, output: { ...a.output, tokenIds: [99, 11] }, hash: h(97) };
    expect(compareReceipts(a, token)).toEqual({ equal: false, field: "output.tokenIds", firstDivergentStep: 0 });
  });
});

describe("logits chain and token hashing", () => {
  it("chains sha256 links over step index and logits bytes", () => {
    const l0 = logitsLink(ZERO_HASH, 0, Uint8Array.of(1));
    expect(logitsLink(ZERO_HASH, 0, Uint8Array.of(1))).toBe(l0);
    expect(logitsLink(ZERO_HASH, 1, Uint8Array.of(1))).not.toBe(l0);
    expect(logitsLink(l0, 0, Uint8Array.of(1))).not.toBe(l0);
  });

  it("the engine's binary links are the documented sha256(previous || uint32 BE step || logits)", () => {
    const logits = Float32Array.of(1.5, -2, 0, Number.NEGATIVE_INFINITY);
    const bytes = new Uint8Array(logits.buffer);
    const previous = logitsLink(ZERO_HASH, 6, Uint8Array.of(9));
    const expected = `0x${createHash("sha256")
      .update(toBytes(previous))
      .update(Uint8Array.of(0, 0, 1, 2))
      .update(bytes)
      .digest("hex")}`;
    expect(`0x${logitsLinkBytes(toBytes(previous), 258, bytes).toString("hex")}`).toBe(expected);
    expect(logitsLink(previous, 258, bytes)).toBe(expected);
  });

  it("hashes token ids as packed uint32 big-endian", () => {
    expect(tokensHash([1, 258])).toBe(keccak256(Uint8Array.of(0, 0, 0, 1, 0, 0, 1, 2)));
  });
});

describe("Sampler", () => {
  const logits = new Float32Array([0.5, 2, 2, -1, 1.5]);

  it("greedy picks the largest logit and the lowest id on ties", () => {
    expect(argmax(logits)).toBe(1);
    expect(new Sampler({ temperatureMilli: 0, topK: 0 }, 1n).next(logits)).toBe(1);
  });

  it("seeded sampling is a pure function of (seed, step, logits)", () => {
    const draw = (seed: bigint) => {
      const s = new Sampler({ temperatureMilli: 1000, topK: 0 }, seed);
      return Array.from({ length: 32 }, () => s.next(logits));
    };
    expect(draw(5n)).toEqual(draw(5n));
    expect(draw(5n)).not.toEqual(draw(6n));
    expect(new Set(draw(5n)).size).toBeGreaterThan(1);
  });

  it("top-K keeps only the K most likely tokens", () => {
    const s = new Sampler({ temperatureMilli: 100_000, topK: 2 }, 3n);
    const seen = new Set(Array.from({ length: 200 }, () => s.next(logits)));
    expect([...seen].sort()).toEqual([1, 2]);
  });
});

describe("promptChunks", () => {
  it("never leaves a single-token chunk after the first, and never exceeds the batch size", () => {
    for (let b = 3; b <= 12; b++) {
      for (let n = 1; n <= 60; n++) {
        const chunks = promptChunks(n, b);
        expect(chunks.reduce((a, c) => a + c, 0)).toBe(n);
        expect(Math.max(...chunks)).toBeLessThanOrEqual(b);
        if (n > 1) expect(Math.min(...chunks)).toBeGreaterThanOrEqual(2);
      }
    }
    expect(promptChunks(9, 4)).toEqual([4, 3, 2]);
    expect(promptChunks(8, 4)).toEqual([4, 4]);
    expect(promptChunks(1, 4)).toEqual([1]);
  });
});
