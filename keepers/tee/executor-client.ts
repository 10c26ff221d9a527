/**
 * The dispatcher's side of the executor protocol (executor-protocol.ts): calls an executor at the socket
 * it registered in the compute set's registrar, with a timeout and no retries (a slow or failing executor
 * is replaced, not waited for), and parses its answers. The dispatcher verifies what comes back (claim
 * signature, attestation, output, BLS signature) before using any of it.
 */
import type { Address, Hex } from "viem";

import { fetchJson } from "../da-network/http.js";
import { VcloudError } from "../lib/errors.js";
import {
  runResponseSchema,
  signResponseSchema,
  type RunRequest,
  type RunResponse,
  type SignRequest,
  type SignResponse,
} from "./executor-protocol.js";

/** An executor answered something that is not a well-formed answer of the protocol, or for someone else. */
export class ExecutorAnswerError extends VcloudError {
  override name = "ExecutorAnswerError";
  constructor(operator: Address, field: string, reason: string) {
    super(`executor ${operator}: ${field} ${reason}`);
  }
}

function parseAnswer<T extends { operator: string; taskHash: string }>(
  schema: {
    safeParse: (v: unknown) => {
      success: boolean;
      data?: T;
      error?: { issues: { path: PropertyKey[]; message: string }[] };
    };
  },
  raw: unknown,
  operator: Address,
  taskHash: Hex,
): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error!.issues[0]!;
    throw new ExecutorAnswerError(operator, issue.path.map(String).join(".") || "answer", issue.message);
  }
  const data = parsed.data!;
  if (data.operator.toLowerCase() !== operator.toLowerCase())
    throw new ExecutorAnswerError(operator, "operator", `is ${data.operator}`);
  if (data.taskHash.toLowerCase() !== taskHash.toLowerCase())
    throw new ExecutorAnswerError(operator, "taskHash", `is ${data.taskHash}, not ${taskHash}`);
  return data;
}

/** A client of one executor's server. */
export function executorClient(operator: Address, socket: string) {
  const base = socket.replace(/\/$/, "");
  return {
    operator,
    socket: base,
    async run(request: RunRequest, timeoutMs: number): Promise<RunResponse> {
      const raw = await fetchJson(`${base}/v1/run`, { method: "POST", body: request, timeoutMs, retries: 0 });
      return parseAnswer(runResponseSchema, raw, operator, request.taskHash as Hex);
    },
    async sign(request: SignRequest, timeoutMs: number): Promise<SignResponse> {
      const raw = await fetchJson(`${base}/v1/sign`, { method: "POST", body: request, timeoutMs, retries: 0 });
      return parseAnswer(signResponseSchema, raw, operator, request.taskHash as Hex);
    },
  };
}
