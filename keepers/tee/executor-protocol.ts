/**
 * The wire protocol between the dispatcher and a networked executor (`vcloud tee worker --listen`), JSON over
 * HTTP. Two requests per task:
 *
 * - `POST /v1/run` {taskHash, appId, inputCertificateId}: the executor checks the request against the
 *   on-chain task, fetches the input from DA itself (checking its hash against the task's inputHash), runs
 *   the app's program in the sandbox and answers with the output, the attestation and its EIP-712
 *   `ExecutorClaim` signature (operator key) over (taskHash, outputHash, attestationHash, outputCertificateId
 *   = 0: the output is not on DA yet). A signed claim of a wrong output is what `slashForWrongResult` takes.
 * - `POST /v1/sign` {taskHash, result, attestation}: once the output is on DA, every executor of the set is
 *   asked to certify the result. It signs (BLS, its key in the compute set) keccak256(abi.encode(taskHash,
 *   result)) only after its own checks: the output behind result.outputCertificateId is on DA and hashes to
 *   result.outputHash, its own run of the program on the DA input gives that output, and the attestation
 *   verifies under its policy against the app's measurements and binds this image, input, output and task.
 *
 * Errors answer `{"error": "..."}` with 4xx for a refused request, 5xx for a failure of the executor.
 */
import { z } from "zod";

import { ATTESTATION_FORMATS } from "./policy.js";

const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x followed by 64 hex digits");
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64");
const hex = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, "must be 0x-prefixed hex");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be an address");

export const attestationWireSchema = z.object({ format: z.enum(ATTESTATION_FORMATS), bytes: base64 });
export const taskResultWireSchema = z.object({
  outputHash: bytes32,
  attestationHash: bytes32,
  outputCertificateId: bytes32,
});

export const runRequestSchema = z.object({ taskHash: bytes32, appId: bytes32, inputCertificateId: bytes32 });
export type RunRequest = z.infer<typeof runRequestSchema>;

export const runResponseSchema = z.object({
  operator: address,
  taskHash: bytes32,
  output: base64,
  attestation: attestationWireSchema,
  claim: taskResultWireSchema,
  claimSignature: hex,
});
export type RunResponse = z.infer<typeof runResponseSchema>;

export const signRequestSchema = z.object({
  taskHash: bytes32,
  result: taskResultWireSchema,
  attestation: attestationWireSchema,
});
export type SignRequest = z.infer<typeof signRequestSchema>;

export const signResponseSchema = z.object({ operator: address, taskHash: bytes32, signature: hex });
export type SignResponse = z.infer<typeof signResponseSchema>;
