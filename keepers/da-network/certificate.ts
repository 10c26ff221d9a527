/**
 * The certificate a DA payload gets on-chain, computed off-chain exactly as BlobCertificateRegistry does:
 * the header, its id, the commitments Merkle tree and the message operators sign. Pure functions.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { encodeAbiParameters, keccak256, toHex, type Address, type Hex } from "viem";

import type { Manifest } from "../da/index.js";

export type BlobHeader = {
  commitmentsRoot: Hex;
  payloadLength: bigint;
  blobCount: number;
  codingRatio: number;
  expiry: bigint;
  payer: Address;
  nonce: Hex;
};

const HEADER_ABI = [
  {
    type: "tuple",
    components: [
      { name: "commitmentsRoot", type: "bytes32" },
      { name: "payloadLength", type: "uint64" },
      { name: "blobCount", type: "uint32" },
      { name: "codingRatio", type: "uint16" },
      { name: "expiry", type: "uint64" },
      { name: "payer", type: "address" },
      { name: "nonce", type: "bytes32" },
    ],
  },
] as const;

export const CERTIFICATE_DOMAIN = keccak256(toHex("vcloud.BlobCertificateRegistry.certificate"));

/** Merkle tree over (blobIndex, commitment) leaves, as the registry verifies availability answers. */
export function commitmentsTree(manifest: Pick<Manifest, "blobs">): StandardMerkleTree<[number, Hex]> {
  return StandardMerkleTree.of(
    manifest.blobs.map((blob, index) => [index, blob.commitment] as [number, Hex]),
    ["uint32", "bytes"],
  );
}

export function blobHeaderFor(manifest: Manifest, options: { expiry: bigint; payer: Address; nonce: Hex }): BlobHeader {
  return {
    commitmentsRoot: commitmentsTree(manifest).root as Hex,
    payloadLength: BigInt(manifest.payloadLength),
    blobCount: manifest.blobCount,
    codingRatio: manifest.ratio,
    expiry: options.expiry,
    payer: options.payer,
    nonce: options.nonce,
  };
}

/** keccak256(abi.encode(header)): the certificate id. */
export function certificateId(header: BlobHeader): Hex {
  return keccak256(encodeAbiParameters(HEADER_ABI, [header]));
}

/** The 32-byte message DA operators sign (BlobCertificateRegistry.certificateMessage). */
export function certificateMessage(params: {
  chainId: number;
  registry: Address;
  id: Hex;
  referenceBlock: number;
}): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint256" }, { type: "address" }, { type: "bytes32" }, { type: "uint32" }],
      [CERTIFICATE_DOMAIN, BigInt(params.chainId), params.registry, params.id, params.referenceBlock],
    ),
  );
}

/** Why a header does not describe a manifest, or undefined when it does. */
export function headerMismatch(header: BlobHeader, manifest: Manifest): string | undefined {
  if (header.commitmentsRoot.toLowerCase() !== commitmentsTree(manifest).root.toLowerCase()) {
    return "commitmentsRoot does not match the manifest's commitments";
  }
  if (header.payloadLength !== BigInt(manifest.payloadLength)) return "payloadLength does not match the manifest";
  if (header.blobCount !== manifest.blobCount) return "blobCount does not match the manifest";
  if (header.codingRatio !== manifest.ratio) return "codingRatio does not match the manifest";
  return undefined;
}
