import { z } from "zod";
import { isAddress, isHex, type Address, type Hex } from "viem";

import { InvalidInputError } from "./errors.js";

/**
 * Parses CLI options (already merged with env defaults) against a zod schema. The first failing field is
 * reported by its flag name (`--rpc-url`), so the user sees exactly what to fix; exit code 2.
 */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  flagNames: Record<string, string> = {},
): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = issue.path.map(String).join(".");
  const field = flagNames[key] ?? (key ? `--${kebab(key)}` : "input");
  throw new InvalidInputError(field, issue.message);
}

export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Reads an env variable that backs a flag: flags win, env fills gaps. */
export function fromEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === "" ? undefined : value;
}

// Reusable field schemas -------------------------------------------------------------------------------

export const zAddress = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), "must be a 0x-prefixed 20-byte hex address")
  .transform((v) => v as Address);

export const zHex = z
  .string()
  .refine((v) => isHex(v, { strict: true }), "must be 0x-prefixed hex")
  .transform((v) => v as Hex);

export const zBytes32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x followed by 64 hex digits")
  .transform((v) => v as Hex);

export const zPrivateKey = zBytes32;

export const zRpcUrl = z.string().url("must be a URL such as http://127.0.0.1:8545");

/** A non-negative integer given as a decimal string; returns a bigint (token amounts, wads). */
export const zUint = z.union([z.string(), z.number(), z.bigint()]).transform((v, ctx) => {
  const s = String(v).trim();
  if (!/^\d+$/.test(s)) {
    ctx.addIssue({ code: "custom", message: "must be a non-negative integer" });
    return z.NEVER;
  }
  return BigInt(s);
});

/** A port number 1..65535 from a flag or env string. */
export const zPort = z.coerce
  .number()
  .int("must be an integer")
  .min(1, "must be 1..65535")
  .max(65535, "must be 1..65535");

/** A decimal token amount with up to `decimals` places ("1.5") converted to base units. */
export function zTokenAmount(decimals = 18) {
  return z.string().transform((v, ctx) => {
    const m = /^(\d+)(?:\.(\d+))?$/.exec(v.trim());
    if (!m || (m[2] ?? "").length > decimals) {
      ctx.addIssue({ code: "custom", message: `must be a decimal amount with at most ${decimals} decimals` });
      return z.NEVER;
    }
    return BigInt(m[1]!) * 10n ** BigInt(decimals) + BigInt((m[2] ?? "").padEnd(decimals, "0") || "0");
  });
}

/**
 * `--receipt-timeout <seconds>`: the bound on each transaction's receipt wait in a keeper that sends (a
 * transaction a node's pool lost never gets one). Positive seconds, fractions allowed, at most a day.
 */
export const zReceiptTimeout = z.coerce
  .number({ error: "must be a positive number of seconds" })
  .positive("must be a positive number of seconds")
  .max(86_400, "must be at most 86400 seconds (a day)")
  .optional();
