/**
 * The measurement sets an app allows, as the dispatcher and the executors hold them. AppRegistry records
 * only `measurementsHash` (keccak256 of the set's canonical JSON, see certificate.ts) and each task copies
 * it at creation, so the set itself comes from the operator: `--measurements FILE` of `vcloud keeper tee`
 * and `vcloud tee worker --listen`, one or more sets per program bundle. A task is verified against the
 * known set whose hash is the task's `measurementsHash`; a worker's attestation is accepted when, and only
 * when, every measurement named in that set is present in the attestation with that value (the platform's
 * other registers are not constrained). No known set with the task's hash: the task is refused, naming the
 * flag.
 *
 * File format (JSON): an object keyed by bundle digest, each value one set or an array of sets:
 *
 *   { "0x<bundle digest>": [ { "pcr0": "0x…", "pcr1": "0x…", "pcr2": "0x…" }, { "mrtd": "0x…" } ] }
 *
 * A bundle the file does not name keeps the dev set `{ "imageDigest": "<bundle digest>" }` (the default of
 * `vcloud tee app register`).
 */
import { readFileSync } from "node:fs";

import type { Address, Chain, Hex, PublicClient, Transport } from "viem";

import { retrieve } from "../da-network/retriever.js";
import { iAppRegistryAbi } from "../lib/abis.js";
import { InvalidInputError, VcloudError } from "../lib/errors.js";
import { measurementsHash } from "./certificate.js";

/** Named measurements that must all be present and equal (as `VerifierPolicy.expectedMeasurements`). */
export type MeasurementSet = Readonly<Record<string, string>>;

/** The flag operators give measurement sets with (named in errors). */
export const MEASUREMENTS_FLAG = "--measurements";

const NAME = /^[A-Za-z0-9_]+$/;

/** The measurement sets of a program: one, or several (a task uses the one whose hash it carries). */
export function measurementSetsOf(measurements: MeasurementSet | readonly MeasurementSet[]): readonly MeasurementSet[] {
  return Array.isArray(measurements) ? (measurements as readonly MeasurementSet[]) : [measurements as MeasurementSet];
}

/** No measurement set known for the program hashes to the task's `measurementsHash`. */
export class UnknownMeasurementSetError extends VcloudError {
  override name = "UnknownMeasurementSetError";
  readonly measurementsHash: Hex;
  constructor(imageDigest: Hex, hash: Hex, known: readonly Hex[], also?: string) {
    super(
      `no measurement set known for image ${imageDigest} hashes to the task's measurementsHash ${hash} ` +
        `(known: ${known.join(", ") || "none"}${also ? `; ${also}` : ""}); give the app's registered set with ` +
        `${MEASUREMENTS_FLAG} FILE`,
    );
    this.measurementsHash = hash;
  }
}

/**
 * The set among `measurements` whose hash is `hash` (the task's, as registered in AppRegistry). Throws
 * UnknownMeasurementSetError when none is, or when the matching set is empty (it would accept any TEE).
 */
export function measurementSetFor(
  imageDigest: Hex,
  measurements: MeasurementSet | readonly MeasurementSet[],
  hash: Hex,
): MeasurementSet {
  const sets = measurementSetsOf(measurements).filter((s) => Object.keys(s).length > 0);
  const wanted = hash.toLowerCase();
  const found = sets.find((s) => measurementsHash(s) === wanted);
  if (!found) throw new UnknownMeasurementSetError(imageDigest, hash, sets.map(measurementsHash));
  return found;
}

function parseSet(value: unknown, where: string): MeasurementSet {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidInputError(MEASUREMENTS_FLAG, `${where} must be an object of NAME: VALUE`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) {
    throw new InvalidInputError(MEASUREMENTS_FLAG, `${where} is empty (an empty set would accept any TEE)`);
  }
  for (const [name, v] of entries) {
    if (!NAME.test(name)) throw new InvalidInputError(MEASUREMENTS_FLAG, `${where}: bad measurement name ${name}`);
    if (typeof v !== "string" || v.length === 0) {
      throw new InvalidInputError(MEASUREMENTS_FLAG, `${where}.${name} must be a non-empty string`);
    }
  }
  return Object.freeze(Object.fromEntries(entries)) as MeasurementSet;
}

/**
 * Parses a measurements file's JSON against the bundle digests given (lower-case): every key must be one
 * of them. Returns the sets by digest.
 */
