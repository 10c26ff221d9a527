/**
 * What an inference claim keeps on DA, and what a challenger stores there as evidence. Both are JSON
 * (UTF-8) so any replayer can read them without this code:
 *
 *   claim payload:    { version: 1, kind: "vcloud-inference-claim", request, receipt }
 *   evidence payload: { version: 1, kind: "vcloud-replay-evidence", claimId, claimedReceiptHash,
 *                       firstDivergentStep, field, receipt }
 *
 * `request` is what the app asked (prompt, seed, max tokens, sampling); `receipt` is the operator's full
 * engine receipt (docs/ai.md), whose hash is the claim's `receiptHash`.
 */
import { bytesToString, stringToBytes, type Hex } from "viem";
import { z } from "zod";

import type { InferenceRequest, Receipt } from "../ai/engine.js";
import { parseReceipt, promptHash } from "../ai/receipt.js";
import { VcloudError } from "../lib/errors.js";

/** Thrown when a DA payload is not a readable claim or evidence payload. */
export class ClaimPayloadError extends VcloudError {
  override name = "ClaimPayloadError";
  constructor(what: string, reason: string) {
    super(`${what}: ${reason}`);
  }
}

export type ClaimPayload = {
  version: 1;
  kind: "vcloud-inference-claim";
  request: { prompt: string; seed: string; maxTokens: number; sampling: { temperatureMilli: number; topK: number } };
  /** The operator's receipt; `undefined` when the payload's receipt does not parse (the request is still usable). */
  receipt?: Receipt;
};

export type EvidencePayload = {
  version: 1;
  kind: "vcloud-replay-evidence";
  claimId: Hex;
  claimedReceiptHash: Hex;
  firstDivergentStep: number;
  field: string;
  receipt: Receipt;
};

const requestSchema = z.object({
  prompt: z.string(),
  seed: z.string().regex(/^\d{1,78}$/, "must be a decimal uint256"),
  maxTokens: z.number().int().min(1),
  sampling: z.object({ temperatureMilli: z.number().int().min(0), topK: z.number().int().min(0) }),
});

const claimSchema = z.object({
  version: z.literal(1),
  kind: z.literal("vcloud-inference-claim"),
  request: requestSchema,
  receipt: z.unknown(),
});

/** Bytes to store on DA for a claim. */
export function encodeClaimPayload(request: InferenceRequest, receipt: Receipt): Uint8Array {
  const payload: ClaimPayload = {
    version: 1,
    kind: "vcloud-inference-claim",
    request: {
      prompt: request.prompt,
      seed: request.seed.toString(),
      maxTokens: request.maxTokens,
      sampling: request.sampling ?? { temperatureMilli: 0, topK: 0 },
    },
    receipt,
  };
  return stringToBytes(JSON.stringify(payload));
}

/**
 * Reads a claim payload. The request must parse (without it nothing can be replayed); a receipt that does
 * not parse or whose hashes do not check is dropped (`receipt` undefined), which only costs the challenger
 * the first diverging step.
 */
export function parseClaimPayload(bytes: Uint8Array): ClaimPayload {
  let json: unknown;
  try {
    json = JSON.parse(bytesToString(bytes));
  } catch {
    throw new ClaimPayloadError("claim payload", "not JSON");
  }
  const parsed = claimSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ClaimPayloadError("claim payload", `${issue.path.join(".") || "(root)"} ${issue.message}`);
  }
  let receipt: Receipt | undefined;
  try {
    receipt = parseReceipt(parsed.data.receipt);
  } catch {
    receipt = undefined;
  }
  return { version: 1, kind: "vcloud-inference-claim", request: parsed.data.request, receipt };
}

/** The engine request of a payload, after checking that its prompt is the one the claim commits to. */
export function requestOf(payload: ClaimPayload, claimedPromptHash: Hex): InferenceRequest {
  const actual = promptHash(payload.request.prompt);
  if (actual !== claimedPromptHash.toLowerCase()) {
    throw new ClaimPayloadError(
      "claim payload",
      `prompt hashes to ${actual}, the claim commits to ${claimedPromptHash}`,
    );
  }
  return {
    prompt: payload.request.prompt,
    seed: BigInt(payload.request.seed),
    maxTokens: payload.request.maxTokens,
    sampling: payload.request.sampling,
  };
}

/** Bytes to store on DA as a challenge's evidence. */
export function encodeEvidencePayload(evidence: Omit<EvidencePayload, "version" | "kind">): Uint8Array {
  return stringToBytes(JSON.stringify({ version: 1, kind: "vcloud-replay-evidence", ...evidence }));
}

/** Reads an evidence payload (its receipt fully checked). */
export function parseEvidencePayload(bytes: Uint8Array): EvidencePayload {
  let json: { receipt?: unknown; kind?: unknown };
  try {
    json = JSON.parse(bytesToString(bytes)) as typeof json;
  } catch {
    throw new ClaimPayloadError("evidence payload", "not JSON");
  }
  if (json.kind !== "vcloud-replay-evidence")
    throw new ClaimPayloadError("evidence payload", "kind is not vcloud-replay-evidence");
  return { ...(json as EvidencePayload), receipt: parseReceipt(json.receipt) };
}
