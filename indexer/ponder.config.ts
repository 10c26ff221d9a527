/**
 * Ponder configuration of the vcloud indexer. Every deployed contract with events is followed; the chain
 * and the addresses come from a deployments/<chainId>.json file, the database from DATABASE_URL
 * (PostgreSQL) or, without it, embedded PGlite. keepers/indexer/settings.ts documents the variables.
 */
import { createConfig } from "ponder";
import { http } from "viem";

import { indexerSettings } from "../keepers/indexer/settings.js";
import { indexedContracts } from "../keepers/indexer/sources.js";

const settings = indexerSettings(process.env);

export default createConfig({
  database: settings.databaseUrl
    ? { kind: "postgres", connectionString: settings.databaseUrl }
    : { kind: "pglite", directory: settings.pgliteDir },
  networks: {
    vcloud: {
      chainId: settings.deployment.chainId,
      transport: http(settings.rpcUrl),
      pollingInterval: settings.pollingMs,
      // A devnet restarts from block 0 with the same chain id: never reuse cached RPC answers.
      disableCache: true,
    },
  },
  contracts: Object.fromEntries(
    indexedContracts(settings.deployment).map((c) => [
      c.name,
      { abi: c.abi, network: "vcloud", address: c.address, startBlock: settings.startBlock },
    ]),
  ),
});
