/**
 * Project-shared variables and ${{project.KEY}} references: resolved on the server for pull and
 * runtime, a reference to a secret resolves as a secret (never pulled), the pull → push round trip
 * changes nothing, references are checked at write time, deletion of a referenced project variable
 * is refused unless forced, writing needs what writing every environment needs, and the hidden
 * `_shared` environment never shows up as an environment.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { EnvplaneClient } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import {
  bulk,
  createProject,
  readEnvironment,
  runtimeValues,
  serviceToken,
  setVariable,
  userWithRole,
  useTestServer,
} from "../support/fixtures.js";
import { withRawDb } from "../support/raw-db.js";
import type { TestServer } from "../support/server.js";

const CANARY = "canary-Zq8sW3-shared-secret";

let server: TestServer;
let sdk: EnvplaneClient;
useTestServer((started) => ([server, sdk] = [started, started.owner]));

async function setShared(client: EnvplaneClient, project: string, key: string, value: string, secret?: boolean) {
  return (await client.setSharedVariable({ input: { project, key, value, secret } })).setSharedVariable;
}

async function pull(client: EnvplaneClient, project: string, environment: string, branch?: string) {
  const raw = (await client.pullReferences({ project, environment, branch })).pullVariables;
  return { raw, pulled: expectType(raw, "PulledEnvironment") };
}

describe("references to project variables", () => {
  const P = "shared-refs";
  beforeAll(async () => {
    await createProject(sdk, P, { branches: ["feature-x"] });
    expectType(await setShared(sdk, P, "DB_USER", "appuser"), "SetSharedVariablePayload");
    expectType(await setShared(sdk, P, "DB_PASS", CANARY, true), "SetSharedVariablePayload");
    expectType(await setShared(sdk, P, "REGION", "eu-central-1-long-region-name"), "SetSharedVariablePayload");
    expectType(
      (
        await sdk.setVariables({
          input: {
            project: P,
            environment: "production",
            variables: [
              { key: "DATABASE_URL", value: "postgres://${{project.DB_USER}}:${{project.DB_PASS}}@db/app" },
              { key: "APP_USER", value: "${{project.DB_USER}}" },
              { key: "DSN", value: "user=${{project.DB_USER}} region=${{project.REGION}}" },
              { key: "HOST", value: "db" },
            ],
          },
        })
      ).setVariables,
      "SetVariablesPayload",
    );
  });

  it("pull returns resolved values and the reference; a value referencing a secret is left out like a secret", async () => {
    const { raw, pulled } = await pull(sdk, P, "production");
    expect(JSON.stringify(raw)).not.toContain(CANARY);
    const byKey = Object.fromEntries(pulled.variables.map((v) => [v.key, v]));
    expect(byKey.APP_USER).toMatchObject({ value: "appuser", reference: "${{project.DB_USER}}" });
    expect(byKey.DSN).toMatchObject({
      value: "user=appuser region=eu-central-1-long-region-name",
      reference: "user=${{project.DB_USER}} region=${{project.REGION}}",
    });
    expect(byKey.HOST).toMatchObject({ value: "db", reference: null });
    expect(byKey.DATABASE_URL).toBeUndefined();
    expect(pulled.excludedSecrets).toEqual(["DATABASE_URL"]);
  });

  it("listings show the reference as written, the referenced keys and the resolved preview (•••• for a secret)", async () => {
    const env = await readEnvironment(sdk, P, "production");
    expect(JSON.stringify(env)).not.toContain(CANARY);
    const byKey = Object.fromEntries(env.variables.map((v) => [v.key, v]));
    expect(byKey.DATABASE_URL).toMatchObject({
      value: "postgres://${{project.DB_USER}}:${{project.DB_PASS}}@db/app",
      isSecret: false,
      references: ["DB_PASS", "DB_USER"],
      resolvedPreview: "••••",
    });
    expect(byKey.APP_USER).toMatchObject({ references: ["DB_USER"], resolvedPreview: "appuser" });
    expect(byKey.DSN.resolvedPreview).toBe("user=appuser…");
    expect(byKey.HOST).toMatchObject({ references: [], resolvedPreview: "db" });
    const shared = (await sdk.sharedVariables({ slug: P })).project!;
    expect(JSON.stringify(shared)).not.toContain(CANARY);
    expect(shared.sharedVariables.map((v) => [v.key, v.value, v.usedBy])).toEqual([
      ["DB_PASS", null, ["production"]],
      ["DB_USER", "appuser", ["production"]],
      ["REGION", "eu-central-1-long-region-name", ["production"]],
    ]);
  });

  it("resolvesAsSecret marks a standard value referencing a secret project variable (isSecret stays its type)", async () => {
    const env = await readEnvironment(sdk, P, "production");
    const byKey = Object.fromEntries(env.variables.map((v) => [v.key, v]));
    expect(byKey.DATABASE_URL).toMatchObject({ isSecret: false, resolvesAsSecret: true });
    expect(byKey.APP_USER).toMatchObject({ isSecret: false, resolvesAsSecret: false });
    expect(byKey.DSN).toMatchObject({ isSecret: false, resolvesAsSecret: false });
    expect(byKey.HOST).toMatchObject({ isSecret: false, resolvesAsSecret: false });
    await setVariable(sdk, { project: P, environment: "development", key: "TOKEN", value: "plain", secret: true });
    const development = await readEnvironment(sdk, P, "development");
    expect(development.variables.find((v) => v.key === "TOKEN")).toMatchObject({
      isSecret: true,
      resolvesAsSecret: true,
    });
    // The listing query (envplane env list) carries it too, for base values and overrides.
    await setVariable(sdk, { project: P, environment: "preview", key: "PASS", value: "base" });
    await setVariable(sdk, {
      project: P,
      environment: "preview",
      key: "PASS",
      value: "${{project.DB_PASS}}",
      branch: "feature-x",
    });
    const listed = (await sdk.environmentPreviews({ project: P, environment: "preview" })).project!.environment!;
    const pass = listed.variables.nodes.find((v) => v.key === "PASS")!;
    expect(pass).toMatchObject({ isSecret: false, resolvesAsSecret: false, resolvedPreview: "base" });
    expect(pass.overrides).toEqual([
      {
        branch: { name: "feature-x" },
        preview: "${{project.D…",
        references: ["DB_PASS"],
        resolvedPreview: "••••",
        resolvesAsSecret: true,
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain(CANARY);
  });

  it("runtime resolves everything, the secret included, and marks the value secret", async () => {
    const runtime = await runtimeValues(server, P, "main");
    expect(runtime.values.DATABASE_URL).toEqual({ value: `postgres://appuser:${CANARY}@db/app`, isSecret: true });
    expect(runtime.values.APP_USER).toEqual({ value: "appuser", isSecret: false });
  });

  it("branch overrides resolve the same way", async () => {
    // feature-x maps to preview by default
    await setVariable(sdk, { project: P, environment: "preview", key: "APP_USER", value: "base" });
    await setVariable(sdk, {
      project: P,
      environment: "preview",
      key: "APP_USER",
      value: "${{project.DB_USER}}-x",
      branch: "feature-x",
    });
    const runtime = await runtimeValues(server, P, "feature-x");
    expect(runtime.values.APP_USER).toEqual({ value: "appuser-x", isSecret: false });
    const { pulled } = await pull(sdk, P, "preview", "feature-x");
    expect(pulled.variables.find((v) => v.key === "APP_USER")).toMatchObject({
      value: "appuser-x",
      fromOverride: true,
    });
    const env = await readEnvironment(sdk, P, "preview");
    const override = env.variables.find((v) => v.key === "APP_USER")!.overrides[0];
    expect(override).toMatchObject({ references: ["DB_USER"], resolvedPreview: "appuser-x" });
  });

  it("the pull → push round trip reports nothing to push and keeps the references", async () => {
    const { pulled } = await pull(sdk, P, "production");
    const before = await readEnvironment(sdk, P, "production");
    const input = {
      project: P,
      environment: "production",
      variables: pulled.variables.map((v) => ({ key: v.key, value: v.value })),
      prune: true,
      keep: pulled.excludedSecrets,
    };
    const planned = await bulk(sdk, { ...input, dryRun: true });
    expect(planned).toMatchObject({ added: [], changed: [], removed: [], secretOverwritten: [] });
    const applied = await bulk(sdk, input);
    expect(applied).toMatchObject({ applied: false, added: [], changed: [], removed: [] });
    expect(applied.unchanged.sort()).toEqual(["APP_USER", "DSN", "HOST"]);
    const after = await readEnvironment(sdk, P, "production");
    expect(after.revision).toBe(before.revision);
    expect(after.variables.find((v) => v.key === "APP_USER")!.value).toBe("${{project.DB_USER}}");
    // A merge that names other keys keeps the references it does not name.
    await bulk(sdk, { project: P, environment: "production", variables: [{ key: "HOST", value: "db2" }] });
    const merged = await readEnvironment(sdk, P, "production");
    expect(merged.variables.find((v) => v.key === "DATABASE_URL")!.references).toEqual(["DB_PASS", "DB_USER"]);
    expect(merged.variables.find((v) => v.key === "APP_USER")!.value).toBe("${{project.DB_USER}}");
  });

  it("a push whose literal replaces a reference reports it in referencesReplaced (dry run too)", async () => {
    const input = {
      project: P,
      environment: "production",
      variables: [
        { key: "APP_USER", value: "stale-literal" },
        { key: "HOST", value: "db3" },
      ],
    };
    const planned = await bulk(sdk, { ...input, dryRun: true });
    expect(planned).toMatchObject({ changed: ["APP_USER", "HOST"], referencesReplaced: ["APP_USER"] });
    const applied = await bulk(sdk, input);
    expect(applied).toMatchObject({ applied: true, referencesReplaced: ["APP_USER"] });
    const back = await bulk(sdk, { ...input, variables: [{ key: "APP_USER", value: "${{project.DB_USER}}" }] });
    expect(back).toMatchObject({ applied: true, changed: ["APP_USER"], referencesReplaced: [] });
  });

  it("a project variable's new value reaches pull and runtime without touching the environments", async () => {
    const before = (await readEnvironment(sdk, P, "production")).revision;
    expectType(await setShared(sdk, P, "DB_USER", "renamed"), "SetSharedVariablePayload");
    const { pulled } = await pull(sdk, P, "production");
    expect(pulled.variables.find((v) => v.key === "APP_USER")!.value).toBe("renamed");
    expect((await runtimeValues(server, P, "main")).values.DATABASE_URL.value).toBe(
      `postgres://renamed:${CANARY}@db/app`,
    );
    expect((await readEnvironment(sdk, P, "production")).revision).toBe(before);
  });

  it("the canary never reaches the logs or the database in plaintext", async () => {
    expect(server.logs.join("\n")).not.toContain(CANARY);
    const found = await withRawDb(server.database, async (q) =>
      (await q(`SELECT "key" FROM "Variable" WHERE "references" LIKE $1`, ["%DB_PASS%"])).map((r) => r.key),
    );
    expect(found).toContain("DATABASE_URL");
  });
});

describe("writing references", () => {
  const P = "shared-write";
  beforeAll(async () => {
    await createProject(sdk, P, { branches: ["feature-x"] });
    expectType(await setShared(sdk, P, "TOKEN", "t"), "SetSharedVariablePayload");
  });

  it("refuses a reference to a missing project variable, naming it, and changes nothing", async () => {
    const r = expectType(
      (
        await sdk.setVariable({
          input: { project: P, environment: "development", key: "A", value: "x${{project.NOPE}}" },
        })
      ).setVariable,
      "ValidationError",
    );
    expect(r.message).toContain('"NOPE"');
    expect(r.fieldErrors[0].path).toEqual(["value"]);
    const b = expectType(
      (
        await sdk.bulkUpsertVariables({
          input: {
            project: P,
            environment: "development",
            variables: [
              { key: "OK", value: "${{project.TOKEN}}" },
              { key: "B", value: "${{project.MISSING_TOO}}" },
            ],
          },
        })
      ).bulkUpsertVariables,
      "ValidationError",
    );
    expect(b.message).toContain('"MISSING_TOO"');
    expect((await readEnvironment(sdk, P, "development")).variables).toEqual([]);
    expect((await readEnvironment(sdk, P, "development")).revision).toBe(0);
  });

  it.each([
    ["${{project.}}"],
    ["${{other.X}}"],
    ["${{ project.TOKEN }}"],
    ["pre ${{project.TOKEN"],
    ["${{project.bad-key}}"],
  ])("refuses the malformed reference %s with a clear message that quotes nothing of the value", async (value) => {
    const r = expectType(
      (await sdk.setVariable({ input: { project: P, environment: "development", key: "BAD", value } })).setVariable,
      "ValidationError",
    );
    expect(r.message).toContain("is not a project reference");
    expect(r.message).toContain("${{project.KEY}}");
    expect(r.message).not.toContain(value);
  });

  it("refuses a reference inside a project variable (no chains) and in an override to a missing key", async () => {
    const chained = expectType(await setShared(sdk, P, "CHAIN", "${{project.TOKEN}}"), "ValidationError");
    expect(chained.message).toContain("cannot reference other project variables");
    await setVariable(sdk, { project: P, environment: "preview", key: "O", value: "base" });
    const o = expectType(
      (
        await sdk.setVariable({
          input: { project: P, environment: "preview", key: "O", value: "${{project.GONE}}", branch: "feature-x" },
        })
      ).setVariable,
      "ValidationError",
    );
    expect(o.message).toContain('"GONE"');
  });

  it("deleting a referenced project variable is refused naming the environments; with force, resolution fails loudly", async () => {
    await setVariable(sdk, { project: P, environment: "production", key: "API", value: "Bearer ${{project.TOKEN}}" });
    await setVariable(sdk, { project: P, environment: "development", key: "API", value: "${{project.TOKEN}}" });
    const refused = expectType(
      (await sdk.unsetSharedVariable({ input: { project: P, key: "TOKEN" } })).unsetSharedVariable,
      "ConflictError",
    );
    expect(refused.message).toContain('"development", "production"');
    expect((await sdk.sharedVariables({ slug: P })).project!.sharedVariables.map((v) => v.key)).toContain("TOKEN");
    const forced = expectType(
      (await sdk.unsetSharedVariable({ input: { project: P, key: "TOKEN", force: true } })).unsetSharedVariable,
      "UnsetSharedVariablePayload",
    );
    expect(forced).toMatchObject({ removed: true, usedBy: ["development", "production"] });
    const pulled = expectType(
      (await sdk.pullVariables({ project: P, environment: "production" })).pullVariables,
      "ConflictError",
    );
    expect(pulled.message).toContain('"API"');
    expect(pulled.message).toContain("${{project.TOKEN}}");
    const { client } = await serviceToken(server, P, ["RUNTIME"]);
    const runtime = expectType(
      (await client.runtimeVariables({ project: P, branch: "main" })).runtimeVariables,
      "ConflictError",
    );
    expect(runtime.message).toContain("no longer exist");
    const env = await readEnvironment(sdk, P, "production");
    expect(env.variables.find((v) => v.key === "API")).toMatchObject({ references: ["TOKEN"], resolvedPreview: null });
    // Setting it again repairs them.
    expectType(await setShared(sdk, P, "TOKEN", "t2"), "SetSharedVariablePayload");
    expect(
      expectType(
        (await sdk.pullReferences({ project: P, environment: "production" })).pullVariables,
        "PulledEnvironment",
      ).variables,
    ).toContainEqual({ key: "API", value: "Bearer t2", fromOverride: false, reference: "Bearer ${{project.TOKEN}}" });
  });

  it("unsetting a missing project variable reports removed: false and writes nothing", async () => {
    const before = (await sdk.sharedVariables({ slug: P })).project!.sharedRevision;
    const r = expectType(
      (await sdk.unsetSharedVariable({ input: { project: P, key: "NEVER" } })).unsetSharedVariable,
      "UnsetSharedVariablePayload",
    );
    expect(r.removed).toBe(false);
    expect((await sdk.sharedVariables({ slug: P })).project!.sharedRevision).toBe(before);
  });
});

describe("who may write project variables", () => {
  const P = "shared-perm";
  beforeAll(async () => {
    await createProject(sdk, P);
    expectType(await setShared(sdk, P, "K", "v"), "SetSharedVariablePayload");
  });

  it("a developer cannot while production is protected, and can once no environment is", async () => {
    const dev = await userWithRole(server, P, "DEVELOPER");
    const refused = expectType(await setShared(dev.client, P, "K", "dev"), "ForbiddenError");
    expect(refused.message).toContain("only admins and owners");
    expect((await dev.client.sharedVariables({ slug: P })).project).toMatchObject({ viewerCanWriteShared: false });
    const del = expectType(
      (await dev.client.unsetSharedVariable({ input: { project: P, key: "K" } })).unsetSharedVariable,
      "ForbiddenError",
    );
    expect(del.message).toContain("only admins and owners");
    const viewer = await userWithRole(server, P, "VIEWER");
    expectType(await setShared(viewer.client, P, "K", "viewer"), "ForbiddenError");
    expect((await sdk.sharedVariables({ slug: P })).project!.sharedVariables[0].value).toBe("v");
    expectType(
      (await sdk.updateEnvironment({ input: { project: P, name: "production", isProtected: false } }))
        .updateEnvironment,
      "EnvironmentPayload",
    );
    expectType(await setShared(dev.client, P, "K", "dev"), "SetSharedVariablePayload");
    expectType(
      (await sdk.updateEnvironment({ input: { project: P, name: "production", isProtected: true } })).updateEnvironment,
      "EnvironmentPayload",
    );
  });

  it("a service token scoped to some environments cannot, and does not see them; one for all environments can", async () => {
    const scoped = await serviceToken(server, P, ["READ", "WRITE"], ["development", "production"]);
    const refused = expectType(await setShared(scoped.client, P, "K", "scoped"), "ForbiddenError");
    expect(refused.message).toContain("all environments");
    expect((await scoped.client.sharedVariables({ slug: P })).project!.sharedVariables).toEqual([]);
    const all = await serviceToken(server, P, ["READ", "WRITE"]);
    expectType(await setShared(all.client, P, "K", "all"), "SetSharedVariablePayload");
    expect((await all.client.sharedVariables({ slug: P })).project!.sharedVariables[0].value).toBe("all");
  });
});

describe("history, audit and the hidden _shared environment", () => {
  const P = "shared-hidden";
  beforeAll(async () => {
    await createProject(sdk, P);
    expectType(await setShared(sdk, P, "ONE", "1"), "SetSharedVariablePayload");
    expectType(await setShared(sdk, P, "TWO", CANARY, true), "SetSharedVariablePayload");
    expectType(
      (await sdk.unsetSharedVariable({ input: { project: P, key: "ONE" } })).unsetSharedVariable,
      "UnsetSharedVariablePayload",
    );
  });

  it("each write makes a revision with its history and an audit row", async () => {
    expect((await sdk.sharedVariables({ slug: P })).project!.sharedRevision).toBe(3);
    const revisions = await withRawDb(server.database, (q) =>
      q(
        `SELECT r."number", r."action", r."added", r."removed" FROM "Revision" r JOIN "Environment" e ON e."id" = r."environmentId"
         JOIN "Project" p ON p."id" = e."projectId" WHERE p."slug" = $1 AND e."kind" = 'shared' ORDER BY r."number"`,
        [P],
      ),
    );
    expect(revisions.map((r) => [Number(r.number), r.action, Number(r.added), Number(r.removed)])).toEqual([
      [1, "shared.set", 1, 0],
      [2, "shared.set", 1, 0],
      [3, "shared.unset", 0, 1],
    ]);
    const log = (await sdk.auditLog({ project: P, filter: { action: "shared." } })).auditLog.nodes;
    expect(log.map((e) => [e.action, e.keys])).toEqual([
      ["shared.unset", ["ONE"]],
      ["shared.set", ["TWO"]],
      ["shared.set", ["ONE"]],
    ]);
    expect(JSON.stringify(log)).not.toContain(CANARY);
  });

  it("no environment listing, lookup, grid, mapping, token scope or compare sees _shared", async () => {
    const project = (await sdk.project({ slug: P })).project!;
    expect(project.environments.map((e) => e.name)).toEqual(["development", "preview", "production"]);
    expect(JSON.stringify(project)).not.toContain("_shared");
    expect(JSON.stringify((await sdk.gridPage({ slug: P })).project)).not.toContain("_shared");
    expectType((await sdk.pullVariables({ project: P, environment: "_shared" })).pullVariables, "NotFoundError");
    expectType(
      (await sdk.setVariable({ input: { project: P, environment: "_shared", key: "X", value: "y" } })).setVariable,
      "NotFoundError",
    );
    const token = (
      await sdk.createToken({ input: { kind: "SERVICE", name: "x", project: P, environments: ["_shared"] } })
    ).createToken;
    expect(token.__typename).not.toBe("CreateTokenPayload");
    const mapping = (
      await sdk.updateBranchMapping({ input: { project: P, entries: [{ branch: "*", environment: "_shared" }] } })
    ).updateBranchMapping;
    expect(mapping.__typename).not.toBe("UpdateBranchMappingPayload");
    const compared = (
      await sdk.compareEnvironments({
        project: P,
        base: { environment: "_shared" },
        head: { environment: "production" },
      })
    ).compareEnvironments;
    expect(compared.__typename).toBe("NotFoundError");
    const webhook = (
      await sdk.createWebhook({
        input: {
          project: P,
          url: "https://example.com/hook",
          events: ["ENVIRONMENT_CHANGED"],
          environments: ["_shared"],
        },
      })
    ).createWebhook;
    expect(webhook.__typename).not.toBe("CreateWebhookPayload");
  });
});

describe("copies, secrets and permissions with references (review fixes)", () => {
  const P = "shared-fixes";
  beforeAll(async () => {
    await createProject(sdk, P);
    expectType(await setShared(sdk, P, "HOST", "db.internal"), "SetSharedVariablePayload");
    expectType(await setShared(sdk, P, "TOKEN", CANARY, true), "SetSharedVariablePayload");
  });

  it("copies carry a reference to a deleted project variable over instead of refusing (preview, promote)", async () => {
    await setVariable(sdk, { project: P, environment: "production", key: "API_HOST", value: "${{project.HOST}}" });
    await setVariable(sdk, { project: P, environment: "production", key: "PLAIN", value: "x" });
    expectType(
      (await sdk.unsetSharedVariable({ input: { project: P, key: "HOST", force: true } })).unsetSharedVariable,
      "UnsetSharedVariablePayload",
    );
    const preview = (
      await sdk.createPreview({
        input: { project: P, branch: "feat-copy", from: "production", url: "https://p.example" },
      })
    ).createPreview;
    expect(preview.__typename).toBe("CreatePreviewPayload");
    const promoted = (await sdk.promoteEnvironment({ input: { project: P, from: "production", to: "development" } }))
      .promoteEnvironment;
    expect(promoted.__typename).toBe("PromoteEnvironmentPayload");
    const dev = await readEnvironment(sdk, P, "development");
    expect(dev.variables.find((v) => v.key === "API_HOST")).toMatchObject({
      value: "${{project.HOST}}",
      references: ["HOST"],
    });
  });

  it("a user-written error names the caller's field path (setVariables with one item)", async () => {
    const r = (
      await sdk.setVariables({
        input: { project: P, environment: "production", variables: [{ key: "Y", value: "${{project.NOPE}}" }] },
      })
    ).setVariables;
    const err = expectType(r, "ValidationError");
    expect(err.fieldErrors.map((f) => f.path)).toEqual([["variables", "0", "value"]]);
    const pushed = (
      await sdk.bulkUpsertVariables({
        input: {
          project: P,
          environment: "production",
          variables: [
            { key: "PLAIN", value: "x" },
            { key: "Z", value: "${{project.NOPE}}" },
          ],
        },
      })
    ).bulkUpsertVariables;
    expect(expectType(pushed, "ValidationError").fieldErrors.map((f) => f.path)).toEqual([["variables", "1", "value"]]);
  });

  it("secrets are taken literally: a secret holding ${{ is stored as written and never parsed or quoted", async () => {
    expectType(await setShared(sdk, P, "HOST", "db.internal"), "SetSharedVariablePayload");
    const secret = "pa${{ss-${{project.TOKEN}}-word";
    const r = (
      await sdk.setVariable({
        input: { project: P, environment: "production", key: "ODD", value: secret, secret: true },
      })
    ).setVariable;
    expect(r.__typename).toBe("SetVariablePayload");
    const env = await readEnvironment(sdk, P, "production");
    expect(env.variables.find((v) => v.key === "ODD")).toMatchObject({ isSecret: true, references: [] });
    expect((await runtimeValues(server, P, "main")).values.ODD.value).toBe(secret);
  });

  it("referencing a secret project variable needs the permission to write project variables", async () => {
    await sdk.updateEnvironment({ input: { project: P, name: "production", isProtected: true } });
    const dev = await userWithRole(server, P, "DEVELOPER");
    const before = (await readEnvironment(sdk, P, "development")).revision;
    const refused = (
      await dev.client.setVariable({
        input: { project: P, environment: "development", key: "STOLEN", value: "${{project.TOKEN}}" },
      })
    ).setVariable;
    const err = expectType(refused, "ForbiddenError");
    expect(err.message).toContain('secret project variable "TOKEN"');
    expect(err.message).toContain("permission to write project variables");
    expect((await readEnvironment(sdk, P, "development")).revision).toBe(before);
    // A standard project variable stays open to developers; an admin may reference the secret.
    expectType(await setShared(sdk, P, "REGION", "eu"), "SetSharedVariablePayload");
    const ok = (
      await dev.client.setVariable({
        input: { project: P, environment: "development", key: "R", value: "${{project.REGION}}" },
      })
    ).setVariable;
    expect(ok.__typename).toBe("SetVariablePayload");
    const admin = await userWithRole(server, P, "ADMIN");
    const allowed = (
      await admin.client.setVariable({
        input: { project: P, environment: "development", key: "STOLEN", value: "${{project.TOKEN}}" },
      })
    ).setVariable;
    expect(allowed.__typename).toBe("SetVariablePayload");
  });
});
