/**
 * AWS Nitro Enclaves: attestation requests to the Nitro Secure Module through `/dev/nsm`, the way the
 * aws-nitro-enclaves-nsm-api driver makes them. The request is CBOR `{"Attestation": {"user_data",
 * "nonce", "public_key"}}` (byte strings or null, at most 0x1000 bytes); `ioctl(fd, NSM_IOCTL_REQUEST,
 * &msg)` with `msg = {struct iovec request; struct iovec response}` and NSM_IOCTL_REQUEST =
 * _IOWR(0x0A, 0, 32 bytes) = 0xC0200A00 on 64-bit Linux; the driver fills up to 0x3000 response bytes and
 * sets the response length. The answer is CBOR `{"Attestation": {"document": bytes}}` (a COSE_Sign1
 * document, verified by keepers/tee/nitro.ts) or `{"Error": "<ErrorCode>"}`.
 *
 * The codec is pure; only `requestNsmAttestation` touches the device (libc through the `koffi` FFI, loaded
 * on first use so that machines without a Nitro device never load it).
 */
import { createRequire } from "node:module";

import { Decoder, Encoder } from "cbor-x";
import type * as Koffi from "koffi";

import { VcloudError } from "../lib/errors.js";

export const NSM_IOCTL_REQUEST = 0xc0200a00;
export const NSM_REQUEST_MAX_SIZE = 0x1000;
export const NSM_RESPONSE_MAX_SIZE = 0x3000;
const O_RDWR = 2;
// Plain CBOR as serde_cbor reads and writes it: string-keyed maps, byte strings, no record extensions.
const encoder = new Encoder({ useRecords: false, tagUint8Array: false, variableMapSize: true } as ConstructorParameters<
  typeof Encoder
>[0]);
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true } as ConstructorParameters<typeof Decoder>[0]);
const ENOTTY = 25;
const EMSGSIZE = 90;

/** What an attestation request asks the NSM to bind into the document. */
export type NsmAttestationRequest = { userData?: Uint8Array; nonce?: Uint8Array; publicKey?: Uint8Array };

/** The NSM, or the path taken for it, refused or failed the request. */
export class NsmRequestError extends VcloudError {
  override name = "NsmRequestError";
  /** The NSM's ErrorCode (e.g. "InvalidArgument"), or the errno name for a failed ioctl. */
  readonly code: string;
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(`NSM request failed (${code}): ${message}`, options);
    this.code = code;
  }
}

/** CBOR of an Attestation request, byte for byte as serde_cbor writes the driver's `Request::Attestation`. */
export function encodeNsmAttestationRequest(request: NsmAttestationRequest): Uint8Array {
  const field = (value: Uint8Array | undefined) => (value === undefined ? null : Buffer.from(value));
  const bytes = encoder.encode({
    Attestation: {
      user_data: field(request.userData),
      nonce: field(request.nonce),
      public_key: field(request.publicKey),
    },
  });
  if (bytes.length > NSM_REQUEST_MAX_SIZE)
    throw new NsmRequestError("InputTooLarge", `request is ${bytes.length} bytes, at most ${NSM_REQUEST_MAX_SIZE}`);
  return bytes;
}

/** The attestation document of an NSM answer; throws NsmRequestError for an `Error` answer or any other shape. */
export function decodeNsmAttestationResponse(bytes: Uint8Array): Uint8Array {
  let answer: unknown;
  try {
    answer = decoder.decode(bytes);
  } catch (cause) {
    throw new NsmRequestError("InvalidResponse", "the answer is not CBOR", { cause });
  }
  if (answer === null || typeof answer !== "object" || Array.isArray(answer))
    throw new NsmRequestError("InvalidResponse", "the answer is not a CBOR map");
  const record = answer as Record<string, unknown>;
  if ("Error" in record) throw new NsmRequestError(String(record.Error), "the NSM answered with an error");
  const attestation = record.Attestation as Record<string, unknown> | undefined;
  const document = attestation?.document;
  if (!(document instanceof Uint8Array) || document.length === 0)
    throw new NsmRequestError("InvalidResponse", "the answer has no Attestation.document byte string");
  return new Uint8Array(document);
}

type Libc = {
  open: (path: string, flags: number) => number;
  close: (fd: number) => number;
  ioctl: (fd: number, request: number, message: NsmMessage) => number;
  errno: () => number;
};
type NsmMessage = { request: { base: Buffer; len: number }; response: { base: Buffer; len: number } };

let libc: Libc | undefined;

/** libc's open, close and ioctl through koffi, with the driver's message layout (two iovecs). */
function loadLibc(): Libc {
  if (libc) return libc;
  const koffi = createRequire(import.meta.url)("koffi") as typeof Koffi;
  const lib = koffi.load("libc.so.6");
  const iovec = koffi.struct("vcloud_nsm_iovec", { base: "void *", len: "size_t" });
  koffi.struct("vcloud_nsm_message", { request: iovec, response: iovec });
  libc = {
    open: lib.func("int open(const char *path, int flags)") as Libc["open"],
    close: lib.func("int close(int fd)") as Libc["close"],
    ioctl: lib.func("int ioctl(int fd, unsigned long request, _Inout_ vcloud_nsm_message *message)") as Libc["ioctl"],
    errno: () => koffi.errno(),
  };
  return libc;
}

/**
 * Sends one Attestation request to the NSM at `devicePath` and returns the COSE_Sign1 document. Throws
 * NsmRequestError naming what failed: the device cannot be opened, it is not an NSM (ENOTTY), the request
 * is too large (EMSGSIZE), or the NSM answered with an error.
 */
export function requestNsmAttestation(devicePath: string, request: NsmAttestationRequest): Uint8Array {
  const body = Buffer.from(encodeNsmAttestationRequest(request));
  const c = loadLibc();
  const fd = c.open(devicePath, O_RDWR);
  if (fd < 0) throw new NsmRequestError(`errno ${c.errno()}`, `cannot open ${devicePath}`);
  try {
    const response = Buffer.alloc(NSM_RESPONSE_MAX_SIZE);
    const message: NsmMessage = {
      request: { base: body, len: body.length },
      response: { base: response, len: response.length },
    };
    if (c.ioctl(fd, NSM_IOCTL_REQUEST, message) !== 0) {
      const errno = c.errno();
      if (errno === ENOTTY) throw new NsmRequestError("ENOTTY", `${devicePath} is not a Nitro Secure Module device`);
      if (errno === EMSGSIZE) throw new NsmRequestError("InputTooLarge", "the driver refused the request size");
      throw new NsmRequestError(`errno ${errno}`, `ioctl on ${devicePath} failed`);
    }
    const length = Number(message.response.len);
    if (length <= 0 || length > NSM_RESPONSE_MAX_SIZE)
      throw new NsmRequestError("InvalidResponse", `the driver reported a ${length}-byte answer`);
    return decodeNsmAttestationResponse(response.subarray(0, length));
  } finally {
    c.close(fd);
  }
}
