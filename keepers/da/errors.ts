import { InvalidInputError, VcloudError } from "../lib/errors.js";

/** A blob or payload breaks the EIP-4844 layout (wrong size, non-canonical element, bad framing). */
export class InvalidBlobError extends InvalidInputError {
  override name = "InvalidBlobError";
}

/** Coding parameters (ratio, chunk size) outside what the encoder supports. */
export class InvalidCodingParamsError extends InvalidInputError {
  override name = "InvalidCodingParamsError";
}

/** A chunk file or chunk object is malformed (truncated, wrong header, wrong sizes). */
export class InvalidChunkError extends InvalidInputError {
  override name = "InvalidChunkError";
}

/** A manifest is malformed or contradicts the data it describes. */
export class InvalidManifestError extends InvalidInputError {
  override name = "InvalidManifestError";
}

/** A blob header (its commitment in the manifest) is malformed: wrong length or not a G1 point. */
export class InvalidBlobHeaderError extends VcloudError {
  override name = "InvalidBlobHeaderError";
  readonly blobIndex: number;

  constructor(blobIndex: number, reason: string) {
    super(`blob ${blobIndex}: invalid header: ${reason}`);
    this.blobIndex = blobIndex;
  }
}

/** Fewer valid chunks than reconstruction needs. */
export class NotEnoughChunksError extends VcloudError {
  override name = "NotEnoughChunksError";
  readonly blobIndex: number;
  readonly valid: number;
  readonly required: number;
  readonly rejected: number;

  constructor(blobIndex: number, valid: number, required: number, rejected: number) {
    super(
      `blob ${blobIndex}: ${required - valid} valid chunk(s) missing: have ${valid} valid of the ${required} needed` +
        (rejected > 0 ? ` (${rejected} chunk(s) rejected: proof failed or malformed)` : ""),
    );
    this.blobIndex = blobIndex;
    this.valid = valid;
    this.required = required;
    this.rejected = rejected;
  }
}

/** Thresholds and coding parameters for which no stake-proportional assignment is safe. */
export class IncompatibleThresholdsError extends InvalidInputError {
  override name = "IncompatibleThresholdsError";
  readonly required: bigint;
  readonly available: bigint;

  constructor(reason: string, required: bigint, available: bigint) {
    super("thresholds", reason);
    this.required = required;
    this.available = available;
  }
}

/** The decoded data disagrees with its commitment (an encoder or decoder fault; never silently returned). */
export class ReconstructionError extends VcloudError {
  override name = "ReconstructionError";
}
