import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readSync } from "node:fs";
import { open, readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import {
  getLlama,
  GgmlType,
  LlamaLogLevel,
  type ControlledEvaluateInputItem,
  type Llama,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import { keccak256, toBytes, type Hex } from "viem";

import {
  DEFAULT_ENGINE_SETTINGS,
  GREEDY,
  type EngineIdentity,
  type EngineSettings,
  type InferenceEngine,
  type InferenceRequest,
  type Receipt,
  type StepObserver,
} from "./engine.js";
import { EngineParameterError, EngineRunError, ModelFileError } from "./errors.js";
import { GgufFormatError, scanGguf, type GgufScan } from "./gguf.js";
import { finalizeReceipt, logitsLinkBytes, promptHash, tokensHash, ZERO_HASH } from "./receipt.js";
import { Sampler } from "./sampling.js";

/**
 * The built-in engine: llama.cpp through node-llama-cpp on the CPU, with every bit-changing setting
 * pinned (see docs/ai.md). One context per run, one sequence, no prompt cache, no context shift,
 * flash attention off, logits read in full after every step and sampled by the project's Sampler.
 */

let llamaInstance: Promise<Llama> | undefined;

/** The process-wide CPU-only Llama instance: prebuilt binaries only, no thread cap, no GPU. */
export function cpuLlama(): Promise<Llama> {
  llamaInstance ??= getLlama({
    gpu: false,
    build: "never",
    maxThreads: 0,
    logLevel: LlamaLogLevel.error,
    logger: (_level, message) => {
      recentLlamaErrors.push(message.trim());
      if (recentLlamaErrors.length > 8) recentLlamaErrors.shift();
    },
    progressLogs: false,
  });
  return llamaInstance;
}

/** llama.cpp's last error lines: kept to explain a failure instead of printing them to the terminal. */
const recentLlamaErrors: string[] = [];

function lastLlamaError(): string | undefined {
  return recentLlamaErrors
    .filter((m) => /error/i.test(m))
    .map((m) => m.replace(/^llama_model_load:\s*/, "").replace(/^error loading model:\s*/, ""))
    .at(0);
}

let packageVersion: string | undefined;
async function nodeLlamaCppVersion(): Promise<string> {
  if (packageVersion) return packageVersion;
  const entry = fileURLToPath(import.meta.resolve("node-llama-cpp"));
  const pkg = JSON.parse(await readFile(join(dirname(entry), "..", "package.json"), "utf8")) as { version: string };
  packageVersion = pkg.version;
  return pkg.version;
}

/** sha256 of a file, streamed (production models are gigabytes). */
export async function fileSha256(path: string): Promise<Hex> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `0x${hash.digest("hex")}`;
}

/**
 * Matrix weight types whose logits were measured identical for every batch size >= 3 on the CPU
 * backend (with the engine's prompt chunking); models with any other matrix type bind the batch size.
 */
export const BATCH_INVARIANT_TYPES: ReadonlySet<number> = new Set([GgmlType.Q8_0, GgmlType.F16, GgmlType.F32]);

export type ModelFileInfo = {
  path: string;
  sha256: Hex;
  bytes: number;
  /** True when every matrix weight has a type in BATCH_INVARIANT_TYPES (docs/ai.md). */
  batchInvariant: boolean;
};

/** Checks that `path` is a readable GGUF file and hashes it; errors name the file and the problem. */
export async function inspectModelFile(path: string): Promise<ModelFileInfo> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new ModelFileError(path, "not a regular file");
    size = s.size;
  } catch (error) {
    if (error instanceof ModelFileError) throw error;
    throw new ModelFileError(path, "not found or not readable", { cause: error });
  }
  let scan: GgufScan;
  try {
    const handle = await open(path, "r");
    try {
      // Headers are small next to the weights; read them in 1 MiB windows.
      const window = { start: 0, bytes: new Uint8Array(0) };
      const reader = (position: number, length: number): Uint8Array => {
        if (position < window.start || position + length > window.start + window.bytes.length) {
          const want = Math.min(Math.max(length, 1 << 20), size - position);
          const buffer = new Uint8Array(want);
          readSync(handle.fd, buffer, 0, want, position);
          window.start = position;
          window.bytes = buffer;
        }
        return window.bytes.subarray(position - window.start, position - window.start + length);
      };
      scan = scanGguf(size, reader);
    } finally {
      await handle.close();
    }
    if (scan.tensors.length === 0) throw new GgufFormatError("no tensors", 0);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelFileError(path, `not a valid GGUF model (${reason})`, { cause: error });
  }
  const batchInvariant = scan.tensors
    .filter((t) => t.dims.filter((d) => d > 1).length >= 2)
    .every((t) => BATCH_INVARIANT_TYPES.has(t.type));
  return { path, sha256: await fileSha256(path), bytes: size, batchInvariant };
}

