import { readFileSync, writeFileSync } from "node:fs";

import type { Command } from "commander";
import { z } from "zod";

import { BlsKey } from "../../bls/bls.js";
import { send } from "../../da-network/setup.js";
import { bLSAVSRegistrarAbi } from "../../lib/abis.js";
import { fromEnv, parseOptions, zBytes32 } from "../../lib/config.js";
import { InvalidInputError } from "../../lib/errors.js";
import { loadBundleDir } from "../../tee/bundle.js";
import { claimSigner } from "../../tee/dispatcher.js";
import { startExecutorServer } from "../../tee/executor-server.js";
import { POLICY_PRESETS } from "../../tee/policy.js";
import { DEFAULT_LIMITS, sandboxCapabilities } from "../../tee/sandbox.js";
import { runTask } from "../../tee/worker.js";
import { action, connectFromOptions, type CommandContext } from "../context.js";
import { daParams, knownApps, locate, networkFallback, tdxCollateralSource, withLocations } from "./tee-compute.js";

const positiveInt = (what: string) =>
  z.coerce
    .number({ message: `must be a positive integer (${what})` })
    .int("must be an integer")
    .positive("must be positive");

const workerSchema = z.object({
  bundle: z
    .array(z.string().min(1), { message: "required" })
    .length(1, "give exactly one for a run (several only with --listen)")
    .transform((dirs) => dirs[0]!),
  input: z.string({ message: "required" }).min(1, "required"),
  taskHash: z.string({ message: "required" }).pipe(zBytes32),
  expectDigest: zBytes32.optional(),
  out: z.string().min(1).optional(),
  attestationOut: z.string().min(1).optional(),
  cpuSeconds: positiveInt("seconds"),
  memoryMb: positiveInt("MiB"),
  wallMs: positiveInt("milliseconds"),
  maxOutputBytes: positiveInt("bytes"),
  allowNetwork: z.boolean(),
});

/**
 * `vcloud tee worker`: runs one task in the sandbox and attests the result; with `--listen HOST:PORT` it is a
 * networked executor of the compute set instead (server mode, see `serve`).
 */
export function registerTeeWorker(tee: Command): void {
  withLocations(tee.command("worker"), ["mailbox", "compute", "da"])
    .description(
      "run a program bundle on an input in the sandbox and attest the result (dev attestation without a TEE); " +
        "with --listen, serve as an executor of the compute set over HTTP",
    )
    .option(
      "--bundle <dir>",
      'bundle directory: vcloud-bundle.json {"entry": [...]} plus its files (repeatable with --listen)',
      collect,
    )
    .option("--input <file>", "the task input, given to the program on stdin")
    .option("--task-hash <bytes32>", "the on-chain task hash the result is for")
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
    .option(
      "--allow-network",
      'testing only, where the machine cannot isolate the network: run a program whose app does not allow network on the host network (the app allows it with "network": true in its vcloud-bundle.json)',
      false,
    )
    .option("--listen <host:port>", "server mode: serve as an executor on this address (port 0: any free port)")
    .option(
      "--bls-key <hex>",
      "server mode: the operator's BLS secret key in the compute set (env VCLOUD_BLS_KEY)",
      fromEnv("VCLOUD_BLS_KEY"),
    )
    .option(
      "--policy <name>",
      "server mode: policy for results it certifies: production | debug | devnet",
      "production",
    )
    .option(
      "--measurements <file>",
      "server mode: the measurement sets the apps of each bundle registered (JSON, as `keeper tee --measurements`)",
    )
    .option("--tdx-collateral <file>", "server mode: Intel collateral JSON for the TDX quotes of results it certifies")
    .option("--advertise <url>", "server mode: register this URL as the operator's socket in the compute registrar")
    .option("--accept-tasks", "server mode: accept each task it runs on-chain (it then answers for the SLA)", false)
    .action(
      action(async (ctx, raw: unknown) => {
        if ((raw as { listen?: string }).listen !== undefined) return serve(ctx, raw);
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
  measurements: z.string().min(1).optional(),
  tdxCollateral: z.string().min(1).optional(),
  advertise: z.string().url("must be the URL other parties reach this executor at").optional(),
  acceptTasks: z.boolean(),
  cpuSeconds: positiveInt("seconds"),
  memoryMb: positiveInt("MiB"),
  wallMs: positiveInt("milliseconds"),
  maxOutputBytes: positiveInt("bytes"),
});

/**
 * `vcloud tee worker --listen HOST:PORT`: a networked executor of the compute set (protocol:
 * tee/executor-protocol.ts), with the operator key (`--private-key`) and its BLS key; serves until SIGINT/SIGTERM.
 */
async function serve(ctx: CommandContext, raw: unknown): Promise<void> {
  const opts = parseOptions(serveSchema, raw);
  const apps = knownApps(opts.bundle, opts.measurements);
  const tdxCollateral = tdxCollateralSource(opts.tdxCollateral);
  const network = networkFallback(apps, opts.policy, sandboxCapabilities(), ctx.logger);
  const { publicClient, walletClient } = await connectFromOptions(raw, { requireSigner: true });
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
    ...(tdxCollateral ? { tdxCollateral } : {}),
    limits: {
      cpuSeconds: opts.cpuSeconds,
      memoryBytes: opts.memoryMb * 2 ** 20,
      wallMs: opts.wallMs,
      maxOutputBytes: opts.maxOutputBytes,
      network,
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
}
