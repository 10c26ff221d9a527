/**
 * TEE compute from the command line: `vcloud tee app register|upgrade`, `vcloud tee task submit|status|result`
 * and the dispatcher keeper `vcloud keeper tee` (one pass with --once, else a daemon).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import type { Command } from "commander";
import {
  decodeEventLog,
  formatEther,
  getAddress,
  keccak256,
  parseEther,
  stringToHex,
  zeroAddress,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { z } from "zod";

import { BlsKey } from "../../bls/bls.js";
import { disperse } from "../../da-network/disperser.js";
import { retrieve } from "../../da-network/retriever.js";
import { send } from "../../da-network/setup.js";
import { appRegistryAbi, taskMailboxAbi } from "../../lib/abis.js";
import { fromEnv, parseOptions, zAddress, zBytes32, zReceiptTimeout } from "../../lib/config.js";
import { contractAddress, readDeployment } from "../../lib/deployments.js";
import { InvalidInputError, VcloudError } from "../../lib/errors.js";
import { PROJECT_ROOT } from "../../lib/paths.js";
import { hashBytes } from "../../tee/binding.js";
import { bundleDigest, loadBundleDir, type ProgramBundle } from "../../tee/bundle.js";
import { measurementsHash } from "../../tee/certificate.js";
import {
  claimSigner,
  dispatchOnce,
  type Executor,
  type KnownApp,
  type TdxCollateralSource,
} from "../../tee/dispatcher.js";
import { encodePublishedMeasurements, loadMeasurementsFile } from "../../tee/measurements.js";
import { POLICY_PRESETS } from "../../tee/policy.js";
import { sandboxCapabilities, type SandboxCapabilities } from "../../tee/sandbox.js";
import { parseTdxCollateral } from "../../tee/tdx.js";
import {
  action,
  connectFromOptions,
  ensureGroup,
  type CommandContext,
  receiptTimeoutParam,
  withChainOptions,
  withReceiptTimeout,
} from "../context.js";
import { optionalThresholds, thresholdFlagsSchema, thresholdOptions } from "../da-thresholds.js";

type Client = PublicClient<Transport, Chain>;

export const TASK_STATUSES = ["NONE", "CREATED", "VERIFIED", "EXPIRED"] as const;

const collect = (value: string, previous: string[] = []) => [...previous, value];

const zMeasurements = z
  .array(z.string())
  .default([])
  .refine((list) => list.every((kv) => /^[A-Za-z0-9_]+=.+$/.test(kv)), "must be NAME=VALUE, e.g. pcr0=0x…")
  .transform((list) =>
    Object.fromEntries(list.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)])),
  );

const zSeconds = z.coerce
  .number({ message: "must be a number of seconds" })
  .int("must be an integer number of seconds")
  .positive("must be positive");

const locateSchema = z.object({
  appRegistry: zAddress.optional(),
  mailbox: zAddress.optional(),
  computeRegistrar: zAddress.optional(),
  daRegistrar: zAddress.optional(),
  certificateRegistry: zAddress.optional(),
  deploymentsDir: z.string().min(1).optional(),
});

/** Contract addresses from flags, else from deployments/<chainId>.json (read only when a flag is missing). */
export function locate(chainId: number, raw: unknown) {
  const opts = parseOptions(locateSchema, raw);
  let deployment: ReturnType<typeof readDeployment> | undefined;
  const get = (flag: Address | undefined, name: string): Address => {
    if (flag) return flag;
    deployment ??= readDeployment(chainId, opts.deploymentsDir);
    return contractAddress(deployment, name);
  };
  return {
    appRegistry: () => get(opts.appRegistry, "AppRegistry"),
    mailbox: () => get(opts.mailbox, "TaskMailbox"),
    computeRegistrar: () => get(opts.computeRegistrar, "ComputeRegistrar"),
    daRegistrar: () => get(opts.daRegistrar, "DARegistrar"),
    certificateRegistry: () => get(opts.certificateRegistry, "BlobCertificateRegistry"),
  };
}

