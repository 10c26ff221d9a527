import { X509Certificate } from "node:crypto";

import { AsnConvert } from "@peculiar/asn1-schema";
import {
  BasicConstraints,
  Certificate,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  KeyUsage,
  KeyUsageFlags,
} from "@peculiar/asn1-x509";

import { CertificateChainError, UntrustedRootError, ValidityWindowError } from "./errors.js";

/** Parses one DER or PEM certificate; a bad one is a chain error naming its position. */
export function parseCertificate(data: Uint8Array | string, label: string): X509Certificate {
  try {
    return new X509Certificate(typeof data === "string" ? data : Buffer.from(data));
  } catch (cause) {
    throw new CertificateChainError(`${label} is not an X.509 certificate`, { cause });
  }
}

function commonName(cert: X509Certificate): string {
  return /CN=([^\n]+)/.exec(cert.subject)?.[1] ?? cert.subject.replace(/\n/g, ", ");
}

/** Throws unless `at` is inside the certificate's notBefore..notAfter window. */
export function checkCertificateValidity(cert: X509Certificate, at: Date, label: string): void {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (at < from || at > to) {
    throw new ValidityWindowError(
      `${label} "${commonName(cert)}" is valid ${from.toISOString()} to ${to.toISOString()}, not at ${at.toISOString()}`,
    );
  }
}

/** The issuer-side extensions Node's X509Certificate does not expose: keyUsage and pathLenConstraint. */
function caExtensions(cert: X509Certificate): { keyCertSign: boolean | undefined; pathLen: number | undefined } {
  let parsed: Certificate;
  try {
    parsed = AsnConvert.parse(cert.raw, Certificate);
  } catch (cause) {
    throw new CertificateChainError(`"${commonName(cert)}" does not parse as an X.509 certificate`, { cause });
  }
  let keyCertSign: boolean | undefined;
  let pathLen: number | undefined;
  for (const ext of parsed.tbsCertificate.extensions ?? []) {
    if (ext.extnID === id_ce_keyUsage) {
      const usage = AsnConvert.parse(ext.extnValue, KeyUsage);
      keyCertSign = (usage.toNumber() & KeyUsageFlags.keyCertSign) !== 0;
    } else if (ext.extnID === id_ce_basicConstraints) {
      pathLen = AsnConvert.parse(ext.extnValue, BasicConstraints).pathLenConstraint;
    }
  }
  return { keyCertSign, pathLen };
}

/**
 * Verifies leaf -> intermediates -> pinned root: every certificate is signed by the next, every issuer is
 * a CA whose key usage allows certificate signing and whose path length constraint holds, every certificate (root included) is valid at `at`, and the chain ends in the pinned root
 * (either the last intermediate is signed by it or is byte-identical to it).
 *
 * `chain` is ordered leaf first. The pinned root may or may not be included as the last element.
 */
export function verifyCertificateChain(params: {
  chain: readonly X509Certificate[];
  root: X509Certificate;
  at: Date;
}): void {
  const { root, at } = params;
  const chain = [...params.chain];
  if (chain.length === 0) throw new CertificateChainError("the certificate chain is empty");
  // Drop a trailing self-signed certificate only if it is exactly the pinned root.
  const last = chain[chain.length - 1]!;
  if (last.raw.equals(root.raw)) chain.pop();
  else if (last.checkIssued(last) && last.verify(last.publicKey)) {
    throw new UntrustedRootError(`the chain ends in "${commonName(last)}", which is not the pinned root`);
  }
  if (chain.length === 0) throw new CertificateChainError("the chain holds only the root; no leaf certificate");

  const full = [...chain, root];
  for (let i = 0; i < chain.length; i++) {
    const cert = full[i]!;
    const issuer = full[i + 1]!;
    const label = i === 0 ? "leaf certificate" : `intermediate certificate ${i}`;
    const isRootLink = i === chain.length - 1;
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) {
      if (isRootLink) {
        throw new UntrustedRootError(`"${commonName(cert)}" is not issued by the pinned root "${commonName(root)}"`);
      }
      throw new CertificateChainError(`${label} "${commonName(cert)}" is not signed by "${commonName(issuer)}"`);
    }
    if (!issuer.ca) throw new CertificateChainError(`"${commonName(issuer)}" signs certificates but is not a CA`);
    const { keyCertSign, pathLen } = caExtensions(issuer);
    if (keyCertSign === false) {
      throw new CertificateChainError(`"${commonName(issuer)}" signs certificates but its key usage lacks keyCertSign`);
    }
    // Intermediates between this issuer and the leaf: full[1..i] are CAs below full[i+1].
    if (pathLen !== undefined && i > pathLen) {
      throw new CertificateChainError(
        `"${commonName(issuer)}" allows ${pathLen} intermediate CAs below it, the chain has ${i}`,
      );
    }
  }
  for (let i = 0; i < full.length; i++) {
    const label = i === 0 ? "leaf certificate" : i === full.length - 1 ? "root certificate" : `intermediate ${i}`;
    checkCertificateValidity(full[i]!, at, label);
  }
}
