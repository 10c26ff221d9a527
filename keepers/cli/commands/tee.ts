import { readFileSync } from "node:fs";

import type { Command } from "commander";
import { z } from "zod";

import { parseOptions } from "../../lib/config.js";
import { InvalidInputError } from "../../lib/errors.js";
import { ATTESTATION_FORMATS, POLICY_PRESETS, type VerifierPolicy } from "../../tee/policy.js";
import { registerTeeCompute } from "./tee-compute.js";
import { registerTeeWorker } from "./tee-worker.js";
import { action } from "../context.js";

/** Flags of `vcloud tee verify` (exported for tests). */
export const verifySchema = z.object({
  format: z.enum(ATTESTATION_FORMATS, { message: `must be one of ${ATTESTATION_FORMATS.join(", ")}` }),
  collateral: z.string().min(1).optional(),
  at: z
    .string()
    .refine((v) => /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v)), "must be an ISO-8601 date-time")
    .transform((v) => new Date(v))
    .optional(),
  policy: z.enum(Object.keys(POLICY_PRESETS) as [keyof typeof POLICY_PRESETS], {
    message: `must be one of ${Object.keys(POLICY_PRESETS).join(", ")}`,
  }),
  expect: z
    .array(z.string())
    .default([])
    .refine((list) => list.every((kv) => /^[A-Za-z0-9_]+=.+$/.test(kv)), "must be NAME=VALUE, e.g. pcr0=0x…")
    .transform((list) =>
      Object.fromEntries(list.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)])),
    ),
  maxAge: z.coerce
    .number({ message: "must be a number of seconds" })
    .int("must be an integer")
    .positive("must be positive")
    .optional(),
  nonce: z
    .string()
    .regex(/^0x([0-9a-fA-F]{2})+$/, "must be 0x-prefixed hex bytes")
    .optional(),
  reportData: z
    .string()
    .regex(/^0x([0-9a-fA-F]{2})*$/, "must be 0x-prefixed hex bytes")
    .optional(),
});

function readInput(path: string, field: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new InvalidInputError(field, `cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? cause}`);
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerTee(program: Command): void {
  const tee = program.command("tee").description("TEE compute: verify attestations and run attested tasks");

  tee
    .command("verify")
    .description("verify a TEE attestation against the pinned roots (exit 1 naming the failed check)")
    .argument("<file>", "the attestation: Nitro document (CBOR or base64), TDX quote, Confidential Space JWT, dev JSON")
    .requiredOption("--format <format>", `attestation format: ${ATTESTATION_FORMATS.join("|")}`)
    .option("--collateral <file>", "TDX collateral JSON (Intel PCS/PCCS form), required with --format tdx")
    .option("--at <iso-8601>", "verify as of this time (default: now)")
    .option(
      "--policy <name>",
      "production (default) | debug (allow debug TEEs) | devnet (also dev attestations)",
      "production",
    )
    .option("--expect <name=value>", "require a measurement, e.g. --expect pcr0=0x… (repeatable)", collect)
    .option("--max-age <seconds>", "require the attestation to be at most this old at --at (Nitro, gcp)")
    .option("--nonce <hex>", "require this challenge nonce (Nitro nonce, Confidential Space eat_nonce bytes)")
    .option("--report-data <hex>", "require this report data (Nitro user_data, TDX REPORTDATA, CS nonce bytes)")
    .action(
      action(async (ctx, file: string, raw: unknown) => {
        const opts = parseOptions(verifySchema, raw);
        if (opts.format === "tdx" && !opts.collateral) {
          throw new InvalidInputError("--collateral", "required with --format tdx");
        }
        if (opts.format !== "tdx" && opts.collateral) {
          throw new InvalidInputError("--collateral", "only used with --format tdx");
        }
        const attestation = readInput(file, "FILE");
        const collateral = opts.collateral ? readInput(opts.collateral, "--collateral") : undefined;
        const preset = POLICY_PRESETS[opts.policy];
        const policy: VerifierPolicy = {
          ...preset,
          expectedMeasurements: opts.expect,
          ...(opts.maxAge ? { maxAgeSeconds: opts.maxAge } : {}),
          ...(opts.nonce ? { expectedNonce: opts.nonce as `0x${string}` } : {}),
          ...(opts.reportData ? { expectedReportData: opts.reportData as `0x${string}` } : {}),
        };
        // Loaded on use: the verifiers pull in CBOR, X.509, JOSE and DCAP code other commands do not need.
        const { verifyAttestation } = await import("../../tee/verify.js");
        const result = await verifyAttestation(attestation, { format: opts.format, collateral, at: opts.at, policy });
        const output = {
          valid: result.valid,
          platform: result.platform,
          measurements: result.measurements,
          reportData: result.reportData,
          time: result.time,
        };
        ctx.logger.debug({ details: result.details }, "attestation verified");
        ctx.print(output, (r: typeof output) =>
          [
            `valid ${r.platform} attestation at ${r.time}`,
            ...Object.entries(r.measurements).map(([k, v]) => `  ${k.padEnd(14)} ${v}`),
            `  ${"reportData".padEnd(14)} ${r.reportData}`,
          ].join("\n"),
        );
      }),
    );

  registerTeeWorker(tee);
  registerTeeCompute(program);
}
