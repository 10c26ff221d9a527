/**
 * Committee duty across hosts. Each member of the re-execution committee (the verification operator set)
 * runs `vcloud keeper replay --committee-listen HOST:PORT` with its own BLS key; the keeper that resolves a
 * challenge asks every member for its signature over `committeeMessage(claimId, receiptHash)`:
 *
 *   POST /v1/committee/sign  { claimId, receiptHash }
 *     200 { claimId, receiptHash, signatures: [{ pubkeyHash, signature }] }
 *     409 the claim is not challenged, or the member computed another receipt hash (it never signs a hash
 *         it did not compute itself)
 *     422 the member cannot re-execute the claim (unknown model, unreadable DA payload)
 *   GET /healthz
 *
 * A member re-executes the challenged claim itself from its DA inputs (once per claim; concurrent requests
 * share the run) and signs only the hash it computed. Members publish their URL in CommitteeEndpoints
 * (contracts/inference/CommitteeEndpoints.sol); the aggregator reads the committee at the certificate's
 * reference block from the registrar, looks each member's endpoint up there, asks all of them at once with a
 * timeout, verifies every signature against the member's registered key, and stops waiting as soon as the
 * signed stake reaches the contract's threshold.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

import { verify as blsVerify, type Signature } from "@chainsafe/blst";
import { hexToBytes, type Address, type Hex } from "viem";
import { z } from "zod";

import { pubkeyHash, signatureFromHex, signatureToHex, type BlsKey } from "../bls/bls.js";
import { publicKeyOf } from "../da-network/disperser.js";
import type { SetMember } from "../da-network/operator-set.js";
import { committeeEndpointsAbi, inferenceClaimsAbi } from "../lib/abis.js";
import { describeError, VcloudError } from "../lib/errors.js";
import { HttpStatusError, readJsonBody, sendJson } from "../lib/http-json.js";
import type { Logger } from "../lib/logger.js";
import { ClaimStatus } from "./decide.js";
import {
  EnginePool,
  indexModels,
  readClaim,
  replayClaim,
  UnverifiableClaimError,
  type ReplayKeeperParams,
  type ReplaySource,
} from "./keeper.js";

export const SIGN_PATH = "/v1/committee/sign";

const zHex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x followed by 64 hex digits");
const signRequestSchema = z.object({ claimId: zHex32, receiptHash: zHex32 });
const signResponseSchema = z.object({
  claimId: zHex32,
  receiptHash: zHex32,
  signatures: z.array(z.object({ pubkeyHash: zHex32, signature: z.string().regex(/^0x[0-9a-fA-F]+$/) })),
});

export type CommitteeMemberConfig = ReplaySource & {
  claims: Address;
  /** This member's BLS keys (one per operator it runs). */
  keys: readonly BlsKey[];
  /** GGUF files this member can replay. */
  models: readonly string[];
  host: string;
  port: number;
  logger?: Logger;
};

export type CommitteeMember = { url: string; close(): Promise<void> };

/** Starts a committee member's endpoint. */
export async function startCommitteeMember(config: CommitteeMemberConfig): Promise<CommitteeMember> {
  if (config.keys.length === 0) throw new VcloudError("a committee member needs at least one BLS key");
  const pool = new EnginePool(await indexModels(config.models));
  /** Receipt hash this member computed, by claim id; a failed run is forgotten so that it is retried. */
  const computed = new Map<string, Promise<Hex>>();

  function replayed(claimId: Hex, claim: Awaited<ReturnType<typeof readClaim>>): Promise<Hex> {
    const key = claimId.toLowerCase();
    let run = computed.get(key);
    if (!run) {
      run = replayClaim(config, pool, claimId, claim).then(({ replayed: receipt }) => receipt.hash);
      computed.set(key, run);
      run.catch(() => computed.delete(key));
    }
    return run;
  }

  async function sign(body: unknown) {
    const parsed = signRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new HttpStatusError(400, `${issue.path.join(".") || "body"} ${issue.message}`);
    }
    const claimId = parsed.data.claimId.toLowerCase() as Hex;
    const asked = parsed.data.receiptHash.toLowerCase() as Hex;
    const claim = await readClaim(config, claimId);
    if (claim.status === ClaimStatus.None) throw new HttpStatusError(404, `claim ${claimId} is unknown`);
    if (claim.status !== ClaimStatus.Challenged) {
      throw new HttpStatusError(409, `claim ${claimId} is not challenged (status ${claim.status})`);
    }
    let mine: Hex;
    try {
      mine = await replayed(claimId, claim);
    } catch (error) {
      if (error instanceof UnverifiableClaimError)
        throw new HttpStatusError(422, `cannot re-execute: ${error.message}`);
      throw error;
    }
    if (mine !== asked) {
      config.logger?.warn(
        { claimId, asked, computed: mine },
        "refused to sign a receipt hash this member did not compute",
      );
      throw new HttpStatusError(409, `receipt mismatch: this member computed ${mine}, asked to sign ${asked}`);
    }
    // The message names the hash this member computed (equal to the one asked, checked above).
    const message = (await config.publicClient.readContract({
      address: config.claims,
      abi: inferenceClaimsAbi,
      functionName: "committeeMessage",
      args: [claimId, mine],
    })) as Hex;
    config.logger?.info({ claimId, receiptHash: mine }, "signed committee message");
    return {
      claimId,
      receiptHash: mine,
      signatures: config.keys.map((k) => ({
        pubkeyHash: pubkeyHash(k.pubkeySol),
        signature: signatureToHex(k.sign(message)),
      })),
    };
  }

  const server = createServer((req, res) => {
    void route(req, res);
  });
  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://member");
    try {
      if (req.method === "POST" && url.pathname === SIGN_PATH)
        sendJson(res, 200, await sign(await readJsonBody(req, 64 * 1024)));
      else if (req.method === "GET" && url.pathname === "/healthz") sendJson(res, 200, { ok: true });
      else throw new HttpStatusError(404, `no route ${req.method} ${url.pathname}`);
    } catch (error) {
      const status = error instanceof HttpStatusError ? error.status : 500;
      if (status === 500) config.logger?.error({ err: error }, "committee request failed");
      sendJson(res, status, { error: describeError(error) });
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  config.logger?.info({ url }, "committee member listening");
  return {
    url,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await Promise.allSettled(computed.values());
      await pool.close();
    },
  };
}

