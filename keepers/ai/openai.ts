import { keccak256, toBytes, type Hex } from "viem";
import { z } from "zod";

import { GREEDY, type EngineIdentity, type InferenceEngine, type InferenceRequest, type Receipt } from "./engine.js";
import {
  EngineParameterError,
  ServerHttpError,
  ServerResponseError,
  ServerTimeoutError,
  ServerUnreachableError,
} from "./errors.js";
import { inspectModelFile } from "./llama.js";
import { finalizeReceipt, logitsLink, promptHash, ZERO_HASH } from "./receipt.js";

/**
 * Adapter for an OpenAI-compatible completions server (llama.cpp `llama-server`, vLLM in its
 * deterministic / batch-invariant mode) for operators who run GPUs. It asks `/v1/completions` for a
 * greedy completion with the top-K log-probabilities of every step and turns the answer into a
 * receipt with the "topk-logprob-e4" logits encoding:
 *
 *   step bytes = for each of the K entries sorted by (logprob desc, id asc):
 *                uint32 BE token id || int32 BE round(logprob * 10^4)
 *
 * Both response shapes are accepted: the legacy completions `logprobs` object (vLLM with
 * `return_tokens_as_token_ids`, tokens "token_id:N") and llama.cpp's `logprobs.content[]` with ids.
 * Only greedy decoding: seeded sampling needs the full logits, which servers do not return.
 * Receipts from this adapter are comparable with receipts of the same server setup only.
 */

export type OpenAiEngineParameters = {
  /** Server root, e.g. http://127.0.0.1:8080 (the adapter appends /v1/completions). */
  baseUrl: string;
  /** The GGUF file the server runs: hashed locally, so receipts commit to the model. */
  modelPath: string;
  /** The `model` field sent to the server (default: "default"). */
  serverModel?: string;
  /** Log-probabilities per step committed in the logits chain (default 8). */
  topLogprobs?: number;
  /** Declared server settings that the receipt records. */
  contextSize: number;
  /** Engine identity of the server stack (versions, backend, GPU class). */
  identity: Omit<EngineIdentity, "name">;
  apiKey?: string;
  timeoutMs?: number;
};

const zLogprobsLegacy = z.object({
  tokens: z.array(z.string()),
  top_logprobs: z.array(z.record(z.string(), z.number()).nullable()),
});
const zTop = z.object({ id: z.number().int().min(0), logprob: z.number() });
const zLogprobsContent = z.object({
  content: z.array(z.object({ id: z.number().int().min(0), logprob: z.number(), top_logprobs: z.array(zTop) })),
});
const zCompletion = z.object({
  choices: z
    .array(
      z.object({
        text: z.string(),
        finish_reason: z.string().nullable(),
        logprobs: z.union([zLogprobsLegacy, zLogprobsContent]).nullable().optional(),
      }),
    )
    .min(1),
  usage: z.object({ prompt_tokens: z.number().int().min(0) }).optional(),
});

type Step = { tokenId: number; top: { id: number; logprob: number }[] };

function tokenIdOf(url: string, token: string): number {
  const m = /^token_id:(\d+)$/.exec(token);
  if (!m)
    throw new ServerResponseError(
      url,
      `token "${token}" carries no id (ask the server for return_tokens_as_token_ids)`,
    );
  return Number(m[1]);
}

function stepsOf(url: string, logprobs: z.infer<typeof zLogprobsLegacy> | z.infer<typeof zLogprobsContent>): Step[] {
  if ("content" in logprobs) {
    return logprobs.content.map((c) => ({ tokenId: c.id, top: c.top_logprobs.map((t) => ({ ...t })) }));
  }
  return logprobs.tokens.map((token, i) => ({
    tokenId: tokenIdOf(url, token),
    top: Object.entries(logprobs.top_logprobs[i] ?? {}).map(([t, logprob]) => ({ id: tokenIdOf(url, t), logprob })),
  }));
}

/** The bytes one step contributes to the logits chain ("topk-logprob-e4"). */
export function topkStepBytes(top: readonly { id: number; logprob: number }[]): Uint8Array {
  const sorted = [...top].sort((a, b) => b.logprob - a.logprob || a.id - b.id);
  const bytes = new Uint8Array(sorted.length * 8);
  const view = new DataView(bytes.buffer);
  sorted.forEach((t, i) => {
    view.setUint32(i * 8, t.id, false);
    view.setInt32(i * 8 + 4, Math.round(t.logprob * 1e4), false);
  });
  return bytes;
}

export class OpenAiEngine implements InferenceEngine {
  private constructor(
    private readonly params: OpenAiEngineParameters,
    readonly model: Receipt["model"],
    readonly identity: EngineIdentity,
  ) {}

