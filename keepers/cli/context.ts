import type { Command } from "commander";
import { z } from "zod";

import { connect, type Clients } from "../lib/chain.js";
import { fromEnv, parseOptions, zPrivateKey, zRpcUrl } from "../lib/config.js";
import { describeError, exitCodeOf, InvalidInputError } from "../lib/errors.js";
import { createLogger, type Logger } from "../lib/logger.js";
import { printResult } from "../lib/output.js";

/** Options every command inherits from the root program. */
export type GlobalOptions = { json: boolean; logLevel: string };

export type CommandContext = {
  json: boolean;
  logger: Logger;
  /** Prints the command's result (JSON with --json, else human text). */
  print: (result: unknown, human?: (r: never) => string) => void;
};

function globalsOf(command: Command): GlobalOptions {
  const opts = command.optsWithGlobals() as Partial<GlobalOptions>;
  return { json: opts.json ?? false, logLevel: opts.logLevel ?? fromEnv("VCLOUD_LOG_LEVEL") ?? "info" };
}

/**
 * Wraps a command's handler: builds the context, runs it, and turns any error into one line on stderr
 * and a non-zero exit code (2 for bad input, 1 for failures).
 */
export function action<A extends unknown[]>(handler: (ctx: CommandContext, ...args: A) => Promise<void> | void) {
  return async function (this: Command, ...args: A): Promise<void> {
    const globals = globalsOf(this);
    const logger = createLogger({ level: globals.logLevel });
    const ctx: CommandContext = {
      json: globals.json,
      logger,
      print: (result, human) => printResult(result, { json: globals.json, human }),
    };
    try {
      await handler(ctx, ...args);
    } catch (error) {
      process.stderr.write(`error: ${describeError(error)}\n`);
      logger.debug({ err: error }, "command failed");
      process.exitCode = exitCodeOf(error);
    }
  };
}

// Chain options shared by every command that talks to a chain ------------------------------------------

export const chainOptionsSchema = z.object({
  rpcUrl: zRpcUrl,
  privateKey: zPrivateKey.optional(),
});

/** Adds --rpc-url and --private-key (env: VCLOUD_RPC_URL, VCLOUD_PRIVATE_KEY) to a command. */
export function withChainOptions(command: Command): Command {
  return command
    .option(
      "--rpc-url <url>",
      "JSON-RPC endpoint (env VCLOUD_RPC_URL)",
      fromEnv("VCLOUD_RPC_URL") ?? "http://127.0.0.1:8545",
    )
    .option("--private-key <hex>", "signing key (env VCLOUD_PRIVATE_KEY)", fromEnv("VCLOUD_PRIVATE_KEY"));
}

/**
 * Adds --receipt-timeout (env VCLOUD_RECEIPT_TIMEOUT) to a keeper command that sends transactions; parse it
 * with `zReceiptTimeout` and hand it on with `receiptTimeoutParam`.
 */
export function withReceiptTimeout(command: Command): Command {
  return command.option(
    "--receipt-timeout <seconds>",
    "bound on each transaction's receipt wait: past it the step fails and the next send re-reads the nonce (env VCLOUD_RECEIPT_TIMEOUT; default 120)",
    fromEnv("VCLOUD_RECEIPT_TIMEOUT"),
  );
}

/** A keeper's `receiptTimeoutMs` from a parsed --receipt-timeout; nothing when unset (the keeper's default). */
export function receiptTimeoutParam(seconds: number | undefined): { receiptTimeoutMs?: number } {
  return seconds === undefined ? {} : { receiptTimeoutMs: Math.max(1, Math.ceil(seconds * 1000)) };
}

/** Validates the chain options and connects; `requireSigner` demands a key before anything is sent. */
export async function connectFromOptions(raw: unknown, options: { requireSigner?: boolean } = {}): Promise<Clients> {
  const parsed = parseOptions(chainOptionsSchema, raw);
  if (options.requireSigner && !parsed.privateKey) {
    throw new InvalidInputError("--private-key", "required to send transactions (or set VCLOUD_PRIVATE_KEY)");
  }
  return connect(parsed.rpcUrl, parsed.privateKey);
}

/** Finds a subcommand group another component may already have registered, or creates it. */
export function ensureGroup(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}
