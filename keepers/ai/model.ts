import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";

import { GgmlTensorType, GgufValueType, writeGguf, type GgufTensor, type GgufValue } from "./gguf.js";
import { Prng } from "./prng.js";

/**
 * Test models that the project makes itself: a small llama-architecture GGUF whose weights are drawn
 * from a seeded PRNG, so the same seed always gives the same file, byte for byte, on any machine.
 * No model is ever downloaded; production users point the engine at their own GGUF file.
 */

export type WeightType = "q8_0" | "f16" | "f32";

export type ModelShape = {
  /** Hidden size; a multiple of 32 (Q8_0 blocks) and of `heads`. */
  embedding: number;
  layers: number;
  heads: number;
  /** Key/value heads (grouped-query attention when fewer than `heads`). */
  kvHeads: number;
  /** Feed-forward size; a multiple of 32. */
  feedForward: number;
  /** Trained context length written to the metadata. */
  contextLength: number;
};

export type CreateModelParameters = {
  seed: bigint;
  /** Matrix weight type; norms are always F32. Q8_0 (default) is batch-invariant on CPU. */
  weightType?: WeightType;
  shape?: Partial<ModelShape>;
  /** Pad the vocabulary to this many tokens (benchmarks); default: the base test vocabulary. */
  vocabSize?: number;
};

export type CreatedModel = {
  bytes: Uint8Array;
  /** sha256 of the file, 0x-prefixed: the model hash that receipts commit to. */
  sha256: `0x${string}`;
  shape: ModelShape;
  vocabSize: number;
  weightType: WeightType;
};

export const DEFAULT_MODEL_SHAPE: ModelShape = {
  embedding: 256,
  layers: 4,
  heads: 4,
  kvHeads: 2,
  feedForward: 768,
  contextLength: 2048,
};

/** Version of the generator; part of every weight stream's domain, so a change is never silent. */
export const MODEL_GENERATOR = "vcloud-ai-model-v1";

const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;
const SPACE = "\u2581"; // SentencePiece's word-boundary marker

/**
 * A SentencePiece-style ("llama") vocabulary: <unk>, <s>, </s>, the 256 byte-fallback tokens, every
 * printable ASCII character with and without the word-boundary marker, and common English pieces.
 * Any UTF-8 text tokenizes (unknown characters fall back to bytes) and detokenizes exactly.
 */
export function testVocabulary(size?: number): { tokens: string[]; scores: number[]; types: number[] } {
  const tokens: string[] = ["<unk>", "<s>", "</s>"];
  const types: number[] = [TOKEN_TYPE.unknown, TOKEN_TYPE.control, TOKEN_TYPE.control];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    types.push(TOKEN_TYPE.byte);
  }
  const pieces: string[] = [SPACE];
  for (let c = 0x21; c <= 0x7e; c++) pieces.push(String.fromCharCode(c));
  for (let c = 0x21; c <= 0x7e; c++) pieces.push(SPACE + String.fromCharCode(c));
  const words = [
    "th",
    "he",
    "in",
    "er",
    "an",
    "re",
    "on",
    "at",
    "en",
    "nd",
    "ti",
    "es",
    "or",
    "te",
    "of",
    "ed",
    "is",
    "it",
    "al",
    "ar",
    "st",
    "to",
    "nt",
    "ng",
    "se",
    "ha",
    "as",
    "ou",
    "io",
    "le",
    "ve",
    "co",
    "me",
    "de",
    "hi",
    "ri",
    "the",
    "ing",
    "and",
    "ion",
    "tio",
    "ent",
    "for",
    "her",
    "ter",
    "hat",
    "tha",
    "ere",
    "ate",
    "his",
    "con",
  ];
  for (const w of words) pieces.push(w, SPACE + w);
  const seen = new Set<string>();
  for (const p of pieces) {
    if (seen.has(p)) continue;
    seen.add(p);
    tokens.push(p);
    types.push(TOKEN_TYPE.normal);
  }
  // Benchmarks ask for a production-sized vocabulary: pad with numbered pieces.
  if (size !== undefined) {
    if (!Number.isInteger(size) || size < tokens.length) {
      throw new RangeError(`invalid model shape: vocabSize must be an integer >= ${tokens.length}`);
    }
    for (let i = 0; tokens.length < size; i++) {
      tokens.push(`${SPACE}w${i.toString(36)}`);
      types.push(TOKEN_TYPE.normal);
    }
  }
  // Scores: control/byte tokens 0; normal pieces prefer longer merges (SentencePiece merges the
  // highest-scoring adjacent pair first).
  const scores = tokens.map((t, i) => (types[i] === TOKEN_TYPE.normal ? -1000 + [...t].length * 100 - i / 1000 : 0));
  return { tokens, scores, types };
}

function resolveShape(partial: Partial<ModelShape> | undefined): ModelShape {
  const s = { ...DEFAULT_MODEL_SHAPE, ...partial };
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new RangeError(`invalid model shape: ${what}`);
  };
  for (const [k, v] of Object.entries(s)) check(Number.isInteger(v) && v > 0, `${k} must be a positive integer`);
  check(s.embedding % 32 === 0, "embedding must be a multiple of 32");
  check(s.feedForward % 32 === 0, "feedForward must be a multiple of 32");
  check(s.embedding % s.heads === 0, "embedding must be a multiple of heads");
  check(s.heads % s.kvHeads === 0, "heads must be a multiple of kvHeads");
  check((s.embedding / s.heads) % 2 === 0, "head size must be even (RoPE)");
  return s;
}

/** Uniform weights with standard deviation `std`, drawn from the tensor's own PRNG stream. */
function randomTensor(seed: bigint, name: string, count: number, std: number, mean = 0): Float32Array {
  const prng = new Prng(`${MODEL_GENERATOR}/${name}`, seed);
  const a = std * Math.sqrt(3);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = mean + (prng.nextFloat() * 2 - 1) * a;
  return out;
}