export type LlamaEngineParameters = {
  modelPath: string;
  settings?: Partial<EngineSettings>;
};

/**
 * Sizes of the decode calls for a prompt of `length` tokens: full batches, except that a final
 * one-token chunk is avoided by splitting the last full batch (b-1, 2). With batchSize >= 3 every
 * chunk of a prompt longer than one token then has at least two tokens.
 */
export function promptChunks(length: number, batchSize: number): number[] {
  const chunks: number[] = [];
  let left = length;
  while (left > 0) {
    const size = Math.min(batchSize, left);
    chunks.push(size);
    left -= size;
  }
  if (chunks.length >= 2 && chunks.at(-1) === 1) {
    chunks.splice(-2, 2, batchSize - 1, 2);
  }
  return chunks;
}

/** How many logits the "top64" commitment keeps per step. */
export const TOP_LOGITS = 64;

/** The smallest batch size the engine accepts (see promptChunks). */
export const MIN_BATCH_SIZE = 3;

function checkSettings(s: EngineSettings): void {
  const int = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new EngineParameterError(name, `must be an integer in ${min}..${max}, got ${v}`);
    }
  };
  int("threads", s.threads, 1, 256);
  int("batchSize", s.batchSize, MIN_BATCH_SIZE, 65536);
  int("contextSize", s.contextSize, 16, 1 << 20);
  if (s.flashAttention !== false) throw new EngineParameterError("flashAttention", "must be false");
  if (!["full", "top64", "selected"].includes(s.logits)) {
    throw new EngineParameterError("logits", 'must be "full", "top64" or "selected"');
  }
}

/**
 * Checks a request against the engine settings without the model: every rule that does not need the
 * prompt's tokens (the prompt + maxTokens <= contextSize rule is checked again once the prompt is tokenized).
 * The CLI calls it before loading the model so that a bad value is named before any load.
 */
export function checkRequest(settings: EngineSettings, request: InferenceRequest): void {
  const sampling = request.sampling ?? GREEDY;
  if (!Number.isInteger(request.maxTokens) || request.maxTokens < 1) {
    throw new EngineParameterError("maxTokens", `must be a positive integer, got ${request.maxTokens}`);
  }
  if (request.seed < 0n || request.seed >= 1n << 256n) throw new EngineParameterError("seed", "must be a uint256");
  if (
    !Number.isInteger(sampling.temperatureMilli) ||
    sampling.temperatureMilli < 0 ||
    sampling.temperatureMilli > 100_000
  ) {
    throw new EngineParameterError("temperature", "must be between 0 and 100 (thousandths resolution)");
  }
  if (!Number.isInteger(sampling.topK) || sampling.topK < 0) {
    throw new EngineParameterError("topK", "must be a non-negative integer");
  }
  if (settings.logits === "selected" && sampling.temperatureMilli !== 0) {
    throw new EngineParameterError("temperature", 'must be 0 with the "selected" logits commitment (greedy only)');
  }
  if (
    settings.logits === "top64" &&
    sampling.temperatureMilli !== 0 &&
    (sampling.topK === 0 || sampling.topK > TOP_LOGITS)
  ) {
    throw new EngineParameterError("topK", `must be 1..${TOP_LOGITS} to sample with the top-64 logits commitment`);
  }
  if (request.maxTokens >= settings.contextSize) {
    throw new EngineParameterError(
      "maxTokens",
      `maxTokens (${request.maxTokens}) plus at least one prompt token exceeds contextSize ${settings.contextSize}`,
    );
  }
}

export class LlamaEngine implements InferenceEngine {
  private constructor(
    private readonly llamaModel: LlamaModel,
    private readonly file: ModelFileInfo,
    readonly identity: EngineIdentity,
    readonly settings: EngineSettings,
  ) {}

