import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { EngineSettings, InferenceRequest } from "./engine.js";
import { EngineParameterError, ModelFileError } from "./errors.js";
import { inspectModelFile, LlamaEngine } from "./llama.js";
import { writeModel } from "./model.js";
import { logitsLink, parseReceipt, ZERO_HASH } from "./receipt.js";

// Tiny models and few tokens: CI has two cores shared with other suites.
const dir = mkdtempSync(join(tmpdir(), "vcloud-ai-engine-"));
const modelPath = join(dir, "q8.gguf");
const f32Path = join(dir, "f32.gguf");
const shape = { layers: 2, embedding: 128, feedForward: 256, heads: 4, kvHeads: 2 };
const prompt = "The verifier replays every claim; a cheating operator is slashed.";
const request: InferenceRequest = { prompt, seed: 1n, maxTokens: 6 };

const engines: LlamaEngine[] = [];
async function engine(path: string, settings: Partial<EngineSettings> = {}): Promise<LlamaEngine> {
  const e = await LlamaEngine.create({ modelPath: path, settings: { threads: 1, contextSize: 256, ...settings } });
  engines.push(e);
  return e;
}

beforeAll(async () => {
  await writeModel(modelPath, { seed: 5n, shape });
  await writeModel(f32Path, { seed: 5n, shape, weightType: "f32" });
});

afterAll(async () => {
  for (const e of engines) await e.close();
});

describe("LlamaEngine determinism", () => {
  it("gives the same receipt across repeated runs and fresh engines", async () => {
    const a = await engine(modelPath);
    const first = await a.run(request);
    expect(first.output.tokenIds).toHaveLength(request.maxTokens);
    expect((await a.run(request)).hash).toBe(first.hash);
    const b = await engine(modelPath);
    expect(await b.run(request)).toEqual(first);
    // A receipt survives JSON and checks out.
    expect(parseReceipt(JSON.parse(JSON.stringify(first)))).toEqual(first);
  });

  it("gives the same receipt across thread counts (threads are recorded, not bound)", async () => {
    const short = { ...request, prompt: "Replay me.", maxTokens: 4 };
    const one = await (await engine(modelPath, { threads: 1 })).run(short);
    const two = await (await engine(modelPath, { threads: 2 })).run(short);
    expect(two.settings.threads).toBe(2);
    expect(two.logits.chain).toEqual(one.logits.chain);
    expect(two.hash).toBe(one.hash);
  });

  it("gives the same receipt across batch sizes, including ones that would leave a one-token chunk", async () => {
    const base = await engine(modelPath, { batchSize: 512 });
    const n = base.tokenize(prompt).length;
    const reference = await base.run(request);
    // n - 1 leaves a remainder of one token (split into (b-1, 2)); 3 and 8 chunk the prompt finely.
    for (const batchSize of [3, 8, n - 1, 64]) {
      const r = await (await engine(modelPath, { batchSize })).run(request);
      expect(r.logits.chain, `batchSize ${batchSize}`).toEqual(reference.logits.chain);
      expect(r.hash, `batchSize ${batchSize}`).toBe(reference.hash);
    }
  });

  it("is batch-invariant for an F32 model too, with the engine's chunking", async () => {
    const a = await (await engine(f32Path, { batchSize: 512 })).run(request);
    const n = (await engine(f32Path)).tokenize(prompt).length;
    const b = await (await engine(f32Path, { batchSize: n - 1 })).run(request);
    expect(b.logits.chain).toEqual(a.logits.chain);
    expect(b.hash).toBe(a.hash);
  });

  it("commits every step's exact logits in the chain", async () => {
    const e = await engine(modelPath);
    const seen: Float32Array[] = [];
    const r = await e.run(request, { onStep: (s) => seen.push(s.logits.slice()) });
    let link = ZERO_HASH;
    const chain = seen.map((l, i) => (link = logitsLink(link, i, new Uint8Array(l.buffer))));
    expect(chain).toEqual(r.logits.chain);
    expect(r.logits.head).toBe(chain.at(-1));
  });
});

