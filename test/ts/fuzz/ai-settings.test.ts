/**
 * Fuzzes the GGUF loader / inference engine settings (keepers/ai): threads, batch size (llama.cpp's n_batch
 * and n_ubatch are both set to it), context size, logits commitment, seed, max tokens, temperature, top-K.
 *
 * Property: an invalid value is rejected *by name* before any model load. The model path given is a file
 * that does not exist, so any attempt to load it would fail with a `--model` / ModelFileError; seeing the
 * bad setting's name instead proves it was refused first. A fully valid set reaches the loader and fails
 * only on the model file. Each case's expected verdict is computed here from the documented ranges
 * (docs/ai.md, `vcloud ai run --help`), not taken from the code under test.
 *
 * Two layers: `aiRun` (the `vcloud ai run` handler, flags as commander passes them: strings) and
 * `LlamaEngine.create` / `checkRequest` (the library, typed values of every JS kind).
 * Runs: min(FUZZ_RUNS, 400) per layer in CI, FUZZ_RUNS in the deep profile.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from "../../../keepers/ai/engine.js";
import { EngineParameterError, ModelFileError } from "../../../keepers/ai/errors.js";
import { checkRequest, LlamaEngine } from "../../../keepers/ai/llama.js";
import type { CommandContext } from "../../../keepers/cli/context.js";
import { aiRun } from "../../../keepers/cli/commands/ai.js";
import { InvalidInputError } from "../../../keepers/lib/errors.js";
import { createLogger } from "../../../keepers/lib/logger.js";
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, Rng } from "./fuzz.js";

const DEEP = process.env.VCLOUD_TEST_PROFILE === "deep";
const RUNS = DEEP ? FUZZ_RUNS : Math.min(FUZZ_RUNS, 400);

const scratch = mkdtempSync(join(tmpdir(), "vcloud-ai-settings-fuzz-"));
const MISSING_MODEL = join(scratch, "no-such-model.gguf");
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const NUMERIC = [
  "",
  " ",
  "0",
  "1",
  "2",
  "3",
  "8",
  "15",
  "16",
  "64",
  "65",
  "256",
  "257",
  "512",
  "65536",
  "65537",
  "1048576",
  "1048577",
  "-1",
  "1.5",
  "1e3",
  "0x10",
  "NaN",
  "Infinity",
  "abc",
  "99999999999999999999",
];
const TEMPERATURES = ["0", "0.7", "1", "100", "100.001", "100.5", "101", "0.1234", "-1", "1e2", ".5", "abc", ""];
const SEEDS = ["0", "1", "42", " 7 ", "-1", "1.5", "abc", "", String(2n ** 256n - 1n), String(2n ** 256n), "0x10"];
const LOGITS = ["full", "top64", "selected", "FULL", "top32", ""];

/** `z.coerce.number().int().min().max()` as documented: Number(text) is an integer in range. */
const countOk = (text: string, min: number, max: number) => {
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= min && n <= max;
};

type Flags = Record<string, string>;

/** The flags that are invalid, in the documented rules (each set names every flag that could be blamed). */
function expectedInvalid(f: Flags): Set<string> {
  const bad = new Set<string>();
  if (!countOk(f.threads!, 1, 256)) bad.add("--threads");
  if (!countOk(f.batchSize!, 3, 65536)) bad.add("--batch-size");
  if (!countOk(f.contextSize!, 16, 1 << 20)) bad.add("--context-size");
  if (!["full", "top64", "selected"].includes(f.logits!)) bad.add("--logits");
  if (!/^\d+$/.test(f.seed!.trim()) || BigInt(f.seed!.trim()) >= 1n << 256n) bad.add("--seed");
  if (!countOk(f.maxTokens!, 1, 1_000_000)) bad.add("--max-tokens");
  const tempOk = /^\d+(\.\d{1,3})?$/.test(f.temperature!) && Math.round(Number(f.temperature) * 1000) <= 100_000;
  if (!tempOk) bad.add("--temperature");
  if (!countOk(f.topK!, 0, 1_000_000)) bad.add("--top-k");
  if (bad.size > 0) return bad;
  // Combinations, checked once every single value is valid.
  const temperatureMilli = Math.round(Number(f.temperature) * 1000);
  const topK = Number(f.topK);
  if (f.logits === "selected" && temperatureMilli !== 0) bad.add("--temperature");
  else if (f.logits === "top64" && temperatureMilli !== 0 && (topK === 0 || topK > 64)) bad.add("--top-k");
  else if (Number(f.maxTokens) >= Number(f.contextSize)) bad.add("--max-tokens");
  return bad;
}