export function withLocations(command: Command, which: ("app" | "mailbox" | "compute" | "da")[]): Command {
  withChainOptions(command).option(
    "--deployments-dir <dir>",
    "deployments directory for contract addresses (env VCLOUD_DEPLOYMENTS_DIR)",
  );
  if (which.includes("app")) command.option("--app-registry <address>", "AppRegistry (default: deployments file)");
  if (which.includes("mailbox")) command.option("--mailbox <address>", "TaskMailbox (default: deployments file)");
  if (which.includes("compute"))
    command.option("--compute-registrar <address>", "the compute set's BLSAVSRegistrar (default: deployments file)");
  if (which.includes("da")) {
    command
      .option("--da-registrar <address>", "the DA set's BLSAVSRegistrar (default: deployments file)")
      .option("--certificate-registry <address>", "BlobCertificateRegistry (default: deployments file)")
      .option("--max-operators <n>", "DA: most operators the chunk assignment allows", "16")
      .option(...thresholdOptions("DA: ")[0]!)
      .option(...thresholdOptions("DA: ")[1]!)
      .option("--da-ttl <seconds>", "DA: how long the nodes keep the blob", String(7 * 24 * 3600));
  }
  return command;
}

const daSchema = z.object({
  maxOperators: z.coerce.number().int().min(1, "must be at least 1"),
  ...thresholdFlagsSchema,
  daTtl: zSeconds,
});

export function daParams(chainId: number, raw: unknown) {
  const opts = parseOptions(daSchema, raw);
  const where = locate(chainId, raw);
  return {
    certificateRegistry: where.certificateRegistry(),
    registrar: where.daRegistrar(),
    maxOperators: opts.maxOperators,
    ...optionalThresholds(opts),
    ttlSeconds: opts.daTtl,
  };
}

function readFile(path: string, field: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new InvalidInputError(field, `cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? cause}`);
  }
}

export function loadBundle(dir: string, field = "--bundle") {
  try {
    return loadBundleDir(dir);
  } catch (cause) {
    if (cause instanceof InvalidInputError) throw cause;
    throw new InvalidInputError(field, `cannot load the bundle in ${dir}: ${(cause as Error).message}`);
  }
}

/**
 * The programs of the `--bundle` directories with the measurement sets their apps registered: those
 * `--measurements FILE` gives per bundle digest (see tee/measurements.ts), else the bundle's dev set
 * `{imageDigest}` (the default of `tee app register`). A task is checked against the set whose hash it carries.
 */
export function knownApps(dirs: readonly string[], measurementsFile?: string): Map<string, KnownApp> {
  const bundles = new Map<string, ProgramBundle>();
  for (const dir of dirs) {
    const bundle = loadBundle(dir);
    bundles.set(bundleDigest(bundle), bundle);
  }
  const given = measurementsFile ? loadMeasurementsFile(measurementsFile, [...bundles.keys()]) : new Map();
  const apps = new Map<string, KnownApp>();
  for (const [digest, bundle] of bundles) {
    apps.set(digest, { bundle, measurements: given.get(digest) ?? [{ imageDigest: digest }] });
  }
  return apps;
}

/** `--tdx-collateral FILE`: checked now (readable, complete collateral JSON), then read at each verification. */
export function tdxCollateralSource(path: string | undefined): TdxCollateralSource | undefined {
  if (path === undefined) return undefined;
  const read = () => readFile(path, "--tdx-collateral");
  try {
    parseTdxCollateral(read());
  } catch (cause) {
    if (cause instanceof InvalidInputError) throw cause;
    throw new InvalidInputError("--tdx-collateral", (cause as Error).message);
  }
  return read;
}

/**
 * Where the machine cannot isolate the network (no namespaces), only a devnet may run programs of apps
 * that do not allow network (they then get the host network: `limits.network`); elsewhere they are refused
 * here, naming the bundles. Returns the sandbox limits' network flag for this machine.
 */
export function networkFallback(
  apps: ReadonlyMap<string, KnownApp>,
  policy: string,
  caps: SandboxCapabilities,
  logger: CommandContext["logger"],
): boolean {
  if (caps.namespaces !== "none") return false;
  const closed = [...apps].filter(([, app]) => app.bundle.network !== true).map(([digest]) => digest);
  if (closed.length === 0) return false;
  if (policy !== "devnet") {
    throw new InvalidInputError(
      "--policy",
      `this machine cannot isolate the network and the apps of ${closed.join(", ")} do not allow network; only a devnet may run them here`,
    );
  }
  logger.warn(
    { bundles: closed },
    "no network isolation on this machine: apps without network get the host's (devnet only)",
  );
  return true;
}

