import type { PublicKey } from "@chainsafe/blst";
import { SecretKey, Signature, aggregateSignatures } from "@chainsafe/blst";
import { bytesToHex, hexToBytes, keccak256, encodeAbiParameters, type Hex } from "viem";

import { InvalidInputError } from "../lib/errors.js";

/** An Fp element in the EIP-2537 layout as two words: `a` = high 16 bytes, `b` = low 32 bytes. */
export type SolFp = { a: bigint; b: bigint };
export type SolFp2 = { c0: SolFp; c1: SolFp };
export type SolG1 = { x: SolFp; y: SolFp };
export type SolG2 = { x: SolFp2; y: SolFp2 };

const FP = 48;

function fpFromBytes(bytes: Uint8Array): SolFp {
  if (bytes.length !== FP) throw new InvalidInputError("field element", `expected ${FP} bytes, got ${bytes.length}`);
  const hex = bytesToHex(bytes).slice(2);
  return { a: BigInt(`0x${hex.slice(0, 32)}`), b: BigInt(`0x${hex.slice(32)}`) };
}

/** A G1 public key in the Solidity struct layout of contracts/bls/BLS12381.sol. */
export function g1ToSol(publicKey: PublicKey): SolG1 {
  const raw = publicKey.toBytes(false); // x || y, 48 bytes each, flag bits in the top of x
  const x = raw.slice(0, FP);
  x[0]! &= 0x1f;
  return { x: fpFromBytes(x), y: fpFromBytes(raw.slice(FP, 2 * FP)) };
}

/** A G2 signature in the Solidity struct layout. blst serialises Fp2 as (c1, c0); EIP-2537 as (c0, c1). */
export function g2ToSol(signature: Signature): SolG2 {
  const raw = signature.toBytes(false);
  const xc1 = raw.slice(0, FP);
  xc1[0]! &= 0x1f;
  return {
    x: { c0: fpFromBytes(raw.slice(FP, 2 * FP)), c1: fpFromBytes(xc1) },
    y: { c0: fpFromBytes(raw.slice(3 * FP, 4 * FP)), c1: fpFromBytes(raw.slice(2 * FP, 3 * FP)) },
  };
}

const G1_ABI = [
  {
    type: "tuple",
    components: [
      {
        name: "x",
        type: "tuple",
        components: [
          { name: "a", type: "uint256" },
          { name: "b", type: "uint256" },
        ],
      },
      {
        name: "y",
        type: "tuple",
        components: [
          { name: "a", type: "uint256" },
          { name: "b", type: "uint256" },
        ],
      },
    ],
  },
] as const;

/** keccak256 of the 128-byte EIP-2537 encoding: the key's id on-chain (`pubkeyHash`). */
export function pubkeyHash(point: SolG1): Hex {
  return keccak256(encodeAbiParameters(G1_ABI, [point]));
}

/** An operator's BLS key pair. */
export class BlsKey {
  readonly secretKey: SecretKey;
  readonly publicKey: PublicKey;

  private constructor(secretKey: SecretKey) {
    this.secretKey = secretKey;
    this.publicKey = secretKey.toPublicKey();
  }

  /** Derives a key from at least 32 bytes of key material (EIP-2333 KeyGen). */
  static fromSeed(seed: Uint8Array): BlsKey {
    if (seed.length < 32) throw new InvalidInputError("BLS seed", "needs at least 32 bytes");
    return new BlsKey(SecretKey.fromKeygen(seed));
  }

  static fromSecretHex(hex: Hex): BlsKey {
    try {
      return new BlsKey(SecretKey.fromBytes(hexToBytes(hex)));
    } catch (cause) {
      throw new InvalidInputError("BLS secret key", "not a valid 32-byte BLS12-381 secret key", { cause });
    }
  }

  get secretHex(): Hex {
    return bytesToHex(this.secretKey.toBytes());
  }

  get pubkeySol(): SolG1 {
    return g1ToSol(this.publicKey);
  }

  /** Signs raw bytes with the Ethereum consensus DST (what the contracts hash to G2). */
  sign(message: Uint8Array | Hex): Signature {
    return this.secretKey.sign(typeof message === "string" ? hexToBytes(message) : message);
  }
}

/** Aggregates signatures (each group-checked) into one. */
export function aggregate(signatures: Signature[]): Signature {
  return aggregateSignatures(signatures, true);
}

/** Parses a compressed or uncompressed signature, with a typed error naming the field on failure. */
export function signatureFromHex(hex: Hex, field = "signature"): Signature {
  try {
    return Signature.fromBytes(hexToBytes(hex), true);
  } catch (cause) {
    throw new InvalidInputError(field, "not a valid BLS12-381 G2 signature", { cause });
  }
}

export function signatureToHex(signature: Signature): Hex {
  return bytesToHex(signature.toBytes(true));
}
