import { readFile, writeFile } from "node:fs/promises";

import type { Command } from "commander";
import { z } from "zod";

import { compareReceipts, parseReceipt } from "../../ai/receipt.js";
import { DEFAULT_ENGINE_SETTINGS, type InferenceEngine, type Receipt } from "../../ai/engine.js";
import { EngineParameterError, ModelFileError } from "../../ai/errors.js";
import { checkRequest, inspectModelFile, LlamaEngine, MIN_BATCH_SIZE } from "../../ai/llama.js";
import { DEFAULT_MODEL_SHAPE, writeModel } from "../../ai/model.js";
import { OpenAiEngine } from "../../ai/openai.js";
import { fromEnv, kebab, parseOptions, zUint } from "../../lib/config.js";
import { InvalidInputError } from "../../lib/errors.js";
import { action, type CommandContext } from "../context.js";

/** Engine parameter names -> the flags that set them, so errors name what the user typed. */
const FLAG_OF: Record<string, string> = {
  maxTokens: "--max-tokens",
  batchSize: "--batch-size",
  threads: "--threads",
  contextSize: "--context-size",
  temperature: "--temperature",
  topK: "--top-k",
  prompt: "--prompt",
  seed: "--seed",
  baseUrl: "--server-url",
  topLogprobs: "--top-logprobs",
  logits: "--logits",
};

/** Re-raises library errors as InvalidInputError naming the flag (exit code 2). */
function asFlagError(error: unknown, modelFlag = "--model"): never {
  if (error instanceof ModelFileError) throw new InvalidInputError(modelFlag, error.message, { cause: error });
  if (error instanceof EngineParameterError) {
    throw new InvalidInputError(FLAG_OF[error.parameter] ?? error.parameter, error.reason, { cause: error });
  }
  throw error;
}

const zSeed = zUint.refine((v) => v < 1n << 256n, "must be below 2^256");

/** Throws `invalid --flag: is required` for the first listed option that was not given. */
function requireFlags(raw: unknown, names: string[]): void {
  const given = raw as Record<string, unknown>;
  for (const name of names)
    if (given[name] === undefined) throw new InvalidInputError(`--${kebab(name)}`, "is required");
}
const zCount = (min: number, max: number) =>
  z.coerce.number().int("must be an integer").min(min, `must be ${min}..${max}`).max(max, `must be ${min}..${max}`);
const zTemperature = z
  .string()
  .regex(/^\d+(\.\d{1,3})?$/, "must be a decimal number with at most 3 decimals, e.g. 0 or 0.7")
  .transform((v) => Math.round(Number(v) * 1000))
  .refine((v) => v <= 100_000, "must be at most 100");

const createSchema = z.object({
  out: z.string({ error: "is required" }).min(1, "is required"),
  seed: zSeed,
  weightType: z.enum(["q8_0", "f16", "f32"]),
  layers: zCount(1, 64),
  embedding: zCount(32, 8192).refine((v) => v % 32 === 0, "must be a multiple of 32"),
  feedForward: zCount(32, 32768).refine((v) => v % 32 === 0, "must be a multiple of 32"),
  heads: zCount(1, 128),
  kvHeads: zCount(1, 128),
});

const engineSchema = z.object({
  model: z.string({ error: "is required" }).min(1, "is required"),
  threads: zCount(1, 256),
  batchSize: zCount(MIN_BATCH_SIZE, 65536),
  contextSize: zCount(16, 1 << 20),
  logits: z.enum(["full", "top64", "selected"]),
  serverUrl: z.string().url("must be a URL such as http://127.0.0.1:8080").optional(),
  serverModel: z.string().min(1).optional(),
  serverVersion: z.string().min(1),
  serverBackend: z.string().min(1),
  topLogprobs: zCount(1, 20),
  timeoutMs: zCount(1, 3_600_000),
});

const runSchema = engineSchema.extend({
  prompt: z.string({ error: "is required" }),
  seed: zSeed,
  maxTokens: zCount(1, 1_000_000),
  temperature: zTemperature,
  topK: zCount(0, 1_000_000),
  out: z.string().min(1).optional(),
});

const replaySchema = engineSchema.extend({
  receipt: z.string({ error: "is required" }).min(1, "is required"),
  prompt: z.string({ error: "is required" }),
});

type EngineOptions = z.infer<typeof engineSchema>;

const LOGITS_MODE: Record<string, EngineOptions["logits"]> = {
  "f32le-full": "full",
  "f32le-top64": "top64",
  "f32le-selected": "selected",
};

