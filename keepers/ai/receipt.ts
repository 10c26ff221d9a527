import { createHash } from "node:crypto";

import { encodeAbiParameters, keccak256, toBytes, type Hex } from "viem";
import { z } from "zod";

import type { EngineIdentity, LogitsEncoding, Receipt, Sampling } from "./engine.js";

/**
 * The canonical encoding of a receipt, EIP-712 style so a contract can rebuild it:
 *
 *   engineId   = keccak256(abi.encode(ENGINE_TYPEHASH, keccak256(name), keccak256(version),
 *                                     keccak256(backend), keccak256(cpuFeatures)))
 *   settingsId = keccak256(abi.encode(SETTINGS_TYPEHASH, contextSize, maxTokens, flashAttention,
 *                                     temperatureMilli, topK, boundThreads, boundBatchSize))
 *   hash       = keccak256(abi.encode(RECEIPT_TYPEHASH, version, modelSha256, engineId, settingsId, seed,
 *                                     promptHash, promptTokensHash, outputTokensHash, outputTextHash,
 *                                     stopReason, logitsEncoding, steps, logitsHead))
 *
 * with stopReason 0 = eos, 1 = length; logitsEncoding 0 = f32le-full, 1 = topk-logprob-e4, 2 = f32le-top64, 3 = f32le-selected. Unbound
 * execution settings (threads, and batch size for Q8_0 models) are recorded in the receipt but enter
 * the hash as 0, so replayers may choose them.
 */

export const ENGINE_TYPE = "EngineIdentity(string name,string version,string backend,string cpuFeatures)";
export const SETTINGS_TYPE =
  "InferenceSettings(uint32 contextSize,uint32 maxTokens,bool flashAttention,uint32 temperatureMilli,uint32 topK,uint32 boundThreads,uint32 boundBatchSize)";
export const RECEIPT_TYPE =
  "InferenceReceipt(uint16 version,bytes32 modelHash,bytes32 engineId,bytes32 settingsId,uint256 seed,bytes32 promptHash,bytes32 promptTokensHash,bytes32 outputTokensHash,bytes32 outputTextHash,uint8 stopReason,uint8 logitsEncoding,uint32 steps,bytes32 logitsHead)";

export const ENGINE_TYPEHASH = keccak256(toBytes(ENGINE_TYPE));
export const SETTINGS_TYPEHASH = keccak256(toBytes(SETTINGS_TYPE));
export const RECEIPT_TYPEHASH = keccak256(toBytes(RECEIPT_TYPE));

export const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;

const STOP_REASON = { eos: 0, length: 1 } as const;
const LOGITS_ENCODING: Record<LogitsEncoding, number> = {
  "f32le-full": 0,
  "topk-logprob-e4": 1,
  "f32le-top64": 2,
  "f32le-selected": 3,
};

const textHash = (s: string): Hex => keccak256(toBytes(s));

export function engineId(identity: EngineIdentity): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }],
      [
        ENGINE_TYPEHASH,
        textHash(identity.name),
        textHash(identity.version),
        textHash(identity.backend),
        textHash(identity.cpuFeatures),
      ],
    ),
  );
}

export type CommittedSettings = {
  contextSize: number;
  maxTokens: number;
  flashAttention: boolean;
  sampling: Sampling;
  bound: { threads: number; batchSize: number };
};

export function settingsId(s: CommittedSettings): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: "bytes32" },
        { type: "uint32" },
        { type: "uint32" },
        { type: "bool" },
        { type: "uint32" },
        { type: "uint32" },
        { type: "uint32" },
        { type: "uint32" },
      ],
      [
        SETTINGS_TYPEHASH,
        s.contextSize,
        s.maxTokens,
        s.flashAttention,
        s.sampling.temperatureMilli,
        s.sampling.topK,
        s.bound.threads,
        s.bound.batchSize,
      ],
    ),
  );
}

/** keccak256 of the token ids as packed uint32 big-endian (abi.encodePacked(uint32[])). */
export function tokensHash(ids: readonly number[]): Hex {
  const bytes = new Uint8Array(ids.length * 4);
  const view = new DataView(bytes.buffer);
  ids.forEach((id, i) => view.setUint32(i * 4, id, false));
  return keccak256(bytes);
}

export function promptHash(prompt: string): Hex {
  return textHash(prompt);
}

/** One link of the logits chain: sha256(previous || uint32 BE step || logits bytes). */
export function logitsLink(previous: Hex, step: number, logitsBytes: Uint8Array): Hex {
  return `0x${logitsLinkBytes(toBytes(previous), step, logitsBytes).toString("hex")}`;
}

/**
 * `logitsLink` on bytes, for the engine's per-step loop: the previous link stays binary (no hex parsing) and
 * the logits are hashed straight from the Float32Array's buffer by node:crypto's incremental sha256.
 */
export function logitsLinkBytes(previous: Uint8Array, step: number, logitsBytes: Uint8Array): Buffer {
  const stepBytes = Buffer.allocUnsafe(4);
  stepBytes.writeUInt32BE(step, 0);
  return createHash("sha256").update(previous).update(stepBytes).update(logitsBytes).digest();
}

/** The fields a receipt hash covers, before the hash itself is known. */
export type UnhashedReceipt = Omit<Receipt, "hash">;

