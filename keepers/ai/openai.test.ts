import { mkdtempSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Receipt } from "./engine.js";
import {
  EngineParameterError,
  ServerHttpError,
  ServerResponseError,
  ServerTimeoutError,
  ServerUnreachableError,
} from "./errors.js";
import { LlamaEngine } from "./llama.js";
import { writeModel } from "./model.js";
import { OpenAiEngine, topkStepBytes } from "./openai.js";
import { logitsLink, ZERO_HASH } from "./receipt.js";

/**
 * The adapter against a real HTTP server on 127.0.0.1 whose completions are computed by the built-in
 * engine (greedy, top-K log-probabilities from the exact logits), in both response shapes that
 * OpenAI-compatible servers use.
 */

const dir = mkdtempSync(join(tmpdir(), "vcloud-ai-openai-"));
const modelPath = join(dir, "m.gguf");
let local: LlamaEngine;
const servers: Server[] = [];

type Handler = (body: Record<string, unknown>, res: ServerResponse) => void | Promise<void>;

async function serve(handler: Handler): Promise<string> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/completions") {
        res.writeHead(404).end("not found");
        return;
      }
      void Promise.resolve(handler(JSON.parse(raw) as Record<string, unknown>, res)).catch((e: unknown) => {
        res.writeHead(500).end(String(e));
      });
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no address");
  return `http://127.0.0.1:${address.port}`;
}

function logSoftmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const l of logits) max = Math.max(max, l);
  let sum = 0;
  for (const l of logits) sum += Math.exp(l - max);
  const lse = max + Math.log(sum);
  return Float64Array.from(logits, (l) => l - lse);
}

type ServedStep = { tokenId: number; top: { id: number; logprob: number }[] };

/** What a llama.cpp/vLLM server would answer, computed by the built-in engine. */
async function complete(body: Record<string, unknown>): Promise<{ steps: ServedStep[]; text: string; finish: string }> {
  expect(body.temperature).toBe(0);
  const k = body.logprobs as number;
  const steps: ServedStep[] = [];
  const receipt = await local.run(
    { prompt: body.prompt as string, seed: BigInt(body.seed as number), maxTokens: body.max_tokens as number },
    {
      onStep: ({ tokenId, logits }) => {
        const lp = logSoftmax(logits);
        const order = Array.from(lp.keys()).sort((a, b) => lp[b]! - lp[a]! || a - b);
        steps.push({ tokenId, top: order.slice(0, k).map((id) => ({ id, logprob: lp[id]! })) });
      },
    },
  );
  // Servers do not return the end-of-sequence token itself.
  const eos = receipt.output.stopReason === "eos";
  const served = eos ? steps.slice(0, -1) : steps;
  return { steps: served, text: local.detokenize(served.map((s) => s.tokenId)), finish: eos ? "stop" : "length" };
}

const legacyShape: Handler = async (body, res) => {
  const c = await complete(body);
  res.writeHead(200, { "content-type": "application/json" }).end(
    JSON.stringify({
      object: "text_completion",
      choices: [
        {
          index: 0,
          text: c.text,
          finish_reason: c.finish,
          logprobs: {
            tokens: c.steps.map((s) => `token_id:${s.tokenId}`),
            token_logprobs: c.steps.map((s) => s.top.find((t) => t.id === s.tokenId)?.logprob ?? null),
            top_logprobs: c.steps.map((s) => Object.fromEntries(s.top.map((t) => [`token_id:${t.id}`, t.logprob]))),
          },
        },
      ],
      usage: { prompt_tokens: local.tokenize(body.prompt as string).length, completion_tokens: c.steps.length },
    }),
  );
};

const contentShape: Handler = async (body, res) => {
  const c = await complete(body);
  res.writeHead(200, { "content-type": "application/json" }).end(
    JSON.stringify({
      choices: [
        {
          text: c.text,
          finish_reason: c.finish,
          logprobs: {
            content: c.steps.map((s) => ({
              id: s.tokenId,
              token: "",
              logprob: s.top.find((t) => t.id === s.tokenId)?.logprob ?? 0,
              top_logprobs: s.top.map((t) => ({ id: t.id, token: "", logprob: t.logprob })),
            })),
          },
        },
      ],
    }),
  );
};

const identity = { version: "test-server llama.cpp", backend: "cpu" as const, cpuFeatures: "" };
const request = { prompt: "Operators post claims; keepers replay them.", seed: 3n, maxTokens: 5 };

async function adapter(baseUrl: string, extra: { timeoutMs?: number; topLogprobs?: number } = {}) {
  return OpenAiEngine.create({ baseUrl, modelPath, contextSize: 256, identity, ...extra });
}