const GGML_FILE_TYPE: Record<WeightType, number> = { f32: 0, f16: 1, q8_0: 7 };
const TENSOR_TYPE: Record<WeightType, GgmlTensorType> = {
  f32: GgmlTensorType.F32,
  f16: GgmlTensorType.F16,
  q8_0: GgmlTensorType.Q8_0,
};

/** Builds the model file in memory. Pure: the same parameters always give the same bytes. */
export function createModel(params: CreateModelParameters): CreatedModel {
  const shape = resolveShape(params.shape);
  const weightType = params.weightType ?? "q8_0";
  const vocab = testVocabulary(params.vocabSize);
  const nVocab = vocab.tokens.length;
  const { embedding: d, feedForward: ff } = shape;
  const headSize = d / shape.heads;
  const dKv = headSize * shape.kvHeads;
  const wt = TENSOR_TYPE[weightType];

  const matrix = (name: string, rowLen: number, rows: number, std: number): GgufTensor => ({
    name,
    dims: [rowLen, rows],
    type: wt,
    data: randomTensor(params.seed, name, rowLen * rows, std),
  });
  const norm = (name: string): GgufTensor => ({
    name,
    dims: [d],
    type: GgmlTensorType.F32,
    data: randomTensor(params.seed, name, d, 0.05, 1),
  });

  const tensors: GgufTensor[] = [matrix("token_embd.weight", d, nVocab, 1)];
  for (let i = 0; i < shape.layers; i++) {
    const p = `blk.${i}`;
    tensors.push(
      norm(`${p}.attn_norm.weight`),
      matrix(`${p}.attn_q.weight`, d, d, 1 / Math.sqrt(d)),
      matrix(`${p}.attn_k.weight`, d, dKv, 1 / Math.sqrt(d)),
      matrix(`${p}.attn_v.weight`, d, dKv, 1 / Math.sqrt(d)),
      matrix(`${p}.attn_output.weight`, d, d, 1 / Math.sqrt(d)),
      norm(`${p}.ffn_norm.weight`),
      matrix(`${p}.ffn_gate.weight`, d, ff, 1 / Math.sqrt(d)),
      matrix(`${p}.ffn_up.weight`, d, ff, 1 / Math.sqrt(d)),
      matrix(`${p}.ffn_down.weight`, ff, d, 1 / Math.sqrt(ff)),
    );
  }
  // Byte-fallback and control rows of the output layer are damped so generated text is mostly
  // printable pieces (the model is random; this only makes its output readable in demos).
  const output = matrix("output.weight", d, nVocab, 2 / Math.sqrt(d));
  vocab.types.forEach((type, row) => {
    if (type === TOKEN_TYPE.normal) return;
    for (let j = row * d; j < (row + 1) * d; j++) output.data[j] = output.data[j]! * 0.25;
  });
  tensors.push(norm("output_norm.weight"), output);

  const u32 = (value: number): GgufValue => ({ type: GgufValueType.UINT32, value });
  const metadata = new Map<string, GgufValue>([
    ["general.architecture", { type: GgufValueType.STRING, value: "llama" }],
    ["general.name", { type: GgufValueType.STRING, value: `vcloud-test-${weightType}-${params.seed}` }],
    ["general.alignment", u32(32)],
    ["general.file_type", u32(GGML_FILE_TYPE[weightType])],
    ["vcloud.generator", { type: GgufValueType.STRING, value: MODEL_GENERATOR }],
    ["vcloud.seed", { type: GgufValueType.STRING, value: params.seed.toString() }],
    ["llama.vocab_size", u32(nVocab)],
    ["llama.context_length", u32(shape.contextLength)],
    ["llama.embedding_length", u32(d)],
    ["llama.block_count", u32(shape.layers)],
    ["llama.feed_forward_length", u32(ff)],
    ["llama.rope.dimension_count", u32(headSize)],
    ["llama.rope.freq_base", { type: GgufValueType.FLOAT32, value: 10000 }],
    ["llama.attention.head_count", u32(shape.heads)],
    ["llama.attention.head_count_kv", u32(shape.kvHeads)],
    ["llama.attention.layer_norm_rms_epsilon", { type: GgufValueType.FLOAT32, value: 1e-5 }],
    ["tokenizer.ggml.model", { type: GgufValueType.STRING, value: "llama" }],
    ["tokenizer.ggml.tokens", { type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value: vocab.tokens }],
    ["tokenizer.ggml.scores", { type: GgufValueType.ARRAY, itemType: GgufValueType.FLOAT32, value: vocab.scores }],
    ["tokenizer.ggml.token_type", { type: GgufValueType.ARRAY, itemType: GgufValueType.INT32, value: vocab.types }],
    ["tokenizer.ggml.unknown_token_id", u32(0)],
    ["tokenizer.ggml.bos_token_id", u32(1)],
    ["tokenizer.ggml.eos_token_id", u32(2)],
    ["tokenizer.ggml.add_bos_token", { type: GgufValueType.BOOL, value: true }],
    ["tokenizer.ggml.add_eos_token", { type: GgufValueType.BOOL, value: false }],
  ]);

  const bytes = writeGguf(metadata, tensors);
  return {
    bytes,
    sha256: `0x${createHash("sha256").update(bytes).digest("hex")}`,
    shape,
    vocabSize: nVocab,
    weightType,
  };
}

/** Creates the model and writes it to `out`. */
export async function writeModel(out: string, params: CreateModelParameters): Promise<CreatedModel> {
  const model = createModel(params);
  await writeFile(out, model.bytes);
  return model;
}
