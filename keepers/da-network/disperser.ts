/**
 * Disperses a payload: encodes it, assigns chunks to the DA operators by stake at a reference block,
 * sends each node its chunks in parallel (timeouts, retries), checks and aggregates the returned BLS
 * signatures, and posts the certificate on-chain once the signers hold the confirmation threshold.
 *
 * A certificate is reported confirmed only once the chain holds it: after the receipt (or, when the reply was
 * lost, the BlobConfirmed event found on chain) the disperser waits until the confirming block is
 * `confirmations` deep and re-reads the event and `isAvailable` there. If a reorg dropped the confirmation it
 * sends the same `confirmBlob` once more (the registry refuses a second confirmation of one certificate, so at
 * most one fee is charged) and checks again; a second drop is a ConfirmationDroppedError.
 */
import { randomBytes } from "node:crypto";

import { verify as blsVerify, PublicKey } from "@chainsafe/blst";
import {
  bytesToHex,
  encodeFunctionData,
  hexToBytes,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

import { aggregate, g2ToSol, pubkeyHash, signatureFromHex, type SolG1 } from "../bls/bls.js";
import {
  assignChunks,
  encodePayload,
  proveAssignmentSafe,
  serializeChunk,
  type EncodedPayload,
  type TaskRunner,
} from "../da/index.js";
import { blobCertificateRegistryAbi, bLSApkRegistryAbi, callForwarderAbi } from "../lib/abis.js";
import { VcloudError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import { DEFAULT_RECEIPT_TIMEOUT_MS, sendContractWrite, waitForReceipt } from "../lib/tx.js";
import { blobHeaderFor, certificateId, certificateMessage, type BlobHeader } from "./certificate.js";
import { fetchJson } from "./http.js";
import { readOperatorSet, readThresholds, type DaThresholds, type SetMember } from "./operator-set.js";
import { headerToWire, storeResponseSchema, type StoreRequest } from "./protocol.js";

export class InsufficientSignaturesError extends VcloudError {
  override name = "InsufficientSignaturesError";
  constructor(
    readonly signedStake: bigint,
    readonly totalStake: bigint,
    readonly thresholdPercent: number,
    readonly failures: { operator: Address; reason: string }[],
  ) {
    super(
      `dispersal failed: signers hold ${formatPercent(signedStake, totalStake)} of stake, ${thresholdPercent}% needed` +
        (failures.length ? ` (${failures.map((f) => `${f.operator}: ${f.reason}`).join("; ")})` : ""),
    );
  }
}

/** A reorg dropped the certificate's confirmation, and again after the one resend. */
export class ConfirmationDroppedError extends VcloudError {
  override name = "ConfirmationDroppedError";
  constructor(
    readonly certificateId: Hex,
    readonly transactionHash: Hex,
  ) {
    super(
      `certificate ${certificateId} is not confirmed: a reorg dropped its confirmation (last sent in ${transactionHash}), also after one resend`,
    );
  }
}

/** The confirming block did not reach the requested depth in time. */
export class ConfirmationTimeoutError extends VcloudError {
  override name = "ConfirmationTimeoutError";
  constructor(
    readonly certificateId: Hex,
    readonly confirmations: number,
    timeoutMs: number,
  ) {
    super(
      `certificate ${certificateId}: its confirmation did not reach ${confirmations} confirmations in ${timeoutMs} ms`,
    );
  }
}

export type DisperseParams = {
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
  certificateRegistry: Address;
  registrar: Address;
  payload: Uint8Array;
  ratio?: number;
  ttlSeconds: number;
  maxOperators: number;
  /** Default: the registry's on-chain thresholds (readThresholds), so a governance change applies at once. */
  thresholds?: DaThresholds;
  timeoutMs?: number;
  retries?: number;
  runner?: TaskRunner;
  logger?: Logger;
  /** Overrides sockets read from the registrar (operator -> URL). */
  socketOverrides?: Record<string, string>;
  /**
   * Posts the certificate through this forwarding contract (`execute(address target, bytes data)`, as a
   * Safe or multicall would) instead of calling the registry directly.
   */
  confirmVia?: Address;
  /** Bounds the wait for the confirming transaction's receipt, and for its confirmations (ms; default 120 s). */
  receiptTimeoutMs?: number;
  /** Blocks, the confirming one included, the confirmation must be deep before it is reported (default 1). */
  confirmations?: number;
  /**
   * Runs the confirming send (and its receipt wait) inside the caller's one-at-a-time section for its signer,
   * so that concurrent dispersals from one account (the TEE dispatcher's lanes) encode and collect signatures
   * in parallel while their transactions never race for a nonce. Default: run it directly.
   */
  serialise?: <T>(section: () => Promise<T>) => Promise<T>;
};

export type DisperseResult = {
  certificateId: Hex;
  transactionHash: Hex;
  referenceBlock: number;
  signedStake: bigint;
  totalStake: bigint;
  signers: Address[];
  nonSigners: Address[];
  failures: { operator: Address; reason: string }[];
  fee: bigint;
};

export async function disperse(params: DisperseParams): Promise<DisperseResult> {
  const { publicClient, walletClient, logger } = params;
  const head = await publicClient.getBlock();
  const referenceBlock = Number(head.number) - 1;
  const chainId = await publicClient.getChainId();
  const [snapshot, thresholds] = await Promise.all([
    readOperatorSet({ publicClient, registrar: params.registrar, referenceBlock }),
    params.thresholds ?? readThresholds({ publicClient, certificateRegistry: params.certificateRegistry }),
  ]);
  const encoded = await encodePayload(params.payload, { ratio: params.ratio, runner: params.runner });
  const { manifest } = encoded;
  const header = blobHeaderFor(manifest, {
    expiry: head.timestamp + BigInt(params.ttlSeconds),
    payer: walletClient.account.address,
    nonce: bytesToHex(randomBytes(32)),
  });
  const id = certificateId(header);
  const message = certificateMessage({ chainId, registry: params.certificateRegistry, id, referenceBlock });
  const staked = snapshot.members.filter((m) => m.stake > 0n);
  const assignment = assignChunks({
    numChunks: manifest.chunksPerBlob,
    ratio: manifest.ratio,
    maxOperators: params.maxOperators,
    operators: staked.map((m) => ({ operator: m.operator, stake: m.stake })),
  });
  proveAssignmentSafe({ ...assignment, ...thresholds, assignment });
  logger?.info(
    { certificateId: id, blobs: manifest.blobCount, operators: staked.length, referenceBlock },
    "dispersing",
  );

  const failures: { operator: Address; reason: string }[] = [];
  const signatures = new Map<string, ReturnType<typeof signatureFromHex>>();
  await Promise.all(
    assignment.ranges
      .filter((r) => r.count > 0)
      .map(async (range) => {
        const member = staked.find((m) => m.operator === range.operator)!;
        const socket = params.socketOverrides?.[member.operator.toLowerCase()] ?? member.socket;
        try {
          if (!socket) throw new Error("no socket registered");
          const body = storeRequestFor({ encoded, header, referenceBlock, range });
          const raw = await fetchJson(`${socket.replace(/\/$/, "")}/v1/store`, {
            method: "POST",
            body,
            timeoutMs: params.timeoutMs ?? 30_000,
            retries: params.retries ?? 2,
          });
          const answer = storeResponseSchema.parse(raw);
          if (answer.certificateId.toLowerCase() !== id.toLowerCase()) throw new Error("signed another certificate");
          const signature = signatureFromHex(answer.signature as Hex, "node signature");
          const publicKey = publicKeyOf(member.pubkey);
          if (!blsVerify(hexToBytes(message), publicKey, signature, true, true))
            throw new Error("signature does not verify");
          signatures.set(member.operator.toLowerCase(), signature);
        } catch (error) {
          failures.push({ operator: member.operator, reason: (error as Error).message });
          logger?.warn({ operator: member.operator, socket, err: (error as Error).message }, "node did not sign");
        }
      }),
  );

  const signers = snapshot.members.filter((m) => signatures.has(m.operator.toLowerCase()));
  const nonSigners = snapshot.members.filter((m) => !signatures.has(m.operator.toLowerCase()));
  const signedStake = signers.reduce((s, m) => s + m.stake, 0n);
  if (signers.length === 0 || signedStake * 100n < snapshot.totalStake * BigInt(thresholds.confirmationThreshold)) {
    throw new InsufficientSignaturesError(signedStake, snapshot.totalStake, thresholds.confirmationThreshold, failures);
  }
  const sigma = g2ToSol(aggregate(signers.map((m) => signatures.get(m.operator.toLowerCase())!)));
  const apkIndex = (await publicClient.readContract({
    address: snapshot.apkRegistry,
    abi: bLSApkRegistryAbi,
    functionName: "getApkIndexAtBlock",
    args: [referenceBlock],
  })) as bigint;
  const nonSignerPubkeys = sortByPubkeyHash(nonSigners);
  const fee = (await publicClient.readContract({
    address: params.certificateRegistry,
    abi: blobCertificateRegistryAbi,
    functionName: "quoteFee",
    args: [header.payloadLength, header.expiry],
  })) as bigint;
  const confirm = {
    abi: blobCertificateRegistryAbi,
    functionName: "confirmBlob",
    args: [header, referenceBlock, { nonSignerPubkeys, apkIndex, sigma }],
  } as const;
  // A little headroom: the fee is rounded up to whole periods at the confirming block's timestamp.
  const value = fee + fee / 10n;
  const target = params.confirmVia
    ? ({
        address: params.confirmVia,
        abi: callForwarderAbi,
        functionName: "execute",
        args: [params.certificateRegistry, encodeFunctionData(confirm)],
      } as const)
    : ({ address: params.certificateRegistry, ...confirm } as const);
  const send = async (): Promise<Hex> => {
    try {
      if (walletClient.account.type === "local") {
        // Signed here, so a retry after a lost reply is recognised by the hash and never sent twice (lib/tx.ts).
        return (
          await sendContractWrite({ publicClient, walletClient }, { ...target, value } as never, {
            logger,
            receiptTimeoutMs: params.receiptTimeoutMs,
          })
        ).hash;
      }
      const hash = await walletClient.writeContract(
        (await publicClient.simulateContract({ account: walletClient.account, ...target, value } as never))
          .request as never,
      );
      const receipt = await waitForReceipt(publicClient, hash, params.receiptTimeoutMs ?? DEFAULT_RECEIPT_TIMEOUT_MS);
      if (receipt.status !== "success") throw new VcloudError(`confirmBlob reverted in ${hash}`);
      return hash;
    } catch (error) {
      // The transaction may have landed with its reply lost (or the receipt read failed): the chain decides.
      const landed = await confirmationOnChain(params, id, referenceBlock).catch(() => undefined);
      if (!landed) throw error;
      logger?.warn(
        { certificateId: id, transactionHash: landed.transactionHash, err: (error as Error).message },
        "the confirming transaction's reply was lost, but the certificate is confirmed on chain",
      );
      return landed.transactionHash;
    }
  };
  const serialise = params.serialise ?? (<T>(section: () => Promise<T>) => section());
  let transactionHash = await serialise(send);
  let settled = await settle(params, id, referenceBlock);
  if (!settled) {
    logger?.warn(
      { certificateId: id, transactionHash },
      "a reorg dropped the certificate's confirmation; sending it again",
    );
    transactionHash = await serialise(send);
    settled = await settle(params, id, referenceBlock);
    if (!settled) throw new ConfirmationDroppedError(id, transactionHash);
  }
  transactionHash = settled;
  logger?.info(
    { certificateId: id, transactionHash, signed: formatPercent(signedStake, snapshot.totalStake) },
    "certificate confirmed",
  );
  return {
    certificateId: id,
    transactionHash,
    referenceBlock,
    signedStake,
    totalStake: snapshot.totalStake,
    signers: signers.map((m) => m.operator),
    nonSigners: nonSigners.map((m) => m.operator),
    failures,
    fee,
  };
}

/** The transaction (and its block) that confirmed certificate `id` on the current chain, if any. */
async function confirmationOnChain(
  params: Pick<DisperseParams, "publicClient" | "certificateRegistry">,
  id: Hex,
  referenceBlock: number,
): Promise<{ transactionHash: Hex; blockNumber: bigint } | undefined> {
  // A confirmation comes after its reference block: no need to scan the chain from genesis.
  const logs = await params.publicClient.getContractEvents({
    address: params.certificateRegistry,
    abi: blobCertificateRegistryAbi,
    eventName: "BlobConfirmed",
    args: { certificateId: id },
    fromBlock: BigInt(referenceBlock),
  });
  const log = logs[0];
  return log?.transactionHash && log.blockNumber !== null
    ? { transactionHash: log.transactionHash, blockNumber: log.blockNumber }
    : undefined;
}

/**
 * Waits until the certificate's confirmation is `confirmations` blocks deep, then checks the chain still holds
 * it. Returns the confirming transaction's hash, or undefined when a reorg dropped the confirmation.
 */
async function settle(params: DisperseParams, id: Hex, referenceBlock: number): Promise<Hex | undefined> {
  const { publicClient } = params;
  const confirmations = params.confirmations ?? 1;
  const timeoutMs = params.receiptTimeoutMs ?? DEFAULT_RECEIPT_TIMEOUT_MS;
  const until = Date.now() + timeoutMs;
  for (;;) {
    const landed = await confirmationOnChain(params, id, referenceBlock);
    if (!landed) return undefined;
    const head = await publicClient.getBlockNumber({ cacheTime: 0 });
    if (head - landed.blockNumber + 1n >= BigInt(confirmations)) {
      const available = (await publicClient.readContract({
        address: params.certificateRegistry,
        abi: blobCertificateRegistryAbi,
        functionName: "isAvailable",
        args: [id],
      })) as boolean;
      return available ? landed.transactionHash : undefined;
    }
    if (Date.now() > until) throw new ConfirmationTimeoutError(id, confirmations, timeoutMs);
    await new Promise((r) => setTimeout(r, publicClient.pollingInterval));
  }
}

/** The `POST /v1/store` body for one operator: the header, the manifest and the chunks of its range. */
export function storeRequestFor(params: {
  encoded: EncodedPayload;
  header: BlobHeader;
  referenceBlock: number;
  range: { start: number; count: number };
}): StoreRequest {
  const { encoded, range } = params;
  const ratio = encoded.manifest.ratio;
  const chunks = encoded.chunks.flatMap((blob) =>
    blob
      .filter((c) => c.index >= range.start && c.index < range.start + range.count)
      .map((c) => ({
        blobIndex: c.blobIndex,
        index: c.index,
        data: Buffer.from(serializeChunk(c, ratio)).toString("base64"),
      })),
  );
  return {
    header: headerToWire(params.header),
    referenceBlock: params.referenceBlock,
    manifest: encoded.manifest,
    chunks,
  };
}

export function sortByPubkeyHash(members: SetMember[]): SolG1[] {
  return [...members].sort((a, b) => (BigInt(a.pubkeyHash) < BigInt(b.pubkeyHash) ? -1 : 1)).map((m) => m.pubkey);
}

/** Rebuilds a blst PublicKey from the contract's G1 struct (uncompressed x || y). */
export function publicKeyOf(point: SolG1): PublicKey {
  const word = (fp: { a: bigint; b: bigint }) =>
    fp.a.toString(16).padStart(32, "0") + fp.b.toString(16).padStart(64, "0");
  const bytes = hexToBytes(`0x${word(point.x)}${word(point.y)}`);
  return PublicKey.fromBytes(bytes, true);
}

function formatPercent(part: bigint, whole: bigint): string {
  if (whole === 0n) return "0%";
  return `${(Number((part * 10_000n) / whole) / 100).toFixed(2)}%`;
}

export { pubkeyHash };
