/**
 * The ERC-8004 agent registration file: the JSON document an agent's `agentURI` resolves to. Built and
 * validated with zod; stored fully on-chain as a base64 `data:` URI when the agent has no host for it.
 */
import { getAddress, isAddress, type Address } from "viem";
import { z } from "zod";

import { InvalidInputError } from "../lib/errors.js";

export const REGISTRATION_TYPE = "https://eips.ethereum.org/EIPS/eip-8004#registration-v1";

/** Trust models an agent may advertise; the ERC names these three and leaves the list open. */
export const KNOWN_TRUST_MODELS = ["reputation", "crypto-economic", "tee-attestation"] as const;

/** `{namespace}:{chainId}:{identityRegistry}`, e.g. `eip155:31337:0x5FbDB2315678afecb367f032d93F642f64180aa3`. */
export const zAgentRegistry = z
  .string()
  .regex(/^eip155:[1-9]\d*:0x[0-9a-fA-F]{40}$/, "must be eip155:<chainId>:<registry address>")
  .refine((v) => isAddress(v.split(":")[2]!, { strict: false }), "must end in a valid address");

export const serviceSchema = z
  .object({
    name: z.string().min(1, "must not be empty"),
    endpoint: z.string().min(1, "must not be empty"),
    version: z.string().min(1, "must not be empty").optional(),
  })
  .loose();

export const registrationEntrySchema = z.object({
  agentId: z.number().int("must be an integer").nonnegative("must be >= 0"),
  agentRegistry: zAgentRegistry,
});

export const registrationSchema = z
  .object({
    type: z.literal(REGISTRATION_TYPE, { error: `must be "${REGISTRATION_TYPE}"` }),
    name: z.string().min(1, "must not be empty"),
    description: z.string(),
    image: z.string().optional(),
    services: z.array(serviceSchema).optional(),
    /** The ERC's earlier drafts called `services` `endpoints`; still accepted when reading. */
    endpoints: z.array(serviceSchema).optional(),
    x402Support: z.boolean().optional(),
    active: z.boolean().optional(),
    registrations: z.array(registrationEntrySchema).optional(),
    supportedTrust: z.array(z.string().min(1, "must not be empty")).optional(),
  })
  .loose();

export type Registration = z.infer<typeof registrationSchema>;
export type Service = z.infer<typeof serviceSchema>;

/** Validates a registration document; the error names the first bad field (`registration.services.0.endpoint`). */
export function parseRegistration(raw: unknown, field = "registration"): Registration {
  const result = registrationSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [field, ...issue.path.map(String)].join(".");
  throw new InvalidInputError(path, issue.message);
}

export type BuildRegistrationParameters = {
  name: string;
  description: string;
  image?: string;
  services?: Service[];
  supportedTrust?: string[];
  x402Support?: boolean;
  active?: boolean;
  registrations?: { agentId: number; agentRegistry: string }[];
};

/** Builds (and validates) a registration document. */
export function buildRegistration(params: BuildRegistrationParameters): Registration {
  return parseRegistration({ type: REGISTRATION_TYPE, ...params });
}

/** The ERC's `agentRegistry` string for a registry on an EVM chain. */
export function agentRegistryId(chainId: number, identityRegistry: Address): string {
  return `eip155:${chainId}:${getAddress(identityRegistry)}`;
}

/** Returns a copy of `registration` that lists (chainId, registry, agentId) once among its registrations. */
export function withRegistration(
  registration: Registration,
  entry: { chainId: number; identityRegistry: Address; agentId: bigint | number },
): Registration {
  const agentRegistry = agentRegistryId(entry.chainId, entry.identityRegistry);
  const agentId = Number(entry.agentId);
  const others = (registration.registrations ?? []).filter(
    (r) => !(r.agentRegistry.toLowerCase() === agentRegistry.toLowerCase() && r.agentId === agentId),
  );
  return parseRegistration({ ...registration, registrations: [...others, { agentId, agentRegistry }] });
}

/** `data:application/json;base64,...`: the ERC's form for a registration file stored on-chain. */
export function toDataUri(registration: Registration): string {
  return `data:application/json;base64,${Buffer.from(JSON.stringify(registration), "utf8").toString("base64")}`;
}

const DATA_URI = /^data:([^,;]*)((?:;[^,;]+)*?)(;base64)?,(.*)$/s;

/**
 * Reads a registration out of a `data:` URI (base64 or percent-encoded). Returns undefined for other
 * schemes (ipfs://, https://), which the caller fetches itself; throws InvalidInputError on a data URI
 * that is not a valid registration.
 */
export function registrationFromUri(uri: string, field = "agentURI"): Registration | undefined {
  const m = DATA_URI.exec(uri);
  if (!m) return undefined;
  const body = m[3] ? Buffer.from(m[4]!, "base64").toString("utf8") : decodeURIComponent(m[4]!);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (cause) {
    throw new InvalidInputError(field, "data URI does not hold JSON", { cause });
  }
  return parseRegistration(json, field);
}

/** Whether `registration` lists the given on-chain agent (the ERC's back-link check). */
export function listsAgent(
  registration: Registration,
  entry: { chainId: number; identityRegistry: Address; agentId: bigint | number },
): boolean {
  const agentRegistry = agentRegistryId(entry.chainId, entry.identityRegistry).toLowerCase();
  return (registration.registrations ?? []).some(
    (r) => r.agentRegistry.toLowerCase() === agentRegistry && r.agentId === Number(entry.agentId),
  );
}

/** Parses a CLI --service value: `name=endpoint` or `name@version=endpoint` (e.g. `A2A@0.3.0=https://…`). */
export function parseServiceFlag(value: string): Service {
  const eq = value.indexOf("=");
  const key = eq > 0 ? value.slice(0, eq) : "";
  const endpoint = eq > 0 ? value.slice(eq + 1) : "";
  const m = /^([^@=\s]+)(?:@([^@=\s]+))?$/.exec(key);
  if (!m || endpoint.length === 0) {
    throw new InvalidInputError("--service", `"${value}" must be name=endpoint or name@version=endpoint`);
  }
  return m[2] ? { name: m[1]!, endpoint, version: m[2] } : { name: m[1]!, endpoint };
}
