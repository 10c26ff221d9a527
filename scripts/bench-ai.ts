/**
 * Benchmark of the deterministic inference engine (issue 11):
 *
 *   npx tsx scripts/bench-ai.ts [--runs N] [--threads N] [--sizes tiny,medium]
 *
 * For each generated test model it times, alternately, (a) the built-in engine with receipts
 * (full logits read every step, sha256 logits chain, project sampler, fresh context per run) and
 * (b) the same model run directly in node-llama-cpp without receipts (`sequence.evaluate` with
 * greedy sampling, fresh context per run), with the same prompt, settings and token count. It prints
 * replay throughput, the receipt overhead, and the cost of replaying one claim in CPU-seconds.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { LlamaModel, Token } from "node-llama-cpp";

import { cpuLlama, LlamaEngine } from "../keepers/ai/llama.js";
import { writeModel, type ModelShape } from "../keepers/ai/model.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const runs = Number(arg("runs", "5"));
const threads = Number(arg("threads", "1"));
const sizes = arg("sizes", "tiny,medium").split(",");

const SHAPES: Record<string, { shape: Partial<ModelShape>; vocabSize?: number; maxTokens: number }> = {
  tiny: { shape: {}, maxTokens: 64 },
  medium: { shape: { layers: 8, embedding: 768, feedForward: 2048, heads: 12, kvHeads: 4 }, maxTokens: 32 },
  // A production-sized vocabulary: the full logits are read, converted and hashed every step.
  "medium-32k": {
    shape: { layers: 8, embedding: 768, feedForward: 2048, heads: 12, kvHeads: 4 },
    vocabSize: 32000,
    maxTokens: 32,
  },
  large: {
    shape: { layers: 16, embedding: 1024, feedForward: 2816, heads: 16, kvHeads: 4 },
    vocabSize: 32000,
    maxTokens: 16,
  },
};

const prompt =
  "An operator posts an inference claim with its receipt hash; a keeper fetches the prompt from DA, " +
  "replays it bit for bit and compares the logits chain step by step.";

function cpuSeconds(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** node-llama-cpp on its own: same context settings, greedy, no logits read, no hashing. */
async function direct(model: LlamaModel, promptTokens: number[], maxTokens: number, settings: LlamaEngine["settings"]) {
  const context = await model.createContext({
    contextSize: settings.contextSize,
    batchSize: settings.batchSize,
    threads: settings.threads,
    sequences: 1,
    flashAttention: false,
  });
  try {
    const sequence = context.getSequence();
    const out: number[] = [];
    for await (const token of sequence.evaluate(promptTokens as Token[], { temperature: 0 })) {
      out.push(token);
      if (out.length >= maxTokens || model.isEogToken(token)) break;
    }
    return out;
  } finally {
    await context.dispose();
  }
}

type Row = {
  model: string;
  params: string;
  promptTokens: number;
  tokens: number;
  directTps: number;
  engineTps: number;
  overheadPct: number;
  topOverheadPct: number;
  topClaimCpuS: number;
  selOverheadPct: number;
  selClaimCpuS: number;
  wallOverheadPct: number;
  claimCpuS: number;
  setupCpuS: number;
  sameTokens: boolean;
};

