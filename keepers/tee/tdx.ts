/**
 * Intel TDX DCAP quotes (v4/v5) with their collateral. The quote's cryptography, QE identity and TCB
 * level matching are done by `@phala/dcap-qvl` against the pinned Intel SGX root; around it this module
 * adds the checks that library leaves out or reports loosely: every certificate chain checked with CA
 * flags and a precise check name, CRL signatures and their nextUpdate, the TD debug bit under the
 * policy, and the policy's accepted TCB statuses.
 */
import { verify as verifySignature, type X509Certificate } from "node:crypto";

import { AsnConvert } from "@peculiar/asn1-schema";
import { CertificateList } from "@peculiar/asn1-x509";
import dcap from "@phala/dcap-qvl";
import { bytesToHex } from "viem";

import {
  AttestationError,
  CertificateChainError,
  CollateralError,
  DebugModeError,
  MalformedAttestationError,
  SignatureError,
  TcbStatusError,
  ValidityWindowError,
  type AttestationCheck,
} from "./errors.js";
import type { TcbStatus, VerifiedAttestation, VerifierPolicy } from "./policy.js";
import { pinnedRoot } from "./roots.js";
import { parseCertificate, verifyCertificateChain } from "./x509-chain.js";

const TEE_TYPE_TDX = 0x81;
const ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";

/** The collateral a DCAP quote is verified against (Intel PCS / PCCS JSON; CRLs and signatures hex). */
export type TdxCollateral = {
  pck_crl_issuer_chain: string;
  root_ca_crl: string;
  pck_crl: string;
  tcb_info_issuer_chain: string;
  tcb_info: string;
  tcb_info_signature: string;
  qe_identity_issuer_chain: string;
  qe_identity: string;
  qe_identity_signature: string;
};

const COLLATERAL_KEYS = [
  "pck_crl_issuer_chain",
  "root_ca_crl",
  "pck_crl",
  "tcb_info_issuer_chain",
  "tcb_info",
  "tcb_info_signature",
  "qe_identity_issuer_chain",
  "qe_identity",
  "qe_identity_signature",
] as const;

/** Parses collateral JSON (bytes, string or object) and checks every field a strict verifier needs. */
export function parseTdxCollateral(input: Uint8Array | string | object | undefined): TdxCollateral {
  if (input === undefined) throw new CollateralError("a TDX quote needs its collateral (--collateral FILE)");
  let value: unknown = input;
  if (typeof input === "string" || input instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof input === "string" ? input : Buffer.from(input).toString("utf8"));
    } catch (cause) {
      throw new CollateralError("the collateral is not JSON", { cause });
    }
  }
  if (typeof value !== "object" || value === null) throw new CollateralError("the collateral must be a JSON object");
  const record = value as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const key of COLLATERAL_KEYS) {
    let field = record[key];
    if (Array.isArray(field) && field.every((b) => Number.isInteger(b))) field = Buffer.from(field).toString("hex");
    if (typeof field !== "string" || field.length === 0) throw new CollateralError(`collateral lacks ${key}`);
    out[key] = field;
  }
  return out as TdxCollateral;
}

function pemChain(pem: string, label: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new CollateralError(`${label} holds no PEM certificate`);
  return blocks.map((block, i) => parseCertificate(block, `${label}[${i}]`));
}

type SignedJson = { issueDate: string; nextUpdate: string };

function signedJsonBody(json: string, key: "tcbInfo" | "enclaveIdentity", label: string): SignedJson {
  try {
    const parsed = JSON.parse(json) as Record<string, SignedJson | undefined>;
    const body = parsed[key] ?? (parsed as unknown as SignedJson);
    if (typeof body.issueDate !== "string" || typeof body.nextUpdate !== "string") throw new Error("no dates");
    return body;
  } catch (cause) {
    throw new CollateralError(`${label} is not a signed ${key} JSON document`, { cause });
  }
}

