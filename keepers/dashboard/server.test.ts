import { describe, expect, it } from "vitest";

import { DASHBOARD_PAGES, dashboardApp } from "./server.js";

const info = { chainId: 31337, contracts: {}, rpcUrl: "http://127.0.0.1:8545" };

describe("dashboard server", () => {
  // Nothing listens on port 9 (discard) on loopback in the test environment.
  const app = dashboardApp({ indexerUrl: "http://127.0.0.1:9/graphql", info });

  it("serves the page shell on every page path, the script, the styles and Chart.js", async () => {
    for (const page of DASHBOARD_PAGES) {
      const res = await app.request(page.path);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<script type="module" src="/app.js">');
    }
    expect((await app.request("/app.js")).headers.get("content-type")).toContain("javascript");
    expect((await app.request("/style.css")).status).toBe(200);
    expect(await (await app.request("/vendor/chart.js")).text()).toContain("Chart");
    expect((await app.request("/")).status).toBe(302);
  });

  it("tells the pages which chain they show", async () => {
    const body = (await (await app.request("/api/info")).json()) as { chainId: number; pages: unknown[] };
    expect(body.chainId).toBe(31337);
    expect(body.pages).toHaveLength(DASHBOARD_PAGES.length);
  });

  it("refuses a malformed certificate id and a deployment without DA contracts, with the reason", async () => {
    const bad = await app.request("/api/da/blob/0x1234");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe(
      'invalid certificate id "0x1234": expected 0x and 64 hex digits',
    );
    const none = await app.request(`/api/da/blob/0x${"ab".repeat(32)}`);
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: string }).error).toBe("this deployment has no DA contracts");
  });

  it("refuses a malformed staker address and a deployment without restaking contracts, with the reason", async () => {
    const bad = await app.request("/api/staker/0x12");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('invalid staker "0x12"');
    const none = await app.request(`/api/staker/0x${"ab".repeat(20)}`);
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: string }).error).toBe("this deployment has no restaking contracts");
  });

  it("answers the /fork page's chain fallback only for a deployment with fork contracts", async () => {
    const none = await app.request("/api/fork");
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: string }).error).toBe("this deployment has no fork contracts");
  });

  it("reports the keeper daemons it is given, and none before", async () => {
    expect(await (await app.request("/api/keepers")).json()).toEqual([]);
    const status = [
      {
        name: "rewards",
        state: "running",
        pid: 1,
        restarts: 0,
        passes: 3,
        lastPassAt: null,
        lastError: null,
        log: "x",
      },
    ] as const;
    const withKeepers = dashboardApp({
      indexerUrl: "http://127.0.0.1:9/graphql",
      info,
      keepers: { status: () => [...status] },
    });
    expect(await (await withKeepers.request("/api/keepers")).json()).toEqual(status);
  });

  it("answers a GraphQL error, not a crash, when the indexer is unreachable", async () => {
    const res = await app.request("/graphql", {
      method: "POST",
      body: JSON.stringify({ query: "{ _meta { status } }" }),
    });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { errors: { message: string }[] };
    expect(body.errors[0]!.message).toContain("indexer unreachable");
  });
});