/** A salt given as bytes32, or any text (hashed with keccak256). */
function saltOf(value: string): Hex {
  return /^0x[0-9a-fA-F]{64}$/.test(value) ? (value as Hex) : keccak256(stringToHex(value));
}

const readApp = (publicClient: Client, registry: Address, functionName: string, args: readonly unknown[]) =>
  publicClient.readContract({ address: registry, abi: appRegistryAbi, functionName, args } as never) as Promise<never>;

const readMailbox = <T>(publicClient: Client, mailbox: Address, functionName: string, args: readonly unknown[] = []) =>
  publicClient.readContract({ address: mailbox, abi: taskMailboxAbi, functionName, args } as never) as Promise<T>;

type AppRecord = { owner: Address; imageDigest: Hex; measurementsHash: Hex; version: number };

type TaskRecord = {
  creator: Address;
  creationTime: bigint;
  sla: bigint;
  refundCollector: Address;
  fee: bigint;
  feeRefunded: boolean;
  executorSlashed: boolean;
  executor: Address;
  appId: Hex;
  imageDigest: Hex;
  measurementsHash: Hex;
  inputHash: Hex;
  inputCertificateId: Hex;
  referenceBlock: number;
  signedStake: bigint;
  totalStake: bigint;
  verifiedAt: bigint;
  result: { outputHash: Hex; attestationHash: Hex; outputCertificateId: Hex };
};

const PUBLISH_HELP =
  "also store the measurement set on DA and publish its certificate in the AppRegistry, so that dispatchers and " +
  "executors without a --measurements file for it fetch and check it (kept for --da-ttl; publish again before it ends)";

/** Stores an app's measurement set on DA and points AppRegistry.publishMeasurements at it. */
async function publishMeasurementSet(
  ctx: CommandContext,
  raw: unknown,
  clients: { publicClient: PublicClient<Transport, Chain>; walletClient: WalletClient<Transport, Chain, Account> },
  release: { registry: Address; appId: Hex; imageDigest: Hex; measurements: Record<string, string>; hash: Hex },
): Promise<{ certificateId: Hex; txHash: Hex }> {
  const { publicClient, walletClient } = clients;
  const stored = await disperse({
    ...daParams(publicClient.chain.id, raw),
    publicClient,
    walletClient,
    payload: encodePublishedMeasurements(release.imageDigest, release.measurements),
    logger: ctx.logger,
  });
  const txHash = await send({ publicClient }, walletClient, {
    address: release.registry,
    abi: appRegistryAbi,
    functionName: "publishMeasurements",
    args: [release.appId, release.hash, stored.certificateId],
  });
  return { certificateId: stored.certificateId, txHash };
}