  static async create(params: OpenAiEngineParameters): Promise<OpenAiEngine> {
    let url: URL;
    try {
      url = new URL(params.baseUrl);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http(s)");
    } catch {
      throw new EngineParameterError("baseUrl", `must be an http(s) URL, got ${params.baseUrl}`);
    }
    const k = params.topLogprobs ?? 8;
    if (!Number.isInteger(k) || k < 1 || k > 20) throw new EngineParameterError("topLogprobs", "must be 1..20");
    if (!Number.isInteger(params.contextSize) || params.contextSize < 1) {
      throw new EngineParameterError("contextSize", "must be a positive integer");
    }
    const file = await inspectModelFile(params.modelPath);
    return new OpenAiEngine(
      params,
      { sha256: file.sha256, bytes: file.bytes },
      {
        name: "openai-compatible",
        ...params.identity,
      },
    );
  }

  private get endpoint(): string {
    return new URL(
      "v1/completions",
      this.params.baseUrl.endsWith("/") ? this.params.baseUrl : `${this.params.baseUrl}/`,
    ).href;
  }

  private async post(body: unknown): Promise<unknown> {
    const url = this.endpoint;
    const timeoutMs = this.params.timeoutMs ?? 120_000;
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(this.params.apiKey ? { authorization: `Bearer ${this.params.apiKey}` } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) {
        throw new ServerTimeoutError(url, timeoutMs);
      }
      throw new ServerUnreachableError(url, { cause: error });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) {
        throw new ServerTimeoutError(url, timeoutMs);
      }
      throw new ServerUnreachableError(url, { cause: error });
    }
    if (!response.ok) throw new ServerHttpError(url, response.status, text);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ServerResponseError(url, `not JSON: ${text.slice(0, 80)}`);
    }
  }

  async run(request: InferenceRequest): Promise<Receipt> {
    const sampling = request.sampling ?? GREEDY;
    if (sampling.temperatureMilli !== 0) {
      throw new EngineParameterError("temperature", "the OpenAI-compatible adapter supports greedy decoding only");
    }
    if (!Number.isInteger(request.maxTokens) || request.maxTokens < 1) {
      throw new EngineParameterError("maxTokens", `must be a positive integer, got ${request.maxTokens}`);
    }
    if (request.seed < 0n || request.seed >= 1n << 256n) throw new EngineParameterError("seed", "must be a uint256");
    const k = this.params.topLogprobs ?? 8;
    const url = this.endpoint;
    const raw = await this.post({
      model: this.params.serverModel ?? "default",
      prompt: request.prompt,
      max_tokens: request.maxTokens,
      temperature: 0,
      top_k: 1,
      n: 1,
      stream: false,
      seed: Number(request.seed & 0x1fffffffffffffn),
      logprobs: k,
      n_probs: k,
      return_tokens_as_token_ids: true,
      cache_prompt: false,
    });
    const parsed = zCompletion.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ServerResponseError(url, `${issue.path.join(".") || "body"}: ${issue.message}`);
    }
    const choice = parsed.data.choices[0]!;
    if (!choice.logprobs) throw new ServerResponseError(url, "no logprobs (the server must support `logprobs`)");
    const steps = stepsOf(url, choice.logprobs);
    if (steps.length === 0) throw new ServerResponseError(url, "no generated tokens");
    if (steps.length > request.maxTokens) {
      throw new ServerResponseError(url, `${steps.length} tokens for max_tokens ${request.maxTokens}`);
    }
    const chain: Hex[] = [];
    let link: Hex = ZERO_HASH;
    steps.forEach((s, i) => {
      if (s.top.length === 0) throw new ServerResponseError(url, `step ${i} has no top logprobs`);
      link = logitsLink(link, i, topkStepBytes(s.top));
      chain.push(link);
    });
    const stopReason = choice.finish_reason === "length" ? "length" : "eos";
    return finalizeReceipt({
      version: 1,
      model: this.model,
      engine: this.identity,
      settings: {
        threads: 0,
        batchSize: 0,
        contextSize: this.params.contextSize,
        flashAttention: false,
        maxTokens: request.maxTokens,
        sampling: { temperatureMilli: 0, topK: 0 },
        bound: { threads: 0, batchSize: 0 },
      },
      seed: request.seed.toString(),
      prompt: {
        hash: promptHash(request.prompt),
        tokenCount: parsed.data.usage?.prompt_tokens ?? 0,
        tokensHash: ZERO_HASH,
      },
      output: {
        tokenIds: steps.map((s) => s.tokenId),
        text: choice.text,
        textHash: keccak256(toBytes(choice.text)),
        stopReason,
      },
      logits: { encoding: "topk-logprob-e4", chain, head: link },
    });
  }

  async close(): Promise<void> {}
}
