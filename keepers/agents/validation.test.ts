import { decodeAbiParameters, keccak256, recoverTypedDataAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";

import { vcloudRequestHash, vcloudRequestPayload, vcloudRequestUri } from "./validation.js";
import { agentWalletTypedData, signAgentWalletProof } from "./wallet.js";

const request = {
  chainId: 31337,
  validator: "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9",
  agentId: 3n,
  source: "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
  subject: `0x${"ab".repeat(32)}`,
} as const;

describe("validation requests to the vcloud bridge", () => {
  it("commits to abi.encode(chainId, validator, agentId, source, subject, salt)", () => {
    const payload = vcloudRequestPayload(request);
    const [chainId, validator, agentId, source, subject, salt] = decodeAbiParameters(
      [
        { type: "uint256" },
        { type: "address" },
        { type: "uint256" },
        { type: "address" },
        { type: "bytes32" },
        { type: "bytes32" },
      ],
      payload,
    );
    expect(salt).toBe(`0x${"0".repeat(64)}`);
    expect([chainId, validator, agentId, source, subject]).toEqual([
      31337n,
      request.validator,
      3n,
      request.source,
      request.subject,
    ]);
    expect(vcloudRequestHash(request)).toBe(keccak256(payload));
    expect(vcloudRequestHash({ ...request, agentId: 4n })).not.toBe(vcloudRequestHash(request));
    expect(vcloudRequestHash({ ...request, chainId: 1 })).not.toBe(vcloudRequestHash(request));
    expect(vcloudRequestHash({ ...request, salt: `0x${"01".repeat(32)}` })).not.toBe(vcloudRequestHash(request));
  });

  it("describes the request in a data: URI carrying the payload and hash", () => {
    const uri = vcloudRequestUri(request);
    const doc = JSON.parse(Buffer.from(uri.split(",")[1]!, "base64").toString("utf8")) as Record<string, string>;
    expect(doc.requestHash).toBe(vcloudRequestHash(request));
    expect(keccak256(doc.payload as `0x${string}`)).toBe(doc.requestHash);
    expect(doc.agentId).toBe("3");
  });
});

describe("agent wallet proof", () => {
  const wallet = privateKeyToAccount(`0x${"11".repeat(32)}`);
  const params = {
    chainId: 31337,
    identityRegistry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    agentId: 0n,
    newWallet: wallet.address,
    owner: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    deadline: 1_700_000_000n,
  } as const;

  it("is EIP-712 AgentWalletSet in the ERC8004IdentityRegistry v1 domain, signed by the new wallet", async () => {
    const typed = agentWalletTypedData(params);
    expect(typed.domain).toMatchObject({ name: "ERC8004IdentityRegistry", version: "1" });
    const signature = await signAgentWalletProof(wallet, params);
    expect(await recoverTypedDataAddress({ ...typed, signature })).toBe(wallet.address);
  });

  it("refuses to sign for another wallet", async () => {
    const other = privateKeyToAccount(`0x${"22".repeat(32)}`);
    await expect(signAgentWalletProof(other, params)).rejects.toThrow("must be signed by the new wallet");
  });
});
