import { VcloudError } from "../lib/errors.js";

/** The model file is missing, unreadable, not GGUF, or rejected by llama.cpp. */
export class ModelFileError extends VcloudError {
  override name = "ModelFileError";
  constructor(
    readonly path: string,
    readonly reason: string,
    options: { cause?: unknown } = {},
  ) {
    super(`model file ${path}: ${reason}`, { ...options, exitCode: 2 });
  }
}

/** A request or setting the engine cannot run deterministically (names the parameter). */
export class EngineParameterError extends VcloudError {
  override name = "EngineParameterError";
  constructor(
    readonly parameter: string,
    readonly reason: string,
  ) {
    super(`invalid ${parameter}: ${reason}`, { exitCode: 2 });
  }
}

/** The engine failed while running (llama.cpp error, unexpected logits). */
export class EngineRunError extends VcloudError {
  override name = "EngineRunError";
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super(`inference failed: ${reason}`, options);
  }
}

/** The OpenAI-compatible server could not be reached (connection refused, DNS, reset). */
export class ServerUnreachableError extends VcloudError {
  override name = "ServerUnreachableError";
  constructor(
    readonly url: string,
    options: { cause?: unknown } = {},
  ) {
    super(`inference server ${url} unreachable: ${describeCause(options.cause)}`, options);
  }
}

/** The server did not answer within the timeout. */
export class ServerTimeoutError extends VcloudError {
  override name = "ServerTimeoutError";
  constructor(
    readonly url: string,
    readonly timeoutMs: number,
  ) {
    super(`inference server ${url} did not answer within ${timeoutMs} ms`);
  }
}

/** The server answered with a non-2xx status. */
export class ServerHttpError extends VcloudError {
  override name = "ServerHttpError";
  constructor(
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`inference server ${url} answered HTTP ${status}: ${body.slice(0, 200)}`);
  }
}

/** The server's answer is not a usable completion (bad JSON, missing token ids or logprobs). */
export class ServerResponseError extends VcloudError {
  override name = "ServerResponseError";
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`inference server ${url} sent an unusable response: ${reason}`);
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    const code = inner && typeof inner === "object" && "code" in inner ? String(inner.code) : undefined;
    return code ?? cause.message;
  }
  return String(cause);
}
