/**
 * Notes and layout travel with copied values: seeding a new environment (createEnvironment
 * with `from`) and promoting carry each copied key's note (re-sealed for the target: readable
 * there) and its place and blank line; a promote keeps the target's note of a key the source
 * has no note for, and the notes of keys it does not write.
 */
import { describe, expect, it } from "vitest";
import { expectType } from "../support/expect.js";
import { createProject, readEnvironment, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((started) => (server = started));

/** Every key's note (secrets included), and the pulled layout (standard keys, in order). */
async function layout(project: string, environment: string) {
  const env = await readEnvironment(server.owner, project, environment);
  const r = await server.owner.pullVariablesWithNotes({ project, environment });
  const p = expectType(r.pullVariables, "PulledEnvironment");
  return {
    notes: Object.fromEntries(env.variables.map((v) => [v.key, v.note ?? null])),
    order: p.variables.map((v) => [v.key, v.position, v.blankLineBefore]),
  };
}

async function set(project: string, environment: string, variables: { key: string; value: string; note?: string }[]) {
  return expectType(
    (await server.owner.setVariables({ input: { project, environment, variables } })).setVariables,
    "SetVariablesPayload",
  );
}

describe("notes on copies", () => {
  it("env create --from and promote carry notes and layout of the keys they copy", async () => {
    const sdk = server.owner;
    const s = "notes-copy";
    await createProject(sdk, s);
    const pushed = expectType(
      (
        await sdk.bulkUpsertVariables({
          input: {
            project: s,
            environment: "development",
            layout: true,
            variables: [
              { key: "ZED", value: "z", note: "Last letter first" },
              { key: "API_URL", value: "http://a", note: "Public API", blankLineBefore: true },
              { key: "TOKEN", value: "secret-canary", secret: true, note: "From the vault" },
              { key: "PLAIN", value: "p" },
            ],
          },
        })
      ).bulkUpsertVariables,
      "BulkUpsertVariablesPayload",
    );
    expect(pushed.revision).toBeGreaterThan(0);
    const source = await layout(s, "development");

    expectType(
      (await sdk.createEnvironment({ input: { project: s, name: "qa", from: "development" } })).createEnvironment,
      "EnvironmentPayload",
    );
    expect(source.notes).toMatchObject({ ZED: "Last letter first", TOKEN: "From the vault", PLAIN: null });
    const place = Object.fromEntries(source.order.map((r) => [r[0], r.slice(1)]));
    expect(place.ZED[0]).toBeLessThan(place.API_URL[0] as number);
    expect(place.API_URL[1]).toBe(true);
    expect(await layout(s, "qa")).toEqual(source);

    // Promote: a changed key takes the source's note; a key with no source note keeps the target's; unwritten keys keep theirs.
    await set(s, "production", [
      { key: "API_URL", value: "http://old", note: "Prod API (old)" },
      { key: "PLAIN", value: "old", note: "Prod only" },
      { key: "ZED", value: "z", note: "Prod zed" },
    ]);
    const promoted = expectType(
      (await sdk.promoteEnvironment({ input: { project: s, from: "development", to: "production" } }))
        .promoteEnvironment,
      "PromoteEnvironmentPayload",
    );
    expect(promoted.applied).toBe(true);
    expect((await layout(s, "production")).notes).toEqual({
      API_URL: "Public API",
      PLAIN: "Prod only",
      TOKEN: "From the vault",
      ZED: "Prod zed",
    });
  });
});
