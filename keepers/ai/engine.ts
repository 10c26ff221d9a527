import type { Hex } from "viem";

/**
 * The inference engine interface. An engine runs one prompt to completion with everything that
 * changes bits pinned, and returns a receipt that anyone can reproduce by running the same engine
 * on the same model with the same request and settings.
 *
 *   const engine = await createEngine({ kind: "llama", modelPath, settings: { threads: 2 } });
 *   const receipt = await engine.run({ prompt: "hello", seed: 1n, maxTokens: 16 });
 *   receiptHash(receipt) // = receipt.hash, keccak256 of the canonical encoding (see receipt.ts)
 */

/** Sampling, implemented in the project from the raw logits (never by the engine's own sampler). */
export type Sampling = {
  /** Temperature in thousandths: 0 = greedy (argmax, lowest token id on ties); 700 = 0.7. */
  temperatureMilli: number;
  /** Keep only the K most likely tokens before sampling; 0 = all. Ignored when greedy. */
  topK: number;
};

export const GREEDY: Sampling = { temperatureMilli: 0, topK: 0 };

export type InferenceRequest = {
  prompt: string;
  /** Seed of the sampling stream (uint256). Committed in the receipt even when greedy. */
  seed: bigint;
  /** Upper bound on generated tokens; generation also stops at an end-of-generation token. */
  maxTokens: number;
  sampling?: Sampling;
};

/** Settings of the built-in engine. Every field is pinned and recorded in the receipt. */
export type EngineSettings = {
  /** CPU threads for evaluation (exact: the Llama instance is created with no thread cap). */
  threads: number;
  /** Tokens per decode call; llama.cpp's n_batch and n_ubatch are both set to it. */
  batchSize: number;
  /** KV cache size in tokens; prompt + maxTokens must fit (no context shift ever happens). */
  contextSize: number;
  /** Always false: flash attention changes the reduction order. */
  flashAttention: false;
  /**
   * What the logits chain commits per step: "full" = every logit of the vocabulary (default);
   * "top64" = the 64 largest (cheaper for production vocabularies of 32k-150k tokens; greedy or
   * top-K <= 64 sampling only); "selected" = the chosen token's logit only, with llama.cpp's greedy
   * argmax choosing (no sort, no transfer of the vocabulary: the cheapest; greedy only).
   */
  logits: "full" | "top64" | "selected";
};

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  threads: 2,
  batchSize: 64,
  contextSize: 512,
  flashAttention: false,
  logits: "full",
};

/** Who computed the receipt. Two receipts are comparable only when their engine ids are equal. */
export type EngineIdentity = {
  /** "llama.cpp" for the built-in engine, "openai-compatible" for the server adapter. */
  name: string;
  /** Versions of every component that can change bits, e.g. "node-llama-cpp@3.22.1 llama.cpp@v0.5.0 prebuilt". */
  version: string;
  /** "cpu", or the server's reported backend for the adapter. */
  backend: string;
  /** The CPU class: ggml's feature string of the loaded CPU backend (AVX2, AVX512, ...). */
  cpuFeatures: string;
};

/** How per-step logits are committed. */
export type LogitsEncoding =
  /** The full vocabulary's float32 logits, little-endian, in token-id order. */
  | "f32le-full"
  /** The 64 largest logits as (uint32 LE token id, float32 LE logit), by logit desc then id asc. */
  | "f32le-top64"
  /** Greedy only: (uint32 LE chosen token id, float32 LE its logit). */
  | "f32le-selected"
  /** The server's top-K log-probabilities, rounded to 1e-4, as (uint32 token id, int32 value*1e4) pairs. */
  | "topk-logprob-e4";

export type Receipt = {
  version: 1;
  model: {
    /** sha256 of the model file. */
    sha256: Hex;
    /** File size in bytes. */
    bytes: number;
  };
  engine: EngineIdentity & { id: Hex };
  settings: {
    threads: number;
    batchSize: number;
    contextSize: number;
    flashAttention: boolean;
    maxTokens: number;
    sampling: Sampling;
    /**
     * The execution settings the receipt hash binds: 0 means "measured not to change bits", so a
     * replayer may use any value. Threads are never bound on CPU; batch size is bound unless every
     * matrix weight of the model is Q8_0 (see docs/ai.md).
     */
    bound: { threads: number; batchSize: number };
    id: Hex;
  };
  /** Decimal uint256. */
  seed: string;
  prompt: {
    /** keccak256 of the UTF-8 prompt. */
    hash: Hex;
    /** The prompt's token ids (with BOS when the model adds one), committed as keccak256 of uint32 BE. */
    tokenCount: number;
    tokensHash: Hex;
  };
  output: {
    tokenIds: number[];
    text: string;
    textHash: Hex;
    stopReason: "eos" | "length";
  };
  logits: {
    encoding: LogitsEncoding;
    /** Link i = sha256(link i-1 || uint32 BE step || logits bytes of step i); link -1 = 32 zero bytes. */
    chain: Hex[];
    /** The last link (32 zero bytes when no token was generated). */
    head: Hex;
  };
  /** receiptHash(receipt): keccak256 of the canonical ABI encoding. */
  hash: Hex;
};

/**
 * Called after each generated token with the exact logits that produced it (built-in engine): the
 * whole vocabulary indexed by token id; with the top-64 commitment the other entries are -Infinity.
 */
export type StepObserver = (step: { index: number; tokenId: number; logits: Float32Array }) => void;

export interface InferenceEngine {
  readonly identity: EngineIdentity;
  readonly model: Receipt["model"];
  run(request: InferenceRequest, options?: { onStep?: StepObserver }): Promise<Receipt>;
  close(): Promise<void>;
}