describe("LlamaEngine logits commitments", () => {
  it("top-64 and selected-logit commitments give the full commitment's tokens, and are batch-invariant", async () => {
    const full = await (await engine(modelPath)).run(request);
    for (const logits of ["top64", "selected"] as const) {
      const a = await (await engine(modelPath, { logits, batchSize: 512 })).run(request);
      const b = await (await engine(modelPath, { logits, batchSize: 3 })).run(request);
      expect(a.output.tokenIds, logits).toEqual(full.output.tokenIds);
      expect(a.logits.encoding).toBe(logits === "top64" ? "f32le-top64" : "f32le-selected");
      expect(a.hash).not.toBe(full.hash);
      expect(b.hash, logits).toBe(a.hash);
    }
  });

  it("the selected logit is the full logits' maximum, and top-64 sampling needs top-K <= 64", async () => {
    const fullSteps: Float32Array[] = [];
    await (await engine(modelPath)).run(request, { onStep: (s) => fullSteps.push(s.logits.slice()) });
    const selSteps: { tokenId: number; logits: Float32Array }[] = [];
    await (
      await engine(modelPath, { logits: "selected" })
    ).run(request, {
      onStep: (s) => selSteps.push({ tokenId: s.tokenId, logits: s.logits.slice() }),
    });
    selSteps.forEach((s, i) => expect(s.logits[s.tokenId]).toBe(Math.max(...fullSteps[i]!)));
    const top = await engine(modelPath, { logits: "top64" });
    await expect(top.run({ ...request, sampling: { temperatureMilli: 800, topK: 0 } })).rejects.toThrow(/topK/);
    const sampled = await top.run({ ...request, sampling: { temperatureMilli: 800, topK: 40 } });
    expect(sampled.output.tokenIds).toHaveLength(request.maxTokens);
    const sel = await engine(modelPath, { logits: "selected" });
    await expect(sel.run({ ...request, sampling: { temperatureMilli: 800, topK: 4 } })).rejects.toThrow(/temperature/);
  });
});

describe("LlamaEngine: what changes the receipt", () => {
  it("a changed seed, sampling or setting changes the receipt", async () => {
    const e = await engine(modelPath);
    const base = await e.run(request);
    const sampled = { ...request, sampling: { temperatureMilli: 1500, topK: 0 } };
    const s1 = await e.run(sampled);
    const s2 = await e.run({ ...sampled, seed: 2n });
    expect(s1.hash).not.toBe(base.hash);
    expect(s2.hash).not.toBe(s1.hash);
    expect(s2.output.tokenIds).not.toEqual(s1.output.tokenIds);
    // Even when greedy, the seed is committed.
    expect((await e.run({ ...request, seed: 2n })).hash).not.toBe(base.hash);
    expect((await e.run({ ...request, maxTokens: 5 })).hash).not.toBe(base.hash);
    expect((await e.run({ ...request, prompt: `${prompt} ` })).hash).not.toBe(base.hash);
    const bigger = await (await engine(modelPath, { contextSize: 512 })).run(request);
    expect(bigger.hash).not.toBe(base.hash);
  });

  it("a changed model byte changes the model hash and the logits", async () => {
    const info = await readGgufFileInfo(modelPath, { logWarnings: false });
    const q = info.tensorInfo!.find((t) => t.name === "blk.0.attn_q.weight")!;
    const bytes = readFileSync(modelPath);
    const flipped = join(dir, "flipped.gguf");
    copyFileSync(modelPath, flipped);
    const at = Number(q.fileOffset) + 2 + 5; // an int8 weight of the first Q8_0 block
    bytes[at] = bytes[at]! ^ 0x40;
    writeFileSync(flipped, bytes);
    const a = await (await engine(modelPath)).run(request);
    const b = await (await engine(flipped)).run(request);
    expect(b.model.sha256).not.toBe(a.model.sha256);
    expect(b.logits.chain[0]).not.toBe(a.logits.chain[0]);
    expect(b.hash).not.toBe(a.hash);
  });
});

describe("LlamaEngine: bad input", () => {
  it("reports a missing, non-GGUF or truncated model file", async () => {
    await expect(LlamaEngine.create({ modelPath: join(dir, "nope.gguf") })).rejects.toThrow(ModelFileError);
    const junk = join(dir, "junk.gguf");
    writeFileSync(junk, "not a model");
    await expect(LlamaEngine.create({ modelPath: junk })).rejects.toThrow(/not a valid GGUF model/);
    const cut = join(dir, "cut.gguf");
    writeFileSync(cut, readFileSync(modelPath).subarray(0, 200_000));
    await expect(LlamaEngine.create({ modelPath: cut })).rejects.toThrow(/not within the file bounds/);
  });

  it("refuses settings that would break determinism or overflow the context", async () => {
    await expect(LlamaEngine.create({ modelPath, settings: { batchSize: 1 } })).rejects.toThrow(EngineParameterError);
    const e = await engine(modelPath, { contextSize: 32 });
    await expect(e.run({ ...request, maxTokens: 100 })).rejects.toThrow(/exceeds contextSize 32/);
    await expect(e.run({ ...request, maxTokens: 0 })).rejects.toThrow(/maxTokens/);
    await expect(e.run({ ...request, sampling: { temperatureMilli: -1, topK: 0 } })).rejects.toThrow(/temperature/);
  });

  it("says whether a model's weights are batch-invariant", async () => {
    expect((await inspectModelFile(modelPath)).batchInvariant).toBe(true);
  });
});
