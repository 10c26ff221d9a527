import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import type { Command } from "commander";
import { z } from "zod";

import { BlsKey } from "../../bls/bls.js";
import { ChallengeStore, runChallengePass, type ChallengePassResult } from "../../da-network/challenge-keeper.js";
import { disperse } from "../../da-network/disperser.js";
import { startDaNode } from "../../da-network/node.js";
import { retrieve } from "../../da-network/retriever.js";
import { fromEnv, parseOptions, zAddress, zBytes32, zPort, zReceiptTimeout } from "../../lib/config.js";
import { contractAddress, readDeployment } from "../../lib/deployments.js";
import { InvalidInputError } from "../../lib/errors.js";
import { thresholdFlagsSchema, thresholdOptions, thresholdsFromFlags } from "../da-thresholds.js";
import { PROJECT_ROOT } from "../../lib/paths.js";
import {
  action,
  connectFromOptions,
  ensureGroup,
  receiptTimeoutParam,
  withChainOptions,
  withReceiptTimeout,
} from "../context.js";

const networkSchema = z.object({
  registrar: zAddress.optional(),
  certificateRegistry: zAddress.optional(),
  maxOperators: z.coerce.number().int().min(1, "must be at least 1"),
  ...thresholdFlagsSchema,
});

/** DA contract addresses from flags, else from deployments/<chainId>.json. */
function daAddresses(chainId: number, opts: { registrar?: `0x${string}`; certificateRegistry?: `0x${string}` }) {
  if (opts.registrar && opts.certificateRegistry)
    return { registrar: opts.registrar, certificateRegistry: opts.certificateRegistry };
  const deployment = readDeployment(chainId);
  return {
    registrar: opts.registrar ?? contractAddress(deployment, "DARegistrar"),
    certificateRegistry: opts.certificateRegistry ?? contractAddress(deployment, "BlobCertificateRegistry"),
  };
}

function withNetworkOptions(command: Command): Command {
  return withChainOptions(command)
    .option("--registrar <address>", "the DA set's BLSAVSRegistrar (default: deployments file)")
    .option("--certificate-registry <address>", "the BlobCertificateRegistry (default: deployments file)")
    .option("--max-operators <n>", "most operators the assignment allows", "16")
    .option(...thresholdOptions()[0]!)
    .option(...thresholdOptions()[1]!);
}

