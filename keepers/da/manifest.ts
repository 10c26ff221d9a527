/**
 * The manifest: everything needed to verify and decode a payload's chunks (coding parameters, payload
 * length and hash, and per blob its commitment). JSON with 0x-hex bytes.
 *
 * Format 2 (shifted setups): each blob entry is just `{ commitment }`, and every chunk's proofs verify
 * against it (coset k >= 1 under its shifted setup). Format 1 carried per-blob coset commitments and a
 * coset-link proof, and its coset-k proofs were made against those coset commitments; this reader refuses
 * it with an error naming the version (re-encode the payload), since accepting it would mean keeping the
 * old verifier beside the new one.
 */
import { bytesToHex, hexToBytes, type Hex } from "viem";
import { z } from "zod";

import { codingParams, type CodingParams } from "./coding.js";
import { InvalidManifestError } from "./errors.js";
import { blobCountFor, MAX_PAYLOAD_BYTES } from "./framing.js";
import type { BlobHeader } from "./types.js";

export const MANIFEST_FORMAT = "vcloud-da-manifest/2";
/** Formats this reader knows but no longer accepts, with the reason given to the user. */
const RETIRED_FORMATS: Record<string, string> = {
  "vcloud-da-manifest/1":
    "vcloud-da-manifest/1 (coset commitments + coset-link proof) is no longer supported; " +
    `re-encode the payload to get a ${MANIFEST_FORMAT} manifest`,
};

const hexBytes = (n: number) =>
  z
    .string()
    .regex(new RegExp(`^0x[0-9a-fA-F]{${n * 2}}$`), `must be 0x followed by ${n * 2} hex digits`)
    .transform((v) => v as Hex);

const blobEntrySchema = z.object({ commitment: hexBytes(48) }).strict();

export const manifestSchema = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    ratio: z.number().int(),
    chunkSize: z.number().int(),
    chunksPerBlob: z.number().int().positive(),
    chunksToRecover: z.number().int().positive(),
    payloadLength: z.number().int().nonnegative(),
    payloadSha256: hexBytes(32),
    blobCount: z.number().int().positive(),
    chunkCount: z.number().int().positive(),
    blobs: z.array(blobEntrySchema),
  })
  .strict();

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestBlob = z.infer<typeof blobEntrySchema>;

export function headerToEntry(header: BlobHeader): ManifestBlob {
  return { commitment: bytesToHex(header.commitment) };
}

export function entryToHeader(entry: ManifestBlob): BlobHeader {
  return { commitment: hexToBytes(entry.commitment) };
}

/**
 * Validates a parsed manifest: schema, supported coding parameters, and sizes that agree with each other
 * (blob count for the payload length, chunk counts for the ratio and chunk size). Returns the params.
 */
export function validateManifest(raw: unknown, source = "manifest"): { manifest: Manifest; params: CodingParams } {
  const format = (raw as { format?: unknown } | null)?.format;
  if (typeof format === "string" && Object.hasOwn(RETIRED_FORMATS, format)) {
    throw new InvalidManifestError(`${source} format`, RETIRED_FORMATS[format]!);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidManifestError(`${source} ${issue.path.join(".") || "(root)"}`, issue.message);
  }
  const manifest = parsed.data;
  let params: CodingParams;
  try {
    params = codingParams({ ratio: manifest.ratio, chunkSize: manifest.chunkSize });
  } catch (error) {
    throw new InvalidManifestError(`${source} coding parameters`, (error as Error).message);
  }
  const lie = (field: string, reason: string) => new InvalidManifestError(`${source} ${field}`, reason);
  if (manifest.payloadLength > MAX_PAYLOAD_BYTES) throw lie("payloadLength", `too large (max ${MAX_PAYLOAD_BYTES})`);
  const blobs = blobCountFor(manifest.payloadLength);
  if (manifest.blobCount !== blobs) {
    throw lie("blobCount", `says ${manifest.blobCount} but a ${manifest.payloadLength}-byte payload needs ${blobs}`);
  }
  if (manifest.blobs.length !== manifest.blobCount) {
    throw lie("blobs", `lists ${manifest.blobs.length} blobs but blobCount is ${manifest.blobCount}`);
  }
  if (manifest.chunksPerBlob !== params.chunksPerBlob) {
    throw lie("chunksPerBlob", `says ${manifest.chunksPerBlob}; ratio and chunk size give ${params.chunksPerBlob}`);
  }
  if (manifest.chunksToRecover !== params.chunksToRecover) {
    throw lie("chunksToRecover", `says ${manifest.chunksToRecover}; expected ${params.chunksToRecover}`);
  }
  if (manifest.chunkCount !== params.chunksPerBlob * manifest.blobCount) {
    throw lie("chunkCount", `says ${manifest.chunkCount}; expected ${params.chunksPerBlob * manifest.blobCount}`);
  }
  return { manifest, params };
}
