import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";
import type { Address } from "viem";

import { DeploymentNotFoundError, InvalidInputError } from "./errors.js";
import { zAddress } from "./config.js";

/** `deployments/<chainId>.json`: where every vcloud contract lives on one chain. */
export const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  rpcUrl: z.string().optional(),
  deployedAt: z.string(),
  deployer: zAddress.optional(),
  contracts: z.record(z.string(), zAddress),
});

export type Deployment = z.infer<typeof deploymentSchema>;

export function deploymentsDir(root = process.cwd()): string {
  return resolve(root, process.env.VCLOUD_DEPLOYMENTS_DIR ?? "deployments");
}

export function deploymentPath(chainId: number, dir = deploymentsDir()): string {
  return join(dir, `${chainId}.json`);
}

export function writeDeployment(deployment: Deployment, dir = deploymentsDir()): string {
  const path = deploymentPath(deployment.chainId, dir);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(deployment, null, 2)}\n`);
  return path;
}

export function readDeployment(chainId: number, dir = deploymentsDir()): Deployment {
  const path = deploymentPath(chainId, dir);
  if (!existsSync(path)) throw new DeploymentNotFoundError(`no ${path}; run \`npm start\` or deploy first`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new InvalidInputError(path, "not valid JSON", { cause });
  }
  const parsed = deploymentSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidInputError(path, parsed.error.issues[0]?.message ?? "bad deployment file");
  return parsed.data;
}

/** Address of a named contract in a deployment, with an error that says which one is missing. */
export function contractAddress(deployment: Deployment, name: string): Address {
  const address = deployment.contracts[name];
  if (!address) throw new DeploymentNotFoundError(`${name} is not in deployments/${deployment.chainId}.json`);
  return address;
}
