import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The pinned roots of trust. Each PEM ships in keepers/tee/roots/ and is checked against its published
 * SHA-256 fingerprint when loaded, so a swapped file fails loudly instead of widening trust.
 */
export type PinnedRoot = "aws-nitro" | "intel-sgx" | "gcp-confidential-space";

const ROOTS: Record<PinnedRoot, { file: string; fingerprint256: string }> = {
  // AWS_NitroEnclaves_Root-G1.zip (CN=aws.nitro-enclaves), valid 2019-10-28 -> 2049-10-28.
  "aws-nitro": {
    file: "aws-nitro-enclaves-root-g1.pem",
    fingerprint256: "64:1A:03:21:A3:E2:44:EF:E4:56:46:31:95:D6:06:31:7E:D7:CD:CC:3C:17:56:E0:98:93:F3:C6:8F:79:BB:5B",
  },
  // Intel SGX Root CA (also the root of TDX PCK chains), valid 2018-05-21 -> 2049-12-31.
  "intel-sgx": {
    file: "intel-sgx-root-ca.pem",
    fingerprint256: "44:A0:19:6B:2B:99:F8:89:B8:E1:49:E9:5B:80:7A:35:0E:74:24:96:43:99:E8:85:A7:CB:B8:CC:FA:B6:74:D3",
  },
  // Confidential Space Root CA (PKI attestation tokens), valid 2024-01-19 -> 2034-01-16.
  "gcp-confidential-space": {
    file: "google-confidential-space-root.pem",
    fingerprint256: "14:8B:29:38:21:BB:0C:6A:31:7F:41:3C:8B:A4:75:81:40:91:CB:22:D4:9B:9E:3C:94:19:8D:B8:E8:F8:6C:39",
  },
};

const cache = new Map<PinnedRoot, X509Certificate>();

/** The pinned root certificate for a platform (fingerprint-checked). */
export function pinnedRoot(name: PinnedRoot): X509Certificate {
  const cached = cache.get(name);
  if (cached) return cached;
  const { file, fingerprint256 } = ROOTS[name];
  const cert = new X509Certificate(readFileSync(fileURLToPath(new URL(`./roots/${file}`, import.meta.url))));
  if (cert.fingerprint256 !== fingerprint256) {
    throw new Error(`pinned root ${file} has fingerprint ${cert.fingerprint256}, expected ${fingerprint256}`);
  }
  cache.set(name, cert);
  return cert;
}