async function benchSize(name: string): Promise<Row> {
  const entry = SHAPES[name];
  if (!entry) throw new Error(`unknown size ${name}; known: ${Object.keys(SHAPES).join(", ")}`);
  const { shape, maxTokens, vocabSize } = entry;
  const dir = mkdtempSync(join(tmpdir(), "vcloud-bench-ai-"));
  const path = join(dir, `${name}.gguf`);
  const created = await writeModel(path, { seed: 1n, shape, vocabSize });
  await cpuLlama();

  const setupStart = process.cpuUsage();
  const engine = await LlamaEngine.create({ modelPath: path, settings: { threads, batchSize: 64, contextSize: 512 } });
  const setupCpuS = cpuSeconds(setupStart);
  const engineTop = await LlamaEngine.create({
    modelPath: path,
    settings: { threads, batchSize: 64, contextSize: 512, logits: "top64" },
  });
  const engineSel = await LlamaEngine.create({
    modelPath: path,
    settings: { threads, batchSize: 64, contextSize: 512, logits: "selected" },
  });
  const llama = await cpuLlama();
  const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
  const promptTokens = engine.tokenize(prompt);
  const request = { prompt, seed: 1n, maxTokens };

  // Warm-up (page cache, allocator).
  await engine.run(request);
  await engineTop.run(request);
  await engineSel.run(request);
  await direct(model, promptTokens, maxTokens, engine.settings);

  const engineS: number[] = [];
  const directS: number[] = [];
  const claimCpu: number[] = [];
  const directCpu: number[] = [];
  const topCpu: number[] = [];
  const selCpu: number[] = [];
  let engineTokens: number[] = [];
  let directTokens: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const cpu = process.cpuUsage();
    const receipt = await engine.run(request);
    claimCpu.push(cpuSeconds(cpu));
    engineS.push((performance.now() - t) / 1000);
    engineTokens = receipt.output.tokenIds;
    const cpu3 = process.cpuUsage();
    const topReceipt = await engineTop.run(request);
    topCpu.push(cpuSeconds(cpu3));
    if (topReceipt.output.tokenIds.join() !== engineTokens.join()) throw new Error("top64 tokens differ from full");
    const cpu4 = process.cpuUsage();
    const selReceipt = await engineSel.run(request);
    selCpu.push(cpuSeconds(cpu4));
    if (selReceipt.output.tokenIds.join() !== engineTokens.join()) throw new Error("selected tokens differ from full");
    t = performance.now();
    const cpu2 = process.cpuUsage();
    directTokens = await direct(model, promptTokens, maxTokens, engine.settings);
    directCpu.push(cpuSeconds(cpu2));
    directS.push((performance.now() - t) / 1000);
  }
  await model.dispose();
  await engine.close();
  // Throughput and overhead from CPU time: the machine is shared, so wall time mostly measures the
  // neighbours; with a pinned thread count CPU-seconds are the cost a replayer pays.
  const engineTps = engineTokens.length / median(claimCpu);
  const directTps = directTokens.length / median(directCpu);
  const paramCount = Math.round(created.bytes.length / 1.0625 / 1e6);
  return {
    model: `${name} (${(created.bytes.length / 1e6).toFixed(1)} MB Q8_0, vocab ${created.vocabSize})`,
    params: `~${paramCount}M`,
    promptTokens: promptTokens.length,
    tokens: engineTokens.length,
    directTps,
    engineTps,
    overheadPct: (median(claimCpu) / median(directCpu) - 1) * 100,
    topOverheadPct: (median(topCpu) / median(directCpu) - 1) * 100,
    topClaimCpuS: median(topCpu),
    selOverheadPct: (median(selCpu) / median(directCpu) - 1) * 100,
    selClaimCpuS: median(selCpu),
    wallOverheadPct: (median(engineS) / median(directS) - 1) * 100,
    claimCpuS: median(claimCpu),
    setupCpuS,
    sameTokens: engineTokens.join() === directTokens.join(),
  };
}

const pct = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(1)}%`;

const rows: Row[] = [];
for (const size of sizes) rows.push(await benchSize(size));

const header = [
  "model",
  "params",
  "prompt tok",
  "gen tok",
  "direct tok/s",
  "engine tok/s",
  "receipt overhead, full logits (CPU)",
  "(wall)",
  "receipt overhead, top-64 logits (CPU)",
  "receipt overhead, selected logit (CPU)",
  "CPU-s / claim (full)",
  "CPU-s / claim (top-64)",
  "CPU-s / claim (selected)",
  "engine setup CPU-s",
  "same tokens",
];
const table = [
  `| ${header.join(" | ")} |`,
  `| ${header.map(() => "---").join(" | ")} |`,
  ...rows.map(
    (r) =>
      `| ${r.model} | ${r.params} | ${r.promptTokens} | ${r.tokens} | ${r.directTps.toFixed(1)} | ${r.engineTps.toFixed(1)} | ` +
      `${pct(r.overheadPct)} | ${pct(r.wallOverheadPct)} | ${pct(r.topOverheadPct)} | ${pct(r.selOverheadPct)} | ${r.claimCpuS.toFixed(3)} | ${r.topClaimCpuS.toFixed(3)} | ${r.selClaimCpuS.toFixed(3)} | ${r.setupCpuS.toFixed(3)} | ${r.sameTokens ? "yes" : "NO"} |`,
  ),
];
console.log(
  `threads ${threads}, batch 64, context 512, greedy; median of ${runs} alternating runs; ` +
    `tok/s = generated tokens per CPU-second of the whole run (prompt included)`,
);
console.log(table.join("\n"));