function registerApp(tee: Command): void {
  const app = ensureGroup(tee, "app", "register and upgrade TEE apps (program bundle digest + allowed measurements)");

  withLocations(app.command("register"), ["app", "da"])
    .description("register an app: its program bundle's digest and the measurement set its workers must attest")
    .requiredOption("--bundle <dir>", 'bundle directory: vcloud-bundle.json {"entry": [...]} plus its files')
    .requiredOption("--salt <text|bytes32>", "makes the app id: keccak256(abi.encode(owner, salt))")
    .option(
      "--measurement <name=value>",
      "an allowed measurement (repeatable; default imageDigest=<bundle digest>, the dev attestation's)",
      collect,
    )
    .option("--publish-measurements", PUBLISH_HELP, false)
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({
            bundle: z.string().min(1),
            salt: z.string().min(1, "required"),
            measurement: zMeasurements,
            publishMeasurements: z.boolean(),
          }),
          raw,
        );
        const bundle = loadBundle(opts.bundle);
        const imageDigest = bundleDigest(bundle);
        const measurements = Object.keys(opts.measurement).length > 0 ? opts.measurement : { imageDigest };
        const { publicClient, walletClient } = await connectFromOptions(raw, { requireSigner: true });
        const registry = locate(publicClient.chain.id, raw).appRegistry();
        const salt = saltOf(opts.salt);
        const owner = walletClient!.account.address;
        const appId = (await readApp(publicClient, registry, "appIdFor", [owner, salt])) as Hex;
        if (await readApp(publicClient, registry, "isRegistered", [appId])) {
          throw new InvalidInputError("--salt", `app ${appId} is already registered by ${owner} with this salt`);
        }
        const mHash = measurementsHash(measurements);
        const txHash = await send({ publicClient }, walletClient!, {
          address: registry,
          abi: appRegistryAbi,
          functionName: "registerApp",
          args: [salt, imageDigest, mHash],
        });
        const published = opts.publishMeasurements
          ? await publishMeasurementSet(
              ctx,
              raw,
              { publicClient, walletClient: walletClient! },
              { registry, appId, imageDigest, measurements, hash: mHash },
            )
          : undefined;
        const out = {
          appId,
          owner,
          imageDigest,
          measurementsHash: mHash,
          measurements,
          txHash,
          ...(published ? { published } : {}),
        };
        ctx.print(out, (r: typeof out) => `app ${r.appId} registered (image ${r.imageDigest})`);
      }),
    );

  withLocations(app.command("upgrade"), ["app", "da"])
    .description("queue an upgrade to a new bundle (applied after the registry's delay), or --apply / --cancel one")
    .requiredOption("--app-id <bytes32>", "the app")
    .option("--bundle <dir>", "the new program bundle (queues an upgrade)")
    .option("--measurement <name=value>", "an allowed measurement of the new release (repeatable)", collect)
    .option("--apply", "apply the pending upgrade once its delay has passed", false)
    .option("--cancel", "withdraw the pending upgrade", false)
    .option("--publish-measurements", `with --bundle: ${PUBLISH_HELP}`, false)
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({
            appId: zBytes32,
            bundle: z.string().min(1).optional(),
            measurement: zMeasurements,
            apply: z.boolean(),
            cancel: z.boolean(),
            publishMeasurements: z.boolean(),
          }),
          raw,
        );
        if (opts.publishMeasurements && opts.bundle === undefined)
          throw new InvalidInputError("--publish-measurements", "publishes a new release's set: give it with --bundle");
        const modes = [opts.bundle !== undefined, opts.apply, opts.cancel].filter(Boolean).length;
        if (modes !== 1) throw new InvalidInputError("--bundle", "give exactly one of --bundle, --apply, --cancel");
        const bundle = opts.bundle ? loadBundle(opts.bundle) : undefined;
        const { publicClient, walletClient } = await connectFromOptions(raw, { requireSigner: true });
        const registry = locate(publicClient.chain.id, raw).appRegistry();
        if (!(await readApp(publicClient, registry, "isRegistered", [opts.appId]))) {
          throw new InvalidInputError("--app-id", `no app ${opts.appId} in the registry ${registry}`);
        }
        const current = (await readApp(publicClient, registry, "getApp", [opts.appId])) as AppRecord;
        const signer = walletClient!.account.address;
        if (!opts.apply && getAddress(current.owner) !== getAddress(signer)) {
          throw new InvalidInputError("--private-key", `the app is owned by ${current.owner}, not ${signer}`);
        }
        const pending = (await readApp(publicClient, registry, "getPendingUpgrade", [opts.appId])) as {
          imageDigest: Hex;
          measurementsHash: Hex;
          readyAt: bigint;
        };
        const call = (functionName: string, args: readonly unknown[]) =>
          send({ publicClient }, walletClient!, { address: registry, abi: appRegistryAbi, functionName, args });
        if (bundle) {
          const imageDigest = bundleDigest(bundle);
          const measurements = Object.keys(opts.measurement).length > 0 ? opts.measurement : { imageDigest };
          const mHash = measurementsHash(measurements);
          const txHash = await call("queueUpgrade", [opts.appId, imageDigest, mHash]);
          const queued = (await readApp(publicClient, registry, "getPendingUpgrade", [opts.appId])) as {
            readyAt: bigint;
          };
          const published = opts.publishMeasurements
            ? await publishMeasurementSet(
                ctx,
                raw,
                { publicClient, walletClient: walletClient! },
                { registry, appId: opts.appId, imageDigest, measurements, hash: mHash },
              )
            : undefined;
          const out = {
            action: "queued",
            appId: opts.appId,
            imageDigest,
            measurementsHash: mHash,
            measurements,
            readyAt: new Date(Number(queued.readyAt) * 1000).toISOString(),
            txHash,
            ...(published ? { published } : {}),
          };
          ctx.print(out, (r: typeof out) => `upgrade of ${r.appId} to ${r.imageDigest} queued; ready at ${r.readyAt}`);
          return;
        }
        if (pending.readyAt === 0n) throw new InvalidInputError("--app-id", `app ${opts.appId} has no pending upgrade`);
        if (opts.apply) {
          const now = (await publicClient.getBlock()).timestamp;
          if (now < pending.readyAt) {
            throw new VcloudError(
              `the upgrade of ${opts.appId} is not ready until ${new Date(Number(pending.readyAt) * 1000).toISOString()}`,
            );
          }
        }
        const txHash = await call(opts.apply ? "applyUpgrade" : "cancelUpgrade", [opts.appId]);
        const after = (await readApp(publicClient, registry, "getApp", [opts.appId])) as AppRecord;
        const out = {
          action: opts.apply ? "applied" : "cancelled",
          appId: opts.appId,
          imageDigest: after.imageDigest,
          measurementsHash: after.measurementsHash,
          version: Number(after.version),
          txHash,
        };
        ctx.print(out, (r: typeof out) => `upgrade of ${r.appId} ${r.action}; image ${r.imageDigest} (v${r.version})`);
      }),
    );
}

