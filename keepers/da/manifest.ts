/**
 * The manifest: everything needed to verify and decode a payload's chunks (coding parameters, payload
 * length and hash, and per blob its commitments and coset-link proof). JSON with 0x-hex bytes.
 */
import { bytesToHex, hexToBytes, type Hex } from "viem";
import { z } from "zod";

import { codingParams, type CodingParams } from "./coding.js";
import { InvalidManifestError } from "./errors.js";
import { blobCountFor, MAX_PAYLOAD_BYTES } from "./framing.js";
import type { BlobHeader } from "./types.js";

export const MANIFEST_FORMAT = "vcloud-da-manifest/1";

const hexBytes = (n: number) =>
  z
    .string()
    .regex(new RegExp(`^0x[0-9a-fA-F]{${n * 2}}$`), `must be 0x followed by ${n * 2} hex digits`)
    .transform((v) => v as Hex);

const blobEntrySchema = z.object({
  commitment: hexBytes(48),
  cosetCommitments: z.array(hexBytes(48)),
  link: z.object({ value: hexBytes(32), proofAtZ: hexBytes(48), proofAtShiftedZ: hexBytes(48) }).nullable(),
});

export const manifestSchema = z.object({
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
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestBlob = z.infer<typeof blobEntrySchema>;

export function headerToEntry(header: BlobHeader): ManifestBlob {
  return {
    commitment: bytesToHex(header.commitment),
    cosetCommitments: header.cosetCommitments.map((c) => bytesToHex(c)),
    link: header.link && {
      value: bytesToHex(header.link.value),
      proofAtZ: bytesToHex(header.link.proofAtZ),
      proofAtShiftedZ: bytesToHex(header.link.proofAtShiftedZ),
    },
  };
}

export function entryToHeader(entry: ManifestBlob): BlobHeader {
  return {
    commitment: hexToBytes(entry.commitment),
    cosetCommitments: entry.cosetCommitments.map((c) => hexToBytes(c)),
    link: entry.link && {
      value: hexToBytes(entry.link.value),
      proofAtZ: hexToBytes(entry.link.proofAtZ),
      proofAtShiftedZ: hexToBytes(entry.link.proofAtShiftedZ),
    },
  };
}

/**
 * Validates a parsed manifest: schema, supported coding parameters, and sizes that agree with each other
 * (blob count for the payload length, chunk counts for the ratio and chunk size). Returns the params.
 */
export function validateManifest(raw: unknown, source = "manifest"): { manifest: Manifest; params: CodingParams } {
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
  manifest.blobs.forEach((b, i) => {
    if (b.cosetCommitments.length !== params.cosets - 1) {
      throw lie(`blobs.${i}.cosetCommitments`, `ratio ${params.ratio} needs ${params.cosets - 1}`);
    }
  });
  return { manifest, params };
}
