/**
 * Chain actions for ERC-8004 agents on vcloud, viem style: client first, one typed parameter object.
 * Writes go through `sendContractTx` (simulate, send, confirm); reads return plain JSON-ready objects.
 */
import {
  getAddress,
  parseEventLogs,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";

import {
  identityRegistryAbi,
  iVerificationSourceAbi,
  reputationRegistryAbi,
  validationRegistryAbi,
  vcloudValidatorAbi,
} from "../lib/abis.js";
import { contractAddress, type Deployment } from "../lib/deployments.js";
import { VcloudError } from "../lib/errors.js";
import { formatFixedPoint, type FixedPoint } from "./feedback.js";
import {
  agentRegistryId,
  listsAgent,
  registrationFromUri,
  toDataUri,
  withRegistration,
  type Registration,
} from "./registration.js";
import { readView, sendContractTx, type AgentClients } from "./tx.js";
import { vcloudRequestHash, vcloudRequestUri, VERIFICATION_STATUS, ZERO_SALT } from "./validation.js";

type Reader = PublicClient<Transport, Chain>;

export type AgentAddresses = {
  identityRegistry: Address;
  reputationRegistry: Address;
  validationRegistry: Address;
  vcloudValidator: Address;
};

/** The agent contracts of a deployment (deployments/<chainId>.json), by their deployment names. */
export function agentAddresses(deployment: Deployment): AgentAddresses {
  return {
    identityRegistry: contractAddress(deployment, "IdentityRegistry"),
    reputationRegistry: contractAddress(deployment, "ReputationRegistry"),
    validationRegistry: contractAddress(deployment, "ValidationRegistry"),
    vcloudValidator: contractAddress(deployment, "VcloudValidator"),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------------------------

export type RegisterAgentParameters = {
  identityRegistry: Address;
  /** An agentURI hosted elsewhere (ipfs://, https://) ... */
  agentURI?: string;
  /** ... or a registration document to store on-chain as a data: URI, with this agent's entry added. */
  registration?: Registration;
  metadata?: { key: string; value: Hex }[];
};

export type RegisterAgentResult = {
  agentId: bigint;
  owner: Address;
  agentURI: string;
  transactions: Hex[];
  registration?: Registration;
};

/**
 * Registers an agent. With a registration document the agent is minted first (its id is only known then)
 * and its data: URI, listing its own (registry, agentId), is set in a second transaction.
 */
export async function registerAgent(
  clients: AgentClients,
  params: RegisterAgentParameters,
): Promise<RegisterAgentResult> {
  const metadata = (params.metadata ?? []).map((m) => ({ metadataKey: m.key, metadataValue: m.value }));
  const firstUri = params.agentURI ?? "";
  const args: readonly unknown[] = metadata.length > 0 ? [firstUri, metadata] : firstUri.length > 0 ? [firstUri] : [];
  const minted = await sendContractTx(clients, {
    address: params.identityRegistry,
    abi: identityRegistryAbi,
    functionName: "register",
    args,
  });
  const [registered] = parseEventLogs({ abi: identityRegistryAbi, eventName: "Registered", logs: minted.receipt.logs });
  if (!registered) throw new VcloudError(`register transaction ${minted.hash} emitted no Registered event`);
  const { agentId, owner } = registered.args;
  const result: RegisterAgentResult = { agentId, owner, agentURI: firstUri, transactions: [minted.hash] };
  if (params.registration) {
    const registration = withRegistration(params.registration, {
      chainId: clients.publicClient.chain.id,
      identityRegistry: params.identityRegistry,
      agentId,
    });
    const uri = toDataUri(registration);
    const updated = await setAgentURI(clients, { identityRegistry: params.identityRegistry, agentId, agentURI: uri });
    result.agentURI = uri;
    result.registration = registration;
    result.transactions.push(updated.hash);
  }
  return result;
}

export async function setAgentURI(
  clients: AgentClients,
  params: { identityRegistry: Address; agentId: bigint; agentURI: string },
) {
  return sendContractTx(clients, {
    address: params.identityRegistry,
    abi: identityRegistryAbi,
    functionName: "setAgentURI",
    args: [params.agentId, params.agentURI],
  });
}

export async function setAgentWallet(
  clients: AgentClients,
  params: { identityRegistry: Address; agentId: bigint; newWallet: Address; deadline: bigint; signature: Hex },
) {
  return sendContractTx(clients, {
    address: params.identityRegistry,
    abi: identityRegistryAbi,
    functionName: "setAgentWallet",
    args: [params.agentId, params.newWallet, params.deadline, params.signature],
  });
}

export async function unsetAgentWallet(clients: AgentClients, params: { identityRegistry: Address; agentId: bigint }) {
  return sendContractTx(clients, {
    address: params.identityRegistry,
    abi: identityRegistryAbi,
    functionName: "unsetAgentWallet",
    args: [params.agentId],
  });
}

export type AgentIdentity = {
  agentId: bigint;
  agentRegistry: string;
  owner: Address;
  agentURI: string;
  agentWallet: Address | null;
  metadata: Record<string, Hex>;
  /** The registration document when the URI is a data: URI (other schemes are not fetched). */
  registration?: Registration;
  /** Whether the document lists this (registry, agentId) among its registrations. */
  registrationListsAgent?: boolean;
};

export async function readAgentIdentity(
  client: Reader,
  params: { identityRegistry: Address; agentId: bigint; metadataKeys?: string[] },
): Promise<AgentIdentity> {
  const base = { address: params.identityRegistry, abi: identityRegistryAbi } as const;
  const owner = await readView("ownerOf", () =>
    client.readContract({ ...base, functionName: "ownerOf", args: [params.agentId] }),
  );
  const [agentURI, wallet] = await Promise.all([
    client.readContract({ ...base, functionName: "tokenURI", args: [params.agentId] }),
    client.readContract({ ...base, functionName: "getAgentWallet", args: [params.agentId] }),
  ]);
  const metadata: Record<string, Hex> = {};
  for (const key of params.metadataKeys ?? []) {
    metadata[key] = await client.readContract({ ...base, functionName: "getMetadata", args: [params.agentId, key] });
  }
  const identity: AgentIdentity = {
    agentId: params.agentId,
    agentRegistry: agentRegistryId(client.chain.id, params.identityRegistry),
    owner,
    agentURI,
    agentWallet: /^0x0{40}$/.test(wallet) ? null : wallet,
    metadata,
  };
  const registration = registrationFromUri(agentURI);
  if (registration) {
    identity.registration = registration;
    identity.registrationListsAgent = listsAgent(registration, {
      chainId: client.chain.id,
      identityRegistry: params.identityRegistry,
      agentId: params.agentId,
    });
  }
  return identity;
}

// ---------------------------------------------------------------------------------------------------------
// Reputation
// ---------------------------------------------------------------------------------------------------------

export type GiveFeedbackParameters = FixedPoint & {
  reputationRegistry: Address;
  agentId: bigint;
  tag1?: string;
  tag2?: string;
  endpoint?: string;
  feedbackURI?: string;
  feedbackHash?: Hex;
};

export async function giveFeedback(clients: AgentClients, params: GiveFeedbackParameters) {
  const sent = await sendContractTx(clients, {
    address: params.reputationRegistry,
    abi: reputationRegistryAbi,
    functionName: "giveFeedback",
    args: [
      params.agentId,
      params.value,
      params.valueDecimals,
      params.tag1 ?? "",
      params.tag2 ?? "",
      params.endpoint ?? "",
      params.feedbackURI ?? "",
      params.feedbackHash ?? `0x${"0".repeat(64)}`,
    ],
  });
  const [event] = parseEventLogs({ abi: reputationRegistryAbi, eventName: "NewFeedback", logs: sent.receipt.logs });
  if (!event) throw new VcloudError(`giveFeedback transaction ${sent.hash} emitted no NewFeedback event`);
  return { hash: sent.hash, feedbackIndex: event.args.feedbackIndex };
}

export async function revokeFeedback(
  clients: AgentClients,
  params: { reputationRegistry: Address; agentId: bigint; feedbackIndex: bigint },
) {
  return sendContractTx(clients, {
    address: params.reputationRegistry,
    abi: reputationRegistryAbi,
    functionName: "revokeFeedback",
    args: [params.agentId, params.feedbackIndex],
  });
}

export async function appendResponse(
  clients: AgentClients,
  params: {
    reputationRegistry: Address;
    agentId: bigint;
    clientAddress: Address;
    feedbackIndex: bigint;
    responseURI: string;
    responseHash?: Hex;
  },
) {
  return sendContractTx(clients, {
    address: params.reputationRegistry,
    abi: reputationRegistryAbi,
    functionName: "appendResponse",
    args: [
      params.agentId,
      params.clientAddress,
      params.feedbackIndex,
      params.responseURI,
      params.responseHash ?? `0x${"0".repeat(64)}`,
    ],
  });
}

export type FeedbackEntry = {
  client: Address;
  feedbackIndex: bigint;
  value: string;
  rawValue: bigint;
  valueDecimals: number;
  tag1: string;
  tag2: string;
  revoked: boolean;
};

export async function readFeedbackList(
  client: Reader,
  params: {
    reputationRegistry: Address;
    agentId: bigint;
    clients?: Address[];
    tag1?: string;
    tag2?: string;
    includeRevoked?: boolean;
  },
): Promise<FeedbackEntry[]> {
  const [clients, indexes, values, decimals, tag1s, tag2s, revoked] = await client.readContract({
    address: params.reputationRegistry,
    abi: reputationRegistryAbi,
    functionName: "readAllFeedback",
    args: [params.agentId, params.clients ?? [], params.tag1 ?? "", params.tag2 ?? "", params.includeRevoked ?? false],
  });
  return clients.map((c, i) => ({
    client: c,
    feedbackIndex: indexes[i]!,
    value: formatFixedPoint(values[i]!, decimals[i]!),
    rawValue: values[i]!,
    valueDecimals: decimals[i]!,
    tag1: tag1s[i]!,
    tag2: tag2s[i]!,
    revoked: revoked[i]!,
  }));
}

export type ReputationSummary = {
  /** The clients the summary is taken over (the ERC requires the reader to choose them). */
  clients: Address[];
  count: bigint;
  value: string | null;
  summaryValue: bigint;
  summaryValueDecimals: number;
};

/** Summary over `clients`, or over every client that rated the agent when none are given. */
export async function readReputationSummary(
  client: Reader,
  params: { reputationRegistry: Address; agentId: bigint; clients?: Address[]; tag1?: string; tag2?: string },
): Promise<ReputationSummary> {
  const base = { address: params.reputationRegistry, abi: reputationRegistryAbi } as const;
  const clients =
    params.clients && params.clients.length > 0
      ? params.clients
      : [...(await client.readContract({ ...base, functionName: "getClients", args: [params.agentId] }))];
  if (clients.length === 0) return { clients, count: 0n, value: null, summaryValue: 0n, summaryValueDecimals: 0 };
  const [count, summaryValue, summaryValueDecimals] = await client.readContract({
    ...base,
    functionName: "getSummary",
    args: [params.agentId, clients, params.tag1 ?? "", params.tag2 ?? ""],
  });
  return {
    clients,
    count,
    value: count === 0n ? null : formatFixedPoint(summaryValue, summaryValueDecimals),
    summaryValue,
    summaryValueDecimals,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Validation through the vcloud bridge
// ---------------------------------------------------------------------------------------------------------

export async function requestValidation(
  clients: AgentClients,
  params: {
    validationRegistry: Address;
    validator: Address;
    agentId: bigint;
    source: Address;
    subject: Hex;
    salt?: Hex;
    requestURI?: string;
  },
) {
  const request = {
    chainId: clients.publicClient.chain.id,
    validator: params.validator,
    agentId: params.agentId,
    source: params.source,
    subject: params.subject,
    salt: params.salt ?? ZERO_SALT,
  };
  const requestHash = vcloudRequestHash(request);
  const requestURI = params.requestURI ?? vcloudRequestUri(request);
  const sent = await sendContractTx(clients, {
    address: params.validationRegistry,
    abi: validationRegistryAbi,
    functionName: "validationRequest",
    args: [params.validator, params.agentId, requestURI, requestHash],
  });
  return { hash: sent.hash, requestHash, requestURI, salt: request.salt };
}

/** Asks the bridge to answer a request from its source's final outcome (anyone may do this). */
export async function respondFromSource(
  clients: AgentClients,
  params: { vcloudValidator: Address; requestHash: Hex; source: Address; subject: Hex; salt?: Hex },
) {
  const sent = await sendContractTx(clients, {
    address: params.vcloudValidator,
    abi: vcloudValidatorAbi,
    functionName: "respond",
    args: [params.requestHash, params.source, params.subject, params.salt ?? ZERO_SALT],
  });
  const [event] = parseEventLogs({ abi: vcloudValidatorAbi, eventName: "ValidationAnswered", logs: sent.receipt.logs });
  if (!event) throw new VcloudError(`respond transaction ${sent.hash} emitted no ValidationAnswered event`);
  return { hash: sent.hash, response: event.args.response };
}

export type Backing = {
  source: Address;
  kind: string;
  subject: Hex;
  operatorSet: { avs: Address; id: number };
  resultHash: Hex;
  decidedAt: bigint;
  answeredAt: bigint;
};

export type ValidationRecord = {
  requestHash: Hex;
  validator: Address;
  agentId: bigint;
  answered: boolean;
  response: number | null;
  responseHash: Hex;
  tag: string;
  lastUpdate: bigint;
  /** Present when the validator is vcloud's bridge and it has answered: what stands behind the answer. */
  backing?: Backing;
};

export async function readValidation(
  client: Reader,
  params: { validationRegistry: Address; vcloudValidator?: Address; requestHash: Hex },
): Promise<ValidationRecord> {
  const base = { address: params.validationRegistry, abi: validationRegistryAbi } as const;
  const [validator, agentId, response, responseHash, tag, lastUpdate] = await readView("getValidationStatus", () =>
    client.readContract({ ...base, functionName: "getValidationStatus", args: [params.requestHash] }),
  );
  const answered = await client.readContract({ ...base, functionName: "hasResponse", args: [params.requestHash] });
  const record: ValidationRecord = {
    requestHash: params.requestHash,
    validator,
    agentId,
    answered,
    response: answered ? response : null,
    responseHash,
    tag,
    lastUpdate,
  };
  if (answered && params.vcloudValidator && getAddress(validator) === getAddress(params.vcloudValidator)) {
    const b = await client.readContract({
      address: params.vcloudValidator,
      abi: vcloudValidatorAbi,
      functionName: "backingOf",
      args: [params.requestHash],
    });
    const kind = await client.readContract({
      address: params.vcloudValidator,
      abi: vcloudValidatorAbi,
      functionName: "sourceKind",
      args: [b.source],
    });
    record.backing = {
      source: b.source,
      kind,
      subject: b.subject,
      operatorSet: { avs: b.operatorSet.avs, id: b.operatorSet.id },
      resultHash: b.resultHash,
      decidedAt: b.decidedAt,
      answeredAt: b.answeredAt,
    };
  }
  return record;
}

export async function readAgentValidations(
  client: Reader,
  params: { validationRegistry: Address; vcloudValidator?: Address; agentId: bigint },
) {
  const hashes = await client.readContract({
    address: params.validationRegistry,
    abi: validationRegistryAbi,
    functionName: "getAgentValidations",
    args: [params.agentId],
  });
  const records: ValidationRecord[] = [];
  for (const requestHash of hashes) records.push(await readValidation(client, { ...params, requestHash }));
  const [count, averageResponse] = await client.readContract({
    address: params.validationRegistry,
    abi: validationRegistryAbi,
    functionName: "getSummary",
    args: [params.agentId, [], ""],
  });
  return { summary: { count, averageResponse: count === 0n ? null : averageResponse }, requests: records };
}

/** The current outcome of a subject at a verification source (IVerificationSource). */
export async function readSourceOutcome(client: Reader, params: { source: Address; subject: Hex }) {
  const o = await readView("verificationOutcome", () =>
    client.readContract({
      address: params.source,
      abi: iVerificationSourceAbi,
      functionName: "verificationOutcome",
      args: [params.subject],
    }),
  );
  return {
    status: VERIFICATION_STATUS[o.status] ?? "none",
    requester: o.requester,
    operatorSet: { avs: o.operatorSet.avs, id: o.operatorSet.id },
    resultHash: o.resultHash,
    decidedAt: o.decidedAt,
  };
}

// Governance of the bridge ----------------------------------------------------------------------------------

export async function addSource(
  clients: AgentClients,
  params: { vcloudValidator: Address; source: Address; kind: string },
) {
  return sendContractTx(clients, {
    address: params.vcloudValidator,
    abi: vcloudValidatorAbi,
    functionName: "addSource",
    args: [params.source, params.kind],
  });
}

export async function removeSource(clients: AgentClients, params: { vcloudValidator: Address; source: Address }) {
  return sendContractTx(clients, {
    address: params.vcloudValidator,
    abi: vcloudValidatorAbi,
    functionName: "removeSource",
    args: [params.source],
  });
}

export async function listSources(client: Reader, params: { vcloudValidator: Address }) {
  const sources = await client.readContract({
    address: params.vcloudValidator,
    abi: vcloudValidatorAbi,
    functionName: "getSources",
  });
  const out: { source: Address; kind: string }[] = [];
  for (const source of sources) {
    const kind = await client.readContract({
      address: params.vcloudValidator,
      abi: vcloudValidatorAbi,
      functionName: "sourceKind",
      args: [source],
    });
    out.push({ source, kind });
  }
  return out;
}
