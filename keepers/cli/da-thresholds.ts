/**
 * The DA threshold flags every command that stores on DA takes (`da node|put`, `keeper tee`, `keeper replay`):
 * `--confirmation-threshold` and `--adversary-threshold`, integer percent, both or neither. Neither (the
 * default) leaves the thresholds to the BlobCertificateRegistry, read from the chain for each dispersal and
 * store request (keepers/da-network/operator-set.ts `readThresholds`), so a governance change applies at once.
 */
import { z } from "zod";

import type { DaThresholds } from "../da-network/operator-set.js";
import { InvalidInputError } from "../lib/errors.js";

export const zThresholdPercent = z.coerce
  .number()
  .int("must be an integer percent")
  .min(1, "must be 1..100")
  .max(100, "must be 1..100");

/** Schema fields for the two flags (optional: the registry's values by default). */
export const thresholdFlagsSchema = {
  confirmationThreshold: zThresholdPercent.optional(),
  adversaryThreshold: zThresholdPercent.optional(),
};

/** The flags' help texts, `label` prefixed (e.g. "DA: "). */
export function thresholdOptions(label = ""): [flags: string, description: string][] {
  return [
    ["--confirmation-threshold <percent>", `${label}stake share that must sign (default: the registry's)`],
    ["--adversary-threshold <percent>", `${label}stake share assumed adversarial (default: the registry's)`],
  ];
}

/**
 * Both flags: an override used as given (the registry still applies its own); neither: undefined (read from
 * the chain); one alone is refused, since a pair read half from flags and half from the chain could be one
 * the registry would never accept.
 */
export function thresholdsFromFlags(opts: {
  confirmationThreshold?: number | undefined;
  adversaryThreshold?: number | undefined;
}): DaThresholds | undefined {
  const { confirmationThreshold, adversaryThreshold } = opts;
  if (confirmationThreshold === undefined && adversaryThreshold === undefined) return undefined;
  if (confirmationThreshold === undefined || adversaryThreshold === undefined) {
    throw new InvalidInputError(
      confirmationThreshold === undefined ? "--confirmation-threshold" : "--adversary-threshold",
      "give both threshold flags or neither (neither: the registry's on-chain thresholds)",
    );
  }
  return { confirmationThreshold, adversaryThreshold };
}

/** `{ thresholds }` for a DA parameter object when both flags are given, `{}` when neither (see above). */
export function optionalThresholds(opts: Parameters<typeof thresholdsFromFlags>[0]): { thresholds?: DaThresholds } {
  const thresholds = thresholdsFromFlags(opts);
  return thresholds ? { thresholds } : {};
}