export function parseMeasurementsFile(text: string, digests: readonly string[]): Map<string, MeasurementSet[]> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InvalidInputError(MEASUREMENTS_FLAG, `not JSON: ${(cause as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new InvalidInputError(MEASUREMENTS_FLAG, 'must be {"0x<bundle digest>": [{"pcr0": "0x…", …}, …]}');
  }
  const out = new Map<string, MeasurementSet[]>();
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(key)) {
      throw new InvalidInputError(MEASUREMENTS_FLAG, `key ${key} is not a bundle digest (0x + 64 hex digits)`);
    }
    const digest = key.toLowerCase();
    if (!digests.includes(digest)) {
      throw new InvalidInputError(MEASUREMENTS_FLAG, `${key} is the digest of no --bundle given`);
    }
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0) throw new InvalidInputError(MEASUREMENTS_FLAG, `${key} lists no measurement set`);
    out.set(
      digest,
      list.map((s, i) => parseSet(s, `${key}[${i}]`)),
    );
  }
  return out;
}

/** Reads `--measurements FILE` (see parseMeasurementsFile). */
export function loadMeasurementsFile(path: string, digests: readonly string[]): Map<string, MeasurementSet[]> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new InvalidInputError(MEASUREMENTS_FLAG, `cannot read ${path}: ${(cause as NodeJS.ErrnoException).code}`);
  }
  return parseMeasurementsFile(text, digests);
}

// --- Measurement sets published on DA ---------------------------------------------------------------------

/**
 * The DA payload of a published measurement set (`vcloud tee app register|upgrade --publish-measurements`):
 * UTF-8 JSON `{"version":1,"imageDigest":"0x…","measurements":{"NAME":"VALUE",…}}`; the app's owner points
 * AppRegistry.publishMeasurements(appId, measurementsHash, certificateId) at it. A reader trusts nothing in
 * it but what hashes to the task's `measurementsHash`.
 */
export function encodePublishedMeasurements(imageDigest: Hex, measurements: MeasurementSet): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ version: 1, imageDigest: imageDigest.toLowerCase(), measurements }));
}

/** A published measurement set that cannot be used: unreadable, or not the set the hash names. */
export class PublishedMeasurementsError extends VcloudError {
  override name = "PublishedMeasurementsError";
  constructor(
    readonly certificateId: Hex,
    reason: string,
  ) {
    super(`measurement set published on DA as ${certificateId}: ${reason}`);
  }
}

/** Parses a published set and checks it is the set `hash` names for `imageDigest`. */
export function decodePublishedMeasurements(
  bytes: Uint8Array,
  expected: { certificateId: Hex; imageDigest: Hex; hash: Hex },
): MeasurementSet {
  const fail = (reason: string) => new PublishedMeasurementsError(expected.certificateId, reason);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw fail("not UTF-8 JSON");
  }
  const doc = json as { version?: unknown; imageDigest?: unknown; measurements?: unknown };
  if (typeof json !== "object" || json === null || doc.version !== 1) throw fail("not a version 1 measurement set");
  if (typeof doc.imageDigest !== "string" || doc.imageDigest.toLowerCase() !== expected.imageDigest.toLowerCase()) {
    throw fail(`names image ${String(doc.imageDigest)}, not the task's ${expected.imageDigest}`);
  }
  let set: MeasurementSet;
  try {
    set = parseSet(doc.measurements, "measurements");
  } catch (error) {
    throw fail((error as Error).message.replace(/^invalid --measurements: /, ""));
  }
  if (measurementsHash(set) !== expected.hash.toLowerCase()) {
    throw fail(`hashes to ${measurementsHash(set)}, not the registered ${expected.hash}`);
  }
  return set;
}

/** Where a reader finds published sets: the app registry and the DA network that stores them. */
export type PublishedMeasurementsSource = {
  publicClient: PublicClient<Transport, Chain>;
  /** The AppRegistry, or how to find it (e.g. TaskMailbox.appRegistry(), read only when a set is missing). */
  appRegistry: Address | (() => Promise<Address>);
  da: { certificateRegistry: Address; registrar: Address; timeoutMs?: number };
};

/**
 * The allowed set for a task: the operator's own (`--measurements`) when one hashes to the task's
 * `measurementsHash`, else the set the app's owner published on DA for that hash (fetched, checked against
 * the hash, cached by hash). Neither: UnknownMeasurementSetError, saying that nothing is published either.
 */
export async function resolveMeasurementSet(
  task: { appId: Hex; imageDigest: Hex; measurementsHash: Hex },
  known: MeasurementSet | readonly MeasurementSet[],
  source: PublishedMeasurementsSource | undefined,
  cache: Map<string, MeasurementSet> = new Map(),
): Promise<MeasurementSet> {
  try {
    return measurementSetFor(task.imageDigest, known, task.measurementsHash);
  } catch (error) {
    if (!(error instanceof UnknownMeasurementSetError) || !source) throw error;
    const key = `${task.appId.toLowerCase()}/${task.measurementsHash.toLowerCase()}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const appRegistry = typeof source.appRegistry === "function" ? await source.appRegistry() : source.appRegistry;
    const certificateId = (await source.publicClient.readContract({
      address: appRegistry,
      abi: iAppRegistryAbi,
      functionName: "measurementsCertificate",
      args: [task.appId, task.measurementsHash],
    })) as Hex;
    if (/^0x0{64}$/i.test(certificateId)) {
      throw new UnknownMeasurementSetError(
        task.imageDigest,
        task.measurementsHash,
        measurementSetsOf(known)
          .filter((s) => Object.keys(s).length > 0)
          .map(measurementsHash),
        "nor has the app published it on DA",
      );
    }
    const { payload } = await retrieve({
      publicClient: source.publicClient,
      certificateRegistry: source.da.certificateRegistry,
      registrar: source.da.registrar,
      certificateId,
      ...(source.da.timeoutMs ? { timeoutMs: source.da.timeoutMs } : {}),
    });
    const set = decodePublishedMeasurements(payload, {
      certificateId,
      imageDigest: task.imageDigest,
      hash: task.measurementsHash,
    });
    cache.set(key, set);
    return set;
  }
}