function checkWindow(label: string, from: Date, to: Date | undefined, at: Date): void {
  if (at < from || (to !== undefined && at > to)) {
    throw new ValidityWindowError(
      `${label} is valid ${from.toISOString()} to ${to?.toISOString() ?? "(no end)"}, not at ${at.toISOString()}`,
    );
  }
}

/** Checks a CRL's window at `at` and its ECDSA-SHA256 signature by `issuer`. */
function checkCrl(hex: string, issuer: X509Certificate, label: string, at: Date): void {
  let crl: CertificateList;
  try {
    crl = AsnConvert.parse(Buffer.from(hex, "hex"), CertificateList);
  } catch (cause) {
    throw new CollateralError(`${label} is not a DER CRL`, { cause });
  }
  checkWindow(label, crl.tbsCertList.thisUpdate.getTime(), crl.tbsCertList.nextUpdate?.getTime(), at);
  if (crl.signatureAlgorithm.algorithm !== ECDSA_WITH_SHA256) {
    throw new CollateralError(`${label} uses signature algorithm ${crl.signatureAlgorithm.algorithm}`);
  }
  const tbs = Buffer.from(AsnConvert.serialize(crl.tbsCertList));
  const ok = verifySignature("sha256", tbs, issuer.publicKey, Buffer.from(crl.signature));
  if (!ok) throw new CollateralError(`${label} is not signed by "${issuer.subject.replace(/\n/g, ", ")}"`);
}

/** Maps the DCAP library's error messages onto the check they belong to. */
function classifyLibraryError(message: string): AttestationCheck {
  const rules: [RegExp, AttestationCheck][] = [
    [
      /decode quote|Unsupported (DCAP|quote|body|auth|cert)|must have version|Not enough data|Invalid tee type/i,
      "format",
    ],
    [/issue date is in the future|expired|not yet valid/i, "validity"],
    [/Debug mode/i, "debug"],
    [/revoked|certificate chain|CaUsedAsEndEntity|too short in quote|PCK certificates/i, "chain"],
    [/qe_report|ISV enclave report signature|QE report hash/i, "signature"],
    [/TCB level|TCB status|ISVSVN .* below/i, "tcb-status"],
  ];
  return rules.find(([re]) => re.test(message))?.[1] ?? "collateral";
}

/** TD attribute bit 0 (TUD.DEBUG): the TD's memory and state are visible to the host. */
export function isDebugTd(tdAttributes: Uint8Array): boolean {
  return (tdAttributes[0]! & 0x01) !== 0;
}

export type VerifyTdxParameters = {
  collateral: Uint8Array | string | object | undefined;
  at: Date;
  policy: VerifierPolicy;
};

