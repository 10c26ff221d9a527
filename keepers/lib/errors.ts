/**
 * Errors thrown by vcloud's keepers and CLI. Each carries a short message, an optional `details` string
 * for logs, and the process exit code the CLI should use (1 = operation failed, 2 = bad input).
 */
export class VcloudError extends Error {
  override name = "VcloudError";
  readonly details: string | undefined;
  readonly exitCode: number;

  constructor(shortMessage: string, options: { details?: string; cause?: unknown; exitCode?: number } = {}) {
    super(shortMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Bad input from a user: a flag, an env variable or a file. Names the field so the user can fix it. */
export class InvalidInputError extends VcloudError {
  override name = "InvalidInputError";
  readonly field: string;

  constructor(field: string, reason: string, options: { details?: string; cause?: unknown } = {}) {
    super(`invalid ${field}: ${reason}`, { ...options, exitCode: 2 });
    this.field = field;
  }
}

/** A deployment file is missing or lacks a contract that a command needs. */
export class DeploymentNotFoundError extends VcloudError {
  override name = "DeploymentNotFoundError";

  constructor(what: string, options: { details?: string } = {}) {
    super(`deployment not found: ${what}`, options);
  }
}

/** Renders any thrown value as one line for the CLI. */
export function describeError(error: unknown): string {
  if (error instanceof VcloudError) return error.message;
  if (error instanceof Error) {
    // viem errors carry a one-line `shortMessage`.
    const short = (error as { shortMessage?: unknown }).shortMessage;
    return typeof short === "string" && short.length > 0 ? short : error.message.split("\n")[0]!;
  }
  return String(error);
}

export function exitCodeOf(error: unknown): number {
  return error instanceof VcloudError ? error.exitCode : 1;
}
