/**
 * Validation requests addressed to vcloud's bridge (VcloudValidator). The request hash commits to
 * abi.encode(chainId, validator, agentId, source, subject, salt), exactly as `VcloudValidator.requestPayload`,
 * so anyone can recompute it; the request URI carries the same facts as a small JSON document.
 */
import { encodeAbiParameters, getAddress, keccak256, type Address, type Hex } from "viem";

export type VcloudRequestParameters = {
  chainId: number;
  validator: Address;
  agentId: bigint;
  /** The verification AVS (IVerificationSource) that judged the work. */
  source: Address;
  /** The AVS's id of the work: a TEE task hash or an inference claim id. */
  subject: Hex;
  /** Free choice of the agent (default zero); a new salt re-requests when someone took the hash first. */
  salt?: Hex;
};

export const ZERO_SALT: Hex = `0x${"0".repeat(64)}`;

export const VALIDATION_REQUEST_TYPE = "https://vcloud.dev/agents#validation-request-v1";

export function vcloudRequestPayload(params: VcloudRequestParameters): Hex {
  return encodeAbiParameters(
    [
      { type: "uint256" },
      { type: "address" },
      { type: "uint256" },
      { type: "address" },
      { type: "bytes32" },
      { type: "bytes32" },
    ],
    [BigInt(params.chainId), params.validator, params.agentId, params.source, params.subject, params.salt ?? ZERO_SALT],
  );
}

export function vcloudRequestHash(params: VcloudRequestParameters): Hex {
  return keccak256(vcloudRequestPayload(params));
}

/** The request document (JSON, as a data: URI) that an agent publishes with its request. */
export function vcloudRequestUri(params: VcloudRequestParameters): string {
  const doc = {
    type: VALIDATION_REQUEST_TYPE,
    chainId: params.chainId,
    validator: getAddress(params.validator),
    agentId: params.agentId.toString(),
    source: getAddress(params.source),
    subject: params.subject,
    salt: params.salt ?? ZERO_SALT,
    payload: vcloudRequestPayload(params),
    requestHash: vcloudRequestHash(params),
  };
  return `data:application/json;base64,${Buffer.from(JSON.stringify(doc), "utf8").toString("base64")}`;
}

/** Names of IVerificationSource's VerificationStatus values, by index. */
export const VERIFICATION_STATUS = ["none", "pending", "verified", "refuted"] as const;
export type VerificationStatusName = (typeof VERIFICATION_STATUS)[number];