/** keccak256 of the canonical ABI encoding of a receipt (see the module comment). */
export function receiptHash(r: UnhashedReceipt): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: "bytes32" },
        { type: "uint16" },
        { type: "bytes32" },
        { type: "bytes32" },
        { type: "bytes32" },
        { type: "uint256" },
        { type: "bytes32" },
        { type: "bytes32" },
        { type: "bytes32" },
        { type: "bytes32" },
        { type: "uint8" },
        { type: "uint8" },
        { type: "uint32" },
        { type: "bytes32" },
      ],
      [
        RECEIPT_TYPEHASH,
        r.version,
        r.model.sha256,
        engineId(r.engine),
        settingsId(r.settings),
        BigInt(r.seed),
        r.prompt.hash,
        r.prompt.tokensHash,
        tokensHash(r.output.tokenIds),
        textHash(r.output.text),
        STOP_REASON[r.output.stopReason],
        LOGITS_ENCODING[r.logits.encoding],
        r.logits.chain.length,
        r.logits.head,
      ],
    ),
  );
}

/** Fills in the derived ids and the hash. */
export function finalizeReceipt(
  r: Omit<UnhashedReceipt, "engine" | "settings"> & {
    engine: EngineIdentity;
    settings: Omit<Receipt["settings"], "id">;
  },
): Receipt {
  const withIds: UnhashedReceipt = {
    ...r,
    engine: { ...r.engine, id: engineId(r.engine) },
    settings: { ...r.settings, id: settingsId(r.settings) },
  };
  return { ...withIds, hash: receiptHash(withIds) };
}

// Parsing and checking receipts read from DA or files ----------------------------------------------------

const zHash = z.string().regex(/^0x[0-9a-f]{64}$/, "must be 0x followed by 64 lowercase hex digits");
const zU32 = z.number().int().min(0).max(0xffffffff);

export const receiptSchema = z.object({
  version: z.literal(1),
  model: z.object({ sha256: zHash, bytes: z.number().int().min(0) }),
  engine: z.object({ name: z.string(), version: z.string(), backend: z.string(), cpuFeatures: z.string(), id: zHash }),
  settings: z.object({
    threads: zU32,
    batchSize: zU32,
    contextSize: zU32,
    flashAttention: z.boolean(),
    maxTokens: zU32,
    sampling: z.object({ temperatureMilli: zU32, topK: zU32 }),
    bound: z.object({ threads: zU32, batchSize: zU32 }),
    id: zHash,
  }),
  seed: z
    .string()
    // `abort`: the refinement's BigInt() throws a SyntaxError on a non-decimal string.
    .regex(/^\d+$/, { message: "must be a decimal integer", abort: true })
    .refine((s) => BigInt(s) < 1n << 256n, "must fit uint256"),
  prompt: z.object({ hash: zHash, tokenCount: zU32, tokensHash: zHash }),
  output: z.object({
    tokenIds: z.array(zU32),
    text: z.string(),
    textHash: zHash,
    stopReason: z.enum(["eos", "length"]),
  }),
  logits: z.object({
    encoding: z.enum(["f32le-full", "topk-logprob-e4", "f32le-top64", "f32le-selected"]),
    chain: z.array(zHash),
    head: zHash,
  }),
  hash: zHash,
});

export class ReceiptMismatchError extends Error {
  override name = "ReceiptMismatchError";
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`receipt ${field} is ${actual}, expected ${expected}`);
  }
}

/**
 * Parses a receipt (from JSON) and checks that every derived field matches what it commits to:
 * engine id, settings id, output text hash, logits head and the receipt hash. Throws a zod error for
 * a malformed document and ReceiptMismatchError naming the first inconsistent field.
 */
export function parseReceipt(json: unknown): Receipt {
  const r = receiptSchema.parse(json) as Receipt;
  const check = (field: string, expected: string, actual: string) => {
    if (expected !== actual) throw new ReceiptMismatchError(field, expected, actual);
  };
  check("engine.id", engineId(r.engine), r.engine.id);
  check("settings.id", settingsId(r.settings), r.settings.id);
  check("output.textHash", textHash(r.output.text), r.output.textHash);
  check("logits.head", r.logits.chain.at(-1) ?? ZERO_HASH, r.logits.head);
  check("hash", receiptHash(r), r.hash);
  return r;
}

export type ReceiptComparison =
  | { equal: true }
  | {
      equal: false;
      /** The first receipt field that differs, in the order a replayer checks them. */
      field: string;
      /** The first generation step whose logits or token differ, when the inputs agree. */
      firstDivergentStep: number | null;
    };

/**
 * Compares a claimed receipt with a replayed one. Inputs first (model, engine, settings, seed, prompt):
 * a difference there means the replay is not comparable. Then the first step whose logits link or
 * token differs: the evidence a challenge names.
 */
export function compareReceipts(claimed: Receipt, replayed: Receipt): ReceiptComparison {
  if (claimed.hash === replayed.hash) return { equal: true };
  const inputs: [string, unknown, unknown][] = [
    ["model.sha256", claimed.model.sha256, replayed.model.sha256],
    ["engine.id", claimed.engine.id, replayed.engine.id],
    ["settings.id", claimed.settings.id, replayed.settings.id],
    ["seed", claimed.seed, replayed.seed],
    ["prompt.hash", claimed.prompt.hash, replayed.prompt.hash],
    ["prompt.tokensHash", claimed.prompt.tokensHash, replayed.prompt.tokensHash],
  ];
  for (const [field, a, b] of inputs) if (a !== b) return { equal: false, field, firstDivergentStep: null };
  const steps = Math.max(claimed.logits.chain.length, replayed.logits.chain.length);
  for (let i = 0; i < steps; i++) {
    if (claimed.logits.chain[i] !== replayed.logits.chain[i]) {
      return { equal: false, field: "logits.chain", firstDivergentStep: i };
    }
    if (claimed.output.tokenIds[i] !== replayed.output.tokenIds[i]) {
      return { equal: false, field: "output.tokenIds", firstDivergentStep: i };
    }
  }
  return { equal: false, field: "output", firstDivergentStep: null };
}
