import type { Hex } from "viem";

import { checkTaskBinding, hashBytes, type TaskBinding } from "./binding.js";
import { CollateralError, MeasurementMismatchError } from "./errors.js";
import type { VerifiedAttestation } from "./policy.js";
import { verifyAttestation, type VerifyAttestationParameters } from "./verify.js";

export type VerifyTaskResultParameters = Omit<VerifyAttestationParameters, "format"> & {
  attestation: { format: VerifyAttestationParameters["format"]; bytes: Uint8Array };
  /** The digest registered for the app. */
  imageDigest: Hex;
  taskHash: Hex;
  input: Uint8Array;
  output: Uint8Array;
};

/**
 * What a dispatcher (or anyone re-checking from DA) runs on a worker's result: the attestation verifies
 * under the policy (with the app's allowed measurements in `policy.expectedMeasurements`), and its report
 * data commits to this image, this input, this output and this task. A dev attestation must also name
 * the image digest itself, since it has no hardware measurement. A TDX quote is verified against
 * `collateral` (Intel PCS / PCCS JSON, as `vcloud tee verify --collateral` takes); without it a TDX result
 * is rejected (collateral check).
 */
export async function verifyTaskResult(params: VerifyTaskResultParameters): Promise<VerifiedAttestation> {
  if (params.attestation.format === "tdx" && params.collateral === undefined) {
    throw new CollateralError(
      "a TDX result needs Intel's collateral for its platform: give the dispatcher / executor --tdx-collateral FILE",
    );
  }
  const result = await verifyAttestation(params.attestation.bytes, { ...params, format: params.attestation.format });
  const binding: TaskBinding = {
    imageDigest: params.imageDigest.toLowerCase() as Hex,
    inputHash: hashBytes(params.input),
    outputHash: hashBytes(params.output),
    taskHash: params.taskHash.toLowerCase() as Hex,
  };
  if (result.platform === "dev" && result.measurements.imageDigest !== binding.imageDigest) {
    throw new MeasurementMismatchError("imageDigest", binding.imageDigest, result.measurements.imageDigest);
  }
  checkTaskBinding(result, binding);
  return result;
}
