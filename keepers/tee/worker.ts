/**
 * The worker's one job: run a registered program bundle on a task input inside the sandbox and return
 * the output with an attestation whose report data binds (image digest, input hash, output hash, task
 * hash). The platform attestation comes from the TEE the worker runs in (see attester.ts); on a machine
 * with no TEE it is a dev attestation that only devnet verifiers accept.
 */
import type { Hex } from "viem";

import { InvalidInputError, VcloudError } from "../lib/errors.js";
import { detectAttester, type Attestation, type Attester } from "./attester.js";
import { confidentialSpaceNonce, hashBytes, reportDataFor, type TaskBinding } from "./binding.js";
import { bundleDigest, type ProgramBundle } from "./bundle.js";
import type { Platform } from "./policy.js";
import {
  DEFAULT_LIMITS,
  runSandboxed,
  sandboxCapabilities,
  type SandboxCapabilities,
  type SandboxLimits,
} from "./sandbox.js";

export type RunTaskOptions = {
  /** The on-chain task hash the result is for. */
  taskHash: Hex;
  /** If given, the bundle's digest must equal it (the digest registered for the app). */
  expectedImageDigest?: Hex;
  /** Default: detectAttester() — the machine's TEE, or dev. */
  attester?: Attester;
  /** Default: probed once per process. */
  capabilities?: SandboxCapabilities;
};

export type TaskResult = {
  output: Buffer;
  attestation: Attestation;
  binding: TaskBinding;
  /** The report data the attestation carries for `binding` (see binding.ts). */
  reportData: Hex;
  wallMs: number;
  sandbox: string[];
};

const PLATFORM_OF: Record<Attestation["format"], Platform> = {
  nitro: "aws-nitro",
  tdx: "intel-tdx",
  gcp: "gcp-confidential-space",
  dev: "dev",
};

/** A caller asked for the network for a program whose app does not allow it, on a machine that isolates. */
export class NetworkNotAllowedError extends VcloudError {
  override name = "NetworkNotAllowedError";
  constructor(imageDigest: Hex) {
    super(
      `the app of bundle ${imageDigest} does not allow network ("network": true in its vcloud-bundle.json, part of its digest)`,
    );
  }
}

/**
 * The network a task's program gets: the app decides, through its bundle (`network: true`, covered by the
 * digest it registered). A program of an app that does not allow network runs in a fresh network namespace;
 * where the machine cannot create one it is refused (the sandbox's SandboxUnavailableError: fail closed),
 * unless the caller passes `limits.network: true`, which means only "this is a devnet: run it on the host
 * network where it cannot be isolated" and is refused (NetworkNotAllowedError) on a machine that can isolate.
 */
export function networkFor(bundle: ProgramBundle, limits: Partial<SandboxLimits>, caps: SandboxCapabilities): boolean {
  if (bundle.network === true) return true;
  if (limits.network !== true) return false;
  if (caps.namespaces !== "none") throw new NetworkNotAllowedError(bundleDigest(bundle));
  return true;
}

/**
 * Runs a task and attests its result. Rejects with the sandbox's typed errors when a limit is broken. The
 * program's network follows its app (see `networkFor`).
 */
export async function runTask(
  bundle: ProgramBundle,
  input: Uint8Array,
  limits: Partial<SandboxLimits> = {},
  options: RunTaskOptions,
): Promise<TaskResult> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(options.taskHash)) {
    throw new InvalidInputError("taskHash", "must be 0x followed by 64 hex digits");
  }
  const imageDigest = bundleDigest(bundle);
  if (options.expectedImageDigest && options.expectedImageDigest.toLowerCase() !== imageDigest) {
    throw new InvalidInputError("bundle", `digest ${imageDigest} is not the registered ${options.expectedImageDigest}`);
  }
  const caps = options.capabilities ?? sandboxCapabilities();
  const run = await runSandboxed(
    bundle,
    input,
    { ...DEFAULT_LIMITS, ...limits, network: networkFor(bundle, limits, caps) },
    caps,
  );
  const binding: TaskBinding = {
    imageDigest,
    inputHash: hashBytes(input),
    outputHash: hashBytes(run.stdout),
    taskHash: options.taskHash.toLowerCase() as Hex,
  };
  const attester = options.attester ?? detectAttester();
  const platform = PLATFORM_OF[attester.format];
  const reportData = reportDataFor(platform, binding);
  const attestation = await attester.attest({
    reportData: platform === "gcp-confidential-space" ? reportDataFor("dev", binding) : reportData,
    imageDigest,
    nonce: confidentialSpaceNonce(binding),
  });
  return { output: run.stdout, attestation, binding, reportData, wallMs: run.wallMs, sandbox: run.mechanisms };
}
