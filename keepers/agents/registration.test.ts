import { describe, expect, it } from "vitest";

import { InvalidInputError } from "../lib/errors.js";
import {
  agentRegistryId,
  buildRegistration,
  listsAgent,
  parseRegistration,
  parseServiceFlag,
  REGISTRATION_TYPE,
  registrationFromUri,
  toDataUri,
  withRegistration,
} from "./registration.js";

const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

describe("agent registration file", () => {
  it("builds a document with the ERC-8004 registration-v1 type", () => {
    const reg = buildRegistration({
      name: "summariser",
      description: "d",
      services: [{ name: "MCP", endpoint: "https://mcp.agent.eth/", version: "2025-06-18" }],
      supportedTrust: ["reputation"],
    });
    expect(reg.type).toBe(REGISTRATION_TYPE);
    expect(reg.type).toBe("https://eips.ethereum.org/EIPS/eip-8004#registration-v1");
  });

  it("round-trips through a base64 data: URI", () => {
    const reg = buildRegistration({ name: "a", description: "ünïcode ✓" });
    const uri = toDataUri(reg);
    expect(uri.startsWith("data:application/json;base64,")).toBe(true);
    expect(registrationFromUri(uri)).toEqual(reg);
  });

  it("reads percent-encoded data: URIs and ignores other schemes", () => {
    const json = JSON.stringify({ type: REGISTRATION_TYPE, name: "x", description: "" });
    expect(registrationFromUri(`data:application/json,${encodeURIComponent(json)}`)?.name).toBe("x");
    expect(registrationFromUri("ipfs://bafy")).toBeUndefined();
    expect(registrationFromUri("https://agent.example/agent.json")).toBeUndefined();
  });

  it("rejects a data: URI that is not JSON, naming the field", () => {
    expect(() => registrationFromUri("data:application/json,{not json")).toThrow(
      "invalid agentURI: data URI does not hold JSON",
    );
  });

  it("names the first bad field by its path", () => {
    const bad = () =>
      parseRegistration({
        type: REGISTRATION_TYPE,
        name: "x",
        description: "",
        services: [{ name: "A2A", endpoint: "" }],
      });
    expect(bad).toThrow(InvalidInputError);
    expect(bad).toThrow("invalid registration.services.0.endpoint: must not be empty");
    expect(() => parseRegistration({ type: "other", name: "x", description: "" })).toThrow(
      `invalid registration.type: must be "${REGISTRATION_TYPE}"`,
    );
    expect(() =>
      parseRegistration({
        type: REGISTRATION_TYPE,
        name: "x",
        description: "",
        registrations: [{ agentId: 1, agentRegistry: "eip155:1:0x1234" }],
      }),
    ).toThrow("invalid registration.registrations.0.agentRegistry: must be eip155:<chainId>:<registry address>");
  });

  it("keeps unknown fields and accepts the earlier `endpoints` name", () => {
    const reg = parseRegistration({
      type: REGISTRATION_TYPE,
      name: "x",
      description: "",
      endpoints: [{ name: "ENS", endpoint: "vitalik.eth", version: "v1" }],
      x402Support: false,
      custom: { a: 1 },
    });
    expect(reg.endpoints?.[0]?.endpoint).toBe("vitalik.eth");
    expect((reg as Record<string, unknown>).custom).toEqual({ a: 1 });
  });

  it("adds this agent's registration once and recognises it", () => {
    const reg = buildRegistration({ name: "x", description: "" });
    const entry = { chainId: 31337, identityRegistry: REGISTRY, agentId: 7n } as const;
    const once = withRegistration(reg, entry);
    const twice = withRegistration(once, entry);
    expect(twice.registrations).toEqual([{ agentId: 7, agentRegistry: `eip155:31337:${REGISTRY}` }]);
    expect(listsAgent(twice, entry)).toBe(true);
    expect(listsAgent(twice, { ...entry, agentId: 8n })).toBe(false);
    expect(listsAgent(reg, entry)).toBe(false);
    expect(agentRegistryId(1, REGISTRY.toLowerCase() as `0x${string}`)).toBe(`eip155:1:${REGISTRY}`);
  });

  it("parses --service flags with an optional version", () => {
    expect(parseServiceFlag("A2A@0.3.0=https://a/.well-known/agent-card.json")).toEqual({
      name: "A2A",
      version: "0.3.0",
      endpoint: "https://a/.well-known/agent-card.json",
    });
    expect(parseServiceFlag("email=mail@myagent.com")).toEqual({ name: "email", endpoint: "mail@myagent.com" });
    expect(() => parseServiceFlag("no-endpoint")).toThrow("invalid --service");
    expect(() => parseServiceFlag("web=")).toThrow("invalid --service");
  });
});
