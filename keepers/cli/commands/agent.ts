import { readFileSync } from "node:fs";
import { resolve } from "node:path";

import type { Command } from "commander";
import { isHex, stringToHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { z } from "zod";

import {
  addSource,
  agentAddresses,
  appendResponse,
  giveFeedback,
  listSources,
  readAgentIdentity,
  readAgentValidations,
  readFeedbackList,
  readReputationSummary,
  readSourceOutcome,
  readValidation,
  registerAgent,
  removeSource,
  requestValidation,
  respondFromSource,
  revokeFeedback,
  setAgentURI,
  setAgentWallet,
  unsetAgentWallet,
  type AgentAddresses,
  type ValidationRecord,
} from "../../agents/actions.js";
import { operatorSetKey, readSlashingHistory } from "../../agents/slashing.js";
import { INDEXER_URL_HELP, parseIndexerUrl } from "../../indexer/reads.js";
import { parseFeedbackValue } from "../../agents/feedback.js";
import {
  buildRegistration,
  parseRegistration,
  parseServiceFlag,
  toDataUri,
  withRegistration,
  type Registration,
} from "../../agents/registration.js";
import { readView, type AgentClients } from "../../agents/tx.js";
import { MAX_WALLET_PROOF_SECONDS, signAgentWalletProof } from "../../agents/wallet.js";
import type { Clients } from "../../lib/chain.js";
import { parseOptions, zAddress, zBytes32, zHex, zPrivateKey, zUint } from "../../lib/config.js";
import { readDeployment, type Deployment } from "../../lib/deployments.js";
import { InvalidInputError } from "../../lib/errors.js";
import { identityRegistryAbi } from "../../lib/abis.js";
import { action, connectFromOptions, withChainOptions } from "../context.js";

// Option schemas --------------------------------------------------------------------------------------------

const zAgentId = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const s = String(v).trim();
  if (!/^\d+$/.test(s)) {
    ctx.addIssue({ code: "custom", message: "must be a non-negative integer agent id" });
    return z.NEVER;
  }
  return BigInt(s);
});

const zIndex = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const s = String(v).trim();
  if (!/^\d+$/.test(s) || BigInt(s) === 0n || BigInt(s) >= 2n ** 64n) {
    ctx.addIssue({ code: "custom", message: "must be a feedback index >= 1 (they are 1-based)" });
    return z.NEVER;
  }
  return BigInt(s);
});

const zTag = z.string().max(256, "must be at most 256 characters");
const zUriText = z.string().min(1, "must not be empty");

const zAddressList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === "") return [] as Address[];
    const out: Address[] = [];
    for (const part of v.split(",")) {
      const parsed = zAddress.safeParse(part.trim());
      if (!parsed.success) {
        ctx.addIssue({ code: "custom", message: `"${part.trim()}" must be a 0x-prefixed 20-byte hex address` });
        return z.NEVER;
      }
      out.push(parsed.data);
    }
    return out;
  });

const common = { deploymentsDir: z.string().min(1).optional() };

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `key=value`; a 0x-hex value is taken as bytes, anything else as UTF-8 text. */
function parseMetadataFlag(value: string): { key: string; value: Hex } {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InvalidInputError("--metadata", `"${value}" must be key=value`);
  const key = value.slice(0, eq);
  const raw = value.slice(eq + 1);
  if (key === "agentWallet") {
    throw new InvalidInputError("--metadata", "agentWallet is reserved; use `vcloud agent wallet set`");
  }
  return { key, value: isHex(raw, { strict: true }) && raw.length % 2 === 0 ? raw : stringToHex(raw) };
}

