/**
 * Attesters: how a worker obtains an attestation over 64 bytes of report data from the platform it runs
 * on. `detectAttester` picks the real platform when its interface is present and falls back to the dev
 * attester (clearly marked, devnet only) on machines with no TEE.
 *
 *   TDX (any cloud, Linux >= 6.7): configfs-tsm  /sys/kernel/config/tsm/report/<name>/{inblob,outblob}
 *   Confidential Space:            launcher socket /run/container_launcher/teeserver.sock, POST /v1/token
 *   AWS Nitro Enclaves:            /dev/nsm, an Attestation request through ioctl (keepers/tee/nsm.ts)
 */
import { existsSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";

import type { Hex } from "viem";

import { VcloudError } from "../lib/errors.js";
import { createDevAttestation } from "./dev.js";
import { requestNsmAttestation } from "./nsm.js";
import type { AttestationFormat } from "./policy.js";

export type Attestation = { format: AttestationFormat; bytes: Uint8Array };

export interface Attester {
  readonly format: AttestationFormat;
  /** Requests an attestation whose report data is `reportData` (up to 64 bytes). */
  attest(params: { reportData: Hex; imageDigest: Hex; nonce?: string }): Promise<Attestation>;
}

/** The platform's attestation interface is present but the request failed. */
export class AttestationRequestError extends VcloudError {
  override name = "AttestationRequestError";
  constructor(platform: string, message: string, options: { cause?: unknown } = {}) {
    super(`${platform} attestation request failed: ${message}`, options);
  }
}

export const TSM_REPORT_DIR = "/sys/kernel/config/tsm/report";
export const CONFIDENTIAL_SPACE_SOCKET = "/run/container_launcher/teeserver.sock";
export const NITRO_NSM_DEVICE = "/dev/nsm";

/** Dev attester: no TEE. The attestation is a marked JSON document that only devnet verifiers accept. */
export const devAttester: Attester = {
  format: "dev",
  async attest({ reportData, imageDigest }) {
    return { format: "dev", bytes: createDevAttestation({ imageDigest, reportData, timestamp: new Date() }) };
  },
};

/**
 * TDX through the kernel's configfs-tsm interface: create a report directory, write 64 bytes of report
 * data to `inblob`, read the DCAP quote from `outblob`, remove the directory. The caller pairs the
 * quote with collateral from Intel PCS/PCCS when verifying.
 */
export function tdxConfigfsAttester(reportDir = TSM_REPORT_DIR): Attester {
  return {
    format: "tdx",
    async attest({ reportData }) {
      const data = Buffer.from(reportData.slice(2), "hex");
      if (data.length > 64) throw new AttestationRequestError("TDX", "report data is longer than 64 bytes");
      const inblob = Buffer.concat([data, Buffer.alloc(64 - data.length)]);
      let entry: string | undefined;
      try {
        entry = mkdtempSync(join(reportDir, "vcloud-"));
        const provider = readFileSync(join(entry, "provider"), "utf8").trim();
        if (provider !== "tdx_guest") throw new Error(`provider is ${provider}, not tdx_guest`);
        writeFileSync(join(entry, "inblob"), inblob);
        const quote = readFileSync(join(entry, "outblob"));
        if (quote.length < 1020) throw new Error(`outblob is ${quote.length} bytes, too short for a quote`);
        return { format: "tdx", bytes: quote };
      } catch (cause) {
        throw new AttestationRequestError("TDX", (cause as Error).message, { cause });
      } finally {
        if (entry) rmdirSync(entry);
      }
    },
  };
}

/**
 * Confidential Space through the launcher's local socket: a PKI token with the given audience and the
 * report data as its nonce (64 hex characters, inside the 10..74 character limit of eat_nonce).
 */
export function confidentialSpaceAttester(params: { socketPath?: string; audience?: string } = {}): Attester {
  const socketPath = params.socketPath ?? CONFIDENTIAL_SPACE_SOCKET;
  const audience = params.audience ?? "https://vcloud.dev/tee";
  return {
    format: "gcp",
    async attest({ reportData, nonce }) {
      const body = JSON.stringify({ audience, token_type: "PKI", nonces: [nonce ?? reportData.slice(2)] });
      const token = await new Promise<string>((resolve, reject) => {
        const req = request(
          {
            socketPath,
            path: "/v1/token",
            method: "POST",
            headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
            timeout: 30_000,
          },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (c: string) => (text += c));
            res.on("end", () =>
              res.statusCode === 200 ? resolve(text.trim()) : reject(new Error(`HTTP ${res.statusCode}: ${text}`)),
            );
          },
        );
        req.on("timeout", () => req.destroy(new Error("timed out")));
        req.on("error", reject);
        req.end(body);
      }).catch((cause: Error) => {
        throw new AttestationRequestError("Confidential Space", cause.message, { cause });
      });
      return { format: "gcp", bytes: Buffer.from(token, "utf8") };
    },
  };
}

/**
 * Nitro Enclaves through the Nitro Secure Module: the report data becomes the document's `user_data`, the
 * nonce (if any, as UTF-8) its `nonce`. A failed request never falls back to dev.
 */
export function nitroNsmAttester(devicePath = NITRO_NSM_DEVICE): Attester {
  return {
    format: "nitro",
    async attest({ reportData, nonce }) {
      try {
        const document = requestNsmAttestation(devicePath, {
          userData: Buffer.from(reportData.slice(2), "hex"),
          nonce: nonce === undefined ? undefined : Buffer.from(nonce, "utf8"),
        });
        return { format: "nitro", bytes: document };
      } catch (cause) {
        throw new AttestationRequestError("Nitro", (cause as Error).message, { cause });
      }
    },
  };
}

/** Which attester this machine supports; `dev` when no TEE interface is present. */
export function detectAttester(
  options: { paths?: { tsm?: string; launcher?: string; nsm?: string }; audience?: string } = {},
): Attester {
  const tsm = options.paths?.tsm ?? TSM_REPORT_DIR;
  const launcher = options.paths?.launcher ?? CONFIDENTIAL_SPACE_SOCKET;
  const nsm = options.paths?.nsm ?? NITRO_NSM_DEVICE;
  if (existsSync(launcher)) return confidentialSpaceAttester({ socketPath: launcher, audience: options.audience });
  if (existsSync(tsm)) return tdxConfigfsAttester(tsm);
  if (existsSync(nsm)) return nitroNsmAttester(nsm);
  return devAttester;
}
