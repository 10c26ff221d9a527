/**
 * AWS Nitro Enclaves attestation documents (aws-nitro-enclaves-nsm-api docs/attestation_process.md):
 * a COSE_Sign1 (ES384) whose payload carries the PCRs, the enclave certificate and the CA bundle rooted
 * in the AWS Nitro root G1. Checks, in order: format, root, chain + validity at `at`, COSE signature,
 * debug (PCR0-2 all zero), then the policy's measurements and report data.
 */
import { createPublicKey, verify as verifySignature } from "node:crypto";

import { Decoder, Encoder, Tag } from "cbor-x";
import { bytesToHex, type Hex } from "viem";

import { DebugModeError, MalformedAttestationError, SignatureError, UntrustedRootError } from "./errors.js";
import { checkFreshness, type VerifiedAttestation, type VerifierPolicy } from "./policy.js";
import { pinnedRoot } from "./roots.js";
import { parseCertificate, verifyCertificateChain } from "./x509-chain.js";

const COSE_SIGN1_TAG = 18;
const COSE_ALG_ES384 = -35;
/** CDDL allows up to 1024 bytes; the hypervisor really produces 1024-byte user_data and nonce. */
const MAX_OPTIONAL_FIELD = 1024;

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false } as ConstructorParameters<typeof Decoder>[0]);
const encoder = new Encoder({ useRecords: false, mapsAsObjects: false } as ConstructorParameters<typeof Encoder>[0]);

/** The decoded payload of a Nitro attestation document. */
export type NitroDocument = {
  moduleId: string;
  digest: string;
  timestamp: number;
  pcrs: Map<number, Uint8Array>;
  certificate: Uint8Array;
  cabundle: Uint8Array[];
  publicKey: Uint8Array | undefined;
  userData: Uint8Array | undefined;
  nonce: Uint8Array | undefined;
};

/** The four parts of a COSE_Sign1 structure, as bytes. */
export type CoseSign1 = {
  protectedHeader: Uint8Array;
  unprotectedHeader: Map<unknown, unknown>;
  payload: Uint8Array;
  signature: Uint8Array;
};

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

/** Accepts raw CBOR or base64 text of it (the form AWS tooling and test data use). */
export function nitroBytes(input: Uint8Array): Uint8Array {
  // A COSE_Sign1 starts with 0x84 (array of 4) or 0xd2 (tag 18); base64 text never does.
  if (input[0] === 0x84 || input[0] === 0xd2) return input;
  const text = Buffer.from(input).toString("latin1").trim();
  if (!/^[A-Za-z0-9+/=_\-\s]+$/.test(text)) {
    throw new MalformedAttestationError("not a COSE_Sign1 document (neither CBOR nor base64 of it)");
  }
  return Buffer.from(text.replace(/\s+/g, ""), text.includes("-") || text.includes("_") ? "base64url" : "base64");
}

function decodeCbor(bytes: Uint8Array, what: string): unknown {
  try {
    return decoder.decode(bytes);
  } catch (cause) {
    throw new MalformedAttestationError(`${what} is not valid CBOR`, { cause });
  }
}

/** Splits a COSE_Sign1 (tagged or untagged) into its parts. */
export function decodeCoseSign1(bytes: Uint8Array): CoseSign1 {
  let value = decodeCbor(bytes, "the document");
  if (value instanceof Tag) {
    if (value.tag !== COSE_SIGN1_TAG) throw new MalformedAttestationError(`CBOR tag ${value.tag} is not COSE_Sign1`);
    value = value.value;
  }
  if (!Array.isArray(value) || value.length !== 4) {
    throw new MalformedAttestationError("COSE_Sign1 must be an array of 4 elements");
  }
  const [protectedHeader, unprotectedHeader, payload, signature] = value as unknown[];
  if (!isBytes(protectedHeader) || !isBytes(payload) || !isBytes(signature)) {
    throw new MalformedAttestationError("COSE_Sign1 protected header, payload and signature must be byte strings");
  }
  if (!(unprotectedHeader instanceof Map)) {
    throw new MalformedAttestationError("COSE_Sign1 unprotected header must be a map");
  }
  return { protectedHeader, unprotectedHeader, payload, signature };
}

function optionalBytes(payload: Map<unknown, unknown>, key: string): Uint8Array | undefined {
  const value = payload.get(key);
  // Real documents encode absent optional fields as CBOR null.
  if (value === undefined || value === null) return undefined;
  if (!isBytes(value)) throw new MalformedAttestationError(`${key} must be a byte string`);
  if (value.length > MAX_OPTIONAL_FIELD) {
    throw new MalformedAttestationError(`${key} is ${value.length} bytes, more than ${MAX_OPTIONAL_FIELD}`);
  }
  return value;
}