async function openEngine(opts: EngineOptions): Promise<InferenceEngine> {
  try {
    if (opts.serverUrl) {
      return await OpenAiEngine.create({
        baseUrl: opts.serverUrl,
        modelPath: opts.model,
        serverModel: opts.serverModel,
        topLogprobs: opts.topLogprobs,
        contextSize: opts.contextSize,
        identity: { version: opts.serverVersion, backend: opts.serverBackend, cpuFeatures: "" },
        apiKey: fromEnv("VCLOUD_AI_SERVER_API_KEY"),
        timeoutMs: opts.timeoutMs,
      });
    }
    return await LlamaEngine.create({
      modelPath: opts.model,
      settings: {
        threads: opts.threads,
        batchSize: opts.batchSize,
        contextSize: opts.contextSize,
        logits: opts.logits,
      },
    });
  } catch (error) {
    return asFlagError(error);
  }
}

function renderReceipt(r: Receipt): string {
  return [
    r.output.text,
    "",
    `receipt ${r.hash}`,
    `  model    ${r.model.sha256} (${r.model.bytes} bytes)`,
    `  engine   ${r.engine.name} ${r.engine.version} (${r.engine.backend})`,
    `  settings threads ${r.settings.threads}, batch ${r.settings.batchSize}, context ${r.settings.contextSize}, ` +
      `temperature ${r.settings.sampling.temperatureMilli / 1000}, top-k ${r.settings.sampling.topK}`,
    `  prompt   ${r.prompt.hash} (${r.prompt.tokenCount} tokens), seed ${r.seed}`,
    `  output   ${r.output.tokenIds.length} tokens, stop: ${r.output.stopReason}`,
    `  logits   ${r.logits.encoding} chain head ${r.logits.head}`,
  ].join("\n");
}

function withEngineOptions(command: Command): Command {
  const d = DEFAULT_ENGINE_SETTINGS;
  return command
    .option("--model <file>", "GGUF model file (env VCLOUD_AI_MODEL)", fromEnv("VCLOUD_AI_MODEL"))
    .option("--threads <n>", "CPU threads (bit-neutral on CPU, recorded)", String(d.threads))
    .option("--batch-size <n>", `tokens per decode call, >= ${MIN_BATCH_SIZE}`, String(d.batchSize))
    .option("--context-size <n>", "KV cache size in tokens", String(d.contextSize))
    .option(
      "--logits <mode>",
      "logits committed per step: full | top64 | selected (greedy only; the one that meets the <= 10% receipt-overhead target)",
      d.logits,
    )
    .option("--server-url <url>", "use an OpenAI-compatible server instead of the built-in engine")
    .option("--server-model <name>", "model name sent to the server")
    .option("--server-version <text>", "server stack versions recorded in the receipt", "unknown")
    .option("--server-backend <text>", "server backend / GPU class recorded in the receipt", "unknown")
    .option("--top-logprobs <n>", "server log-probabilities per step committed in the receipt", "8")
    .option("--timeout-ms <n>", "server request timeout", "120000");
}

export async function aiRun(ctx: CommandContext, raw: unknown): Promise<Receipt> {
  requireFlags(raw, ["model", "prompt", "seed", "maxTokens"]);
  const opts = parseOptions(runSchema, raw);
  const request = {
    prompt: opts.prompt,
    seed: opts.seed,
    maxTokens: opts.maxTokens,
    sampling: { temperatureMilli: opts.temperature, topK: opts.topK },
  };
  // Name a bad combination of settings before the model is loaded (the engine checks it again).
  if (!opts.serverUrl) {
    try {
      const { threads, batchSize, contextSize, logits } = opts;
      checkRequest({ ...DEFAULT_ENGINE_SETTINGS, threads, batchSize, contextSize, logits }, request);
    } catch (error) {
      asFlagError(error);
    }
  }
  const engine = await openEngine(opts);
  try {
    ctx.logger.debug({ engine: engine.identity, model: engine.model }, "engine ready");
    const receipt = await engine.run(request).catch(asFlagError);
    if (opts.out) await writeFile(opts.out, `${JSON.stringify(receipt, null, 2)}\n`);
    return receipt;
  } finally {
    await engine.close();
  }
}