function registerTask(tee: Command): void {
  const task = ensureGroup(tee, "task", "post TEE tasks and read their certified results");

  withLocations(task.command("submit"), ["mailbox", "da"])
    .description("store the input on DA and post a task for an app, paying its fee")
    .requiredOption("--app-id <bytes32>", "the registered app to run")
    .requiredOption("--input <file>", "the task input (stored on DA; the program reads it on stdin)")
    .option("--sla <seconds>", "seconds within which a certified result must arrive", "3600")
    .option("--fee <ether>", "fee in ether (default: the mailbox's minimum)")
    .option("--refund-collector <address>", "who gets the fee back if the task expires (default: you)")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({
            appId: zBytes32,
            input: z.string().min(1),
            sla: zSeconds,
            fee: z
              .string()
              .regex(/^\d+(\.\d{1,18})?$/, "must be an amount of ether such as 0.01")
              .transform((v) => parseEther(v))
              .optional(),
            refundCollector: zAddress.optional(),
          }),
          raw,
        );
        const input = readFile(opts.input, "--input");
        if (input.length === 0) throw new InvalidInputError("--input", `${opts.input} is empty`);
        const { publicClient, walletClient } = await connectFromOptions(raw, { requireSigner: true });
        const chainId = publicClient.chain.id;
        const mailbox = locate(chainId, raw).mailbox();
        const [registry, maxTaskSla, minTaskFee] = await Promise.all([
          readMailbox<Address>(publicClient, mailbox, "appRegistry"),
          readMailbox<bigint>(publicClient, mailbox, "maxTaskSla"),
          readMailbox<bigint>(publicClient, mailbox, "minTaskFee"),
        ]);
        if (!(await readApp(publicClient, registry, "isRegistered", [opts.appId]))) {
          throw new InvalidInputError("--app-id", `no app ${opts.appId} in the registry ${registry}`);
        }
        if (BigInt(opts.sla) > maxTaskSla) {
          throw new InvalidInputError("--sla", `${opts.sla} s is above the mailbox's maximum of ${maxTaskSla} s`);
        }
        const fee = opts.fee ?? minTaskFee;
        if (fee < minTaskFee) {
          throw new InvalidInputError(
            "--fee",
            `${formatEther(fee)} ether is below the minimum ${formatEther(minTaskFee)}`,
          );
        }
        const stored = await disperse({
          ...daParams(chainId, raw),
          publicClient,
          walletClient: walletClient!,
          payload: input,
          logger: ctx.logger,
        });
        const params = {
          appId: opts.appId,
          inputHash: hashBytes(input),
          inputCertificateId: stored.certificateId,
          sla: BigInt(opts.sla),
          refundCollector: opts.refundCollector ?? zeroAddress,
        };
        const txHash = await send({ publicClient }, walletClient!, {
          address: mailbox,
          abi: taskMailboxAbi,
          functionName: "createTask",
          args: [params],
          value: fee,
        });
        const receipt = await publicClient.getTransactionReceipt({ hash: txHash });
        let taskHash: Hex | undefined;
        let deadline = 0n;
        for (const log of receipt.logs) {
          if (log.address.toLowerCase() !== mailbox.toLowerCase()) continue;
          const event = decodeEventLog({ abi: taskMailboxAbi, data: log.data, topics: log.topics });
          if (event.eventName === "TaskCreated") {
            taskHash = event.args.taskHash;
            deadline = event.args.taskDeadline;
          }
        }
        if (!taskHash) throw new VcloudError(`no TaskCreated event in ${txHash}`);
        const out = {
          taskHash,
          appId: opts.appId,
          inputHash: params.inputHash,
          inputCertificateId: stored.certificateId,
          fee: formatEther(fee),
          sla: opts.sla,
          deadline: new Date(Number(deadline) * 1000).toISOString(),
          txHash,
        };
        ctx.print(out, (r: typeof out) => `task ${r.taskHash} posted (deadline ${r.deadline})`);
      }),
    );

  withLocations(task.command("status"), ["mailbox"])
    .description(
      "show a task: status, app release, fee, deadline, executor and its execution deadline, certified result",
    )
    .argument("<task-hash>", "the task hash (from `tee task submit`)")
    .action(
      action(async (ctx, taskHashArg: string, raw: unknown) => {
        const taskHash = parseTaskHash(taskHashArg);
        const { publicClient } = await connectFromOptions(raw);
        const mailbox = locate(publicClient.chain.id, raw).mailbox();
        const status = TASK_STATUSES[await readMailbox<number>(publicClient, mailbox, "getTaskStatus", [taskHash])]!;
        if (status === "NONE")
          throw new InvalidInputError("TASK_HASH", `no task ${taskHash} in the mailbox ${mailbox}`);
        const t = await readMailbox<TaskRecord>(publicClient, mailbox, "getTask", [taskHash]);
        // When the accepted executor must be certified by (after it, the task may be reassigned).
        const executionDeadline = await readMailbox<bigint>(publicClient, mailbox, "getExecutionDeadline", [taskHash]);
        const out = {
          taskHash,
          status,
          creator: t.creator,
          appId: t.appId,
          imageDigest: t.imageDigest,
          measurementsHash: t.measurementsHash,
          inputHash: t.inputHash,
          inputCertificateId: t.inputCertificateId,
          fee: formatEther(t.fee),
          createdAt: new Date(Number(t.creationTime) * 1000).toISOString(),
          deadline: new Date(Number(t.creationTime + t.sla) * 1000).toISOString(),
          executor: t.executor === zeroAddress ? null : t.executor,
          executionDeadline: executionDeadline === 0n ? null : new Date(Number(executionDeadline) * 1000).toISOString(),
          feeRefunded: t.feeRefunded,
          executorSlashed: t.executorSlashed,
          ...(status === "VERIFIED"
            ? {
                result: t.result,
                verifiedAt: new Date(Number(t.verifiedAt) * 1000).toISOString(),
                signedStake: t.signedStake.toString(),
                totalStake: t.totalStake.toString(),
              }
            : {}),
        };
        ctx.print(out, (r: typeof out) => `task ${r.taskHash}: ${r.status} (app ${r.appId}, deadline ${r.deadline})`);
      }),
    );

  withLocations(task.command("result"), ["mailbox", "da"])
    .description("fetch a verified task's output from DA and check it against the certified output hash")
    .argument("<task-hash>", "the task hash")
    .option("--out <file>", "write the output bytes here (default: in the result, hex and text)")
    .action(
      action(async (ctx, taskHashArg: string, raw: unknown) => {
        const taskHash = parseTaskHash(taskHashArg);
        const opts = parseOptions(z.object({ out: z.string().min(1).optional() }), raw);
        const { publicClient } = await connectFromOptions(raw);
        const chainId = publicClient.chain.id;
        const mailbox = locate(chainId, raw).mailbox();
        const status = TASK_STATUSES[await readMailbox<number>(publicClient, mailbox, "getTaskStatus", [taskHash])]!;
        if (status === "NONE")
          throw new InvalidInputError("TASK_HASH", `no task ${taskHash} in the mailbox ${mailbox}`);
        if (status !== "VERIFIED") throw new VcloudError(`task ${taskHash} is ${status}: it has no certified result`);
        const t = await readMailbox<TaskRecord>(publicClient, mailbox, "getTask", [taskHash]);
        const da = daParams(chainId, raw);
        const { payload } = await retrieve({
          publicClient,
          certificateRegistry: da.certificateRegistry,
          registrar: da.registrar,
          certificateId: t.result.outputCertificateId,
        });
        const outputHash = hashBytes(payload);
        if (outputHash !== t.result.outputHash.toLowerCase()) {
          throw new VcloudError(`the output on DA hashes to ${outputHash}, not the certified ${t.result.outputHash}`);
        }
        if (opts.out) writeFileSync(opts.out, payload);
        const text = Buffer.from(payload).toString("utf8");
        const out = {
          taskHash,
          status,
          outputHash: t.result.outputHash,
          attestationHash: t.result.attestationHash,
          outputCertificateId: t.result.outputCertificateId,
          signedStake: t.signedStake.toString(),
          totalStake: t.totalStake.toString(),
          checked: true,
          ...(opts.out ? { outputFile: opts.out } : { output: `0x${Buffer.from(payload).toString("hex")}`, text }),
        };
        ctx.print(out, () => (opts.out ? `output written to ${opts.out} (hash checked)` : text));
      }),
    );
}

