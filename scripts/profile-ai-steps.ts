/**
 * Where the per-step cost of a full-logits receipt goes (issue 11, receipt overhead):
 *
 *   npx tsx scripts/profile-ai-steps.ts [--steps N] [--vocab N]
 *
 * On one generated model it decodes the same prompt + N greedy steps with node-llama-cpp's
 * `controlledEvaluate`, asking per step for (a) the selected token only, (b) the full logits, and measures
 * separately, on the logits maps (b) returned, the project's own per-step work: Map -> Float32Array in
 * token-id order and the sha256 chain link over the Float32Array's bytes, as the engine did before
 * (for-of, hex links) and does now (forEach, binary links). CPU time of this process, median of 5 rounds.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Token } from "node-llama-cpp";

import { cpuLlama } from "../keepers/ai/llama.js";
import { writeModel } from "../keepers/ai/model.js";
import { logitsLink, logitsLinkBytes, ZERO_HASH } from "../keepers/ai/receipt.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const steps = Number(arg("steps", "64"));
const vocabSize = arg("vocab", "") ? Number(arg("vocab", "")) : undefined;
const cpu = (start: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e3;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const path = join(mkdtempSync(join(tmpdir(), "vcloud-profile-ai-")), "m.gguf");
await writeModel(path, { seed: 1n, ...(vocabSize ? { vocabSize } : {}) });
const llama = await cpuLlama();
const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
const prompt = model.tokenize("An operator posts an inference claim; a keeper replays it bit for bit.", false);

async function decode(mode: "selected" | "full"): Promise<{ ms: number; maps: Map<number, number>[] }> {
  const context = await model.createContext({ contextSize: 512, batchSize: 64, threads: 1, sequences: 1 });
  const sequence = context.getSequence();
  const next = {
    generateNext: {
      token: true,
      logits: mode === "full" ? true : { filter: { tokens: [], includeSelected: true } },
      options: { temperature: 0 },
    },
  } as const;
  const maps: Map<number, number>[] = [];
  const start = process.cpuUsage();
  let input: Parameters<typeof sequence.controlledEvaluate>[0] = prompt.map((t, i) =>
    i === prompt.length - 1 ? [t, next] : t,
  );
  for (let s = 0; s < steps; s++) {
    const results = await sequence.controlledEvaluate(input);
    const r = results[input.length - 1]!.next;
    maps.push(r.logits!);
    input = [[r.token as Token, next]];
  }
  const ms = cpu(start);
  await context.dispose();
  return { ms, maps };
}

/** What keepers/ai/llama.ts did before: for-of over the Map, hex links parsed back every step. */
function projectWorkBefore(maps: Map<number, number>[]): number {
  const start = process.cpuUsage();
  let link = ZERO_HASH;
  maps.forEach((map, step) => {
    const logits = new Float32Array(map.size);
    for (const [id, value] of map) logits[id] = value;
    link = logitsLink(link, step, new Uint8Array(logits.buffer, logits.byteOffset, logits.byteLength));
  });
  return cpu(start);
}

/** What keepers/ai/llama.ts does now: Map.forEach, binary previous link, one incremental sha256. */
function projectWork(maps: Map<number, number>[]): number {
  const start = process.cpuUsage();
  let link: Uint8Array = new Uint8Array(32);
  const chain: string[] = [];
  maps.forEach((map, step) => {
    const logits = new Float32Array(map.size);
    map.forEach((value, id) => {
      logits[id] = value;
    });
    const digest = logitsLinkBytes(link, step, new Uint8Array(logits.buffer, logits.byteOffset, logits.byteLength));
    link = digest;
    chain.push(`0x${digest.toString("hex")}`);
  });
  return cpu(start);
}

const rows: Record<string, number[]> = { selected: [], full: [], before: [], project: [] };
for (let round = 0; round < 5; round++) {
  rows.selected!.push((await decode("selected")).ms);
  const full = await decode("full");
  rows.full!.push(full.ms);
  rows.before!.push(projectWorkBefore(full.maps));
  rows.project!.push(projectWork(full.maps));
}
const sel = median(rows.selected!);
const full = median(rows.full!);
const proj = median(rows.project!);
const before = median(rows.before!);
console.log(`vocab ${model.fileInfo.metadata.tokenizer?.ggml.tokens.length}, ${steps} steps, CPU ms (median of 5):`);
console.log(
  `  decode, selected token only:            ${sel.toFixed(1)} (${((sel / steps) * 1000).toFixed(0)} us/step)`,
);
console.log(
  `  decode, full logits (node-llama-cpp):   ${full.toFixed(1)} (+${(((full - sel) / steps) * 1000).toFixed(0)} us/step)`,
);
console.log(
  `  project, before: for-of + hex links:   ${before.toFixed(1)} (${((before / steps) * 1000).toFixed(0)} us/step)`,
);
console.log(
  `  project, now: forEach + binary link:   ${proj.toFixed(1)} (${((proj / steps) * 1000).toFixed(0)} us/step)`,
);
await model.dispose();