/** Decodes and syntactically checks the attestation document payload (spec section 3.2.2). */
export function parseNitroPayload(payloadBytes: Uint8Array): NitroDocument {
  const payload = decodeCbor(payloadBytes, "the payload");
  if (!(payload instanceof Map)) throw new MalformedAttestationError("the payload must be a CBOR map");
  const moduleId = payload.get("module_id");
  if (typeof moduleId !== "string" || moduleId.length === 0) {
    throw new MalformedAttestationError("module_id must be a non-empty string");
  }
  const digest = payload.get("digest");
  if (digest !== "SHA384") throw new MalformedAttestationError(`digest must be "SHA384", got ${String(digest)}`);
  const rawTimestamp = payload.get("timestamp");
  if ((typeof rawTimestamp !== "number" && typeof rawTimestamp !== "bigint") || Number(rawTimestamp) <= 0) {
    throw new MalformedAttestationError("timestamp must be a positive integer (ms since the epoch)");
  }
  const rawPcrs = payload.get("pcrs");
  if (!(rawPcrs instanceof Map) || rawPcrs.size < 1 || rawPcrs.size > 32) {
    throw new MalformedAttestationError("pcrs must be a map of 1 to 32 entries");
  }
  const pcrs = new Map<number, Uint8Array>();
  for (const [index, value] of rawPcrs) {
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index > 31) {
      throw new MalformedAttestationError(`PCR index ${String(index)} is not 0..31`);
    }
    if (!isBytes(value) || ![32, 48, 64].includes(value.length)) {
      throw new MalformedAttestationError(`PCR${index} must be 32, 48 or 64 bytes`);
    }
    pcrs.set(index, value);
  }
  const certificate = payload.get("certificate");
  if (!isBytes(certificate) || certificate.length === 0 || certificate.length > 1024) {
    throw new MalformedAttestationError("certificate must be 1..1024 bytes of DER");
  }
  const cabundle = payload.get("cabundle");
  if (!Array.isArray(cabundle) || cabundle.length === 0) {
    throw new MalformedAttestationError("cabundle must be a non-empty array");
  }
  for (const [i, cert] of cabundle.entries()) {
    if (!isBytes(cert) || cert.length === 0 || cert.length > 1024) {
      throw new MalformedAttestationError(`cabundle[${i}] must be 1..1024 bytes of DER`);
    }
  }
  return {
    moduleId,
    digest,
    timestamp: Number(rawTimestamp),
    pcrs,
    certificate,
    cabundle: cabundle as Uint8Array[],
    publicKey: optionalBytes(payload, "public_key"),
    userData: optionalBytes(payload, "user_data"),
    nonce: optionalBytes(payload, "nonce"),
  };
}

/** The bytes an ES384 COSE_Sign1 signature covers: ["Signature1", protected, h'', payload]. */
export function coseSigStructure(cose: CoseSign1): Uint8Array {
  return encoder.encode(["Signature1", Buffer.from(cose.protectedHeader), Buffer.alloc(0), Buffer.from(cose.payload)]);
}

/** A Nitro document is from a debug enclave when PCR0, PCR1 and PCR2 are all zero. */
export function isDebugEnclave(pcrs: Map<number, Uint8Array>): boolean {
  return [0, 1, 2].every((i) => {
    const pcr = pcrs.get(i);
    return pcr !== undefined && pcr.every((b) => b === 0);
  });
}

export type VerifyNitroParameters = { at: Date; policy: VerifierPolicy; root?: "aws-nitro" };

/** Verifies an AWS Nitro attestation document (raw CBOR or base64). */
export function verifyNitro(input: Uint8Array, params: VerifyNitroParameters): VerifiedAttestation {
  const cose = decodeCoseSign1(nitroBytes(input));
  const header = decodeCbor(cose.protectedHeader, "the protected header");
  if (!(header instanceof Map) || header.get(1) !== COSE_ALG_ES384) {
    throw new MalformedAttestationError("protected header must be {1: -35} (ES384)");
  }
  const doc = parseNitroPayload(cose.payload);

  // Root: cabundle[0] must be byte-identical to the pinned AWS root.
  const root = pinnedRoot("aws-nitro");
  if (!Buffer.from(doc.cabundle[0]!).equals(root.raw)) {
    throw new UntrustedRootError("cabundle[0] is not the pinned AWS Nitro Enclaves root G1");
  }
  // Chain: enclave certificate -> cabundle[n-1] -> ... -> cabundle[1] -> root, each valid at `at`.
  const leaf = parseCertificate(doc.certificate, "certificate");
  const intermediates = doc.cabundle
    .slice(1)
    .reverse()
    .map((der, i) => parseCertificate(der, `cabundle[${doc.cabundle.length - 1 - i}]`));
  verifyCertificateChain({ chain: [leaf, ...intermediates], root, at: params.at });

  // Signature: ES384 over the Sig_structure by the enclave certificate's key (raw r||s, 96 bytes).
  if (cose.signature.length !== 96) {
    throw new SignatureError(`ES384 signature must be 96 bytes (r||s), got ${cose.signature.length}`);
  }
  const ok = verifySignature(
    "sha384",
    coseSigStructure(cose),
    { key: createPublicKey(leaf.publicKey.export({ type: "spki", format: "pem" })), dsaEncoding: "ieee-p1363" },
    cose.signature,
  );
  if (!ok) throw new SignatureError("the COSE_Sign1 ES384 signature does not verify with the enclave certificate");

  checkFreshness(new Date(doc.timestamp), params.at, params.policy);

  const debug = isDebugEnclave(doc.pcrs);
  if (debug && !params.policy.allowDebug) {
    throw new DebugModeError(`debug enclave (PCR0-2 are zero) rejected by the ${params.policy.name} policy`);
  }

  const measurements: Record<string, string> = {};
  for (const [index, value] of [...doc.pcrs].sort((a, b) => a[0] - b[0]))
    measurements[`pcr${index}`] = bytesToHex(value);
  const reportData: Hex = doc.userData ? bytesToHex(doc.userData) : "0x";
  return {
    valid: true,
    platform: "aws-nitro",
    measurements,
    reportData,
    nonces: doc.nonce ? [bytesToHex(doc.nonce)] : [],
    time: params.at.toISOString(),
    details: {
      moduleId: doc.moduleId,
      timestamp: new Date(doc.timestamp).toISOString(),
      debug,
      nonce: doc.nonce ? bytesToHex(doc.nonce) : null,
      publicKey: doc.publicKey ? bytesToHex(doc.publicKey) : null,
    },
  };
}