function parseTaskHash(value: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value))
    throw new InvalidInputError("TASK_HASH", "must be 0x followed by 64 hex digits");
  return value as Hex;
}

/** `--executor <operatorKey>:<blsKey>` (devnet executors run in this process). */
export function parseExecutor(value: string): Executor {
  const [ecdsa, bls] = value.split(":");
  if (!ecdsa || !bls || !/^0x[0-9a-fA-F]{64}$/.test(ecdsa) || !/^0x[0-9a-fA-F]{64}$/.test(bls)) {
    throw new InvalidInputError("--executor", "must be OPERATOR_KEY:BLS_KEY, two 0x-prefixed 32-byte hex keys");
  }
  const account = privateKeyToAccount(ecdsa as Hex);
  let blsKey: BlsKey;
  try {
    blsKey = BlsKey.fromSecretHex(bls as Hex);
  } catch (cause) {
    throw new InvalidInputError("--executor", "the BLS key is not a valid BLS12-381 secret key", { cause });
  }
  return { operator: account.address, blsKey, signClaim: claimSigner(account) };
}

function registerKeeperTee(program: Command): void {
  const keeper = ensureGroup(program, "keeper", "run a vcloud keeper (--once for cron, else as a daemon)");
  withReceiptTimeout(withLocations(keeper.command("tee"), ["mailbox", "compute", "da"]))
    .description("dispatch new TEE tasks to executors drawn by stake, re-check, certify and submit their results")
    .requiredOption("--bundle <dir>", "a program bundle this dispatcher can run (repeatable)", collect)
    .option(
      "--executor <operatorKey:blsKey>",
      "an executor run in this process (repeatable; env VCLOUD_TEE_EXECUTORS, comma-separated); without any, executors are called at the sockets they registered (`vcloud tee worker --listen`)",
      collect,
    )
    .option(
      "--policy <name>",
      "attestation policy: production | debug | devnet (accepts dev attestations)",
      "production",
    )
    .option(
      "--executor-timeout <seconds>",
      "replace an executor that takes longer (an executor that accepted on-chain keeps the task until the mailbox's execution deadline, then it is reassigned on-chain)",
      "60",
    )
    .option(
      "--measurements <file>",
      'JSON {"0x<bundle digest>": [{"pcr0": "0x…", …}, …]}: the measurement sets the apps of each bundle registered (default: the dev set {imageDigest})',
    )
    .option(
      "--tdx-collateral <file>",
      "Intel collateral JSON for TDX workers' quotes (as `tee verify --collateral`; re-read at each verification)",
    )
    .option("--workers <n>", "tasks dispatched at once in a pass", "1")
    .option("--from-block <n>", "first block to scan when the checkpoint is empty", "0")
    .option("--db <file>", "checkpoint SQLite file (env VCLOUD_TEE_DB; default .vcloud/tee-<chainId>.sqlite)")
    .option("--once", "one pass, then exit (for cron)", false)
    .option("--interval <seconds>", "seconds between passes as a daemon", "5")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          z.object({
            bundle: z.array(z.string().min(1)).min(1, "give at least one --bundle"),
            executor: z.array(z.string()).optional(),
            policy: z.enum(Object.keys(POLICY_PRESETS) as [keyof typeof POLICY_PRESETS], {
              message: `must be one of ${Object.keys(POLICY_PRESETS).join(", ")}`,
            }),
            executorTimeout: zSeconds,
            workers: z.coerce
              .number()
              .int("must be an integer")
              .min(1, "must be at least 1")
              .max(64, "must be at most 64"),
            fromBlock: z.coerce.number().int().min(0, "must be a block number"),
            measurements: z.string().min(1).optional(),
            tdxCollateral: z.string().min(1).optional(),
            db: z.string().min(1).optional(),
            once: z.boolean(),
            interval: zSeconds,
            receiptTimeout: zReceiptTimeout,
          }),
          raw,
        );
        const executorSpecs =
          opts.executor ??
          fromEnv("VCLOUD_TEE_EXECUTORS")
            ?.split(",")
            .map((s) => s.trim()) ??
          [];
        // No in-process executor: the set's executors are called at their registered sockets.
        const executors = executorSpecs.length > 0 ? executorSpecs.map(parseExecutor) : undefined;
        const apps = knownApps(opts.bundle, opts.measurements);
        const tdxCollateral = tdxCollateralSource(opts.tdxCollateral);
        const network = networkFallback(apps, opts.policy, sandboxCapabilities(), ctx.logger);
        const { publicClient, walletClient } = await connectFromOptions(raw, { requireSigner: true });
        const chainId = publicClient.chain.id;
        const where = locate(chainId, raw);
        const mailbox = where.mailbox();
        const registrar = where.computeRegistrar();
        const dbPath = opts.db ?? fromEnv("VCLOUD_TEE_DB") ?? join(PROJECT_ROOT, ".vcloud", `tee-${chainId}.sqlite`);
        const pass = () =>
          dispatchOnce({
            publicClient,
            walletClient: walletClient!,
            mailbox,
            registrar,
            da: daParams(chainId, raw),
            apps,
            ...(executors ? { executors } : {}),
            policy: POLICY_PRESETS[opts.policy],
            ...(tdxCollateral ? { tdxCollateral } : {}),
            limits: { network },
            executorTimeoutMs: opts.executorTimeout * 1000,
            concurrency: opts.workers,
            dbPath,
            fromBlock: BigInt(opts.fromBlock),
            ...receiptTimeoutParam(opts.receiptTimeout),
            logger: ctx.logger,
          });
        if (opts.once) {
          const outcomes = await pass();
          const out = { db: dbPath, tasks: outcomes };
          ctx.print(out, (r: typeof out) =>
            r.tasks.length === 0
              ? "no new tasks"
              : r.tasks.map((t) => `${t.taskHash} ${t.outcome}${t.reason ? `: ${t.reason}` : ""}`).join("\n"),
          );
          return;
        }
        let stopping = false;
        process.once("SIGINT", () => (stopping = true));
        process.once("SIGTERM", () => (stopping = true));
        while (!stopping) {
          try {
            const outcomes = await pass();
            ctx.logger.info({ tasks: outcomes }, "tee dispatcher pass");
          } catch (error) {
            ctx.logger.error({ err: error }, "tee dispatcher pass failed; retrying next interval");
          }
          for (let waited = 0; waited < opts.interval * 10 && !stopping; ++waited)
            await new Promise((r) => setTimeout(r, 100));
        }
      }),
    );
}

/** Registers `tee app …`, `tee task …` on the `tee` group and `keeper tee`. */
export function registerTeeCompute(program: Command): void {
  const tee = ensureGroup(program, "tee", "TEE compute: verify attestations and run attested tasks");
  registerApp(tee);
  registerTask(tee);
  registerKeeperTee(program);
}
