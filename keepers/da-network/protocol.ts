/**
 * The DA node's HTTP protocol: request and response bodies, validated with zod on both sides.
 * Binary chunks travel base64-encoded in JSON (one request per node per payload).
 */
import { z } from "zod";

import { zAddress, zBytes32 } from "../lib/config.js";
import type { BlobHeader } from "./certificate.js";

export const zDecimalBigint = z
  .string()
  .regex(/^\d+$/, "must be a decimal integer")
  .transform((v) => BigInt(v));

export const headerSchema = z.object({
  commitmentsRoot: zBytes32,
  payloadLength: zDecimalBigint,
  blobCount: z.number().int().positive(),
  codingRatio: z.number().int(),
  expiry: zDecimalBigint,
  payer: zAddress,
  nonce: zBytes32,
});

export const wireChunkSchema = z.object({
  blobIndex: z.number().int().nonnegative(),
  index: z.number().int().nonnegative(),
  data: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64"),
});

export const storeRequestSchema = z.object({
  header: headerSchema,
  referenceBlock: z.number().int().nonnegative(),
  manifest: z.unknown(),
  chunks: z.array(wireChunkSchema),
});

export type StoreRequest = z.input<typeof storeRequestSchema>;

export const storeResponseSchema = z.object({
  operator: zAddress,
  certificateId: zBytes32,
  signature: z.string().regex(/^0x[0-9a-fA-F]+$/),
});

export const retrieveResponseSchema = z.object({
  certificateId: zBytes32,
  manifest: z.unknown(),
  chunks: z.array(wireChunkSchema),
});

export const errorResponseSchema = z.object({ error: z.string() });

export function headerToWire(header: BlobHeader) {
  return { ...header, payloadLength: header.payloadLength.toString(), expiry: header.expiry.toString() };
}
