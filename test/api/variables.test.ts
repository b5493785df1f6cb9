import { describe, expect, it } from "vitest";
import type { EnvplaneClient } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import { createProject, readEnvironment, serviceToken, userWithRole, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
let sdk: EnvplaneClient;
useTestServer((started) => ([server, sdk] = [started, started.owner]));

async function set(
  project: string,
  environment: string,
  key: string,
  value: string,
  extra: { secret?: boolean; branch?: string } = {},
) {
  return (await sdk.setVariable({ input: { project, environment, key, value, ...extra } })).setVariable;
}

const listing = (project: string, environment: string, client: EnvplaneClient = sdk) =>
  readEnvironment(client, project, environment);

describe("setVariable", () => {
  it("creates then updates, reporting created and incrementing the revision by one per write", async () => {
    await createProject(sdk, "vars-create");
    const first = expectType(
      await set("vars-create", "development", "API_URL", "http://localhost:3000"),
      "SetVariablePayload",
    );
    expect(first).toMatchObject({ key: "API_URL", branch: null, created: true, isSecret: false, revision: 1 });
    const second = expectType(
      await set("vars-create", "development", "API_URL", "http://localhost:4000"),
      "SetVariablePayload",
    );
    expect(second).toMatchObject({ created: false, isSecret: false, revision: 2 });
    const third = expectType(await set("vars-create", "development", "OTHER", "x"), "SetVariablePayload");
    expect(third).toMatchObject({ created: true, revision: 3 });

    const env = await listing("vars-create", "development");
    expect(env.revision).toBe(3);
    expect(env.variableCount).toBe(2);
    expect(env.variables.map((v) => [v.key, v.value])).toEqual([
      ["API_URL", "http://localhost:4000"],
      ["OTHER", "x"],
    ]);
  });

  it("keeps the secret flag one-way: flipping it either way fails, says to delete and recreate, and changes nothing", async () => {
    await createProject(sdk, "vars-flip");
    expectType(await set("vars-flip", "preview", "STRIPE_KEY", "sk_live_1", { secret: true }), "SetVariablePayload");
    expectType(await set("vars-flip", "preview", "API_URL", "http://a"), "SetVariablePayload");
    const before = await listing("vars-flip", "preview");

    const unsecret = expectType(
      await set("vars-flip", "preview", "STRIPE_KEY", "sk_live_2", { secret: false }),
      "ValidationError",
    );
    expect(unsecret.message).toMatch(/delete/i);
    expect(unsecret.message).toMatch(/set it again|recreate/i);
    expect(unsecret.message).not.toContain("sk_live");
    expect(unsecret.fieldErrors.map((e) => e.path)).toEqual([["secret"]]);

    const secret = expectType(
      await set("vars-flip", "preview", "API_URL", "http://b", { secret: true }),
      "ValidationError",
    );
    expect(secret.message).toMatch(/delete/i);
    expect(secret.message).toMatch(/set it again|recreate/i);

    const after = await listing("vars-flip", "preview");
    expect(after.revision).toBe(before.revision);
    expect(after.variables.map((v) => [v.key, v.isSecret, v.value, v.updatedAt])).toEqual(
      before.variables.map((v) => [v.key, v.isSecret, v.value, v.updatedAt]),
    );

    // The secret's value did not change either (only runtime resolution can show it).
    const rt = await serviceToken(server, "vars-flip", ["RUNTIME"]);
    const runtime = expectType(
      (await rt.client.runtimeVariables({ project: "vars-flip", branch: "dev" })).runtimeVariables,
      "RuntimeEnvironment",
    );
    expect(runtime.variables.map((v) => [v.key, v.value, v.isSecret])).toEqual([
      ["API_URL", "http://a", false],
      ["STRIPE_KEY", "sk_live_1", true],
    ]);

    // Omitting `secret` (or repeating the same flag) updates the value and keeps the type.
    expect(
      expectType(await set("vars-flip", "preview", "STRIPE_KEY", "sk_live_3"), "SetVariablePayload"),
    ).toMatchObject({ created: false, isSecret: true, revision: before.revision + 1 });
    expect(
      expectType(await set("vars-flip", "preview", "API_URL", "http://c", { secret: false }), "SetVariablePayload"),
    ).toMatchObject({ isSecret: false, revision: before.revision + 2 });
  });

  it("lists secrets with isSecret true and a null value (also for their overrides) for every role", async () => {
    await createProject(sdk, "vars-roles", { branches: ["feature-x"] });
    expectType(
      await set("vars-roles", "preview", "STRIPE_KEY", "sk_canary_roles", { secret: true }),
      "SetVariablePayload",
    );
    expectType(
      await set("vars-roles", "preview", "STRIPE_KEY", "sk_canary_override", { branch: "feature-x" }),
      "SetVariablePayload",
    );
    expectType(await set("vars-roles", "preview", "API_URL", "https://preview.example.com"), "SetVariablePayload");

    const clients: [string, EnvplaneClient][] = [["OWNER(instance)", sdk]];
    for (const role of ["OWNER", "ADMIN", "DEVELOPER", "VIEWER"] as const) {
      clients.push([role, (await userWithRole(server, "vars-roles", role)).client]);
    }
    for (const [role, client] of clients) {
      const env = await listing("vars-roles", "preview", client);
      const byKey = Object.fromEntries(env.variables.map((v) => [v.key, v]));
      expect({ role, secret: byKey.STRIPE_KEY.isSecret, value: byKey.STRIPE_KEY.value }).toEqual({
        role,
        secret: true,
        value: null,
      });
      expect(byKey.STRIPE_KEY.overrides.map((o) => [o.branch.name, o.value])).toEqual([["feature-x", null]]);
      expect({ role, value: byKey.API_URL.value, secret: byKey.API_URL.isSecret }).toEqual({
        role,
        value: "https://preview.example.com",
        secret: false,
      });
      expect(JSON.stringify(env)).not.toContain("sk_canary");
    }
  });

  it("rejects a bad key and a value over 64 KiB with field paths; exactly 64 KiB is accepted", async () => {
    await createProject(sdk, "vars-limits");
    for (const key of ["1ABC", "WITH-DASH", "", "A B", "K".repeat(257), "É"]) {
      const bad = expectType(await set("vars-limits", "development", key, "v"), "ValidationError");
      expect(bad.fieldErrors.map((e) => e.path)).toContainEqual(["key"]);
    }
    const tooBig = expectType(await set("vars-limits", "development", "BIG", "a".repeat(65 * 1024)), "ValidationError");
    expect(tooBig.fieldErrors.map((e) => e.path)).toEqual([["value"]]);
    expect(tooBig.message).toMatch(/64 KiB/);
    // 64 KiB + 1 byte, counted in UTF-8 bytes (a 2-byte character at the end).
    const overByOne = expectType(
      await set("vars-limits", "development", "BIG", `${"a".repeat(64 * 1024 - 1)}é`),
      "ValidationError",
    );
    expect(overByOne.fieldErrors.map((e) => e.path)).toEqual([["value"]]);

    let env = await listing("vars-limits", "development");
    expect(env.revision).toBe(0);
    expect(env.variableCount).toBe(0);

    const exact = "x".repeat(64 * 1024);
    expectType(await set("vars-limits", "development", "BIG", exact), "SetVariablePayload");
    const exactUtf8 = "é".repeat(32 * 1024);
    expectType(await set("vars-limits", "development", "BIG_UTF8", exactUtf8), "SetVariablePayload");
    env = await listing("vars-limits", "development");
    expect(env.variables.find((v) => v.key === "BIG")?.value).toBe(exact);
    expect(env.variables.find((v) => v.key === "BIG_UTF8")?.value).toBe(exactUtf8);
    expect(env.variableCount).toBe(2);
  });

  it("checks expectedRevision on set and unset: a stale one is a ConflictError naming the current revision, nothing changed", async () => {
    await createProject(sdk, "vars-expected");
    expectType(await set("vars-expected", "development", "A", "1"), "SetVariablePayload");
    const stale = expectType(
      (
        await sdk.setVariable({
          input: { project: "vars-expected", environment: "development", key: "A", value: "2", expectedRevision: 0 },
        })
      ).setVariable,
      "ConflictError",
    );
    expect(stale.currentRevision).toBe(1);
    expect(stale.message).toContain("revision 1");
    const staleUnset = expectType(
      (
        await sdk.unsetVariable({
          input: { project: "vars-expected", environment: "development", key: "A", expectedRevision: 5 },
        })
      ).unsetVariable,
      "ConflictError",
    );
    expect(staleUnset.currentRevision).toBe(1);
    let env = await listing("vars-expected", "development");
    expect([env.revision, env.variables.map((v) => [v.key, v.value])]).toEqual([1, [["A", "1"]]]);
    expect(
      expectType(
        (
          await sdk.setVariable({
            input: { project: "vars-expected", environment: "development", key: "A", value: "2", expectedRevision: 1 },
          })
        ).setVariable,
        "SetVariablePayload",
      ).revision,
    ).toBe(2);
    expect(
      expectType(
        (
          await sdk.unsetVariable({
            input: { project: "vars-expected", environment: "development", key: "A", expectedRevision: 2 },
          })
        ).unsetVariable,
        "UnsetVariablePayload",
      ),
    ).toMatchObject({ removed: true, revision: 3 });
    env = await listing("vars-expected", "development");
    expect([env.revision, env.variableCount]).toEqual([3, 0]);
  });

  it("reports an unknown project, environment or branch as NotFoundError", async () => {
    await createProject(sdk, "vars-missing");
    const project = expectType(await set("no-such-project", "development", "A", "1"), "NotFoundError");
    expect(project.resource).toBe("Project");
    expect(project.message).toContain("no-such-project");
    const env = expectType(await set("vars-missing", "qa", "A", "1"), "NotFoundError");
    expect(env.resource).toBe("Environment");
    expect(env.message).toContain('"qa"');
    expectType(await set("vars-missing", "preview", "A", "1"), "SetVariablePayload");
    const branch = expectType(await set("vars-missing", "preview", "A", "2", { branch: "ghost" }), "NotFoundError");
    expect(branch.resource).toBe("ProjectBranch");
    expect(branch.message).toContain('"ghost"');
    const unset = expectType(
      (await sdk.unsetVariable({ input: { project: "vars-missing", environment: "qa", key: "A" } })).unsetVariable,
      "NotFoundError",
    );
    expect(unset.resource).toBe("Environment");
    expect((await listing("vars-missing", "preview")).revision).toBe(1);
  });
});

describe("unsetVariable", () => {
  it("reports removed true, then false for a key that is gone, without changing the revision", async () => {
    await createProject(sdk, "unset-basic");
    expectType(await set("unset-basic", "development", "A", "1"), "SetVariablePayload");
    expectType(await set("unset-basic", "development", "B", "2"), "SetVariablePayload");
    const removed = expectType(
      (await sdk.unsetVariable({ input: { project: "unset-basic", environment: "development", key: "A" } }))
        .unsetVariable,
      "UnsetVariablePayload",
    );
    expect(removed).toMatchObject({ key: "A", removed: true, overridesRemoved: 0, revision: 3 });
    const again = expectType(
      (await sdk.unsetVariable({ input: { project: "unset-basic", environment: "development", key: "A" } }))
        .unsetVariable,
      "UnsetVariablePayload",
    );
    expect(again).toMatchObject({ removed: false, overridesRemoved: 0, revision: 3 });
    const unknown = expectType(
      (await sdk.unsetVariable({ input: { project: "unset-basic", environment: "development", key: "NEVER_SET" } }))
        .unsetVariable,
      "UnsetVariablePayload",
    );
    expect(unknown).toMatchObject({ removed: false, revision: 3 });
    const env = await listing("unset-basic", "development");
    expect(env.revision).toBe(3);
    expect(env.variables.map((v) => v.key)).toEqual(["B"]);
  });

  it("removes a base value together with its overrides", async () => {
    await createProject(sdk, "unset-cascade", { branches: ["feature-x", "feature-y"] });
    expectType(await set("unset-cascade", "preview", "API_URL", "base"), "SetVariablePayload");
    expectType(await set("unset-cascade", "preview", "API_URL", "x", { branch: "feature-x" }), "SetVariablePayload");
    expectType(await set("unset-cascade", "preview", "API_URL", "y", { branch: "feature-y" }), "SetVariablePayload");
    const res = expectType(
      (await sdk.unsetVariable({ input: { project: "unset-cascade", environment: "preview", key: "API_URL" } }))
        .unsetVariable,
      "UnsetVariablePayload",
    );
    expect(res).toMatchObject({ removed: true, overridesRemoved: 2, branch: null, revision: 4 });

    // Recreating the base does not bring the old overrides back.
    expectType(await set("unset-cascade", "preview", "API_URL", "new-base"), "SetVariablePayload");
    const env = await listing("unset-cascade", "preview");
    expect(env.variables.map((v) => [v.key, v.value, v.overrides.length])).toEqual([["API_URL", "new-base", 0]]);
    const pulled = expectType(
      (await sdk.pullVariables({ project: "unset-cascade", environment: "preview", branch: "feature-x" }))
        .pullVariables,
      "PulledEnvironment",
    );
    expect(pulled.variables).toEqual([{ key: "API_URL", value: "new-base", fromOverride: false }]);
  });
});

describe("branch overrides", () => {
  it("are refused on development", async () => {
    await createProject(sdk, "ovr-dev", { branches: ["feature-x"] });
    expectType(await set("ovr-dev", "development", "API_URL", "http://localhost"), "SetVariablePayload");
    const err = expectType(
      await set("ovr-dev", "development", "API_URL", "http://x", { branch: "feature-x" }),
      "ValidationError",
    );
    expect(err.message).toContain("development");
    expect(err.fieldErrors.map((e) => e.path)).toEqual([["branch"]]);
    const unset = expectType(
      (
        await sdk.unsetVariable({
          input: { project: "ovr-dev", environment: "development", key: "API_URL", branch: "feature-x" },
        })
      ).unsetVariable,
      "ValidationError",
    );
    expect(unset.fieldErrors.map((e) => e.path)).toEqual([["branch"]]);
    const env = await listing("ovr-dev", "development");
    expect(env.revision).toBe(1);
    expect(env.variables[0].overrides).toEqual([]);
  });

  it("need a base value: NotFoundError that says to set the base first, nothing changed", async () => {
    await createProject(sdk, "ovr-nobase", { branches: ["feature-x"] });
    const err = expectType(
      await set("ovr-nobase", "preview", "API_URL", "x", { branch: "feature-x" }),
      "NotFoundError",
    );
    expect(err.message).toContain("API_URL");
    expect(err.message).toMatch(/base value first/i);
    expect(err.message).toContain("envplane env set API_URL");
    const env = await listing("ovr-nobase", "preview");
    expect(env.revision).toBe(0);
    expect(env.variableCount).toBe(0);
  });

  it("are listed under their base variable by branch name; unset with a branch removes only that override", async () => {
    await createProject(sdk, "ovr-list", { branches: ["feature-x", "feature-y"] });
    expectType(await set("ovr-list", "preview", "API_URL", "https://preview.example.com"), "SetVariablePayload");
    expectType(await set("ovr-list", "preview", "DATABASE_URL", "postgres://preview"), "SetVariablePayload");
    const created = expectType(
      await set("ovr-list", "preview", "API_URL", "https://y.example.com", { branch: "feature-y" }),
      "SetVariablePayload",
    );
    expect(created).toMatchObject({ branch: "feature-y", created: true, isSecret: false, revision: 3 });
    expectType(
      await set("ovr-list", "preview", "API_URL", "https://x.example.com", { branch: "feature-x" }),
      "SetVariablePayload",
    );
    const updated = expectType(
      await set("ovr-list", "preview", "API_URL", "https://x2.example.com", { branch: "feature-x" }),
      "SetVariablePayload",
    );
    expect(updated).toMatchObject({ created: false, revision: 5 });

    let env = await listing("ovr-list", "preview");
    expect(env.variableCount).toBe(2);
    expect(
      env.variables.map((v) => ({
        key: v.key,
        value: v.value,
        overrides: v.overrides.map((o) => [o.branch.name, o.value]),
      })),
    ).toEqual([
      {
        key: "API_URL",
        value: "https://preview.example.com",
        overrides: [
          ["feature-x", "https://x2.example.com"],
          ["feature-y", "https://y.example.com"],
        ],
      },
      { key: "DATABASE_URL", value: "postgres://preview", overrides: [] },
    ]);

    const res = expectType(
      (
        await sdk.unsetVariable({
          input: { project: "ovr-list", environment: "preview", key: "API_URL", branch: "feature-x" },
        })
      ).unsetVariable,
      "UnsetVariablePayload",
    );
    expect(res).toMatchObject({ removed: true, branch: "feature-x", overridesRemoved: 1, revision: 6 });
    const again = expectType(
      (
        await sdk.unsetVariable({
          input: { project: "ovr-list", environment: "preview", key: "API_URL", branch: "feature-x" },
        })
      ).unsetVariable,
      "UnsetVariablePayload",
    );
    expect(again).toMatchObject({ removed: false, overridesRemoved: 0, revision: 6 });

    env = await listing("ovr-list", "preview");
    expect(env.revision).toBe(6);
    const api = env.variables.find((v) => v.key === "API_URL")!;
    expect(api.value).toBe("https://preview.example.com");
    expect(api.overrides.map((o) => [o.branch.name, o.value])).toEqual([["feature-y", "https://y.example.com"]]);
  });
});

describe("values round-trip exactly through set, list and pull", () => {
  const values: Record<string, string> = {
    NEWLINES: "line one\nline two\r\nline three\n",
    QUOTES: `single ' double " back \``,
    HASH: "value # not a comment",
    DOLLAR: "postgres://${DB_USER}:$PASS@host/$db",
    EQUALS: "a=b==c=",
    BACKSLASHES: "C:\\path\\to\\file \\n not a newline \\\\",
    SPACES: "  leading and trailing  ",
    UNICODE: "héllo wörld — 日本語 🔐🚀 👩‍👩‍👧",
    NUL: "before\u0000after",
    EMPTY: "",
    TABS: "\tcol1\tcol2\t",
    JSON: '{"a":[1,2,{"b":"c"}],"d":null}',
  };

  it("on development (pull without a branch) and on preview (pull for a branch, with overrides)", async () => {
    await createProject(sdk, "vars-roundtrip", { branches: ["feature-x"] });
    const keys = Object.keys(values).sort();
    for (const key of keys) {
      expectType(await set("vars-roundtrip", "development", key, values[key]), "SetVariablePayload");
      expectType(await set("vars-roundtrip", "preview", key, `base:${values[key]}`), "SetVariablePayload");
      expectType(
        await set("vars-roundtrip", "preview", key, values[key], { branch: "feature-x" }),
        "SetVariablePayload",
      );
    }

    const dev = await listing("vars-roundtrip", "development");
    expect(Object.fromEntries(dev.variables.map((v) => [v.key, v.value]))).toEqual(values);
    const pulled = expectType(
      (await sdk.pullVariables({ project: "vars-roundtrip", environment: "development" })).pullVariables,
      "PulledEnvironment",
    );
    expect(pulled.variables.map((v) => v.key)).toEqual(keys);
    expect(Object.fromEntries(pulled.variables.map((v) => [v.key, v.value]))).toEqual(values);

    const preview = await listing("vars-roundtrip", "preview");
    for (const v of preview.variables) {
      expect(v.value).toBe(`base:${values[v.key]}`);
      expect(v.overrides.map((o) => o.value)).toEqual([values[v.key]]);
    }
    const branchPull = expectType(
      (await sdk.pullVariables({ project: "vars-roundtrip", environment: "preview", branch: "feature-x" }))
        .pullVariables,
      "PulledEnvironment",
    );
    expect(branchPull.variables.every((v) => v.fromOverride)).toBe(true);
    expect(Object.fromEntries(branchPull.variables.map((v) => [v.key, v.value]))).toEqual(values);
  });
});
