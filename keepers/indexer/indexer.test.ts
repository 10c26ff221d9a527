import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { dashboardPageFor } from "../devnet/services.js";
import { InvalidInputError } from "../lib/errors.js";
import { schemaName } from "./process.js";
import { jsonArgs } from "./json.js";
import { parseIndexerUrl } from "./reads.js";
import { indexerSettings } from "./settings.js";
import { abiFor, eventKeys, indexedContracts } from "./sources.js";

const A = "0x00000000000000000000000000000000000000a1";
const B = "0x00000000000000000000000000000000000000b2";

describe("indexed contracts", () => {
  it("maps deployment names to their ABIs, including the aliased ones", () => {
    expect(abiFor("AllocationManager")?.some((i) => i.type === "event" && i.name === "OperatorSlashed")).toBe(true);
    expect(abiFor("TestTokenStrategy")).toBeDefined();
    expect(abiFor("DARegistrar")).toBeDefined();
    expect(abiFor("NoSuchContract")).toBeUndefined();
  });

  it("keeps only contracts with a known ABI that emits events, in deployment order", () => {
    const list = indexedContracts({ contracts: { NoSuchContract: A, DelegationManager: B, AllocationManager: A } });
    expect(list.map((c) => c.name)).toEqual(["DelegationManager", "AllocationManager"]);
    expect(list[0]!.address).toBe(B);
  });

  it("names overloaded events by signature and the others by name", () => {
    const keys = eventKeys([
      { type: "event", name: "X", inputs: [{ type: "uint256", name: "a", indexed: true }] },
      { type: "event", name: "X", inputs: [] },
      { type: "event", name: "Y", inputs: [] },
      { type: "function", name: "f", inputs: [], outputs: [], stateMutability: "view" },
    ]);
    expect(keys).toEqual(["X(uint256 indexed a)", "X()", "Y"]);
  });
});

describe("indexer settings", () => {
  const file = () => {
    const dir = mkdtempSync(join(tmpdir(), "vcloud-indexer-"));
    const path = join(dir, "31337.json");
    writeFileSync(
      path,
      JSON.stringify({
        chainId: 31337,
        rpcUrl: "http://127.0.0.1:8545",
        deployedAt: "2026-01-01T00:00:00.000Z",
        contracts: {},
      }),
    );
    return path;
  };

  it("uses PGlite without DATABASE_URL and PostgreSQL with it", () => {
    const path = file();
    const pglite = indexerSettings({ VCLOUD_INDEXER_DEPLOYMENT: path });
    expect(pglite.databaseUrl).toBeUndefined();
    expect(pglite.rpcUrl).toBe("http://127.0.0.1:8545");
    const pg = indexerSettings({ VCLOUD_INDEXER_DEPLOYMENT: path, DATABASE_URL: "postgres://u@localhost/db" });
    expect(pg.databaseUrl).toBe("postgres://u@localhost/db");
  });

  it("names the variable at fault", () => {
    expect(() => indexerSettings({})).toThrow(/VCLOUD_INDEXER_DEPLOYMENT/);
    expect(() => indexerSettings({ VCLOUD_INDEXER_DEPLOYMENT: "/no/such/file.json" })).toThrow(/no such file/);
    const path = file();
    expect(() => indexerSettings({ VCLOUD_INDEXER_DEPLOYMENT: path, DATABASE_URL: "mysql://x" })).toThrow(
      InvalidInputError,
    );
    expect(() => indexerSettings({ VCLOUD_INDEXER_DEPLOYMENT: path, VCLOUD_INDEXER_START_BLOCK: "-1" })).toThrow(
      /VCLOUD_INDEXER_START_BLOCK/,
    );
    expect(() => indexerSettings({ VCLOUD_INDEXER_DEPLOYMENT: path, VCLOUD_INDEXER_RPC_URL: "ws://x" })).toThrow(
      /VCLOUD_INDEXER_RPC_URL/,
    );
  });

  it("gives each deployment its own database schema name", () => {
    expect(schemaName({ chainId: 31337, deployedAt: "2026-01-01T00:00:00.000Z" })).toBe("vcloud_31337_1767225600000");
    expect(schemaName({ chainId: 1, deployedAt: "not a date" })).toBe("vcloud_1_0");
  });
});

describe("small helpers", () => {
  it("turns big integers in event arguments into decimal strings, deeply", () => {
    expect(jsonArgs({ a: 1n, b: [2n, { c: 3n }], d: "x", e: true })).toEqual({
      a: "1",
      b: ["2", { c: "3" }],
      d: "x",
      e: true,
    });
  });

  it("accepts an http(s) indexer URL and rejects anything else naming the flag", () => {
    expect(parseIndexerUrl("http://127.0.0.1:42069/graphql")).toBe("http://127.0.0.1:42069/graphql");
    expect(() => parseIndexerUrl("ftp://x")).toThrow(/--indexer-url/);
  });

  it("links each story step to the dashboard page that shows it", () => {
    expect(dashboardPageFor("stakers deposit and delegate")).toBe("/stakers");
    expect(dashboardPageFor("operators allocate to operator sets")).toBe("/operators");
    expect(dashboardPageFor("slash with redistribution")).toBe("/slashing");
    expect(dashboardPageFor("blob stored and retrieved")).toBe("/da");
    expect(dashboardPageFor("TEE worker attests a task")).toBe("/tee");
    expect(dashboardPageFor("inference cheat caught by replay")).toBe("/inference");
    expect(dashboardPageFor("agent registered")).toBe("/agents");
    expect(dashboardPageFor("fees reach the jar, buyback burns EIGEN")).toBe("/fees");
  });
});
