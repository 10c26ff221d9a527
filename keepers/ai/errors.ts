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
