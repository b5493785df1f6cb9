/**
 * setVariables / unsetVariables: several base values, or several overrides of one project
 * branch, as one write (one revision); all or nothing; the same permission and type rules as
 * setVariable.
 */
import { describe, expect, it } from "vitest";
import type { EnvplaneClient } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import {
  createProject,
  listValues,
  readEnvironment,
  serviceToken,
  setVariable,
  userWithRole,
  useTestServer,
} from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
let sdk: EnvplaneClient;
useTestServer((started) => ([server, sdk] = [started, started.owner]));

describe("setVariables", () => {
  it("sets base values in one revision, keeping existing types; a secret flag flip or a duplicate changes nothing", async () => {
    await createProject(sdk, "setvars-base");
    await setVariable(sdk, {
      project: "setvars-base",
      environment: "development",
      key: "OLD",
      value: "o",
      secret: true,
    });
    const r = expectType(
      (
        await sdk.setVariables({
          input: {
            project: "setvars-base",
            environment: "development",
            variables: [
              { key: "OLD", value: "new secret" },
              { key: "NEW", value: "n" },
              { key: "NEW_SECRET", value: "s", secret: true },
            ],
          },
        })
      ).setVariables,
      "SetVariablesPayload",
    );
    expect(r).toMatchObject({
      revision: 2,
      branch: null,
      created: ["NEW", "NEW_SECRET"],
      updated: ["OLD"],
      secrets: ["OLD", "NEW_SECRET"],
    });
    expect(await listValues(sdk, "setvars-base", "development")).toEqual({
      revision: 2,
      values: {
        NEW: { value: "n", isSecret: false },
        NEW_SECRET: { value: null, isSecret: true },
        OLD: { value: null, isSecret: true },
      },
    });

    const flip = expectType(
      (
        await sdk.setVariables({
          input: {
            project: "setvars-base",
            environment: "development",
            variables: [
              { key: "OTHER", value: "x" },
              { key: "NEW", value: "y", secret: true },
            ],
          },
        })
      ).setVariables,
      "ValidationError",
    );
    expect(flip.message).toContain('"NEW" is a standard variable; the secret flag is set at creation');
    const dup = expectType(
      (
        await sdk.setVariables({
          input: {
            project: "setvars-base",
            environment: "development",
            variables: [
              { key: "A", value: "1" },
              { key: "A", value: "2" },
            ],
          },
        })
      ).setVariables,
      "ValidationError",
    );
    expect(dup.fieldErrors).toEqual([{ path: ["variables", "1", "key"], message: expect.stringContaining("twice") }]);
    const empty = expectType(
      (await sdk.setVariables({ input: { project: "setvars-base", environment: "development", variables: [] } }))
        .setVariables,
      "ValidationError",
    );
    expect(empty.fieldErrors[0].path).toEqual(["variables"]);
    expect(await listValues(sdk, "setvars-base", "development")).toMatchObject({ revision: 2 });
  });

  it("standard values set again unchanged are not written: no revision when nothing changes; secrets and write-only tokens always write", async () => {
    const s = "setvars-same";
    await createProject(sdk, s);
    const set = async (client: EnvplaneClient, variables: { key: string; value: string; note?: string }[]) =>
      expectType(
        (await client.setVariables({ input: { project: s, environment: "development", variables } })).setVariables,
        "SetVariablesPayload",
      );
    await set(sdk, [
      { key: "LOG_LEVEL", value: "debug" },
      { key: "API_URL", value: "http://localhost:3000", note: "local API" },
    ]);
    await setVariable(sdk, { project: s, environment: "development", key: "TOKEN", value: "t", secret: true });
    const before = (await readEnvironment(sdk, s, "development")).revision;

    const same = await set(sdk, [
      { key: "LOG_LEVEL", value: "debug" },
      { key: "API_URL", value: "http://localhost:3000", note: "local API" },
    ]);
    expect(same).toMatchObject({ revision: before, created: [], updated: [], unchanged: ["LOG_LEVEL", "API_URL"] });
    expect((await readEnvironment(sdk, s, "development")).revision).toBe(before);

    // One changed key among unchanged ones: one revision, the rest reported unchanged; a note alone is a change.
    const mixed = await set(sdk, [
      { key: "LOG_LEVEL", value: "info" },
      { key: "API_URL", value: "http://localhost:3000", note: "the API" },
      { key: "TOKEN", value: "t" },
    ]);
    expect(mixed).toMatchObject({
      revision: before + 1,
      created: [],
      updated: ["LOG_LEVEL", "API_URL", "TOKEN"],
      unchanged: [],
    });
    const rows = (await readEnvironment(sdk, s, "development")).variables;
    expect(rows.find((v: { key: string }) => v.key === "API_URL")).toMatchObject({ note: "the API" });

    // A secret set again with its value is written (the answer never confirms a guess).
    const secret = await set(sdk, [{ key: "TOKEN", value: "t" }]);
    expect(secret).toMatchObject({ revision: before + 2, updated: ["TOKEN"], unchanged: [] });
    // A write-only token cannot read values: its same value is written too.
    const writer = await serviceToken(server, s, ["WRITE"]);
    const blind = await set(writer.client, [{ key: "LOG_LEVEL", value: "info" }]);
    expect(blind).toMatchObject({ revision: before + 3, updated: ["LOG_LEVEL"], unchanged: [] });
  });

  it("sets overrides of one branch; a key without a base value, development, or a developer on production is refused", async () => {
    await createProject(sdk, "setvars-branch", { branches: ["feature-x"] });
    for (const key of ["A", "B"])
      await setVariable(sdk, { project: "setvars-branch", environment: "preview", key, value: `base ${key}` });
    await setVariable(sdk, {
      project: "setvars-branch",
      environment: "preview",
      key: "A",
      value: "old",
      branch: "feature-x",
    });
    const input = {
      project: "setvars-branch",
      environment: "preview",
      branch: "feature-x",
      variables: [
        { key: "A", value: "a" },
        { key: "B", value: "b" },
      ],
    };
    const r = expectType((await sdk.setVariables({ input })).setVariables, "SetVariablesPayload");
    expect(r).toMatchObject({ revision: 4, branch: "feature-x", created: ["B"], updated: ["A"] });
    const env = await readEnvironment(sdk, "setvars-branch", "preview");
    expect(env.variables.map((v) => [v.key, v.value, v.overrides.map((o) => o.value)])).toEqual([
      ["A", "base A", ["a"]],
      ["B", "base B", ["b"]],
    ]);

    const missing = expectType(
      (await sdk.setVariables({ input: { ...input, variables: [...input.variables, { key: "C", value: "c" }] } }))
        .setVariables,
      "NotFoundError",
    );
    expect(missing.message).toContain('"C" has no base value in "preview"');
    const dev = expectType(
      (await sdk.setVariables({ input: { ...input, environment: "development" } })).setVariables,
      "ValidationError",
    );
    expect(dev.message).toContain('Branch overrides are not available on "development"');
    await setVariable(sdk, { project: "setvars-branch", environment: "production", key: "A", value: "p" });
    const developer = await userWithRole(server, "setvars-branch", "DEVELOPER");
    expectType(
      (await developer.client.setVariables({ input: { ...input, environment: "production", branch: undefined } }))
        .setVariables,
      "ForbiddenError",
    );
    expect((await readEnvironment(sdk, "setvars-branch", "preview")).revision).toBe(4);
    expect((await listValues(sdk, "setvars-branch", "production")).values.A.value).toBe("p");
  });
});