function readRegistrationFile(path: string): Registration {
  let text: string;
  try {
    text = readFileSync(resolve(path), "utf8");
  } catch (cause) {
    throw new InvalidInputError("--file", `cannot read ${path}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InvalidInputError("--file", `${path} is not valid JSON`, { cause });
  }
  return parseRegistration(json, "--file");
}

// Registration source: --uri, --file, or --name/--description/... -------------------------------------------

const registrationFlags = {
  uri: zUriText.optional(),
  file: z.string().min(1).optional(),
  name: z.string().min(1, "must not be empty").optional(),
  description: z.string().optional(),
  image: z.string().min(1).optional(),
  service: z.array(z.string()),
  trust: z.string().optional(),
};

type RegistrationFlags = {
  uri?: string;
  file?: string;
  name?: string;
  description?: string;
  image?: string;
  service: string[];
  trust?: string;
};

/** Resolves the flags into either a hosted URI or a registration document (validated), or nothing. */
function registrationFromFlags(opts: RegistrationFlags): { agentURI?: string; registration?: Registration } {
  const built = opts.name !== undefined || opts.description !== undefined || opts.service.length > 0;
  const chosen = [opts.uri !== undefined, opts.file !== undefined, built].filter(Boolean).length;
  if (chosen > 1) throw new InvalidInputError("--uri", "give only one of --uri, --file, or --name/--description");
  if (opts.uri !== undefined) {
    if (opts.image || opts.trust) throw new InvalidInputError("--image", "only applies with --name/--description");
    return { agentURI: opts.uri };
  }
  if (opts.file !== undefined) return { registration: readRegistrationFile(opts.file) };
  if (!built) return {};
  if (opts.name === undefined) throw new InvalidInputError("--name", "required to build a registration file");
  return {
    registration: buildRegistration({
      name: opts.name,
      description: opts.description ?? "",
      image: opts.image,
      services: opts.service.map(parseServiceFlag),
      supportedTrust: opts.trust
        ?.split(",")
        .map((t) => t.trim())
        .filter((t) => t.length > 0),
    }),
  };
}

function withRegistrationOptions(command: Command): Command {
  return command
    .option("--uri <uri>", "agentURI hosted elsewhere (ipfs://, https://)")
    .option("--file <path>", "registration JSON file to store on-chain as a data: URI")
    .option("--name <name>", "build the registration file: agent name")
    .option("--description <text>", "build the registration file: description")
    .option("--image <url>", "build the registration file: image URL")
    .option(
      "--service <spec>",
      "build the registration file: name=endpoint or name@version=endpoint (repeat)",
      collect,
      [],
    )
    .option("--trust <list>", "build the registration file: supported trust models, comma-separated");
}

// Connection ------------------------------------------------------------------------------------------------

async function connectAgents(
  raw: unknown,
  deploymentsDir: string | undefined,
  requireSigner: boolean,
): Promise<{ clients: Clients; addresses: AgentAddresses; deployment: Deployment; signer?: AgentClients }> {
  const clients = await connectFromOptions(raw, { requireSigner });
  const deployment = readDeployment(clients.chain.id, deploymentsDir);
  const addresses = agentAddresses(deployment);
  const signer = clients.walletClient
    ? { publicClient: clients.publicClient, walletClient: clients.walletClient }
    : undefined;
  return { clients, addresses, deployment, signer };
}

function chainCommand(parent: Command, name: string, description: string): Command {
  return withChainOptions(parent.command(name).description(description)).option(
    "--deployments-dir <dir>",
    "where deployments/<chainId>.json lives (env VCLOUD_DEPLOYMENTS_DIR)",
  );
}

// Commands --------------------------------------------------------------------------------------------------

export function registerAgentCommands(program: Command): void {
  const agent = program
    .command("agent")
    .description("ERC-8004 agents: identity, reputation, and validation by vcloud's verification AVSs");

  // register ------------------------------------------------------------------------------------------------
  withRegistrationOptions(chainCommand(agent, "register", "register a new agent (mint its identity NFT)"))
    .option("--metadata <key=value>", "on-chain metadata entry; 0x-hex values are bytes (repeat)", collect, [])
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(z.object({ ...common, ...registrationFlags, metadata: z.array(z.string()) }), raw);
        const source = registrationFromFlags(opts);
        const metadata = opts.metadata.map(parseMetadataFlag);
        const { clients, addresses, signer } = await connectAgents(raw, opts.deploymentsDir, true);
        const result = await registerAgent(signer!, {
          identityRegistry: addresses.identityRegistry,
          agentURI: source.agentURI,
          registration: source.registration,
          metadata,
        });
        const identity = await readAgentIdentity(clients.publicClient, {
          identityRegistry: addresses.identityRegistry,
          agentId: result.agentId,
          metadataKeys: metadata.map((m) => m.key),
        });
        ctx.print({ transactions: result.transactions, ...identity });
      }),
    );

  // set-uri -------------------------------------------------------------------------------------------------
  withRegistrationOptions(chainCommand(agent, "set-uri", "replace an agent's registration URI (owner or operator)"))
    .requiredOption("--agent-id <id>", "agent id")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(z.object({ ...common, ...registrationFlags, agentId: zAgentId }), raw);
        const source = registrationFromFlags(opts);
        if (!source.agentURI && !source.registration) {
          throw new InvalidInputError("--uri", "give --uri, --file, or --name/--description");
        }
        const { clients, addresses, signer } = await connectAgents(raw, opts.deploymentsDir, true);
        let agentURI = source.agentURI;
        if (source.registration) {
          agentURI = toDataUri(
            withRegistration(source.registration, {
              chainId: clients.chain.id,
              identityRegistry: addresses.identityRegistry,
              agentId: opts.agentId,
            }),
          );
        }
        const sent = await setAgentURI(signer!, {
          identityRegistry: addresses.identityRegistry,
          agentId: opts.agentId,
          agentURI: agentURI!,
        });
        const identity = await readAgentIdentity(clients.publicClient, {
          identityRegistry: addresses.identityRegistry,
          agentId: opts.agentId,
        });
        ctx.print({ transaction: sent.hash, ...identity });
      }),
    );

  // show ----------------------------------------------------------------------------------------------------
  chainCommand(agent, "show", "an agent's page: identity, registration, reputation, validations and their backing")
    .requiredOption("--agent-id <id>", "agent id")
    .option("--clients <list>", "trusted clients to summarise reputation over (default: every client, unfiltered)")
    .option("--metadata-key <key>", "also read this on-chain metadata key (repeat)", collect, [])
    .option("--indexer-url <url>", INDEXER_URL_HELP)
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({ ...common, agentId: zAgentId, clients: zAddressList, metadataKey: z.array(z.string().min(1)) }),
          raw,
        );
        const indexerUrl = parseIndexerUrl((raw as { indexerUrl?: unknown }).indexerUrl);
        const { clients, addresses, deployment } = await connectAgents(raw, opts.deploymentsDir, false);
        const client = clients.publicClient;
        const identity = await readAgentIdentity(client, {
          identityRegistry: addresses.identityRegistry,
          agentId: opts.agentId,
          metadataKeys: opts.metadataKey,
        });
        const reputation = await readReputationSummary(client, {
          reputationRegistry: addresses.reputationRegistry,
          agentId: opts.agentId,
          clients: opts.clients,
        });
        const validation = await readAgentValidations(client, {
          validationRegistry: addresses.validationRegistry,
          vcloudValidator: addresses.vcloudValidator,
          agentId: opts.agentId,
        });
        const operatorSets = await backingOperatorSets(client, deployment, validation.requests, indexerUrl);
        ctx.print({
          ...identity,
          reputation: { ...reputation, filteredByClients: opts.clients.length > 0 },
          validation: { ...validation, operatorSets },
        });
      }),
    );

  // wallet --------------------------------------------------------------------------------------------------
  const wallet = agent.command("wallet").description("the agent's verified payment wallet (reserved agentWallet key)");

  chainCommand(wallet, "sign", "sign the EIP-712 proof with the NEW wallet's key (to hand to the agent owner)")
    .requiredOption("--agent-id <id>", "agent id")
    .requiredOption("--wallet-key <hex>", "private key of the new wallet")
    .option("--deadline <unix>", `proof expiry (default: chain time + 240 s; at most + ${MAX_WALLET_PROOF_SECONDS} s)`)
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({ ...common, agentId: zAgentId, walletKey: zPrivateKey, deadline: zUint.optional() }),
          raw,
        );
        const account = privateKeyToAccount(opts.walletKey);
        const { clients, addresses } = await connectAgents(raw, opts.deploymentsDir, false);
        const proof = await walletProof(clients, addresses, opts.agentId, account, opts.deadline);
        ctx.print(proof);
      }),
    );

  chainCommand(wallet, "set", "set the agent wallet from a proof (or sign it here with --wallet-key)")
    .requiredOption("--agent-id <id>", "agent id")
    .option("--wallet-key <hex>", "private key of the new wallet (signs the proof here)")
    .option("--wallet <address>", "new wallet address (with --signature and --deadline, e.g. an ERC-1271 wallet)")
    .option("--signature <hex>", "the new wallet's proof")
    .option("--deadline <unix>", "the proof's deadline")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({
            ...common,
            agentId: zAgentId,
            walletKey: zPrivateKey.optional(),
            wallet: zAddress.optional(),
            signature: zHex.optional(),
            deadline: zUint.optional(),
          }),
          raw,
        );
        if (opts.walletKey && (opts.wallet || opts.signature)) {
          throw new InvalidInputError("--wallet-key", "give either --wallet-key or --wallet with --signature");
        }
        if (!opts.walletKey) {
          if (!opts.wallet) throw new InvalidInputError("--wallet", "required unless --wallet-key is given");
          if (!opts.signature) throw new InvalidInputError("--signature", "required with --wallet");
          if (opts.deadline === undefined) throw new InvalidInputError("--deadline", "required with --signature");
        }
        const { clients, addresses, signer } = await connectAgents(raw, opts.deploymentsDir, true);
        const proof = opts.walletKey
          ? await walletProof(clients, addresses, opts.agentId, privateKeyToAccount(opts.walletKey), opts.deadline)
          : { newWallet: opts.wallet!, signature: opts.signature!, deadline: opts.deadline! };
        const sent = await setAgentWallet(signer!, {
          identityRegistry: addresses.identityRegistry,
          agentId: opts.agentId,
          newWallet: proof.newWallet,
          deadline: proof.deadline,
          signature: proof.signature,
        });
        const identity = await readAgentIdentity(clients.publicClient, {
          identityRegistry: addresses.identityRegistry,
          agentId: opts.agentId,
        });
        ctx.print({
          transaction: sent.hash,
          agentId: opts.agentId,
          agentWallet: identity.agentWallet,
          owner: identity.owner,
        });
      }),
    );

  chainCommand(wallet, "unset", "clear the agent wallet")
    .requiredOption("--agent-id <id>", "agent id")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(z.object({ ...common, agentId: zAgentId }), raw);
        const { clients, addresses, signer } = await connectAgents(raw, opts.deploymentsDir, true);
        const sent = await unsetAgentWallet(signer!, {
          identityRegistry: addresses.identityRegistry,
          agentId: opts.agentId,
        });
        const identity = await readAgentIdentity(clients.publicClient, {
          identityRegistry: addresses.identityRegistry,
          agentId: opts.agentId,
        });
        ctx.print({ transaction: sent.hash, agentId: opts.agentId, agentWallet: identity.agentWallet });
      }),
    );

  // feedback ------------------------------------------------------------------------------------------------
  const feedback = agent.command("feedback").description("reputation: rate agents, revoke, respond, read");

  chainCommand(feedback, "give", "rate an agent (not as its owner or operator)")
    .requiredOption("--agent-id <id>", "agent id")
    .requiredOption("--value <decimal>", "signed decimal value, e.g. 87, 99.77, -3.2 (up to 18 decimals)")
    .option("--tag1 <tag>", "first tag, e.g. starred, uptime", "")
    .option("--tag2 <tag>", "second tag", "")
    .option("--endpoint <uri>", "the endpoint the feedback is about", "")
    .option("--feedback-uri <uri>", "off-chain feedback file", "")
    .option("--feedback-hash <bytes32>", "keccak256 of the feedback file")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({
            ...common,
            agentId: zAgentId,
            value: z.string(),
            tag1: zTag,
            tag2: zTag,
            endpoint: z.string(),
            feedbackUri: z.string(),
            feedbackHash: zBytes32.optional(),
          }),
          raw,
        );
        const fixed = parseFeedbackValue(opts.value);
        const { clients, addresses, signer } = await connectAgents(raw, opts.deploymentsDir, true);
        const sent = await giveFeedback(signer!, {
          reputationRegistry: addresses.reputationRegistry,
          agentId: opts.agentId,
          ...fixed,
          tag1: opts.tag1,
          tag2: opts.tag2,
          endpoint: opts.endpoint,
          feedbackURI: opts.feedbackUri,
          feedbackHash: opts.feedbackHash,
        });
        const summary = await readReputationSummary(clients.publicClient, {
          reputationRegistry: addresses.reputationRegistry,
          agentId: opts.agentId,
        });
        ctx.print({
          transaction: sent.hash,
          agentId: opts.agentId,
          client: signer!.walletClient.account.address,
          feedbackIndex: sent.feedbackIndex,
          value: opts.value,
          rawValue: fixed.value,
          valueDecimals: fixed.valueDecimals,
          summary,
        });
      }),
    );

  chainCommand(feedback, "revoke", "revoke one of your own feedback entries")
    .requiredOption("--agent-id <id>", "agent id")
    .requiredOption("--index <n>", "your feedback index (1-based)")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(z.object({ ...common, agentId: zAgentId, index: zIndex }), raw);
        const { addresses, signer } = await connectAgents(raw, opts.deploymentsDir, true);
        const sent = await revokeFeedback(signer!, {
          reputationRegistry: addresses.reputationRegistry,
          agentId: opts.agentId,
          feedbackIndex: opts.index,
        });
        ctx.print({ transaction: sent.hash, agentId: opts.agentId, feedbackIndex: opts.index, revoked: true });
      }),
    );

  chainCommand(feedback, "respond", "append a response to a feedback entry (anyone)")
    .requiredOption("--agent-id <id>", "agent id")
    .requiredOption("--client <address>", "the client who gave the feedback")
    .requiredOption("--index <n>", "the client's feedback index (1-based)")
    .requiredOption("--response-uri <uri>", "the response file")
    .option("--response-hash <bytes32>", "keccak256 of the response file")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({
            ...common,
            agentId: zAgentId,
            client: zAddress,
            index: zIndex,
            responseUri: zUriText,
            responseHash: zBytes32.optional(),
          }),
          raw,
        );
        const { addresses, signer } = await connectAgents(raw, opts.deploymentsDir, true);
        const sent = await appendResponse(signer!, {
          reputationRegistry: addresses.reputationRegistry,
          agentId: opts.agentId,
          clientAddress: opts.client,
          feedbackIndex: opts.index,
          responseURI: opts.responseUri,
          responseHash: opts.responseHash,
        });
        ctx.print({ transaction: sent.hash, agentId: opts.agentId, client: opts.client, feedbackIndex: opts.index });
      }),
    );

  chainCommand(feedback, "list", "read an agent's feedback")
    .requiredOption("--agent-id <id>", "agent id")
    .option("--clients <list>", "only these clients (comma-separated)")
    .option("--tag1 <tag>", "only entries with this tag1", "")
    .option("--tag2 <tag>", "only entries with this tag2", "")
    .option("--include-revoked", "also list revoked entries", false)
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({
            ...common,
            agentId: zAgentId,
            clients: zAddressList,
            tag1: zTag,
            tag2: zTag,
            includeRevoked: z.boolean(),
          }),
          raw,
        );
        const { clients, addresses } = await connectAgents(raw, opts.deploymentsDir, false);
        const entries = await readFeedbackList(clients.publicClient, {
          reputationRegistry: addresses.reputationRegistry,
          agentId: opts.agentId,
          clients: opts.clients,
          tag1: opts.tag1,
          tag2: opts.tag2,
          includeRevoked: opts.includeRevoked,
        });
        ctx.print({ agentId: opts.agentId, feedback: entries });
      }),
    );

  // validate ------------------------------------------------------------------------------------------------
  const validate = agent
    .command("validate")
    .description("validation of an agent's work by vcloud's verification AVSs (through VcloudValidator)");

  chainCommand(validate, "request", "ask the bridge to validate one result (a TEE task or an inference claim)")
    .requiredOption("--agent-id <id>", "agent id")
    .requiredOption("--source <address>", "the verification AVS (IVerificationSource) that judged the work")
    .requiredOption("--subject <bytes32>", "the work's id at that AVS (task hash / claim id)")
    .option("--salt <bytes32>", "request salt (default zero); use another if the request hash is already taken")
    .option("--request-uri <uri>", "request document URI (default: a data: URI describing the request)")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({
            ...common,
            agentId: zAgentId,
            source: zAddress,
            subject: zBytes32,
            salt: zBytes32.optional(),
            requestUri: zUriText.optional(),
          }),
          raw,
        );
        const { clients, addresses, signer } = await connectAgents(raw, opts.deploymentsDir, true);
        const sent = await requestValidation(signer!, {
          validationRegistry: addresses.validationRegistry,
          validator: addresses.vcloudValidator,
          agentId: opts.agentId,
          source: opts.source,
          subject: opts.subject,
          salt: opts.salt,
          requestURI: opts.requestUri,
        });
        const outcome = await readSourceOutcome(clients.publicClient, { source: opts.source, subject: opts.subject });
        const record = await readValidation(clients.publicClient, {
          validationRegistry: addresses.validationRegistry,
          vcloudValidator: addresses.vcloudValidator,
          requestHash: sent.requestHash,
        });
        ctx.print({
          transaction: sent.hash,
          requestURI: sent.requestURI,
          salt: sent.salt,
          outcome,
          ...record,
        });
      }),
    );

  chainCommand(validate, "respond", "have the bridge answer a request from its source's final outcome (anyone)")
    .requiredOption("--request-hash <bytes32>", "the request")
    .requiredOption("--source <address>", "the verification AVS named in the request")
    .requiredOption("--subject <bytes32>", "the work's id at that AVS")
    .option("--salt <bytes32>", "the request's salt (default zero)")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({
            ...common,
            requestHash: zBytes32,
            source: zAddress,
            subject: zBytes32,
            salt: zBytes32.optional(),
          }),
          raw,
        );
        const { clients, addresses, signer } = await connectAgents(raw, opts.deploymentsDir, true);
        const sent = await respondFromSource(signer!, {
          vcloudValidator: addresses.vcloudValidator,
          requestHash: opts.requestHash,
          source: opts.source,
          subject: opts.subject,
          salt: opts.salt,
        });
        const record = await readValidation(clients.publicClient, {
          validationRegistry: addresses.validationRegistry,
          vcloudValidator: addresses.vcloudValidator,
          requestHash: opts.requestHash,
        });
        ctx.print({ transaction: sent.hash, ...record });
      }),
    );

  chainCommand(validate, "status", "a validation request, its answer and what backs it")
    .requiredOption("--request-hash <bytes32>", "the request")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(z.object({ ...common, requestHash: zBytes32 }), raw);
        const { clients, addresses } = await connectAgents(raw, opts.deploymentsDir, false);
        const record = await readValidation(clients.publicClient, {
          validationRegistry: addresses.validationRegistry,
          vcloudValidator: addresses.vcloudValidator,
          requestHash: opts.requestHash,
        });
        ctx.print(record);
      }),
    );

  // source (governance of the bridge) ---------------------------------------------------------------------
  const source = agent.command("source").description("verification AVSs the bridge accepts (governance)");

  chainCommand(source, "add", "register a verification source (governance key)")
    .requiredOption("--source <address>", "the IVerificationSource contract")
    .requiredOption("--kind <tag>", "its kind, used as the ERC-8004 response tag (e.g. tee, inference)")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({ ...common, source: zAddress, kind: z.string().min(1, "must not be empty").max(64) }),
          raw,
        );
        const { clients, addresses, signer } = await connectAgents(raw, opts.deploymentsDir, true);
        const sent = await addSource(signer!, { vcloudValidator: addresses.vcloudValidator, ...opts });
        ctx.print({
          transaction: sent.hash,
          sources: await listSources(clients.publicClient, { vcloudValidator: addresses.vcloudValidator }),
        });
      }),
    );

  chainCommand(source, "remove", "unregister a verification source (governance key)")
    .requiredOption("--source <address>", "the IVerificationSource contract")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(z.object({ ...common, source: zAddress }), raw);
        const { clients, addresses, signer } = await connectAgents(raw, opts.deploymentsDir, true);
        const sent = await removeSource(signer!, { vcloudValidator: addresses.vcloudValidator, source: opts.source });
        ctx.print({
          transaction: sent.hash,
          sources: await listSources(clients.publicClient, { vcloudValidator: addresses.vcloudValidator }),
        });
      }),
    );

  chainCommand(source, "list", "the registered verification sources").action(
    action(async (ctx, raw: unknown) => {
      const opts = parseOptions(z.object(common), raw);
      const { clients, addresses } = await connectAgents(raw, opts.deploymentsDir, false);
      ctx.print({ sources: await listSources(clients.publicClient, { vcloudValidator: addresses.vcloudValidator }) });
    }),
  );
}

/**
 * The operator sets whose stake backs the agent's answered validations, with how many answers each backs
 * and its slashing history from the restaking core's AllocationManager (null when none is deployed).
 */
async function backingOperatorSets(
  client: Clients["publicClient"],
  deployment: Deployment,
  requests: ValidationRecord[],
  indexerUrl?: string,
) {
  const sets = new Map<string, { avs: Address; id: number; validations: number }>();
  for (const r of requests) {
    if (!r.backing) continue;
    const key = operatorSetKey(r.backing.operatorSet);
    const entry = sets.get(key) ?? { ...r.backing.operatorSet, validations: 0 };
    entry.validations += 1;
    sets.set(key, entry);
  }
  const allocationManager = deployment.contracts.AllocationManager;
  const history =
    allocationManager && sets.size > 0
      ? await readSlashingHistory(client, { allocationManager, operatorSets: [...sets.values()], indexerUrl })
      : undefined;
  return [...sets.entries()].map(([key, set]) => ({
    ...set,
    slashingHistory: history ? (history.get(key) ?? []) : null,
  }));
}

/** Signs the wallet proof for the agent's current owner with a deadline inside the registry's window. */
async function walletProof(
  clients: Clients,
  addresses: AgentAddresses,
  agentId: bigint,
  account: ReturnType<typeof privateKeyToAccount>,
  deadline?: bigint,
) {
  const block = await clients.publicClient.getBlock();
  const effective = deadline ?? block.timestamp + 240n;
  if (effective < block.timestamp) throw new InvalidInputError("--deadline", "is already in the past (chain time)");
  if (effective > block.timestamp + MAX_WALLET_PROOF_SECONDS) {
    throw new InvalidInputError("--deadline", `must be at most ${MAX_WALLET_PROOF_SECONDS} s after the chain time`);
  }
  const owner = await readView("ownerOf", () =>
    clients.publicClient.readContract({
      address: addresses.identityRegistry,
      abi: identityRegistryAbi,
      functionName: "ownerOf",
      args: [agentId],
    }),
  );
  const signature = await signAgentWalletProof(account, {
    chainId: clients.chain.id,
    identityRegistry: addresses.identityRegistry,
    agentId,
    newWallet: account.address,
    owner,
    deadline: effective,
  });
  return { agentId, newWallet: account.address, owner, deadline: effective, signature };
}
