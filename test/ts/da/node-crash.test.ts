/**
 * Durability of a DA node process under SIGKILL: a `vcloud da node` child process on loopback takes
 * concurrent store requests; it is killed with SIGKILL while requests are in flight and restarted on the
 * same LMDB directory. Every acknowledged (signed) certificate must come back with exactly the chunks that
 * were sent; an unacknowledged one is either absent or complete (no torn writes).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { storeResponseSchema, type StoreRequest } from "../../../keepers/da-network/protocol.js";
import { spawnDaNodeProcess, startRpcBridge, storeRequestFactory, type ChildNode } from "../helpers/da-child-node.js";
import { payloadOf } from "../helpers/da-fleet.js";
import { deployDaStack, ether } from "../helpers/da-stack.js";

const OPERATOR = 3;
const CONCURRENCY = 16;
const KILL_AFTER_ACKS = 12;

describe("DA node process killed with SIGKILL during writes", () => {
  let stack: Awaited<ReturnType<typeof deployDaStack>>;
  let bridge: Awaited<ReturnType<typeof startRpcBridge>>;
  let node: ChildNode | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), "vcloud-da-crash-"));

  beforeAll(async () => {
    stack = await deployDaStack({ stakes: [ether("100"), ether("200"), ether("300"), ether("400")] });
    bridge = await startRpcBridge(stack.connection.provider as never);
  });
  afterAll(async () => {
    node?.child.kill("SIGKILL");
    await bridge?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("loses no acknowledged chunk and leaves no torn certificate", { timeout: 400_000 }, async () => {
    const factory = await storeRequestFactory({ stack, operatorIndex: OPERATOR, payload: payloadOf(20_000, 31) });
    node = await spawnDaNodeProcess({ stack, operatorIndex: OPERATOR, rpcUrl: bridge.url, dataDir });
    const url = node.url;
    const sent = new Map<string, StoreRequest>();
    const acked = new Set<string>();
    let failedInFlight = 0;
    let killed = false;

    const write = async () => {
      const { id, body } = factory.next();
      sent.set(id, body);
      let answer;
      try {
        const response = await fetch(`${url}/v1/store`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        answer = storeResponseSchema.parse(await response.json());
      } catch {
        failedInFlight++;
        if (!killed) throw new Error("a write failed before the kill");
        return;
      }
      expect(answer.certificateId).toBe(id);
      acked.add(id);
    };
    const client = async () => {
      while (!killed) {
        await write();
        if (acked.size >= KILL_AFTER_ACKS && !killed) {
          killed = true;
          node!.child.kill("SIGKILL");
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, client));
    expect(await node.exited).toBeNull(); // killed by a signal, no exit code
    expect(node.child.signalCode).toBe("SIGKILL");
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(failedInFlight).toBeGreaterThan(0); // writes were in flight when it died

    node = await spawnDaNodeProcess({ stack, operatorIndex: OPERATOR, rpcUrl: bridge.url, dataDir });
    const sorted = (chunks: StoreRequest["chunks"]) =>
      [...chunks].sort((a, b) => a.blobIndex - b.blobIndex || a.index - b.index).map((c) => c.data);
    let unackedPresent = 0;
    for (const [id, body] of sent) {
      const response = await fetch(`${node.url}/v1/certificates/${id}`);
      if (acked.has(id)) {
        expect(response.status, `acknowledged certificate ${id} lost`).toBe(200);
      } else if (response.status === 404) {
        continue;
      } else {
        unackedPresent++;
      }
      expect(response.status).toBe(200);
      const served = (await response.json()) as { chunks: StoreRequest["chunks"] };
      expect(sorted(served.chunks)).toEqual(sorted(body.chunks));
    }
    // Whatever was committed but not yet acknowledged is whole; report how much of that there was.
    expect(unackedPresent).toBeLessThanOrEqual(sent.size - acked.size);
    node.child.kill("SIGTERM");
    await node.exited;
    node = undefined;
  });
});
