/**
 * `vcloud keeper da-challenge` as a daemon, SIGKILLed at several points (issue #13): during start-up, in its
 * first pass (sampling, around the challenge send) and in later passes (around the slashes), then restarted
 * once with `--once` on the same checkpoint store, as cron would. After each restart the chain must hold
 * exactly one challenge per (certificate, dark signer), every certificate challenged (none lost), and every
 * challenge past its window slashed exactly once.
 *
 * Each kill point starts two CLI processes (about 15 s on this loaded 2-core machine), so CI runs one of them
 * (3.5 s: inside the first pass, around the challenge send) and the deep profile all four
 * (VCLOUD_TEST_PROFILE=deep, `npm run test:deep`). The outcome checked does not depend on where exactly the
 * kill lands, so the test is deterministic. challenge-keeper-faults.test.ts covers the same crash window in
 * process ("a pass dies right after its send").
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { keccak256, parseEther, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ChallengeStatus } from "../../../keepers/da-network/challenge-decide.js";
import { disperse } from "../../../keepers/da-network/disperser.js";
import { PROJECT_ROOT } from "../../../keepers/lib/paths.js";
import { vcloudAsync } from "../helpers/cli.js";
import { startRpcBridge } from "../helpers/da-child-node.js";
import { payloadOf, startDaFleet, type DaFleet } from "../helpers/da-fleet.js";
import { ether } from "../helpers/da-stack.js";

const deep = process.env.VCLOUD_TEST_PROFILE === "deep";
/** When the daemon is killed after its start, in ms: all four points deep, the first-pass one in CI. */
const KILL_POINTS = deep ? [1_500, 3_500, 6_000, 9_000] : [3_500];
const DARK = 0;
const KEEPER_KEY = keccak256(toHex("vcloud da-challenge keeper kill test")) as Hex;

/** SIGKILLs the keeper's whole process group (bin/vcloud.mjs runs the CLI in a child). */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

describe("`vcloud keeper da-challenge` SIGKILLed and restarted: no lost, no duplicate", () => {
  let fleet: DaFleet;
  let bridge: Awaited<ReturnType<typeof startRpcBridge>>;
  const keeper = privateKeyToAccount(KEEPER_KEY);
  const db = join(mkdtempSync(join(tmpdir(), "vcloud-da-challenge-kill-")), "da-challenge.sqlite");

  beforeAll(async () => {
    fleet = await startDaFleet({ stakes: [ether("100"), ether("200"), ether("300"), ether("400")] });
    await fleet.stopNode(DARK);
    await fleet.stack.publicClient.request({
      method: "hardhat_setBalance" as never,
      params: [keeper.address, toHex(parseEther("100"))] as never,
    });
    bridge = await startRpcBridge(fleet.stack.connection.provider as never);
  }, 300_000);

  afterAll(async () => {
    await bridge?.close();
    await fleet?.close();
  });

  const args = () => [
    "--json",
    "keeper",
    "da-challenge",
    "--rpc-url",
    bridge.url,
    "--registrar",
    fleet.stack.registrar.address,
    "--certificate-registry",
    fleet.stack.registry.address,
    "--samples",
    "16",
    "--timeout",
    "3000",
    "--db",
    db,
  ];

  it(`kills at ${KILL_POINTS.map((ms) => ms / 1000).join(", ")} s, restarts --once: one challenge per certificate, one slash each`, async () => {
    const { stack } = fleet;
    const testClient = await stack.viem.getTestClient();
    const certificates: Hex[] = [];
    const env = { ...process.env, VCLOUD_LOG_LEVEL: "warn", VCLOUD_PRIVATE_KEY: KEEPER_KEY };
    for (const [round, killAfterMs] of KILL_POINTS.entries()) {
      // A new certificate DARK signed and then stopped serving; the earlier challenges' windows have passed.
      await fleet.startNode(DARK);
      certificates.push((await disperse(fleet.disperseParams(payloadOf(3_000, 40 + round)))).certificateId);
      await fleet.stopNode(DARK);
      await testClient.increaseTime({ seconds: 3601 });
      await testClient.mine({ blocks: 1 });

      const child = spawn(process.execPath, [join(PROJECT_ROOT, "bin", "vcloud.mjs"), ...args(), "--interval", "1"], {
        cwd: PROJECT_ROOT,
        env,
        stdio: "ignore",
        detached: true,
      });
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      await new Promise((r) => setTimeout(r, killAfterMs));
      killGroup(child.pid!);
      await exited;

      const restart = await vcloudAsync([...args(), "--once"], {
        VCLOUD_PRIVATE_KEY: KEEPER_KEY,
        VCLOUD_LOG_LEVEL: "error",
      });
      expect(restart.stderr, `killed after ${killAfterMs} ms`).toBe("");
      expect(restart.code).toBe(0);

      const count = Number(await stack.registry.read.challengeCount());
      const challenges = [];
      for (let id = 1; id <= count; id++)
        challenges.push({ id, ...(await stack.registry.read.getChallenge([BigInt(id)])) });
      // One challenge per certificate, all against DARK: none lost, none doubled.
      expect(challenges.map((c) => c.certificateId).sort(), `killed after ${killAfterMs} ms`).toEqual(
        [...certificates].sort(),
      );
      expect(challenges.every((c) => c.operator.toLowerCase() === fleet.operatorAddress(DARK).toLowerCase())).toBe(
        true,
      );
      // Every challenge of an earlier round is past its window: slashed, exactly once.
      const head = await stack.publicClient.getBlock();
      const due = challenges.filter((c) => c.deadline < head.timestamp);
      expect(due.length).toBeGreaterThanOrEqual(round);
      expect(due.every((c) => c.status === ChallengeStatus.Slashed)).toBe(true);
      const slashes = await stack.publicClient.getContractEvents({
        address: stack.registry.address,
        abi: stack.registry.abi,
        eventName: "OperatorSlashedForUnavailability",
        fromBlock: 0n,
      });
      const slashedIds = slashes.map((l) => Number(l.args.challengeId)).sort((a, b) => a - b);
      expect(slashedIds).toEqual([...new Set(slashedIds)]);
      expect(slashedIds).toEqual(
        challenges
          .filter((c) => c.status === ChallengeStatus.Slashed)
          .map((c) => c.id)
          .sort((a, b) => a - b),
      );
    }
  }, 400_000);
});