/** Verifies an Intel TDX DCAP quote against its collateral and the pinned Intel SGX root CA. */
export function verifyTdx(quoteBytes: Uint8Array, params: VerifyTdxParameters): VerifiedAttestation {
  const { at, policy } = params;
  const collateral = parseTdxCollateral(params.collateral);
  let quote: InstanceType<typeof dcap.Quote>;
  try {
    quote = dcap.Quote.parse(Buffer.from(quoteBytes));
  } catch (cause) {
    throw new MalformedAttestationError(`not a DCAP quote: ${(cause as Error).message}`, { cause });
  }
  if (quote.header.teeType !== TEE_TYPE_TDX) {
    throw new MalformedAttestationError(
      `tee type 0x${quote.header.teeType.toString(16)} is not TDX (0x81); this is an SGX enclave quote`,
    );
  }
  const td = quote.report.asTd10() ?? quote.report.asTd15()?.base;
  if (!td) throw new MalformedAttestationError("the quote carries no TD report");

  // Certificate chains, each to the pinned Intel root with CA flags and validity at `at`.
  const root = pinnedRoot("intel-sgx");
  const auth = quote.authData.intoV3();
  if (auth.certificationData.certType !== 5) {
    throw new MalformedAttestationError(
      `certification data type ${auth.certificationData.certType} is not a PCK chain (5)`,
    );
  }
  const pckChain = pemChain(Buffer.from(auth.certificationData.body).toString("latin1"), "quote PCK chain");
  verifyCertificateChain({ chain: pckChain, root, at });
  const tcbChain = pemChain(collateral.tcb_info_issuer_chain, "tcb_info_issuer_chain");
  verifyCertificateChain({ chain: tcbChain, root, at });
  const qeChain = pemChain(collateral.qe_identity_issuer_chain, "qe_identity_issuer_chain");
  verifyCertificateChain({ chain: qeChain, root, at });
  const crlChain = pemChain(collateral.pck_crl_issuer_chain, "pck_crl_issuer_chain");
  verifyCertificateChain({ chain: crlChain, root, at });
  if (!pckChain[1] || !pckChain[1].raw.equals(crlChain[0]!.raw)) {
    throw new CollateralError("the PCK CRL is issued by a different CA than the quote's PCK certificate");
  }

  // Collateral windows and CRL signatures (the library checks neither CRL).
  const tcbInfo = signedJsonBody(collateral.tcb_info, "tcbInfo", "tcb_info");
  checkWindow("tcb_info", new Date(tcbInfo.issueDate), new Date(tcbInfo.nextUpdate), at);
  const qeIdentity = signedJsonBody(collateral.qe_identity, "enclaveIdentity", "qe_identity");
  checkWindow("qe_identity", new Date(qeIdentity.issueDate), new Date(qeIdentity.nextUpdate), at);
  checkCrl(collateral.root_ca_crl, root, "root_ca_crl", at);
  checkCrl(collateral.pck_crl, crlChain[0]!, "pck_crl", at);

  const debug = isDebugTd(td.tdAttributes);
  if (debug && !policy.allowDebug) {
    throw new DebugModeError(`debug TD (TDATTRIBUTES.DEBUG set) rejected by the ${policy.name} policy`);
  }

  let verified: InstanceType<typeof dcap.VerifiedReport>;
  try {
    verified = dcap.QuoteVerifier.newWithRootCa(root.raw).verify(
      Buffer.from(quoteBytes),
      collateral,
      Math.floor(at.getTime() / 1000),
    );
  } catch (cause) {
    if (cause instanceof AttestationError) throw cause;
    const message = (cause as Error).message ?? String(cause);
    const check = classifyLibraryError(message);
    if (check === "signature") throw new SignatureError(message, { cause });
    if (check === "chain") throw new CertificateChainError(message, { cause });
    if (check === "validity") throw new ValidityWindowError(message, { cause });
    if (check === "format") throw new MalformedAttestationError(message, { cause });
    if (check === "debug") throw new DebugModeError(`${message} (the DCAP library refuses debug TDs)`);
    if (check === "tcb-status") throw new TcbStatusError("Unknown", message);
    throw new CollateralError(message, { cause });
  }
  const status = verified.status as TcbStatus;
  if (!policy.acceptedTcbStatuses.includes(status)) {
    const advisories = verified.advisory_ids.length ? ` (${verified.advisory_ids.join(", ")})` : "";
    throw new TcbStatusError(status, `TCB status ${status}${advisories} is not accepted by the ${policy.name} policy`);
  }

  const hex = (b: Uint8Array) => bytesToHex(b);
  return {
    valid: true,
    platform: "intel-tdx",
    measurements: {
      mrtd: hex(td.mrTd),
      rtmr0: hex(td.rtMr0),
      rtmr1: hex(td.rtMr1),
      rtmr2: hex(td.rtMr2),
      rtmr3: hex(td.rtMr3),
      mrconfigid: hex(td.mrConfigId),
      mrowner: hex(td.mrOwner),
      mrownerconfig: hex(td.mrOwnerConfig),
      mrseam: hex(td.mrSeam),
      mrsignerseam: hex(td.mrSignerSeam),
      tdattributes: hex(td.tdAttributes),
      xfam: hex(td.xfam),
    },
    reportData: hex(td.reportData),
    nonces: [],
    time: at.toISOString(),
    details: {
      quoteVersion: quote.header.version,
      tcbStatus: status,
      advisoryIds: verified.advisory_ids,
      teeTcbSvn: hex(td.teeTcbSvn),
      debug,
    },
  };
}
