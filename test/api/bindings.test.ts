/**
 * Managed data-service bindings through the SDK, on SQLite and PostgreSQL: a binding's credential is a
 * managed secret per environment (never returned, never pulled, resolved at runtime); set, setVariables,
 * unset, unsetVariables, overrides and bulk upsert refuse to touch it, naming the binding; push --prune,
 * promote --prune, seed and restore leave it; only bindService / updateBinding / unbindService change it, each
 * as one transaction with one revision and one event per environment.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { BindServiceInput, EnvplaneClient } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import {
  bulk,
  createEnvironment,
  createProject,
  readEnvironment,
  runtimeValues,
  setVariable,
  userWithRole,
  useTestServer,
} from "../support/fixtures.js";
import { databaseSnapshot } from "../support/raw-db.js";
import type { TestServer } from "../support/server.js";

const canary = `CANARY_${randomBytes(8).toString("hex")}`;
const slug = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;
const url = (env: string) => `postgres://app:${canary}-${env}@db.internal/${env}`;

describe("service bindings", () => {
  let server: TestServer;
  let sdk: EnvplaneClient;
  useTestServer((started) => ([server, sdk] = [started, started.owner]));

  const bind = async (input: BindServiceInput) => (await sdk.bindService({ input })).bindService;

  /** A project with staging, APP_NAME everywhere, and the binding main-db on production and staging. */
  async function project() {
    const s = slug("bnd");
    await createProject(sdk, s);
    await createEnvironment(sdk, s, "staging");
    for (const environment of ["production", "staging"])
      await setVariable(sdk, { project: s, environment, key: "APP_NAME", value: `shop-${environment}` });
    const r = expectType(
      await bind({
        project: s,
        name: "main-db",
        service: "POSTGRES",
        environments: [
          { environment: "production", value: url("production") },
          { environment: "staging", value: url("staging") },
        ],
      }),
      "BindingPayload",
    );
    return { s, r };
  }

  /** What production resolves to at runtime (branch main) and what the API lists for DATABASE_URL. */
  async function production(s: string) {
    const runtime = await runtimeValues(server, s, "main");
    expect(runtime.environment).toBe("production");
    const env = await readEnvironment(sdk, s, "production");
    return { runtime: runtime.values, variable: env.variables.find((v) => v.key === "DATABASE_URL"), env };
  }

  it("stores the credential as a managed secret per environment: listed with its binding, resolved at runtime, never pulled", async () => {
    const { s, r } = await project();
    expect(r.binding).toMatchObject({
      name: "main-db",
      service: "POSTGRES",
      variable: "DATABASE_URL",
      environments: ["production", "staging"],
    });
    expect(r.changes.map((c) => [c.environment, c.kind])).toEqual([
      ["production", "ADDED"],
      ["staging", "ADDED"],
    ]);
    const { runtime, variable, env } = await production(s);
    expect(variable).toMatchObject({ isSecret: true, isManaged: true, value: null, binding: { name: "main-db" } });
    expect(env.variables.find((v) => v.key === "APP_NAME")).toMatchObject({ isManaged: false, binding: null });
    expect(runtime.DATABASE_URL).toEqual({ value: url("production"), isSecret: true });
    expect(env.revision).toBe(r.changes[0].revision);

    const pulled = expectType(
      (await sdk.pullVariables({ project: s, environment: "production" })).pullVariables,
      "PulledEnvironment",
    );
    expect(pulled.variables.map((v) => v.key)).toEqual(["APP_NAME"]);
    expect(JSON.stringify(pulled)).not.toContain(canary);

    // One revision and one event per environment, plus the binding's own event; never the value.
    const events = (await sdk.auditLog({ project: s, filter: { action: "binding." } })).auditLog.nodes;
    expect(events.map((e) => [e.action, e.environment, e.revision]).sort()).toEqual(
      [
        ["binding.create", null, null],
        ["binding.credential_set", "production", r.changes[0].revision],
        ["binding.credential_set", "staging", r.changes[1].revision],
      ].sort(),
    );
    const history = await sdk.environmentHistory({ project: s, environment: "production", first: 1 });
    expect(history.project?.environment?.revisions.nodes[0]).toMatchObject({
      number: r.changes[0].revision,
      action: "binding.credential_set",
      added: 1,
    });
    const listing = await sdk.bindings({ slug: s });
    expect(listing.project?.bindings.map((b) => b.name)).toEqual(["main-db"]);
    expect(JSON.stringify([events, history, listing, r])).not.toContain(canary);
    expect((await databaseSnapshot(server.database)).contains(canary)).toBe(false);
  });

  it("refuses set, setVariables, unset, unsetVariables, an override and a bulk upsert naming a managed variable", async () => {
    const { s } = await project();
    await sdk.createBranch({ input: { project: s, name: "feature-x" } });
    const base = { project: s, environment: "production" };
    const attempts = [
      (await sdk.setVariable({ input: { ...base, key: "DATABASE_URL", value: "postgres://evil" } })).setVariable,
      (
        await sdk.setVariable({
          input: { ...base, key: "DATABASE_URL", value: "postgres://evil", branch: "feature-x" },
        })
      ).setVariable,
      (
        await sdk.setVariables({
          input: {
            ...base,
            variables: [
              { key: "OK", value: "1" },
              { key: "DATABASE_URL", value: "postgres://evil" },
            ],
          },
        })
      ).setVariables,
      (await sdk.unsetVariable({ input: { ...base, key: "DATABASE_URL" } })).unsetVariable,
      (await sdk.unsetVariables({ input: { ...base, keys: ["APP_NAME", "DATABASE_URL"] } })).unsetVariables,
      (
        await sdk.bulkUpsertVariables({
          input: { ...base, variables: [{ key: "DATABASE_URL", value: "postgres://evil" }], prune: true },
        })
      ).bulkUpsertVariables,
    ];
    for (const a of attempts) {
      const e = expectType(a, "ValidationError");
      expect(e.message).toContain('"DATABASE_URL" (binding "main-db")');
      expect(e.message).toContain("envplane bindings set main-db --env production");
    }
    expect(expectType(attempts[2], "ValidationError").fieldErrors[0].path).toEqual(["variables", "1", "key"]);
    // Nothing changed: same revision, same credential, APP_NAME still there, no OK.
    const { runtime, env } = await production(s);
    expect(runtime.DATABASE_URL.value).toBe(url("production"));
    expect(env.variables.map((v) => v.key)).toEqual(["APP_NAME", "DATABASE_URL"]);
    expect(env.revision).toBe(2);
  });

  it("push --prune (bulk upsert with prune) leaves the managed variable and reports it in managedKept", async () => {
    const { s } = await project();
    const dry = await bulk(sdk, {
      project: s,
      environment: "production",
      variables: [{ key: "NEW", value: "1" }],
      prune: true,
      dryRun: true,
    });
    expect(dry).toMatchObject({ removed: ["APP_NAME"], managedKept: ["DATABASE_URL"] });
    const applied = await bulk(sdk, {
      project: s,
      environment: "production",
      variables: [{ key: "NEW", value: "1" }],
      prune: true,
    });
    expect(applied).toMatchObject({
      applied: true,
      added: ["NEW"],
      removed: ["APP_NAME"],
      managedKept: ["DATABASE_URL"],
    });
    const { runtime, variable } = await production(s);
    expect(runtime.DATABASE_URL.value).toBe(url("production"));
    expect(variable?.isManaged).toBe(true);
    // Without prune nothing is reported.
    const plain = await bulk(sdk, { project: s, environment: "production", variables: [{ key: "NEW", value: "2" }] });
    expect(plain.managedKept).toEqual([]);
  });

  it("a replace (promote --prune, seed, restore) never changes or removes a managed variable", async () => {
    const { s, r } = await project();
    // promote staging → production with prune: staging's credential is not copied, production's stays.
    await setVariable(sdk, { project: s, environment: "staging", key: "ONLY_STAGING", value: "x" });
    const promoted = expectType(
      (await sdk.promoteEnvironment({ input: { project: s, from: "staging", to: "production", prune: true } }))
        .promoteEnvironment,
      "PromoteEnvironmentPayload",
    );
    expect(promoted.applied).toBe(true);
    expect(promoted.removed).toEqual([]);
    expect(promoted.skipped).toContain("DATABASE_URL");
    let state = await production(s);
    expect(state.runtime.DATABASE_URL.value).toBe(url("production"));
    expect(state.runtime.ONLY_STAGING.value).toBe("x");
    expect(state.variable?.isManaged).toBe(true);

    // A plain DATABASE_URL in the source does not overwrite the target's managed one either.
    await createEnvironment(sdk, s, "qa");
    await setVariable(sdk, { project: s, environment: "qa", key: "DATABASE_URL", value: "postgres://qa" });
    const seeded = expectType(
      (await sdk.seedEnvironment({ input: { project: s, target: "production", from: "qa" } })).seedEnvironment,
      "EnvironmentPayload",
    );
    expect(seeded.seed?.skipped).toContain("DATABASE_URL");
    const reviewed = (
      await sdk.seedEnvironment({
        input: {
          project: s,
          target: "production",
          from: "qa",
          decisions: [{ key: "DATABASE_URL", action: "EDIT", value: "postgres://named", secret: true }],
        },
      })
    ).seedEnvironment;
    expect(expectType(reviewed, "ValidationError").message).toContain('binding "main-db"');
    state = await production(s);
    expect(state.runtime.DATABASE_URL.value).toBe(url("production"));

    // Restore to the revision before the binding: the credential stays.
    const restored = expectType(
      (
        await sdk.restoreEnvironment({
          input: { project: s, environment: "production", revision: r.changes[0].revision! - 1 },
        })
      ).restoreEnvironment,
      "RestoreEnvironmentPayload",
    );
    expect(restored.applied).toBe(true);
    state = await production(s);
    expect(state.runtime.DATABASE_URL.value).toBe(url("production"));
    expect(state.variable?.isManaged).toBe(true);
    expect(state.runtime.ONLY_STAGING).toBeUndefined();
  });

  it("updateBinding rotates and removes credentials, one revision per environment, in one transaction", async () => {
    const { s } = await project();
    const before = (await readEnvironment(sdk, s, "production")).revision;
    const rotated = expectType(
      (
        await sdk.updateBinding({
          input: {
            project: s,
            name: "main-db",
            environments: [{ environment: "production", value: `${url("production")}-v2` }],
            removeEnvironments: ["staging"],
          },
        })
      ).updateBinding,
      "BindingPayload",
    );
    expect(rotated.changes.map((c) => [c.environment, c.kind])).toEqual([
      ["production", "ROTATED"],
      ["staging", "REMOVED"],
    ]);
    expect(rotated.changes[0].revision).toBe(before + 1);
    expect(rotated.binding.environments).toEqual(["production"]);
    expect((await production(s)).runtime.DATABASE_URL.value).toBe(`${url("production")}-v2`);
    expect((await readEnvironment(sdk, s, "staging")).variables.map((v) => v.key)).toEqual(["APP_NAME"]);

    // All or nothing: a second environment that fails (a plain DATABASE_URL) leaves the first unchanged.
    await setVariable(sdk, { project: s, environment: "development", key: "DATABASE_URL", value: "sqlite:dev" });
    const refused = (
      await sdk.updateBinding({
        input: {
          project: s,
          name: "main-db",
          environments: [
            { environment: "production", value: `${url("production")}-v3` },
            { environment: "development", value: "postgres://dev" },
          ],
        },
      })
    ).updateBinding;
    expect(expectType(refused, "ValidationError").message).toContain(
      '"DATABASE_URL" already exists in "development" as a plain variable',
    );
    expect((await production(s)).runtime.DATABASE_URL.value).toBe(`${url("production")}-v2`);
    expect((await readEnvironment(sdk, s, "production")).revision).toBe(before + 1);
  });

  it("unbindService removes the credentials, or keeps them as plain secrets with keepVariables", async () => {
    const { s } = await project();
    const removed = expectType(
      (await sdk.unbindService({ input: { project: s, name: "main-db" } })).unbindService,
      "UnbindServicePayload",
    );
    expect(removed.changes.map((c) => [c.environment, c.kind]).sort()).toEqual([
      ["production", "REMOVED"],
      ["staging", "REMOVED"],
    ]);
    expect((await production(s)).runtime.DATABASE_URL).toBeUndefined();
    expect((await sdk.bindings({ slug: s })).project?.bindings).toEqual([]);

    const kept = expectType(
      await bind({
        project: s,
        name: "cache",
        service: "REDIS",
        variable: "REDIS_URL",
        environments: [{ environment: "production", value: `redis://${canary}` }],
      }),
      "BindingPayload",
    );
    expect(kept.binding.variable).toBe("REDIS_URL");
    const unbound = expectType(
      (await sdk.unbindService({ input: { project: s, name: "cache", keepVariables: true } })).unbindService,
      "UnbindServicePayload",
    );
    expect(unbound.changes).toEqual([{ environment: "production", kind: "KEPT", revision: null }]);
    const env = await readEnvironment(sdk, s, "production");
    expect(env.variables.find((v) => v.key === "REDIS_URL")).toMatchObject({ isSecret: true, isManaged: false });
    // Now a plain secret: the ordinary paths may change it.
    await setVariable(sdk, { project: s, environment: "production", key: "REDIS_URL", value: "redis://new" });
  });

  it("refuses bad input and a plain variable of the same name, changing nothing", async () => {
    const { s } = await project();
    const dup = await bind({ project: s, name: "main-db", service: "OTHER", variable: "OTHER_URL" });
    expect(expectType(dup, "ConflictError").message).toContain('Binding "main-db" already exists');
    const badName = await bind({ project: s, name: "Main DB", service: "POSTGRES" });
    expect(expectType(badName, "ValidationError").fieldErrors[0].path).toEqual(["name"]);
    const badVar = await bind({ project: s, name: "x", service: "POSTGRES", variable: "1BAD" });
    expect(expectType(badVar, "ValidationError").fieldErrors[0].path).toEqual(["variable"]);
    const empty = await bind({
      project: s,
      name: "x",
      service: "POSTGRES",
      variable: "X_URL",
      environments: [{ environment: "production", value: "" }],
    });
    expect(expectType(empty, "ValidationError").fieldErrors[0].path).toEqual(["environments", "0", "value"]);
    const missing = await bind({
      project: s,
      name: "x",
      service: "POSTGRES",
      variable: "X_URL",
      environments: [{ environment: "nope", value: "v" }],
    });
    expect(expectType(missing, "NotFoundError").message).toContain('Environment "nope" not found');
    // APP_NAME is a plain variable in production: not taken over; staging (listed first) is not written either.
    const taken = await bind({
      project: s,
      name: "app",
      service: "OTHER",
      variable: "APP_NAME",
      environments: [
        { environment: "development", value: "v" },
        { environment: "production", value: "v" },
      ],
    });
    expect(expectType(taken, "ValidationError").message).toContain(
      '"APP_NAME" already exists in "production" as a plain variable',
    );
    expect((await readEnvironment(sdk, s, "development")).variables).toEqual([]);
    expect((await sdk.bindings({ slug: s })).project?.bindings.map((b) => b.name)).toEqual(["main-db"]);
    const unknown = (await sdk.updateBinding({ input: { project: s, name: "nope", removeEnvironments: ["staging"] } }))
      .updateBinding;
    expect(expectType(unknown, "NotFoundError").message).toContain('Binding "nope" not found');
  });

  it("only admins and owners bind or unbind; a developer sees the binding name, never the value", async () => {
    const { s } = await project();
    const dev = await userWithRole(server, s, "DEVELOPER");
    const r = (
      await dev.client.bindService({
        input: {
          project: s,
          name: "dev-db",
          service: "POSTGRES",
          environments: [{ environment: "staging", value: "v" }],
        },
      })
    ).bindService;
    expect(r.__typename).toBe("ForbiddenError");
    const u = (await dev.client.unbindService({ input: { project: s, name: "main-db" } })).unbindService;
    expect(u.__typename).toBe("ForbiddenError");
    // A developer sees the binding's name on the variable, never the value.
    const env = await readEnvironment(dev.client, s, "staging");
    expect(env.variables.find((v) => v.key === "DATABASE_URL")).toMatchObject({
      value: null,
      binding: { name: "main-db" },
    });
  });

  it("deleting an environment removes its credential", async () => {
    const { s } = await project();
    await sdk.deleteEnvironment({ input: { project: s, name: "staging" } });
    const listing = await sdk.bindings({ slug: s });
    expect(listing.project?.bindings[0].environments).toEqual(["production"]);
  });
});

