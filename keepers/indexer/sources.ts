/**
 * Which deployed vcloud contracts the indexer follows and with which ABI. Shared by the Ponder app
 * (indexer/ponder.config.ts) and the RPC fallback reads, so both see the same contracts.
 */
import type { Abi, Address } from "viem";

import * as abis from "../lib/abis.js";
import type { Deployment } from "../lib/deployments.js";

/** Deployment names whose ABI is not `<name with a lower-case first letter>Abi`. */
const ABI_ALIASES: Record<string, string> = {
  TestTokenStrategy: "strategyBaseAbi",
  DARegistrar: "bLSAVSRegistrarAbi",
};

export type IndexedContract = { name: string; address: Address; abi: Abi };

/** The ABI of a deployment entry, or undefined when the build has none for it (pure). */
export function abiFor(name: string): Abi | undefined {
  const key = ABI_ALIASES[name] ?? `${name.charAt(0).toLowerCase()}${name.slice(1)}Abi`;
  const abi = (abis as Record<string, unknown>)[key];
  return Array.isArray(abi) ? (abi as Abi) : undefined;
}

/** Every deployed contract that emits events and has a known ABI, in deployment order (pure). */
export function indexedContracts(deployment: Pick<Deployment, "contracts">): IndexedContract[] {
  const out: IndexedContract[] = [];
  for (const [name, address] of Object.entries(deployment.contracts)) {
    const abi = abiFor(name);
    if (!abi || !abi.some((item) => item.type === "event")) continue;
    out.push({ name, address, abi });
  }
  return out;
}

/** The event names of an ABI; overloaded names are given as full signatures, as Ponder requires (pure). */
export function eventKeys(abi: Abi): string[] {
  const events = abi.filter((item) => item.type === "event");
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.name, (counts.get(e.name) ?? 0) + 1);
  return events.map((e) =>
    counts.get(e.name)! > 1
      ? `${e.name}(${e.inputs.map((i) => `${i.type}${i.indexed ? " indexed" : ""} ${i.name}`).join(", ")})`
      : e.name,
  );
}
