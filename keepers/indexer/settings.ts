/**
 * Settings of the Ponder indexer, from the environment (Ponder loads its config itself, so these cannot
 * be flags). Errors name the variable at fault.
 *
 *   VCLOUD_INDEXER_DEPLOYMENT   deployments/<chainId>.json to index (required)
 *   VCLOUD_INDEXER_RPC_URL      JSON-RPC endpoint (default: the deployment file's rpcUrl)
 *   DATABASE_URL                PostgreSQL connection string; without it, embedded PGlite
 *   VCLOUD_INDEXER_PGLITE_DIR   PGlite directory (default: .vcloud/indexer/pglite)
 *   VCLOUD_INDEXER_START_BLOCK  first block to index (default 0)
 *   VCLOUD_INDEXER_POLLING_MS   how often to poll the chain for new blocks (default 500)
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

import { z } from "zod";

import { InvalidInputError } from "../lib/errors.js";
import { deploymentSchema, type Deployment } from "../lib/deployments.js";
import { PROJECT_ROOT } from "../lib/paths.js";

export type IndexerSettings = {
  deployment: Deployment;
  rpcUrl: string;
  databaseUrl?: string;
  pgliteDir: string;
  startBlock: number;
  pollingMs: number;
};

export const DEFAULT_PGLITE_DIR = join(PROJECT_ROOT, ".vcloud", "indexer", "pglite");

function readJson(variable: string, path: string): unknown {
  if (!existsSync(path)) throw new InvalidInputError(variable, `no such file ${path}`);
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new InvalidInputError(variable, `${path} is not valid JSON`, { cause });
  }
}

function intVar(env: NodeJS.ProcessEnv, variable: string, fallback: number, min: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === "") return fallback;
  const parsed = z.coerce.number().int().min(min).safeParse(raw);
  if (!parsed.success) throw new InvalidInputError(variable, `must be an integer >= ${min}, got '${raw}'`);
  return parsed.data;
}

/** Reads and checks the indexer's settings from `env`. */
export function indexerSettings(env: NodeJS.ProcessEnv): IndexerSettings {
  const file = env.VCLOUD_INDEXER_DEPLOYMENT;
  if (!file) throw new InvalidInputError("VCLOUD_INDEXER_DEPLOYMENT", "must name a deployments/<chainId>.json file");
  const parsed = deploymentSchema.safeParse(readJson("VCLOUD_INDEXER_DEPLOYMENT", resolve(file)));
  if (!parsed.success)
    throw new InvalidInputError("VCLOUD_INDEXER_DEPLOYMENT", parsed.error.issues[0]?.message ?? "bad deployment file");
  const deployment = parsed.data;
  const rpcUrl = env.VCLOUD_INDEXER_RPC_URL || deployment.rpcUrl;
  if (!rpcUrl || !/^https?:\/\//.test(rpcUrl))
    throw new InvalidInputError("VCLOUD_INDEXER_RPC_URL", `must be an http(s) URL, got '${rpcUrl ?? ""}'`);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new InvalidInputError("DATABASE_URL", "must be a postgres:// or postgresql:// connection string");
  return {
    deployment,
    rpcUrl,
    databaseUrl,
    pgliteDir: env.VCLOUD_INDEXER_PGLITE_DIR || DEFAULT_PGLITE_DIR,
    startBlock: intVar(env, "VCLOUD_INDEXER_START_BLOCK", 0, 0),
    pollingMs: intVar(env, "VCLOUD_INDEXER_POLLING_MS", 500, 50),
  };
}
