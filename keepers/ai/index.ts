/**
 * Deterministic inference: the public API of keepers/ai.
 *
 *   createModel({ seed })            -> a small llama GGUF made from a seed (bytes + sha256)
 *   createEngine({ kind, ... })      -> an InferenceEngine (built-in llama.cpp on CPU, or a server)
 *   engine.run(request)              -> Receipt
 *   receiptHash(receipt)             -> the bytes32 that goes on-chain
 *   parseReceipt(json), compareReceipts(claimed, replayed) for replayers
 */
import type { InferenceEngine } from "./engine.js";
import { LlamaEngine, type LlamaEngineParameters } from "./llama.js";
import { OpenAiEngine, type OpenAiEngineParameters } from "./openai.js";

export type CreateEngineParameters =
  ({ kind: "llama" } & LlamaEngineParameters) | ({ kind: "openai" } & OpenAiEngineParameters);

export function createEngine(params: CreateEngineParameters): Promise<InferenceEngine> {
  if (params.kind === "llama") return LlamaEngine.create(params);
  return OpenAiEngine.create(params);
}

export * from "./engine.js";
export * from "./errors.js";
export { createModel, writeModel, DEFAULT_MODEL_SHAPE, MODEL_GENERATOR } from "./model.js";
export type { CreateModelParameters, CreatedModel, ModelShape, WeightType } from "./model.js";
export { LlamaEngine, checkRequest, inspectModelFile, fileSha256, promptChunks, MIN_BATCH_SIZE } from "./llama.js";
export type { LlamaEngineParameters, ModelFileInfo } from "./llama.js";
export { OpenAiEngine, topkStepBytes } from "./openai.js";
export type { OpenAiEngineParameters } from "./openai.js";
export {
  receiptHash,
  parseReceipt,
  compareReceipts,
  engineId,
  settingsId,
  tokensHash,
  promptHash,
  logitsLink,
  ReceiptMismatchError,
  RECEIPT_TYPE,
  SETTINGS_TYPE,
  ENGINE_TYPE,
  RECEIPT_TYPEHASH,
  SETTINGS_TYPEHASH,
  ENGINE_TYPEHASH,
} from "./receipt.js";
export type { ReceiptComparison } from "./receipt.js";
export { Sampler, argmax } from "./sampling.js";