export function registerAi(program: Command): void {
  const ai = program.command("ai").description("deterministic inference: test models, runs and receipts");

  const model = ai.command("model").description("GGUF models");
  model
    .command("create")
    .description("write a small llama GGUF model with weights drawn deterministically from --seed")
    .option("--out <file>", "where to write the model")
    .option("--seed <n>", "weight seed (uint256)")
    .option("--weight-type <type>", "matrix weight type: q8_0 | f16 | f32", "q8_0")
    .option("--layers <n>", "transformer blocks", String(DEFAULT_MODEL_SHAPE.layers))
    .option("--embedding <n>", "hidden size (multiple of 32)", String(DEFAULT_MODEL_SHAPE.embedding))
    .option("--feed-forward <n>", "feed-forward size (multiple of 32)", String(DEFAULT_MODEL_SHAPE.feedForward))
    .option("--heads <n>", "attention heads", String(DEFAULT_MODEL_SHAPE.heads))
    .option("--kv-heads <n>", "key/value heads", String(DEFAULT_MODEL_SHAPE.kvHeads))
    .action(
      action(async (ctx, raw: unknown) => {
        requireFlags(raw, ["out", "seed"]);
        const opts = parseOptions(createSchema, raw);
        let created;
        try {
          created = await writeModel(opts.out, {
            seed: opts.seed,
            weightType: opts.weightType,
            shape: {
              layers: opts.layers,
              embedding: opts.embedding,
              feedForward: opts.feedForward,
              heads: opts.heads,
              kvHeads: opts.kvHeads,
            },
          });
        } catch (error) {
          if (error instanceof RangeError) throw new InvalidInputError("model shape", error.message);
          if ((error as NodeJS.ErrnoException).code) {
            throw new InvalidInputError("--out", `cannot write ${opts.out} (${(error as NodeJS.ErrnoException).code})`);
          }
          throw error;
        }
        const result = {
          path: opts.out,
          sha256: created.sha256,
          bytes: created.bytes.length,
          seed: opts.seed.toString(),
          weightType: created.weightType,
          vocabSize: created.vocabSize,
          shape: created.shape,
        };
        ctx.print(result, (r: typeof result) => `wrote ${r.path}: ${r.bytes} bytes, sha256 ${r.sha256}`);
      }),
    );
  model
    .command("inspect")
    .description("hash a GGUF model and say whether its weights are batch-invariant")
    .option("--model <file>", "GGUF model file")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(z.object({ model: z.string({ error: "is required" }).min(1) }), raw);
        const info = await inspectModelFile(opts.model).catch((e: unknown) => asFlagError(e));
        ctx.print(info);
      }),
    );

  withEngineOptions(
    ai
      .command("run")
      .description("run a prompt with every bit-changing setting pinned and print the receipt")
      .option("--prompt <text>", "prompt text")
      .option("--seed <n>", "sampling seed (uint256), committed even when greedy")
      .option("--max-tokens <n>", "tokens to generate at most")
      .option("--temperature <t>", "0 = greedy; else seeded sampling in the project (3 decimals)", "0")
      .option("--top-k <k>", "sample among the K most likely tokens (0 = all)", "0")
      .option("--out <file>", "also write the receipt JSON to this file"),
  ).action(
    action(async (ctx, raw: unknown) => {
      const receipt = await aiRun(ctx, raw);
      ctx.print(receipt, renderReceipt);
    }),
  );

  withEngineOptions(
    ai
      .command("replay")
      .description("re-run a receipt's request with its pinned settings and compare")
      .option("--receipt <file>", "receipt JSON (from `vcloud ai run --json` or DA)")
      .option("--prompt <text>", "the prompt the receipt's prompt hash commits to"),
  ).action(
    action(async (ctx, raw: unknown, command: Command) => {
      const given = new Set(Object.keys(command.opts()).filter((k) => command.getOptionValueSource(k) === "cli"));
      requireFlags(raw, ["receipt", "model", "prompt"]);
      const opts = parseOptions(replaySchema, raw);
      let claimed: Receipt;
      try {
        claimed = parseReceipt(JSON.parse(await readFile(opts.receipt, "utf8")));
      } catch (error) {
        throw new InvalidInputError(
          "--receipt",
          error instanceof Error ? error.message.split("\n")[0]! : String(error),
        );
      }
      // The receipt's settings are the pinned ones; flags override only what the receipt leaves unbound.
      const s = claimed.settings;
      const engine = await openEngine({
        ...opts,
        contextSize: s.contextSize,
        logits: LOGITS_MODE[claimed.logits.encoding] ?? "full",
        batchSize: s.bound.batchSize || (given.has("batchSize") ? opts.batchSize : s.batchSize),
        threads: s.bound.threads || (given.has("threads") ? opts.threads : s.threads),
      });
      try {
        const replayed = await engine
          .run({ prompt: opts.prompt, seed: BigInt(claimed.seed), maxTokens: s.maxTokens, sampling: s.sampling })
          .catch(asFlagError);
        const comparison = compareReceipts(claimed, replayed);
        const result = { ...comparison, claimed: claimed.hash, replayed: replayed.hash };
        ctx.print(result, (r: typeof result) =>
          r.equal
            ? `match: ${r.replayed}`
            : `MISMATCH in ${r.field}${r.firstDivergentStep === null ? "" : ` at step ${r.firstDivergentStep}`}: ` +
              `claimed ${r.claimed}, replayed ${r.replayed}`,
        );
        if (!comparison.equal) process.exitCode = 1;
      } finally {
        await engine.close();
      }
    }),
  );
}