  static async create(params: LlamaEngineParameters): Promise<LlamaEngine> {
    const settings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, ...params.settings };
    checkSettings(settings);
    const file = await inspectModelFile(params.modelPath);
    const llama = await cpuLlama();
    let llamaModel: LlamaModel;
    recentLlamaErrors.length = 0;
    try {
      llamaModel = await llama.loadModel({ modelPath: params.modelPath, gpuLayers: 0 });
    } catch (error) {
      await new Promise((resolve) => setTimeout(resolve, 10)); // llama.cpp's log lines arrive asynchronously
      const reason = lastLlamaError() ?? (error as Error).message;
      throw new ModelFileError(params.modelPath, `llama.cpp could not load it: ${reason}`, { cause: error });
    }
    const identity: EngineIdentity = {
      name: "llama.cpp",
      version: `node-llama-cpp@${await nodeLlamaCppVersion()} llama.cpp@${llama.llamaCppRelease.release} ${llama.buildType}`,
      backend: "cpu",
      cpuFeatures: llama.systemInfo.trim(),
    };
    return new LlamaEngine(llamaModel, file, identity, settings);
  }

  get model(): Receipt["model"] {
    return { sha256: this.file.sha256, bytes: this.file.bytes };
  }

  /** Tokens in the model's vocabulary. */
  get vocabSize(): number {
    return this.llamaModel.fileInfo.metadata.tokenizer?.ggml.tokens.length ?? 0;
  }

  get batchInvariant(): boolean {
    return this.file.batchInvariant;
  }

  /** The prompt's token ids: BOS when the model asks for it, then the text (special tokens not parsed). */
  tokenize(prompt: string): number[] {
    const m = this.llamaModel;
    const bos = m.tokens.shouldPrependBosToken && m.tokens.bos != null ? [m.tokens.bos] : [];
    return [...bos, ...m.tokenize(prompt, false)].map(Number);
  }

  detokenize(tokens: readonly number[]): string {
    return this.llamaModel.detokenize(tokens as never, false);
  }

  async run(request: InferenceRequest, options: { onStep?: StepObserver } = {}): Promise<Receipt> {
    const sampling = request.sampling ?? GREEDY;
    const { settings } = this;
    checkRequest(settings, request);
    const promptTokens = this.tokenize(request.prompt);
    if (promptTokens.length === 0) throw new EngineParameterError("prompt", "is empty and the model adds no BOS token");
    if (promptTokens.length + request.maxTokens > settings.contextSize) {
      throw new EngineParameterError(
        "maxTokens",
        `prompt (${promptTokens.length} tokens) + maxTokens (${request.maxTokens}) exceeds contextSize ${settings.contextSize}`,
      );
    }

    const context = await this.llamaModel.createContext({
      contextSize: settings.contextSize,
      batchSize: settings.batchSize,
      threads: settings.threads,
      sequences: 1,
      flashAttention: false,
    });
    try {
      if (context.currentThreads !== settings.threads) {
        throw new EngineRunError(`llama.cpp runs ${context.currentThreads} threads, pinned ${settings.threads}`);
      }
      const sequence = context.getSequence();
      const sampler = new Sampler(sampling, request.seed);
      const outputIds: number[] = [];
      const chain: Hex[] = [];
      let link: Hex = ZERO_HASH;
      let linkBytes: Uint8Array = new Uint8Array(32);
      const nextLink = (step: number, bytes: Uint8Array) => {
        const digest = logitsLinkBytes(linkBytes, step, bytes);
        linkBytes = digest;
        link = `0x${digest.toString("hex")}`;
      };
      let stopReason: "eos" | "length" = "length";
      let vocab = 0;
      const top = settings.logits === "top64";
      const selected = settings.logits === "selected";
      const next = {
        generateNext: {
          token: selected,
          logits: top
            ? { filter: { tokens: [], includeTop: TOP_LOGITS } }
            : selected
              ? { filter: { tokens: [], includeSelected: true } }
              : true,
          options: { temperature: 0 },
        },
      } as const;
      // The prompt goes in in our own chunks (one decode each) so that no chunk but a one-token
      // prompt holds a single token: llama.cpp takes a different kernel path for one-row batches.
      const chunks = promptChunks(promptTokens.length, settings.batchSize);
      let offset = 0;
      for (const size of chunks.slice(0, -1)) {
        await sequence.controlledEvaluate(promptTokens.slice(offset, offset + size).map((t) => t as Token));
        offset += size;
      }
      let input: ControlledEvaluateInputItem[] = promptTokens
        .slice(offset)
        .map((t, i, last) => (i === last.length - 1 ? [t as Token, next] : (t as Token)));
      for (let step = 0; step < request.maxTokens; step++) {
        const results = await sequence.controlledEvaluate(input);
        const map = results[input.length - 1]?.next.logits;
        if (!map) throw new EngineRunError(`no logits at step ${step}`);
        let token: number;
        let logits: Float32Array;
        if (selected) {
          // llama.cpp's greedy sampler chose (largest logit, lowest id on ties: the same rule as ours).
          const chosen = results[input.length - 1]?.next.token;
          const value = chosen == null ? undefined : map.get(chosen);
          if (chosen == null || value === undefined || map.size !== 1) {
            throw new EngineRunError(`step ${step} returned no selected token logit`);
          }
          token = chosen;
          const bytes = new Uint8Array(8);
          const view = new DataView(bytes.buffer);
          view.setUint32(0, token, true);
          view.setFloat32(4, value, true);
          nextLink(step, bytes);
          logits = new Float32Array(Math.max(this.vocabSize, token + 1)).fill(-Infinity);
          logits[token] = value;
        } else if (top) {
          if (map.size !== Math.min(TOP_LOGITS, this.vocabSize || TOP_LOGITS)) {
            throw new EngineRunError(`step ${step} returned ${map.size} top logits`);
          }
          const entries = [...map].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
          const bytes = new Uint8Array(entries.length * 8);
          const view = new DataView(bytes.buffer);
          entries.forEach(([id, value], i) => {
            view.setUint32(i * 8, id, true);
            view.setFloat32(i * 8 + 4, value, true);
          });
          nextLink(step, bytes);
          token = sampler.nextFrom(
            entries.map((e) => e[0]),
            Float32Array.from(entries, (e) => e[1]),
          );
          logits = new Float32Array(0);
          if (options.onStep) {
            logits = new Float32Array(Math.max(this.vocabSize, ...entries.map((e) => e[0] + 1))).fill(-Infinity);
            for (const [id, value] of entries) logits[id] = value;
          }
        } else {
          if (step === 0) vocab = map.size;
          if (map.size !== vocab || vocab === 0) throw new EngineRunError(`step ${step} returned ${map.size} logits`);
          logits = new Float32Array(vocab);
          const full = logits;
          let outside = -1;
          // forEach, not for-of with destructuring: no iterator and pair array per entry (32k+ per step).
          map.forEach((value, id) => {
            if (id >= 0 && id < vocab) full[id] = value;
            else outside = id;
          });
          if (outside !== -1) throw new EngineRunError(`logit for token ${outside} outside the vocabulary`);
          nextLink(step, new Uint8Array(logits.buffer, logits.byteOffset, logits.byteLength));
          token = sampler.next(logits);
        }
        chain.push(link);
        outputIds.push(token);
        options.onStep?.({ index: step, tokenId: token, logits });
        if (this.llamaModel.isEogToken(token as Token)) {
          stopReason = "eos";
          break;
        }
        input = [[token as Token, next]];
      }
      const text = this.detokenize(outputIds);
      return finalizeReceipt({
        version: 1,
        model: this.model,
        engine: this.identity,
        settings: {
          threads: settings.threads,
          batchSize: settings.batchSize,
          contextSize: settings.contextSize,
          flashAttention: settings.flashAttention,
          maxTokens: request.maxTokens,
          sampling: { temperatureMilli: sampling.temperatureMilli, topK: sampling.topK },
          bound: { threads: 0, batchSize: this.file.batchInvariant ? 0 : settings.batchSize },
        },
        seed: request.seed.toString(),
        prompt: {
          hash: promptHash(request.prompt),
          tokenCount: promptTokens.length,
          tokensHash: tokensHash(promptTokens),
        },
        output: { tokenIds: outputIds, text, textHash: keccak256(toBytes(text)), stopReason },
        logits: {
          encoding: selected ? "f32le-selected" : top ? "f32le-top64" : "f32le-full",
          chain,
          head: link,
        },
      });
    } catch (error) {
      if (error instanceof EngineRunError || error instanceof EngineParameterError) throw error;
      throw new EngineRunError((error as Error).message, { cause: error });
    } finally {
      await context.dispose();
    }
  }

  async close(): Promise<void> {
    await this.llamaModel.dispose();
  }
}
