import { readFileSync, writeFileSync } from "node:fs";

import type { Command } from "commander";
import { z } from "zod";

import { BlsKey } from "../../bls/bls.js";
import { send } from "../../da-network/setup.js";
import { bLSAVSRegistrarAbi } from "../../lib/abis.js";
import { fromEnv, parseOptions, zBytes32 } from "../../lib/config.js";
import { InvalidInputError } from "../../lib/errors.js";
import { bundleDigest, loadBundleDir } from "../../tee/bundle.js";
import { claimSigner, type KnownApp } from "../../tee/dispatcher.js";
import { startExecutorServer } from "../../tee/executor-server.js";
import { POLICY_PRESETS } from "../../tee/policy.js";
import { DEFAULT_LIMITS, sandboxCapabilities } from "../../tee/sandbox.js";
import { runTask } from "../../tee/worker.js";
import { action, connectFromOptions } from "../context.js";
import { daParams, loadBundle, locate, withLocations } from "./tee-compute.js";

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

/** `vcloud tee worker`: runs one task in the sandbox and attests the result; `tee worker serve`: an executor. */
export function registerTeeWorker(tee: Command): void {
  const worker = tee
    .command("worker")
    // `tee worker serve --bundle …`: options after `serve` belong to it, not to the one-shot worker.
    .enablePositionalOptions()
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
  registerServe(worker);
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

const serveSchema = z.object({
  listen: z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, "must be HOST:PORT, e.g. 127.0.0.1:7500")
    .transform((v, ctx) => {
      const at = v.lastIndexOf(":");
      const port = Number(v.slice(at + 1));
      if (port > 65535) ctx.addIssue({ code: "custom", message: "port must be at most 65535" });
      return { host: v.slice(0, at).replace(/^\[|\]$/g, ""), port };
    }),
  bundle: z.array(z.string().min(1)).min(1, "give at least one --bundle"),
  blsKey: zBytes32,
  policy: z.enum(Object.keys(POLICY_PRESETS) as [keyof typeof POLICY_PRESETS], {
    message: `must be one of ${Object.keys(POLICY_PRESETS).join(", ")}`,
  }),
  advertise: z.string().url("must be the URL other parties reach this executor at").optional(),
  acceptTasks: z.boolean(),
  cpuSeconds: positiveInt("seconds"),
  memoryMb: positiveInt("MiB"),
  wallMs: positiveInt("milliseconds"),
  maxOutputBytes: positiveInt("bytes"),
});

/** `vcloud tee worker serve`: a networked executor of the compute set (protocol: tee/executor-protocol.ts). */
function registerServe(worker: Command): void {
  withLocations(worker.command("serve"), ["mailbox", "compute", "da"])
    .description(
      "serve as an executor of the compute set: run tasks fetched from DA and certify results (BLS), over HTTP",
    )
    .requiredOption("--listen <host:port>", "address to listen on (port 0: any free port)")
    .requiredOption("--bundle <dir>", "a program bundle this executor runs (repeatable)", collect)
    .option(
      "--bls-key <hex>",
      "the operator's BLS secret key in the compute set (env VCLOUD_BLS_KEY)",
      fromEnv("VCLOUD_BLS_KEY"),
    )
    .option("--policy <name>", "attestation policy for results it certifies: production | debug | devnet", "production")
    .option("--advertise <url>", "register this URL as the operator's socket in the compute registrar at start")
    .option(
      "--accept-tasks",
      "accept each task it runs on-chain (TaskMailbox.acceptTask): it then answers for the SLA",
      false,
    )
    .option("--cpu-seconds <n>", "CPU time limit per task", String(DEFAULT_LIMITS.cpuSeconds))
    .option("--memory-mb <n>", "memory limit per task", String(DEFAULT_LIMITS.memoryBytes / 2 ** 20))
    .option("--wall-ms <n>", "wall-clock limit per task", String(DEFAULT_LIMITS.wallMs))
    .option("--max-output-bytes <n>", "output size limit per task", String(DEFAULT_LIMITS.maxOutputBytes))
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(serveSchema, raw);
        const apps = new Map<string, KnownApp>();
        for (const dir of opts.bundle) {
          const bundle = loadBundle(dir);
          const digest = bundleDigest(bundle);
          apps.set(digest, { bundle, measurements: { imageDigest: digest } });
        }
        const caps = sandboxCapabilities();
        if (caps.namespaces === "none" && opts.policy !== "devnet") {
          throw new InvalidInputError(
            "--policy",
            "this machine cannot isolate the network; only a devnet may run here",
          );
        }
        const { publicClient, walletClient } = await connectFromOptions(raw, { requireSigner: true });
        const account = walletClient!.account;
        if (account.type !== "local")
          throw new InvalidInputError("--private-key", "the operator key must be a local key");
        const chainId = publicClient.chain.id;
        const where = locate(chainId, raw);
        const da = daParams(chainId, raw);
        const server = await startExecutorServer({
          publicClient,
          mailbox: where.mailbox(),
          da: { certificateRegistry: da.certificateRegistry, registrar: da.registrar },
          operator: walletClient!.account.address,
          signClaim: claimSigner(walletClient!),
          blsKey: BlsKey.fromSecretHex(opts.blsKey),
          apps,
          policy: POLICY_PRESETS[opts.policy],
          limits: {
            cpuSeconds: opts.cpuSeconds,
            memoryBytes: opts.memoryMb * 2 ** 20,
            wallMs: opts.wallMs,
            maxOutputBytes: opts.maxOutputBytes,
            network: caps.namespaces === "none",
          },
          ...(opts.acceptTasks ? { acceptWith: walletClient! } : {}),
          host: opts.listen.host,
          port: opts.listen.port,
          logger: ctx.logger,
        });
        if (opts.advertise) {
          await send({ publicClient }, walletClient!, {
            address: where.computeRegistrar(),
            abi: bLSAVSRegistrarAbi,
            functionName: "updateSocket",
            args: [opts.advertise],
          });
        }
        ctx.print(
          { url: server.url, operator: server.operator, advertised: opts.advertise ?? null, apps: [...apps.keys()] },
          () => `TEE executor ${server.operator} serving on ${server.url}`,
        );
        await new Promise<void>((r) => {
          process.once("SIGINT", r);
          process.once("SIGTERM", r);
        });
        await server.close();
      }),
    );
}
