/**
 * The Nitro Secure Module request codec (keepers/tee/nsm.ts). No Nitro enclave exists here: these tests pin
 * the bytes of the request the driver gets, decode answers in the driver's shape around the real fixture
 * document, and check that every other answer is refused with a typed error. The ioctl path itself is
 * covered by test/ts/tee/attester.test.ts (a non-device is refused with ENOTTY).
 */
import { Encoder } from "cbor-x";
import { describe, expect, it } from "vitest";

import { nitroBytes } from "../../../keepers/tee/nitro.js";
import {
  decodeNsmAttestationResponse,
  encodeNsmAttestationRequest,
  NSM_IOCTL_REQUEST,
  NsmRequestError,
} from "../../../keepers/tee/nsm.js";
import { verifyAttestation } from "../../../keepers/tee/verify.js";
import { AT, fixture } from "./fixtures.js";

const cbor = new Encoder({ useRecords: false, tagUint8Array: false } as ConstructorParameters<typeof Encoder>[0]);
const text = (s: string) => Buffer.from(s, "utf8").toString("hex");

describe("Nitro Secure Module requests", () => {
  it("encodes an Attestation request as serde_cbor writes the driver's Request::Attestation", () => {
    const bytes = encodeNsmAttestationRequest({ userData: new Uint8Array([0x01, 0x02]) });
    const expected =
      "a1" +
      "6b" +
      text("Attestation") +
      "a3" +
      "69" +
      text("user_data") +
      "42" +
      "0102" +
      "65" +
      text("nonce") +
      "f6" +
      "6a" +
      text("public_key") +
      "f6";
    expect(Buffer.from(bytes).toString("hex")).toBe(expected);
    const all = encodeNsmAttestationRequest({
      userData: new Uint8Array(64),
      nonce: new Uint8Array([7]),
      publicKey: new Uint8Array([9]),
    });
    expect(Buffer.from(all).toString("hex")).toContain("65" + text("nonce") + "4107");
    expect(Buffer.from(all).toString("hex")).toContain("6a" + text("public_key") + "4109");
  });

  it("uses the driver's ioctl number: _IOWR(0x0A, 0, sizeof(struct nsm_message) = 32)", () => {
    expect(NSM_IOCTL_REQUEST).toBe(((3 << 30) >>> 0) + (32 << 16) + (0x0a << 8) + 0);
  });

  it("refuses a request above the driver's 4 KiB limit before sending it", () => {
    expect(() => encodeNsmAttestationRequest({ userData: new Uint8Array(5000) })).toThrow(NsmRequestError);
    expect(() => encodeNsmAttestationRequest({ userData: new Uint8Array(5000) })).toThrow(/InputTooLarge/);
  });

  it("returns the document of an Attestation answer, which verifies as the real fixture does", async () => {
    const document = nitroBytes(fixture("blocky_nitro_attestation.b64"));
    const answer = cbor.encode({ Attestation: { document: Buffer.from(document) } });
    const back = decodeNsmAttestationResponse(answer);
    expect(Buffer.from(back).equals(Buffer.from(document))).toBe(true);
    const result = await verifyAttestation(back, { format: "nitro", at: AT.blockyNitro });
    expect(result.valid).toBe(true);
    expect(result.platform).toBe("aws-nitro");
  });

  it("names the NSM's error code, and refuses answers of any other shape", () => {
    const error = (() => {
      try {
        decodeNsmAttestationResponse(cbor.encode({ Error: "InvalidArgument" }));
      } catch (e) {
        return e as NsmRequestError;
      }
    })();
    expect(error).toBeInstanceOf(NsmRequestError);
    expect(error!.code).toBe("InvalidArgument");
    for (const bad of [
      new Uint8Array([0xff, 0x00]),
      cbor.encode([1, 2]),
      cbor.encode("Attestation"),
      cbor.encode({ Attestation: { document: "not bytes" } }),
      cbor.encode({ Attestation: { document: Buffer.alloc(0) } }),
      cbor.encode({ DescribeNSM: {} }),
    ])
      expect(() => decodeNsmAttestationResponse(bad)).toThrow(/InvalidResponse/);
  });
});
