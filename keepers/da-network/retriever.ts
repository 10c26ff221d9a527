/**
 * Retrieves a payload by certificate id: reads the certificate on-chain, asks every DA node of the set
 * (as of the certificate's reference block) for its chunks in parallel, accepts the first manifest whose
 * commitments match the certificate, verifies every chunk, and rebuilds the payload from any sufficient
 * subset of nodes.
 */
import type { Address, Chain, Hex, PublicClient, Transport } from "viem";

import { decodeChunks, parseChunk, validateManifest, type Chunk, type Manifest } from "../da/index.js";
import { blobCertificateRegistryAbi } from "../lib/abis.js";
import { VcloudError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import { commitmentsTree } from "./certificate.js";
import { fetchJson } from "./http.js";
import { readOperatorSet } from "./operator-set.js";
import { retrieveResponseSchema } from "./protocol.js";

export class CertificateNotFoundError extends VcloudError {
  override name = "CertificateNotFoundError";
  constructor(id: Hex, reason: string) {
    super(`certificate ${id} ${reason}`);
  }
}

export type RetrieveResult = {
  payload: Uint8Array;
  manifest: Manifest;
  nodesAnswered: number;
  nodesAsked: number;
  /** Chunks that nodes served but that failed verification (corrupt, foreign or mislabelled) and were dropped. */
  rejectedChunks: number;
  failures: { operator: Address; reason: string }[];
};

export async function retrieve(params: {
  publicClient: PublicClient<Transport, Chain>;
  certificateRegistry: Address;
  registrar: Address;
  certificateId: Hex;
  timeoutMs?: number;
  retries?: number;
  logger?: Logger;
  socketOverrides?: Record<string, string>;
}): Promise<RetrieveResult> {
  const { publicClient, certificateId: id } = params;
  const cert = (await publicClient.readContract({
    address: params.certificateRegistry,
    abi: blobCertificateRegistryAbi,
    functionName: "getCertificate",
    args: [id],
  })) as { commitmentsRoot: Hex; blobCount: number; referenceBlock: number; confirmedAt: bigint; expiry: bigint };
  if (cert.confirmedAt === 0n) throw new CertificateNotFoundError(id, "is not confirmed on-chain");
  const snapshot = await readOperatorSet({
    publicClient,
    registrar: params.registrar,
    referenceBlock: cert.referenceBlock,
  });
  const failures: { operator: Address; reason: string }[] = [];
  let manifest: Manifest | undefined;
  const chunks: Chunk[] = [];
  let answered = 0;
  let malformed = 0;
  const asked = snapshot.members.filter((m) => m.stake > 0n);
  await Promise.all(
    asked.map(async (member) => {
      const socket = params.socketOverrides?.[member.operator.toLowerCase()] ?? member.socket;
      try {
        if (!socket) throw new Error("no socket registered");
        const raw = await fetchJson(`${socket.replace(/\/$/, "")}/v1/certificates/${id}`, {
          timeoutMs: params.timeoutMs ?? 30_000,
          retries: params.retries ?? 1,
        });
        const answer = retrieveResponseSchema.parse(raw);
        const candidate = validateManifest(answer.manifest, `manifest from ${member.operator}`).manifest;
        if (
          commitmentsTree(candidate).root.toLowerCase() !== cert.commitmentsRoot.toLowerCase() ||
          candidate.blobCount !== cert.blobCount
        ) {
          throw new Error("served a manifest that does not match the certificate");
        }
        manifest ??= candidate;
        const cellsPerChunk = candidate.chunkSize / 64;
        for (const w of answer.chunks) {
          try {
            chunks.push(
              parseChunk(
                Buffer.from(w.data, "base64"),
                { ratio: candidate.ratio, cellsPerChunk },
                `chunk from ${member.operator}`,
              ).chunk,
            );
          } catch (error) {
            malformed++;
            params.logger?.warn(
              { operator: member.operator, err: (error as Error).message },
              "dropping malformed chunk",
            );
          }
        }
        answered++;
      } catch (error) {
        failures.push({ operator: member.operator, reason: (error as Error).message });
      }
    }),
  );
  if (!manifest) {
    throw new CertificateNotFoundError(
      id,
      `could not be retrieved: no node served a matching manifest (${failures.map((f) => f.reason).join("; ")})`,
    );
  }
  // decodeChunks verifies every chunk against the manifest and rebuilds each blob from any sufficient subset.
  const { payload, rejectedChunks } = await decodeChunks(manifest, chunks);
  if (rejectedChunks.length > 0)
    params.logger?.warn(
      { certificateId: id, rejected: rejectedChunks.length },
      "dropped chunks that fail verification",
    );
  return {
    payload,
    manifest,
    nodesAnswered: answered,
    nodesAsked: asked.length,
    rejectedChunks: rejectedChunks.length + malformed,
    failures,
  };
}