beforeAll(async () => {
  await writeModel(modelPath, {
    seed: 9n,
    shape: { layers: 2, embedding: 128, feedForward: 256, heads: 4, kvHeads: 2 },
  });
  local = await LlamaEngine.create({ modelPath, settings: { threads: 1, contextSize: 256 } });
});

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await local.close();
});

describe("OpenAiEngine against a server computing with the built-in engine", () => {
  let direct: Receipt;
  let expectedChain: string[];

  beforeAll(async () => {
    const steps: ServedStep[] = [];
    direct = await local.run(request, {
      onStep: ({ tokenId, logits }) => {
        const lp = logSoftmax(logits);
        const order = Array.from(lp.keys()).sort((a, b) => lp[b]! - lp[a]! || a - b);
        steps.push({ tokenId, top: order.slice(0, 8).map((id) => ({ id, logprob: lp[id]! })) });
      },
    });
    let link = ZERO_HASH;
    expectedChain = steps.map((s, i) => (link = logitsLink(link, i, topkStepBytes(s.top))));
  });

  it("produces the built-in engine's tokens and text, with a top-K logprob chain", async () => {
    const engine = await adapter(await serve(legacyShape));
    const r = await engine.run(request);
    expect(r.output.tokenIds).toEqual(direct.output.tokenIds);
    expect(r.output.text).toBe(direct.output.text);
    expect(r.model.sha256).toBe(direct.model.sha256);
    expect(r.logits.encoding).toBe("topk-logprob-e4");
    expect(r.logits.chain).toEqual(expectedChain);
    expect(r.engine.name).toBe("openai-compatible");
    // Deterministic: asking again gives the same receipt.
    expect((await engine.run(request)).hash).toBe(r.hash);
  });

  it("reads llama.cpp's logprobs.content shape to the same receipt", async () => {
    const legacy = await (await adapter(await serve(legacyShape))).run(request);
    const content = await (await adapter(await serve(contentShape))).run(request);
    expect(content.logits.chain).toEqual(legacy.logits.chain);
    expect(content.output).toEqual(legacy.output);
  });

  it("changes the receipt when the server's answer changes", async () => {
    const cheat: Handler = async (body, res) => legacyShape({ ...body, prompt: `${body.prompt as string}!` }, res);
    const honest = await (await adapter(await serve(legacyShape))).run(request);
    const r = await (await adapter(await serve(cheat))).run(request);
    expect(r.hash).not.toBe(honest.hash);
  });
});

describe("OpenAiEngine errors", () => {
  it("HTTP errors carry the status and body", async () => {
    const url = await serve((_b, res) => void res.writeHead(503).end("overloaded"));
    const err = await (await adapter(url)).run(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerHttpError);
    expect((err as ServerHttpError).status).toBe(503);
    expect((err as Error).message).toContain("overloaded");
  });

  it("a body that is not a usable completion is a ServerResponseError naming the problem", async () => {
    const notJson = await serve((_b, res) => void res.writeHead(200).end("<html>"));
    await expect((await adapter(notJson)).run(request)).rejects.toThrow(ServerResponseError);
    const noChoices = await serve((_b, res) => void res.writeHead(200).end(JSON.stringify({ choices: [] })));
    await expect((await adapter(noChoices)).run(request)).rejects.toThrow(/choices/);
    const noLogprobs = await serve(
      (_b, res) => void res.writeHead(200).end(JSON.stringify({ choices: [{ text: "x", finish_reason: "length" }] })),
    );
    await expect((await adapter(noLogprobs)).run(request)).rejects.toThrow(/no logprobs/);
    const noIds = await serve(
      (_b, res) =>
        void res.writeHead(200).end(
          JSON.stringify({
            choices: [{ text: "x", finish_reason: "length", logprobs: { tokens: ["x"], top_logprobs: [{ x: -0.1 }] } }],
          }),
        ),
    );
    await expect((await adapter(noIds)).run(request)).rejects.toThrow(/return_tokens_as_token_ids/);
  });

  it("an unreachable server and a silent one are told apart", async () => {
    const url = await serve(() => undefined); // never answers
    await expect((await adapter(url, { timeoutMs: 300 })).run(request)).rejects.toThrow(ServerTimeoutError);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect((await adapter(`http://127.0.0.1:${port}`)).run(request)).rejects.toThrow(ServerUnreachableError);
  });

  it("refuses sampling it cannot make deterministic and bad parameters", async () => {
    const url = await serve(legacyShape);
    const engine = await adapter(url);
    await expect(engine.run({ ...request, sampling: { temperatureMilli: 500, topK: 0 } })).rejects.toThrow(
      EngineParameterError,
    );
    await expect(adapter("ftp://x")).rejects.toThrow(/baseUrl/);
    await expect(adapter(url, { topLogprobs: 0 })).rejects.toThrow(/topLogprobs/);
  });
});
