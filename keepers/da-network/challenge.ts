/**
 * Answers to availability challenges: given the payload a certificate vouches for (retrieved from the
 * network), builds the commitment's Merkle proof and the KZG proof of the challenged blob element at
 * the registry's evaluation point (EIP-4844 point evaluation). Pure apart from the KZG call.
 */
import { bytesToHex, hexToBytes, type Hex } from "viem";

import { loadKzg, payloadToBlobs, type Manifest } from "../da/index.js";
import { InvalidInputError } from "../lib/errors.js";
import { commitmentsTree } from "./certificate.js";

export type ChallengeAnswer = { commitment: Hex; commitmentProof: Hex[]; value: Hex; kzgProof: Hex };

export function answerChallenge(params: {
  manifest: Manifest;
  payload: Uint8Array;
  blobIndex: number;
  /** The challenge's evaluation point (`evaluationPoint(elementIndex)` on the registry). */
  evaluationPoint: Hex;
}): ChallengeAnswer {
  const { manifest, blobIndex } = params;
  const blobs = payloadToBlobs(params.payload);
  const blob = blobs[blobIndex];
  const entry = manifest.blobs[blobIndex];
  if (!blob || !entry)
    throw new InvalidInputError("blobIndex", `${blobIndex} is not a blob of this payload (${blobs.length} blobs)`);
  const kzg = loadKzg();
  const [proof, value] = kzg.computeKzgProof(blob, hexToBytes(params.evaluationPoint));
  const tree = commitmentsTree(manifest);
  return {
    commitment: entry.commitment,
    commitmentProof: tree.getProof(blobIndex) as Hex[],
    value: bytesToHex(value),
    kzgProof: bytesToHex(proof),
  };
}
