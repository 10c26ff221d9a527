import { readFileSync, writeFileSync } from "node:fs";

import type { Command } from "commander";
import { z } from "zod";

import { parseOptions, zBytes32 } from "../../lib/config.js";
import { InvalidInputError } from "../../lib/errors.js";
import { loadBundleDir } from "../../tee/bundle.js";
import { DEFAULT_LIMITS } from "../../tee/sandbox.js";
import { runTask } from "../../tee/worker.js";
import { action } from "../context.js";

const positiveInt = (what: string) =>
  z.coerce
    .number({ message: `must be a positive integer (${what})` })
    .int("must be an integer")
    .positive("must be positive");

const workerSchema = z.object({
  bundle: z.string().min(1, "required"),
  input: z.string().min(1, "required"),
  taskHash: zBytes32,
  expectDigest: zBytes32.optional(),
  out: z.string().min(1).optional(),
  attestationOut: z.string().min(1).optional(),
  cpuSeconds: positiveInt("seconds"),
  memoryMb: positiveInt("MiB"),
  wallMs: positiveInt("milliseconds"),
  maxOutputBytes: positiveInt("bytes"),
  allowNetwork: z.boolean(),
});

/** `vcloud tee worker`: runs one task in the sandbox and attests the result. */
export function registerTeeWorker(tee: Command): void {
  tee
    .command("worker")
    .description(
      "run a program bundle on an input in the sandbox and attest the result (dev attestation without a TEE)",
    )
    .requiredOption("--bundle <dir>", 'bundle directory: vcloud-bundle.json {"entry": [...]} plus its files')
    .requiredOption("--input <file>", "the task input, given to the program on stdin")
    .requiredOption("--task-hash <bytes32>", "the on-chain task hash the result is for")
    .option("--expect-digest <bytes32>", "refuse to run unless the bundle digest equals this (the registered digest)")
    .option("--out <file>", "write the output here (default: hex in the JSON result)")
    .option("--attestation-out <file>", "write the attestation here (default: base64 in the JSON result)")
    .option("--cpu-seconds <n>", "CPU time limit", String(DEFAULT_LIMITS.cpuSeconds))
    .option(
      "--memory-mb <n>",
      "memory limit (heap and private writable mappings)",
      String(DEFAULT_LIMITS.memoryBytes / 2 ** 20),
    )
    .option("--wall-ms <n>", "wall-clock limit", String(DEFAULT_LIMITS.wallMs))
    .option("--max-output-bytes <n>", "output size limit", String(DEFAULT_LIMITS.maxOutputBytes))
    .option("--allow-network", "let the program use the network (only if the app allows it)", false)
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(workerSchema, raw);
        const bundle = loadBundleDir(opts.bundle);
        let input: Buffer;
        try {
          input = readFileSync(opts.input);
        } catch (cause) {
          throw new InvalidInputError("--input", `cannot read ${opts.input}: ${(cause as NodeJS.ErrnoException).code}`);
        }
        const result = await runTask(
          bundle,
          input,
          {
            cpuSeconds: opts.cpuSeconds,
            memoryBytes: opts.memoryMb * 2 ** 20,
            wallMs: opts.wallMs,
            maxOutputBytes: opts.maxOutputBytes,
            network: opts.allowNetwork,
          },
          { taskHash: opts.taskHash, expectedImageDigest: opts.expectDigest },
        );
        if (result.attestation.format === "dev") {
          ctx.logger.warn("no TEE on this machine: produced a dev attestation, accepted only by devnet verifiers");
        }
        if (opts.out) writeFileSync(opts.out, result.output);
        if (opts.attestationOut) writeFileSync(opts.attestationOut, result.attestation.bytes);
        const summary = {
          taskHash: result.binding.taskHash,
          imageDigest: result.binding.imageDigest,
          inputHash: result.binding.inputHash,
          outputHash: result.binding.outputHash,
          format: result.attestation.format,
          reportData: result.reportData,
          wallMs: Math.round(result.wallMs),
          sandbox: result.sandbox,
          ...(opts.out ? { outputFile: opts.out } : { output: `0x${result.output.toString("hex")}` }),
          ...(opts.attestationOut
            ? { attestationFile: opts.attestationOut }
            : { attestation: Buffer.from(result.attestation.bytes).toString("base64") }),
        };
        ctx.print(summary);
      }),
    );
}
