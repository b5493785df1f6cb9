/**
 * Turns under load (services/pace.ts): work takes turns in one first-in-first-out line, one turn
 * per turn of the event loop, and a long loop's slice clock restarts when its turn comes back.
 * Over a real port: a large pull among a crowd of small ones finishes after a bounded number of
 * them, instead of yielding after every value once the crowd makes it wait (fairness.test.ts has
 * the single small request beside a long one).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextTurn, timeSlice } from "../../server/services/pace.js";
import { expectType } from "../support/expect.js";
import { bulk, createEnvironment, createProject } from "../support/fixtures.js";
import { startTestServer, type TestServer } from "../support/server.js";

const busy = (ms: number) => {
  const start = performance.now();
  while (performance.now() - start < ms);
};

describe("turns", () => {
  it("releases waiters in the order they asked, one per turn of the event loop", async () => {
    // A ticker counts turns of the event loop (its setImmediate runs once per turn).
    let turn = 0;
    let ticking = true;
    const tick = () => {
      turn++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const released: [string, number][] = [];
    await Promise.all(["a", "b", "c", "d"].map((name) => nextTurn().then(() => released.push([name, turn]))));
    ticking = false;
    expect(released.map(([name]) => name)).toEqual(["a", "b", "c", "d"]);
    const turns = released.map(([, at]) => at);
    for (let i = 1; i < turns.length; i++) expect(turns[i]).toBe(turns[i - 1] + 1);
  });

  it("serves work holding the write lock before the line", async () => {
    const order: string[] = [];
    await Promise.all([
      nextTurn().then(() => order.push("first in line")),
      nextTurn().then(() => order.push("second in line")),
      nextTurn(true).then(() => order.push("holding the lock")),
    ]);
    expect(order).toEqual(["holding the lock", "first in line", "second in line"]);
  });

  it("restarts a loop's clock when its turn comes back, so waiting does not count as work", async () => {
    const slice = timeSlice(5);
    busy(6);
    expect(slice()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20)); // a long wait for the turn
    expect(slice()).toBe(false); // the first call after the turn restarts the clock
    expect(slice()).toBe(false);
    busy(6);
    expect(slice()).toBe(true);
  });
});

describe("a large pull among many small ones (real HTTP server)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ listen: true });
    await createProject(server.owner, "fair");
    await createEnvironment(server.owner, "fair", "large");
    await createEnvironment(server.owner, "fair", "small");
    const values = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ key: `K${i}`, value: `value-${i}-${"x".repeat(30)}` }));
    await bulk(server.owner, { project: "fair", environment: "large", variables: values(3000) });
    await bulk(server.owner, { project: "fair", environment: "small", variables: values(20) });
  }, 120_000);
  afterAll(() => server?.close());

  const pull = (environment: string) =>
    server.owner.pullVariables({ project: "fair", environment }).then((r) => {
      const pulled = expectType(r.pullVariables, "PulledEnvironment");
      return pulled.variables.length;
    });

  it("finishes after a bounded number of small pulls, not after one per value", async () => {
    const CAP = 1500;
    let small = 0;
    let largeDone = false;
    const large = pull("large").then((n) => {
      largeDone = true;
      return n;
    });
    // Eight clients pulling small environments back to back: each turn of the large pull waits behind them.
    const crowd = Array.from({ length: 8 }, async () => {
      while (!largeDone && small < CAP) {
        expect(await pull("small")).toBe(20);
        if (!largeDone) small++;
      }
    });
    await Promise.all([large, ...crowd]);
    expect(await large).toBe(3000);
    // A 3,000-value pull is a few dozen 10 ms slices even on a loaded machine; each waits for ~8 small pulls.
    // Before the clock restarted after each turn, it yielded after every value once it had waited: thousands.
    expect(small).toBeLessThan(CAP);
  }, 120_000);
});

describe("waiting in the line of turns (real HTTP server)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ listen: true, config: { maxWaitingRequests: 20 } });
  }, 60_000);
  afterAll(() => server?.close());

  const viewer = () =>
    fetch(server.url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${server.ownerToken}`,
        "content-type": "application/json",
        "x-envplane-client": "test",
      },
      body: JSON.stringify({ query: "query whoAmI { viewer { user { name } } }" }),
    });
  const accessLines = () =>
    server.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "request");
  /** `count` turns in the line, each busy for `ms` when it comes: the line stays long for count × ms. */
  const crowd = (count: number, ms: number) =>
    Promise.all(Array.from({ length: count }, () => nextTurn().then(() => busy(ms))));

  it("answers 503 with Retry-After and a GraphQL error when the line is full, and serves again once it is not", async () => {
    // 60 turns waiting, 5 ms each: a request arriving within the first 40 turns finds 20 or more waiting.
    const waiting = crowd(60, 5);
    const refused = await viewer();
    await waiting;
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    const body = (await refused.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe("SERVER_BUSY");
    expect(body.errors[0].message).toMatch(/^The server is busy: \d+ requests are already waiting .*Retry/);
    expect(accessLines().at(-1)).toMatchObject({ path: "/graphql", status: 503 });

    const served = await viewer();
    expect([served.status, await served.json()]).toEqual([200, { data: { viewer: { user: { name: "Owner" } } } }]);
  });

  it("counts the time a request waited for its turn in its access line's duration", async () => {
    // 15 turns waiting (under the cap of 20), 40 ms each: the request waits for most of them.
    const started = performance.now();
    const waiting = crowd(15, 40);
    const response = await viewer();
    const took = performance.now() - started;
    await waiting;
    expect(response.status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
    const line = accessLines().at(-1)!;
    expect(line).toMatchObject({ operation: "whoAmI", status: 200 });
    // It arrived within the first turns (a connection and a write are a few turns of the event loop) and
    // waited for the rest: several 40 ms turns, which the request's own work (a few ms) cannot account for.
    expect(line.durationMs as number).toBeGreaterThanOrEqual(100);
    expect(line.durationMs as number).toBeLessThanOrEqual(took + 1);
  });
});