describe("unsetVariables", () => {
  it("removes base values with their overrides, or one branch's overrides, in one revision; missing keys are listed", async () => {
    await createProject(sdk, "unsetvars", { branches: ["feature-x"] });
    for (const key of ["A", "B", "C"])
      await setVariable(sdk, { project: "unsetvars", environment: "preview", key, value: key });
    await setVariable(sdk, { project: "unsetvars", environment: "preview", key: "A", value: "a", branch: "feature-x" });
    await setVariable(sdk, { project: "unsetvars", environment: "preview", key: "B", value: "b", branch: "feature-x" });
    const overrides = expectType(
      (
        await sdk.unsetVariables({
          input: { project: "unsetvars", environment: "preview", keys: ["A", "C"], branch: "feature-x" },
        })
      ).unsetVariables,
      "UnsetVariablesPayload",
    );
    expect(overrides).toMatchObject({ revision: 6, removed: ["A"], missing: ["C"], overridesRemoved: 1 });
    const base = expectType(
      (await sdk.unsetVariables({ input: { project: "unsetvars", environment: "preview", keys: ["B", "C", "Z"] } }))
        .unsetVariables,
      "UnsetVariablesPayload",
    );
    expect(base).toMatchObject({ revision: 7, removed: ["B", "C"], missing: ["Z"], overridesRemoved: 1 });
    expect(await listValues(sdk, "unsetvars", "preview")).toEqual({
      revision: 7,
      values: { A: { value: "A", isSecret: false } },
    });
    const bad = expectType(
      (await sdk.unsetVariables({ input: { project: "unsetvars", environment: "preview", keys: ["A", "1BAD"] } }))
        .unsetVariables,
      "ValidationError",
    );
    expect(bad.fieldErrors.map((f) => f.path)).toEqual([["keys", "1"]]);
    expect((await listValues(sdk, "unsetvars", "preview")).revision).toBe(7);
  });
});