/** Registers `vcloud da node|put|get` on the `da` group (creating the group if it does not exist yet). */
export function registerDaNetwork(program: Command): void {
  const da = ensureGroup(program, "da", "data availability: encode, store, retrieve");

  withNetworkOptions(da.command("node"))
    .description("run a DA node: verify and store assigned chunks in LMDB, sign certificates, serve retrieval")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on (env VCLOUD_DA_NODE_PORT)", fromEnv("VCLOUD_DA_NODE_PORT") ?? "7400")
    .option(
      "--data-dir <dir>",
      "LMDB directory (env VCLOUD_DA_NODE_DATA)",
      fromEnv("VCLOUD_DA_NODE_DATA") ?? ".vcloud/da-node",
    )
    .option("--max-bytes <n>", "disk budget for chunks", String(8 * 1024 ** 3))
    .option("--operator <address>", "the operator this node serves (env VCLOUD_OPERATOR)", fromEnv("VCLOUD_OPERATOR"))
    .option("--bls-key <hex>", "the operator's BLS secret key (env VCLOUD_BLS_KEY)", fromEnv("VCLOUD_BLS_KEY"))
    .option(
      "--answer-challenges",
      "answer availability challenges against the operator (rebuilds the blob from the network; needs --private-key)",
      false,
    )
    .option("--challenge-poll <seconds>", "how often to look for new challenges", "15")
    .option("--challenges-from-block <n>", "first block to look for challenges in", "0")
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          networkSchema.extend({
            host: z.string().min(1),
            port: zPort,
            dataDir: z.string().min(1),
            maxBytes: z.coerce.number().int().positive("must be a positive byte count"),
            operator: zAddress,
            blsKey: zBytes32,
            answerChallenges: z.boolean(),
            challengePoll: z.coerce.number().int().min(1, "must be at least 1 second"),
            challengesFromBlock: z.coerce.number().int().min(0, "must be a block number"),
          }),
          raw,
        );
        const thresholds = thresholdsFromFlags(opts);
        const { publicClient, walletClient } = await connectFromOptions(raw, {
          requireSigner: opts.answerChallenges,
        });
        const addresses = daAddresses(publicClient.chain.id, opts);
        const node = await startDaNode({
          ...opts,
          blsKey: BlsKey.fromSecretHex(opts.blsKey),
          publicClient,
          ...addresses,
          thresholds,
          logger: ctx.logger,
          challengeResponder: opts.answerChallenges
            ? {
                walletClient: walletClient!,
                intervalMs: opts.challengePoll * 1000,
                fromBlock: opts.challengesFromBlock,
              }
            : undefined,
        });
        ctx.print(
          { url: node.url, operator: opts.operator, dataDir: opts.dataDir, answerChallenges: opts.answerChallenges },
          () => `DA node for ${opts.operator} serving on ${node.url}`,
        );
        await new Promise<void>((r) => {
          process.once("SIGINT", r);
          process.once("SIGTERM", r);
        });
        await node.close();
      }),
    );

  withNetworkOptions(da.command("put"))
    .description("disperse FILE to the DA nodes and post its availability certificate; prints the certificate id")
    .argument("<file>", "payload file")
    .option("--ratio <n>", "coding ratio (2, 4 or 8)", "8")
    .option("--ttl <seconds>", "how long the data must stay available", String(14 * 24 * 3600))
    .option("--timeout <ms>", "per-node request timeout", "30000")
    .option("--retries <n>", "retries per node on network errors", "2")
    .option(
      "--confirmations <n>",
      "blocks (the confirming one included) the certificate's confirmation must be deep before it is printed",
      "1",
    )
    .action(
      action(async (ctx, file: string, raw: unknown) => {
        const opts = parseOptions(
          networkSchema.extend({
            ratio: z.coerce
              .number()
              .int()
              .refine((r) => [2, 4, 8].includes(r), "must be 2, 4 or 8"),
            ttl: z.coerce.number().int().positive("must be a positive number of seconds"),
            timeout: z.coerce.number().int().positive(),
            retries: z.coerce.number().int().min(0).max(10),
            confirmations: z.coerce.number().int().min(1, "must be at least 1").max(256),
          }),
          raw,
        );
        let payload: Uint8Array;
        try {
          payload = readFileSync(file);
        } catch (cause) {
          throw new InvalidInputError("FILE", `cannot read ${file}`, { cause });
        }
        const thresholds = thresholdsFromFlags(opts);
        const { publicClient, walletClient } = await connectFromOptions(raw, { requireSigner: true });
        const result = await disperse({
          publicClient,
          walletClient: walletClient!,
          ...daAddresses(publicClient.chain.id, opts),
          payload,
          ratio: opts.ratio,
          ttlSeconds: opts.ttl,
          maxOperators: opts.maxOperators,
          thresholds,
          timeoutMs: opts.timeout,
          retries: opts.retries,
          confirmations: opts.confirmations,
          logger: ctx.logger,
        });
        ctx.print(
          result,
          (r: typeof result) =>
            `${r.certificateId}\ntx ${r.transactionHash}; signers ${r.signers.length}, non-signers ${r.nonSigners.length}`,
        );
      }),
    );

  withNetworkOptions(da.command("get"))
    .description("retrieve the payload of certificate CERT from the DA nodes, verify it and write it to --out")
    .argument("<cert>", "certificate id (0x + 64 hex digits)")
    .requiredOption("--out <file>", "where to write the payload")
    .option("--timeout <ms>", "per-node request timeout", "30000")
    .action(
      action(async (ctx, cert: string, raw: unknown) => {
        const opts = parseOptions(
          networkSchema.extend({ out: z.string().min(1), timeout: z.coerce.number().int().positive() }),
          raw,
        );
        const certificateId = parseOptions(z.object({ cert: zBytes32 }), { cert }, { cert: "CERT" }).cert;
        const { publicClient } = await connectFromOptions(raw);
        const result = await retrieve({
          publicClient,
          ...daAddresses(publicClient.chain.id, opts),
          certificateId,
          timeoutMs: opts.timeout,
          logger: ctx.logger,
        });
        writeFileSync(opts.out, result.payload);
        const summary = {
          certificateId,
          out: opts.out,
          bytes: result.payload.length,
          nodesAnswered: result.nodesAnswered,
          nodesAsked: result.nodesAsked,
          rejectedChunks: result.rejectedChunks,
        };
        ctx.print(
          summary,
          () =>
            `wrote ${result.payload.length} bytes to ${opts.out} (${result.nodesAnswered}/${result.nodesAsked} nodes answered)`,
        );
      }),
    );

  // vcloud keeper da-challenge ------------------------------------------------------------------------------
  const keeper = ensureGroup(program, "keeper", "run a vcloud keeper (--once for cron, else as a daemon)");
  withReceiptTimeout(withNetworkOptions(keeper.command("da-challenge")))
    .description(
      "sample certified blobs, challenge signers that do not serve their chunks, slash unanswered challenges",
    )
    .option("--once", "one pass, then exit (for cron)", false)
    .option("--dry-run", "sample and print the decisions; send nothing", false)
    .option(
      "--interval <seconds>",
      "seconds between passes as a daemon",
      fromEnv("VCLOUD_DA_CHALLENGE_INTERVAL") ?? "60",
    )
    .option("--samples <n>", "certificates sampled per pass", "4")
    .option("--resample <seconds>", "sample a certificate again after this long", "3600")
    .option("--timeout <ms>", "per-node request timeout", "10000")
    .option("--from-block <n>", "first block to scan on a fresh checkpoint store", "0")
    .option("--db <file>", "checkpoint store (SQLite; env VCLOUD_DA_CHALLENGE_DB)", fromEnv("VCLOUD_DA_CHALLENGE_DB"))
    .action(
      action(async (ctx, raw: unknown) => {
        const opts = parseOptions(
          networkSchema.extend({
            once: z.boolean(),
            dryRun: z.boolean(),
            interval: z.coerce.number().int("must be an integer").min(1, "must be at least 1 second"),
            samples: z.coerce.number().int().min(1, "must be at least 1"),
            resample: z.coerce.number().int().min(0, "must be a number of seconds"),
            timeout: z.coerce.number().int().positive(),
            fromBlock: z.coerce.number().int().min(0, "must be a block number"),
            db: z.string().min(1).optional(),
            receiptTimeout: zReceiptTimeout,
          }),
          raw,
        );
        const { publicClient, walletClient } = await connectFromOptions(raw, { requireSigner: !opts.dryRun });
        const config = {
          ...daAddresses(publicClient.chain.id, opts),
          maxOperators: opts.maxOperators,
          samplesPerPass: opts.samples,
          resampleSeconds: opts.resample,
          timeoutMs: opts.timeout,
          fromBlock: opts.fromBlock,
          dryRun: opts.dryRun,
          ...receiptTimeoutParam(opts.receiptTimeout),
        };
        const db = opts.db ?? join(PROJECT_ROOT, ".vcloud", `da-challenge-${publicClient.chain.id}.sqlite`);
        const store = new ChallengeStore(db);
        const render = (r: ChallengePassResult) =>
          `sampled ${r.sampled.length} certificate(s); opened ${r.opened.length} challenge(s)` +
          r.opened
            .map(
              (o) => `\n  challenge ${o.challengeId ?? "(dry run)"}: ${o.operator} on ${o.certificateId}: ${o.reason}`,
            )
            .join("") +
          `; finalized ${r.finalized.length}` +
          r.finalized.map((f) => `\n  slashed ${f.operator} (challenge ${f.challengeId})`).join("");
        try {
          const pass = () => runChallengePass(publicClient, walletClient, { config, store, logger: ctx.logger });
          if (opts.once || opts.dryRun) {
            const result = await pass();
            ctx.print({ ...result, db }, () => render(result));
            return;
          }
          let stopping = false;
          process.once("SIGINT", () => (stopping = true));
          process.once("SIGTERM", () => (stopping = true));
          while (!stopping) {
            try {
              const result = await pass();
              ctx.logger.info(
                { sampled: result.sampled.length, opened: result.opened.length, finalized: result.finalized.length },
                "da-challenge pass",
              );
            } catch (error) {
              ctx.logger.error({ err: error }, "da-challenge pass failed; retrying next interval");
            }
            for (let waited = 0; waited < opts.interval * 10 && !stopping; ++waited)
              await new Promise((r) => setTimeout(r, 100));
          }
        } finally {
          store.close();
        }
      }),
    );
}
