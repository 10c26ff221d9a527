/**
 * A networked executor (`vcloud tee worker --listen`): an operator of the compute set runs it with its own
 * operator key (EIP-712 claims) and BLS key (result certificates). It serves the protocol of
 * executor-protocol.ts: `/v1/run` runs a task's program in the sandbox on the input it fetches from DA
 * itself, `/v1/sign` certifies a result after checking it (DA, its own run, the attestation). Nothing in a
 * request is trusted: the task's app, image and input come from the chain, the input and output from DA.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

import {
  keccak256,
  zeroAddress,
  zeroHash,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

import { signatureToHex, type BlsKey } from "../bls/bls.js";
import { retrieve } from "../da-network/retriever.js";
import { send as sendTx } from "../da-network/setup.js";
import { taskMailboxAbi } from "../lib/abis.js";
import { InvalidInputError } from "../lib/errors.js";
import { HttpStatusError, readJsonBody, sendJson } from "../lib/http-json.js";
import type { Logger } from "../lib/logger.js";
import type { Attester } from "./attester.js";
import { hashBytes } from "./binding.js";
import { taskResultMessage, type MailboxTaskResult } from "./certificate.js";
import {
  claimTypedData,
  collateralFor,
  type ClaimTypedData,
  type KnownApp,
  type TdxCollateralSource,
} from "./dispatcher.js";
import {
  runRequestSchema,
  signRequestSchema,
  type RunRequest,
  type RunResponse,
  type SignRequest,
  type SignResponse,
} from "./executor-protocol.js";
import {
  PublishedMeasurementsError,
  resolveMeasurementSet,
  UnknownMeasurementSetError,
  type MeasurementSet,
} from "./measurements.js";
import type { VerifierPolicy } from "./policy.js";
import type { SandboxLimits } from "./sandbox.js";
import { verifyTaskResult } from "./task-result.js";
import { runTask } from "./worker.js";

export type ExecutorServerConfig = {
  publicClient: PublicClient<Transport, Chain>;
  mailbox: Address;
  /** Where the task inputs and outputs are read (the DA set). */
  da: { certificateRegistry: Address; registrar: Address };
  /** The operator this executor serves. */
  operator: Address;
  /** Signs the executor's claims with the operator key (see `claimSigner`). */
  signClaim: (typedData: ClaimTypedData) => Promise<Hex>;
  /** The operator's BLS key in the compute set. */
  blsKey: BlsKey;
  /** Programs this executor runs, by image digest (lower-case). */
  apps: ReadonlyMap<string, KnownApp>;
  /** Policy for the attestations it certifies; the app's measurements are added as expectedMeasurements. */
  policy: VerifierPolicy;
  /** Intel collateral for TDX results it certifies (see DispatchParams.tdxCollateral). */
  tdxCollateral?: TdxCollateralSource;
  attester?: Attester;
  limits?: Partial<SandboxLimits>;
  host: string;
  port: number;
  /**
   * Accept each task it runs on-chain (`TaskMailbox.acceptTask`, sent with this operator's wallet) when no
   * executor has yet: the executor then answers for the SLA (`slashForMissedSla` once the task expires).
   */
  acceptWith?: WalletClient<Transport, Chain, Account>;
  /** Largest request body accepted (default 16 MiB). */
  maxRequestBytes?: number;
  /**
   * Fault injection for tests and the devnet story (`vcloud tee worker` never sets it): for a task it holds
   * true for, `/v1/run` answers a wrong output (its run's output with a line appended) with the run's
   * attestation and an operator-signed claim of that wrong output, which is what `slashForWrongResult`
   * takes. It does not accept such a task on-chain (it would hold the task until its execution deadline:
   * the reassignment path), and certifies (`/v1/sign`) against its real run, as an honest executor does.
   */
  wrongOutputFor?: (taskHash: Hex) => boolean;
  logger?: Logger;
};

export type ExecutorServer = { url: string; operator: Address; close: () => Promise<void> };

const STATUS_CREATED = 1;

type OnChainTask = {
  status: number;
  executor: Address;
  appId: Hex;
  imageDigest: Hex;
  measurementsHash: Hex;
  inputHash: Hex;
  inputCertificateId: Hex;
};

/** A refused request (4xx) or a failure of the executor (5xx), answered as `{"error": message}`. */
export class ExecutorHttpError extends HttpStatusError {
  override name = "ExecutorHttpError";
}