/** How the aggregator reaches committee members on other hosts. */
export type CommitteeNetwork = {
  /** CommitteeEndpoints; without it only `endpointOverrides` are used. */
  endpoints?: Address;
  /** Endpoint by lower-cased operator address, over the registered ones (tests, private networks). */
  endpointOverrides?: Readonly<Record<string, string>>;
  /** Per-member request timeout (default 60 s: the member re-executes the claim first). */
  timeoutMs?: number;
};

export type MemberFailure = { operator: Address; reason: string };

/**
 * Asks `members` (on other hosts) to sign `receiptHash` for `claimId`; returns the verified signatures by
 * lower-cased operator and why each other member gave none. Stops waiting once `signedStake` plus the new
 * signers' stake reaches `neededStake` (the remaining requests are aborted).
 */
export async function gatherCommitteeSignatures(
  params: Pick<ReplayKeeperParams, "publicClient"> & {
    network: CommitteeNetwork;
    members: readonly SetMember[];
    claimId: Hex;
    receiptHash: Hex;
    message: Hex;
    signedStake: bigint;
    neededStake: bigint;
    logger?: Logger;
  },
): Promise<{ signatures: Map<string, Signature>; failures: MemberFailure[] }> {
  const { network } = params;
  const signatures = new Map<string, Signature>();
  const failures: MemberFailure[] = [];
  const enough = new AbortController();
  let stake = params.signedStake;
  const messageBytes = hexToBytes(params.message);

  async function ask(member: SetMember): Promise<void> {
    const endpoint =
      network.endpointOverrides?.[member.operator.toLowerCase()] ??
      (network.endpoints
        ? ((await params.publicClient.readContract({
            address: network.endpoints,
            abi: committeeEndpointsAbi,
            functionName: "endpointOf",
            args: [member.operator],
          })) as string)
        : "");
    if (!endpoint) throw new Error("no committee endpoint registered");
    const url = `${endpoint.replace(/\/$/, "")}${SIGN_PATH}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ claimId: params.claimId, receiptHash: params.receiptHash }),
        signal: AbortSignal.any([AbortSignal.timeout(network.timeoutMs ?? 60_000), enough.signal]),
      });
    } catch (error) {
      if (enough.signal.aborted) throw new Error("not needed: threshold reached", { cause: error });
      const code = (error as { cause?: { code?: string } }).cause?.code;
      throw new Error(
        (error as Error).name === "TimeoutError"
          ? `${url}: no answer within ${network.timeoutMs ?? 60_000} ms`
          : `${url}: unreachable (${code ?? (error as Error).message})`,
        { cause: error },
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${url}: answered ${response.status} with a body that is not JSON`);
    }
    if (!response.ok) {
      const reason = (json as { error?: unknown }).error;
      throw new Error(`${url}: refused (${response.status}): ${typeof reason === "string" ? reason : "no reason"}`);
    }
    const answer = signResponseSchema.parse(json);
    if (answer.receiptHash.toLowerCase() !== params.receiptHash.toLowerCase()) {
      throw new Error(`${url}: signed another receipt hash ${answer.receiptHash}`);
    }
    const entry = answer.signatures.find((s) => s.pubkeyHash.toLowerCase() === member.pubkeyHash.toLowerCase());
    if (!entry) throw new Error(`${url}: no signature by the member's registered key`);
    const signature = signatureFromHex(entry.signature as Hex, "committee signature");
    if (!blsVerify(messageBytes, publicKeyOf(member.pubkey), signature, true, true)) {
      throw new Error(`${url}: signature does not verify against the member's registered key`);
    }
    if (enough.signal.aborted) return;
    signatures.set(member.operator.toLowerCase(), signature);
    stake += member.stake;
    if (stake >= params.neededStake) enough.abort();
  }

  await Promise.all(
    params.members.map((member) =>
      ask(member).catch((error: unknown) => {
        const reason = (error as Error).message;
        if (!reason.startsWith("not needed")) {
          failures.push({ operator: member.operator, reason });
          params.logger?.warn({ operator: member.operator, reason }, "committee member gave no signature");
        }
      }),
    ),
  );
  return { signatures, failures };
}