describe("fuzz: inference engine settings", () => {
  it(
    `vcloud ai run: ${RUNS} flag sets, each bad value named before any model load`,
    { timeout: FUZZ_TIMEOUT_MS },
    async () => {
      const rng = new Rng(0xa15e7);
      const ctx: CommandContext = { json: true, logger: createLogger({ level: "silent" }), print: () => {} };
      const tally = { rejected: 0, reachedLoader: 0 };
      for (let i = 0; i < RUNS; i++) {
        // Mostly one perturbed flag over valid defaults, sometimes everything random.
        const flags: Flags = {
          threads: "2",
          batchSize: "64",
          contextSize: "512",
          logits: "full",
          seed: "1",
          maxTokens: "16",
          temperature: "0",
          topK: "0",
        };
        const keys = Object.keys(flags);
        const edits = rng.int(4) === 0 ? keys.length : 1 + rng.int(2);
        for (let e = 0; e < edits; e++) {
          const key = rng.pick(keys);
          flags[key] =
            key === "logits"
              ? rng.pick(LOGITS)
              : key === "seed"
                ? rng.pick(SEEDS)
                : key === "temperature"
                  ? rng.pick(TEMPERATURES)
                  : rng.pick(NUMERIC);
        }
        const raw = {
          ...flags,
          model: MISSING_MODEL,
          prompt: "hello",
          serverVersion: "unknown",
          serverBackend: "unknown",
          topLogprobs: "8",
          timeoutMs: "120000",
        };
        const label = `case ${i}: ${JSON.stringify(flags)}`;
        const error = await aiRun(ctx, raw).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, label).toBeInstanceOf(InvalidInputError);
        const field = (error as InvalidInputError).field;
        const bad = expectedInvalid(flags);
        if (bad.size === 0) {
          // Valid settings reach the loader, which refuses the missing file.
          expect(field, `${label}: ${(error as Error).message}`).toBe("--model");
          tally.reachedLoader++;
        } else {
          expect([...bad], `${label}: got ${(error as Error).message}`).toContain(field);
          tally.rejected++;
        }
      }
      expect(tally.rejected).toBeGreaterThan(RUNS / 2);
      expect(tally.reachedLoader).toBeGreaterThan(0);
    },
  );

  it(
    `LlamaEngine.create / checkRequest: ${RUNS} typed settings and requests of every JS kind`,
    { timeout: FUZZ_TIMEOUT_MS },
    async () => {
      const rng = new Rng(0x5e771);
      const values: unknown[] = [
        0,
        1,
        2,
        3,
        15,
        16,
        64,
        256,
        257,
        65536,
        65537,
        1 << 20,
        (1 << 20) + 1,
        -1,
        1.5,
        NaN,
        Infinity,
        -Infinity,
        Number.MAX_SAFE_INTEGER + 2,
        "2",
        "",
        null,
        undefined,
        true,
        false,
        2n,
        {},
        [],
        [2],
      ];
      const logitsValues: unknown[] = ["full", "top64", "selected", "Full", "", null, undefined, 0, ["full"]];
      const intIn = (v: unknown, min: number, max: number) =>
        typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
      for (let i = 0; i < RUNS; i++) {
        const settings: Record<string, unknown> = { ...DEFAULT_ENGINE_SETTINGS };
        const edits = 1 + rng.int(3);
        for (let e = 0; e < edits; e++) {
          const key = rng.pick(["threads", "batchSize", "contextSize", "logits", "flashAttention"]);
          settings[key] =
            key === "logits"
              ? rng.pick(logitsValues)
              : key === "flashAttention"
                ? rng.pick([false, true, 0, null])
                : rng.pick(values);
        }
        const bad = new Set<string>();
        if (!intIn(settings.threads, 1, 256)) bad.add("threads");
        if (!intIn(settings.batchSize, 3, 65536)) bad.add("batchSize");
        if (!intIn(settings.contextSize, 16, 1 << 20)) bad.add("contextSize");
        if (settings.flashAttention !== false) bad.add("flashAttention");
        if (!["full", "top64", "selected"].includes(settings.logits as string)) bad.add("logits");
        const label = `case ${i}: ${JSON.stringify(settings, (_, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))}`;
        const error = await LlamaEngine.create({
          modelPath: MISSING_MODEL,
          settings: settings as Partial<EngineSettings>,
        }).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (bad.size === 0) expect(error, label).toBeInstanceOf(ModelFileError);
        else {
          expect(error, label).toBeInstanceOf(EngineParameterError);
          expect([...bad], label).toContain((error as EngineParameterError).parameter);
          continue;
        }
        // Valid settings: fuzz the request rules that need no model.
        const request = {
          prompt: "x",
          seed: rng.pick([0n, 1n, -1n, 2n ** 256n - 1n, 2n ** 256n]),
          maxTokens: rng.pick(values) as number,
          sampling: {
            temperatureMilli: rng.pick([0, 700, 100_000, 100_001, -1, 1.5, NaN]),
            topK: rng.pick(values) as number,
          },
        };
        const s = settings as EngineSettings;
        const want = new Set<string>();
        if (!(typeof request.maxTokens === "number" && Number.isInteger(request.maxTokens) && request.maxTokens >= 1))
          want.add("maxTokens");
        else if (request.seed < 0n || request.seed >= 1n << 256n) want.add("seed");
        else if (!intIn(request.sampling.temperatureMilli, 0, 100_000)) want.add("temperature");
        else if (!(
          typeof request.sampling.topK === "number" &&
          Number.isInteger(request.sampling.topK) &&
          request.sampling.topK >= 0
        ))
          want.add("topK");
        else if (s.logits === "selected" && request.sampling.temperatureMilli !== 0) want.add("temperature");
        else if (
          s.logits === "top64" &&
          request.sampling.temperatureMilli !== 0 &&
          (request.sampling.topK === 0 || request.sampling.topK > 64)
        )
          want.add("topK");
        else if (request.maxTokens >= s.contextSize) want.add("maxTokens");
        let thrown: unknown;
        try {
          checkRequest(s, request);
        } catch (e) {
          thrown = e;
        }
        if (want.size === 0) expect(thrown, `${label} ${String(request.maxTokens)}`).toBeUndefined();
        else {
          expect(thrown, label).toBeInstanceOf(EngineParameterError);
          expect([...want], label).toContain((thrown as EngineParameterError).parameter);
        }
      }
    },
  );
});
