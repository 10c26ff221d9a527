/**
 * End-to-end DA network benchmark (`npm run bench:da-network`, i.e. `npx tsx scripts/bench-da-network.ts`):
 * an in-process chain with the restaking core and the DA AVS, eight DA nodes on loopback (equal stake),
 * coding ratio 8. For each payload size it times
 *   - put: `disperse` from its start (encode, send to 8 nodes, verify and aggregate signatures) until the
 *     `confirmBlob` receipt is in, i.e. certificate confirmed;
 *   - get: `retrieve` of the certificate (fetch from 8 nodes, verify, rebuild), checked byte for byte;
 *   - encode alone (the same WorkerPool), to show how much of `put` is encoding.
 * The registry forwards the operators' fee share to a DAFeeDistributor, as in a deployment, so the
 * confirmBlob gas is what a deployed registry charges. The encoder pool loads the ratio-8 setups before timing.
 * MB/s = payload bytes / wall seconds (10^6 B). Everything (chain, nodes, disperser, retriever) shares this
 * process and the machine's cores; the load average is printed because wall time depends on other tenants.
 *
 *   --sizes 1,4   payload sizes in MiB (default 1,4)
 *   --runs N      runs per size, the median is reported (the mean of the middle two for an even N; default 3)
 *   --workers N   encoder worker threads (default: one per core)
 *   --rpc-url URL the chain as a separate JSON-RPC process (e.g. `npx hardhat node`, as the devnet runs it)
 *                 instead of an in-process one; the DA contracts and the eight nodes are deployed on it
 */
import { availableParallelism, loadavg } from "node:os";

import { keccak256 } from "viem";

import { encodePayload } from "../keepers/da/api.js";
import { WorkerPool } from "../keepers/da/pool.js";
import { disperse } from "../keepers/da-network/disperser.js";
import { retrieve } from "../keepers/da-network/retriever.js";
import { payloadOf, startDaFleet } from "../test/ts/helpers/da-fleet.js";
import { deployDaFeePath } from "../test/ts/helpers/da-fees-stack.js";
import { ether } from "../test/ts/helpers/da-stack.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}
const sizes = arg("sizes", "1,4")
  .split(",")
  .map((s) => Number(s));
const runs = Number(arg("runs", "3"));
const workers = Number(arg("workers", String(availableParallelism())));
const rpcUrl = arg("rpc-url", "");
if (rpcUrl && !/^https?:\/\/[^\s]+$/.test(rpcUrl)) throw new Error("--rpc-url must be an http(s) URL");
if (sizes.some((s) => !(s > 0)) || !(runs >= 1) || !(workers >= 1))
  throw new Error("--sizes needs positive MiB values, --runs and --workers positive integers");

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const seconds = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
};

const load0 = loadavg()[0]!;
process.stderr.write(
  `bench-da-network: 8 nodes, ratio 8, sizes ${sizes.join(",")} MiB, ${runs} run(s), ${workers} workers\n`,
);
const fleet = await startDaFleet({
  stakes: Array.from({ length: 8 }, () => ether("100")),
  maxBytes: 2 * 1024 ** 3,
  ...(rpcUrl ? { rpcUrl } : {}),
});
await deployDaFeePath(fleet.stack, fleet.stack.governance.account.address, 86_400);
const runner = await WorkerPool.create({ workers, precompute: 8, preloadRatio: 8 });
try {
  // Warm-up: every node loads its KZG setup on first use, the pool its workers'.
  await disperse(fleet.disperseParams(payloadOf(1_000, 1), { runner, ratio: 8, timeoutMs: 120_000 }));

  const rows: string[] = [];
  for (const mib of sizes) {
    const bytes = mib * 1024 * 1024;
    const put: number[] = [];
    const get: number[] = [];
    const enc: number[] = [];
    let gas = 0n;
    for (let r = 0; r < runs; r++) {
      const payload = payloadOf(bytes, 100 + r + mib * 10);
      enc.push(await seconds(() => encodePayload(payload, { ratio: 8, runner })));
      let certificateId: `0x${string}` = "0x";
      put.push(
        await seconds(async () => {
          const result = await disperse(fleet.disperseParams(payload, { runner, ratio: 8, timeoutMs: 300_000 }));
          if (result.signers.length !== 8) throw new Error(`only ${result.signers.length} of 8 nodes signed`);
          certificateId = result.certificateId;
          gas = (await fleet.stack.publicClient.getTransactionReceipt({ hash: result.transactionHash })).gasUsed;
        }),
      );
      get.push(
        await seconds(async () => {
          const back = await retrieve(fleet.retrieveParams(certificateId, { timeoutMs: 300_000 }));
          if (keccak256(back.payload) !== keccak256(payload)) throw new Error("retrieved payload differs");
        }),
      );
      process.stderr.write(
        `  ${mib} MiB run ${r + 1}: encode ${enc.at(-1)!.toFixed(2)} s, put ${put.at(-1)!.toFixed(2)} s, get ${get.at(-1)!.toFixed(2)} s\n`,
      );
    }
    const mb = bytes / 1e6;
    rows.push(
      `| ${mib} MiB | ${median(put).toFixed(2)} s | ${(mb / median(put)).toFixed(3)} | ${median(enc).toFixed(2)} s | ${median(get).toFixed(2)} s | ${(mb / median(get)).toFixed(3)} | ${gas} |`,
    );
  }
  const load1 = loadavg()[0]!;
  console.log(
    `8 DA nodes on loopback, ratio 8, ${workers} encoder workers, ${availableParallelism()} cores, median of ${runs}, ` +
      (rpcUrl ? `chain over JSON-RPC at ${rpcUrl}` : "in-process chain"),
  );
  console.log(`load average (1 min) ${load0.toFixed(1)} before, ${load1.toFixed(1)} after\n`);
  console.log("| payload | put to certificate | put MB/s | of which encode | get | get MB/s | confirmBlob gas |");
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const row of rows) console.log(row);
} finally {
  await runner.close();
  await fleet.close();
}
process.exit(0);