describe("a preview and its parent's bindings", () => {
  let server: TestServer;
  let sdk: EnvplaneClient;
  useTestServer((started) => ([server, sdk] = [started, started.owner]));

  async function project() {
    const s = slug("bprev");
    await createProject(sdk, s);
    await createEnvironment(sdk, s, "staging");
    await setVariable(sdk, { project: s, environment: "staging", key: "APP_NAME", value: "shop" });
    for (const [name, variable] of [
      ["main-db", "DATABASE_URL"],
      ["cache", "REDIS_URL"],
    ])
      expectType(
        (
          await sdk.bindService({
            input: {
              project: s,
              name,
              service: name === "cache" ? "REDIS" : "POSTGRES",
              variable,
              environments: [{ environment: "staging", value: `${variable}-${canary}-staging` }],
            },
          })
        ).bindService,
        "BindingPayload",
      );
    return s;
  }

  const create = (s: string, bindings?: { binding: string; share?: boolean; value?: string }[]) =>
    sdk.createPreview({
      input: { project: s, branch: "feature-x", from: "staging", url: "https://pr-1.example.com", bindings },
    });

  it("shares the parent's credential or gets its own, by an explicit choice the result reports", async () => {
    const s = await project();
    const r = expectType(
      (
        await create(s, [
          { binding: "main-db", share: true },
          { binding: "cache", value: "redis://preview-own" },
        ])
      ).createPreview,
      "CreatePreviewPayload",
    );
    expect(r.bindings).toEqual([
      { binding: "main-db", variable: "DATABASE_URL", mode: "SHARED" },
      { binding: "cache", variable: "REDIS_URL", mode: "OWN" },
    ]);
    const runtime = await runtimeValues(server, s, "feature-x");
    expect(runtime.environment).toBe(r.environment.name);
    expect(runtime.values.DATABASE_URL.value).toBe(`DATABASE_URL-${canary}-staging`);
    expect(runtime.values.REDIS_URL.value).toBe("redis://preview-own");
    expect(runtime.values.APP_NAME.value).toBe("shop");
    // Both are managed in the preview: the ordinary paths leave them alone there too.
    const env = await readEnvironment(sdk, s, r.environment.name);
    expect(env.variables.filter((v) => v.isManaged).map((v) => [v.key, v.binding?.name])).toEqual([
      ["DATABASE_URL", "main-db"],
      ["REDIS_URL", "cache"],
    ]);
    const set = await sdk.setVariable({
      input: { project: s, environment: r.environment.name, key: "REDIS_URL", value: "x" },
    });
    expect(expectType(set.setVariable, "ValidationError").message).toContain('binding "cache"');
    const listing = await sdk.bindings({ slug: s });
    expect(listing.project?.bindings.find((b) => b.name === "main-db")?.environments).toEqual([
      r.environment.name,
      "staging",
    ]);
    expect(JSON.stringify(r)).not.toContain(canary);
  });

  it("refuses a preview without a choice for each binding of its parent, creating nothing", async () => {
    const s = await project();
    const none = expectType((await create(s)).createPreview, "ValidationError");
    expect(none.message).toContain('binding "main-db" (DATABASE_URL), binding "cache" (REDIS_URL)');
    expect(none.message).toContain("share the parent's credential");
    const both = expectType(
      (
        await create(s, [
          { binding: "main-db", share: true, value: "x" },
          { binding: "cache", share: true },
        ])
      ).createPreview,
      "ValidationError",
    );
    expect(both.fieldErrors[0].path).toEqual(["bindings", "0", "value"]);
    const unknown = expectType(
      (
        await create(s, [
          { binding: "main-db", share: true },
          { binding: "cache", share: true },
          { binding: "nope", value: "v" },
        ])
      ).createPreview,
      "NotFoundError",
    );
    expect(unknown.message).toContain('Binding "nope" not found');
    expect((await sdk.previews({ slug: s })).project?.previews).toEqual([]);
  });
});