/** Starts the executor's HTTP server; resolves once it listens. */
export async function startExecutorServer(config: ExecutorServerConfig): Promise<ExecutorServer> {
  /** Measurement sets this executor fetched from DA (by app and hash). */
  const publishedSets = new Map<string, MeasurementSet>();
  const operator = config.operator;
  const chainId = config.publicClient.chain.id;
  // This executor's own output per task (output hash and bytes), so certifying its own run costs nothing.
  const ownRuns = new Map<string, Promise<{ output: Buffer; outputHash: Hex }>>();

  async function readTask(taskHash: Hex): Promise<{ task: OnChainTask; app: KnownApp; allowed: MeasurementSet }> {
    const [task, status] = await Promise.all([
      config.publicClient.readContract({
        address: config.mailbox,
        abi: taskMailboxAbi,
        functionName: "getTask",
        args: [taskHash],
      }) as Promise<OnChainTask>,
      config.publicClient.readContract({
        address: config.mailbox,
        abi: taskMailboxAbi,
        functionName: "getTaskStatus",
        args: [taskHash],
      }) as Promise<number>,
    ]);
    if (Number(status) !== STATUS_CREATED)
      throw new ExecutorHttpError(409, `task ${taskHash} is not open (status ${Number(status)})`);
    const app = config.apps.get(task.imageDigest.toLowerCase());
    if (!app) throw new ExecutorHttpError(422, `no program known here for image digest ${task.imageDigest}`);
    let allowed: MeasurementSet;
    try {
      allowed = await resolveMeasurementSet(
        task,
        app.measurements,
        {
          publicClient: config.publicClient,
          appRegistry: () =>
            config.publicClient.readContract({
              address: config.mailbox,
              abi: taskMailboxAbi,
              functionName: "appRegistry",
            }) as Promise<Address>,
          da: config.da,
        },
        publishedSets,
      );
    } catch (error) {
      if (error instanceof UnknownMeasurementSetError || error instanceof PublishedMeasurementsError)
        throw new ExecutorHttpError(422, error.message);
      throw error;
    }
    return { task, app, allowed };
  }

  async function fetchInput(taskHash: Hex, task: OnChainTask): Promise<Uint8Array> {
    const { payload } = await retrieve({
      ...config.da,
      publicClient: config.publicClient,
      certificateId: task.inputCertificateId,
    });
    if (hashBytes(payload) !== task.inputHash.toLowerCase())
      throw new ExecutorHttpError(422, `task ${taskHash}: the input on DA does not hash to the task's inputHash`);
    return payload;
  }

  async function execute(taskHash: Hex, task: OnChainTask, app: KnownApp) {
    const input = await fetchInput(taskHash, task);
    return runTask(app.bundle, input, config.limits ?? {}, {
      taskHash,
      expectedImageDigest: task.imageDigest,
      ...(config.attester ? { attester: config.attester } : {}),
    });
  }

  async function handleRun(request: RunRequest): Promise<RunResponse> {
    const taskHash = request.taskHash.toLowerCase() as Hex;
    const { task, app } = await readTask(taskHash);
    if (request.appId.toLowerCase() !== task.appId.toLowerCase())
      throw new ExecutorHttpError(400, `appId ${request.appId} is not the task's app ${task.appId}`);
    if (request.inputCertificateId.toLowerCase() !== task.inputCertificateId.toLowerCase())
      throw new ExecutorHttpError(400, `inputCertificateId ${request.inputCertificateId} is not the task's input`);
    const cheat = config.wrongOutputFor?.(taskHash) === true;
    if (config.acceptWith && task.executor === zeroAddress && !cheat) {
      // Committing to the SLA; one that another executor accepted first is still run (a reassignment).
      await sendTx({ publicClient: config.publicClient }, config.acceptWith, {
        address: config.mailbox,
        abi: taskMailboxAbi,
        functionName: "acceptTask",
        args: [taskHash],
      }).catch((error: unknown) => {
        const message = String((error as Error).message);
        // Taken off this task once for missing its execution deadline (reassignTask): it may not run it again.
        if (/ExecutorWasReassigned/.test(message))
          throw new ExecutorHttpError(409, `task ${taskHash} was reassigned away from ${operator}`);
        if (!/TaskAlreadyAccepted/.test(message)) throw error;
      });
    }
    const run = await execute(taskHash, task, app);
    ownRuns.set(taskHash, Promise.resolve({ output: run.output, outputHash: hashBytes(run.output) }));
    const output = cheat ? Buffer.concat([run.output, Buffer.from("forged by a faulty executor\n")]) : run.output;
    const outputHash = hashBytes(output);
    const claim: MailboxTaskResult = {
      outputHash,
      attestationHash: keccak256(run.attestation.bytes),
      outputCertificateId: zeroHash,
    };
    const claimSignature = await config.signClaim(
      claimTypedData({ chainId, mailbox: config.mailbox, taskHash, claimed: claim }),
    );
    if (cheat) config.logger?.warn({ taskHash, outputHash }, "task run; answering a wrong output (fault injection)");
    else config.logger?.info({ taskHash, outputHash }, "task run");
    return {
      operator,
      taskHash,
      output: output.toString("base64"),
      attestation: { format: run.attestation.format, bytes: Buffer.from(run.attestation.bytes).toString("base64") },
      claim,
      claimSignature,
    };
  }

  async function handleSign(request: SignRequest): Promise<SignResponse> {
    const taskHash = request.taskHash.toLowerCase() as Hex;
    const { task, app, allowed } = await readTask(taskHash);
    const result = request.result as MailboxTaskResult;
    const attestationBytes = Buffer.from(request.attestation.bytes, "base64");
    if (keccak256(attestationBytes) !== result.attestationHash.toLowerCase())
      throw new ExecutorHttpError(400, "the attestation does not hash to result.attestationHash");
    // The output must be retrievable from DA under the certificate the result names.
    const { payload: output } = await retrieve({
      ...config.da,
      publicClient: config.publicClient,
      certificateId: result.outputCertificateId,
    }).catch((error: unknown) => {
      throw new ExecutorHttpError(422, `output certificate not retrievable: ${(error as Error).message}`);
    });
    if (hashBytes(output) !== result.outputHash.toLowerCase())
      throw new ExecutorHttpError(422, "the output on DA does not hash to result.outputHash");
    // Its own run of the program on the DA input must give the same output (deterministic programs).
    let own = ownRuns.get(taskHash);
    if (!own) {
      own = execute(taskHash, task, app).then((run) => ({ output: run.output, outputHash: hashBytes(run.output) }));
      ownRuns.set(taskHash, own);
      own.catch(() => ownRuns.delete(taskHash));
    }
    const mine = await own;
    if (mine.outputHash !== result.outputHash.toLowerCase())
      throw new ExecutorHttpError(422, `re-execution gives output ${mine.outputHash}, not ${result.outputHash}`);
    const input = await fetchInput(taskHash, task);
    try {
      await verifyTaskResult({
        attestation: { format: request.attestation.format, bytes: attestationBytes },
        imageDigest: task.imageDigest,
        taskHash,
        input,
        output,
        policy: { ...config.policy, expectedMeasurements: allowed },
        ...collateralFor(request.attestation.format, config.tdxCollateral),
      });
    } catch (error) {
      throw new ExecutorHttpError(422, `attestation rejected: ${(error as Error).message}`);
    }
    const signature = config.blsKey.sign(taskResultMessage(taskHash, result));
    config.logger?.info({ taskHash, outputHash: result.outputHash }, "result certified");
    return { operator, taskHash, signature: signatureToHex(signature) };
  }

  const maxRequestBytes = config.maxRequestBytes ?? 16 * 1024 * 1024;
  const server = createServer((req, res) => void route(req, res));
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;

  async function route(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? "/", "http://executor").pathname;
    try {
      if (req.method === "POST" && path === "/v1/run") {
        sendJson(res, 200, await handleRun(parse(runRequestSchema, await readJsonBody(req, maxRequestBytes))));
      } else if (req.method === "POST" && path === "/v1/sign") {
        sendJson(res, 200, await handleSign(parse(signRequestSchema, await readJsonBody(req, maxRequestBytes))));
      } else if (req.method === "GET" && path === "/healthz") {
        sendJson(res, 200, { ok: true, operator });
      } else {
        throw new ExecutorHttpError(404, `no route ${req.method} ${path}`);
      }
    } catch (error) {
      const status = error instanceof HttpStatusError ? error.status : error instanceof InvalidInputError ? 422 : 500;
      if (status >= 500) config.logger?.error({ err: error, path }, "executor request failed");
      else config.logger?.warn({ reason: (error as Error).message, path }, "executor request refused");
      sendJson(res, status, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  config.logger?.info({ url, operator }, "TEE executor listening");
  return {
    url,
    operator,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function parse<T>(
  schema: {
    safeParse: (
      v: unknown,
    ) => { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  value: unknown,
): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ExecutorHttpError(400, `${issue.path.map(String).join(".") || "body"}: ${issue.message}`);
}
