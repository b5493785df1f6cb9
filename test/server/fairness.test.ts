/**
 * Long work does not starve other requests: a pull of 10,000 values (a long read) and a
 * push of 10,000 values (a long write) hand the event loop back while they decrypt or
 * encrypt, so a small request sent while they run is answered before they finish.
 */
import { describe, expect, it } from "vitest";
import { expectType } from "../support/expect.js";
import { createProject, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((started) => (server = started), { listen: true });

const variables = (tag: string) =>
  Array.from({ length: 10_000 }, (_, i) => ({
    key: `KEY_${String(i).padStart(5, "0")}`,
    value: `${tag}-${i}-${"x".repeat(60)}`,
  }));

/** Starts `long`, sends a small request once the long one is under way, and returns which finished first. */
async function race(long: () => Promise<unknown>): Promise<string[]> {
  const order: string[] = [];
  const longDone = long().then(() => order.push("long"));
  // The small request goes out while the long one is being served (it needs far longer than this).
  await new Promise((resolve) => setTimeout(resolve, 5));
  const smallDone = server.owner.viewer().then(() => order.push("small"));
  await Promise.all([longDone, smallDone]);
  return order;
}

describe("fairness", () => {
  it("a small request is answered while a 10,000-value pull and a 10,000-value push are in progress", async () => {
    await createProject(server.owner, "fair");
    const push = (tag: string) =>
      server.owner.bulkUpsertVariables({
        input: { project: "fair", environment: "development", variables: variables(tag) },
      });
    expectType((await push("first")).bulkUpsertVariables, "BulkUpsertVariablesPayload");

    const pulled = await race(() => server.owner.pullVariables({ project: "fair", environment: "development" }));
    expect(pulled).toEqual(["small", "long"]);
    const pushed = await race(() => push("second"));
    expect(pushed).toEqual(["small", "long"]);
  }, 120_000);
});
