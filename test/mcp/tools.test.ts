/**
 * The MCP server through the real MCP SDK client, over stdio (the real `envplane mcp` process) and over
 * Streamable HTTP (POST /mcp on a real port): every tool and resource, permission errors, merge versus
 * replace, refusals of secret-looking keys and existing secrets, and a canary secret that must never show.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EnvplaneClient } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import { createProject, readEnvironment, runtimeValues, serviceToken, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";
import { sessionClient } from "../support/session.js";
import { call, callOk, connectMcp, type McpConnection, type Transport } from "./support.js";

const TOOLS = [
  "create_preview",
  "delete_env_vars",
  "diff_environments",
  "get_env_status",
  "get_secret_request",
  "list_env_vars",
  "list_environments",
  "list_projects",
  "request_secret",
  "set_env_vars",
];

let server: TestServer;
let owner: EnvplaneClient;
useTestServer((s) => ([server, owner] = [s, s.owner]), { listen: true });

const canaries = () => [CANARY, CANARY_SHARED, CANARY_BINDING, CANARY_REQUESTED];
const CANARY = `canary-${randomBytes(12).toString("hex")}`;
const CANARY_SHARED = `canary-shared-${randomBytes(12).toString("hex")}`;
const CANARY_BINDING = `canary-binding-${randomBytes(12).toString("hex")}`;
const CANARY_REQUESTED = `canary-requested-${randomBytes(12).toString("hex")}`;

/** production: standard (with a note), references (one to a secret project variable), a secret, a managed binding. */
async function seed(project: string) {
  await createProject(owner, project, { branches: ["feature"] });
  for (const [key, value, secret] of [
    ["SHARED_DB", CANARY_SHARED, true],
    ["SHARED_HOST", "db.internal", false],
  ] as const)
    expectType(
      (await owner.setSharedVariable({ input: { project, key, value, secret } })).setSharedVariable,
      "SetSharedVariablePayload",
    );
  expectType(
    (
      await owner.setVariables({
        input: {
          project,
          environment: "production",
          variables: [
            { key: "PORT", value: "8080", note: "The port the app listens on" },
            { key: "LOG_LEVEL", value: "info" },
            { key: "DB_URL", value: "${{project.SHARED_DB}}" },
            { key: "HOST_URL", value: "https://${{project.SHARED_HOST}}" },
            { key: "STRIPE_SECRET", value: CANARY, secret: true },
          ],
        },
      })
    ).setVariables,
    "SetVariablesPayload",
  );
  expectType(
    (
      await owner.bindService({
        input: {
          project,
          name: "main-db",
          service: "POSTGRES",
          environments: [{ environment: "production", value: `postgres://app:${CANARY_BINDING}@db/app` }],
        },
      })
    ).bindService,
    "BindingPayload",
  );
  expectType(
    (
      await owner.setVariables({
        input: {
          project,
          environment: "production",
          branch: "main",
          variables: [{ key: "LOG_LEVEL", value: "debug" }],
        },
      })
    ).setVariables,
    "SetVariablesPayload",
  );
  expectType(
    (
      await owner.setVariables({
        input: { project, environment: "development", variables: [{ key: "PORT", value: "3000" }] },
      })
    ).setVariables,
    "SetVariablesPayload",
  );
  // A deployment of main loads production: it is live from now on.
  const live = await runtimeValues(server, project, "main");
  expect(live.values.STRIPE_SECRET.value).toBe(CANARY);
}

describe.each<Transport>(["http", "stdio"])("MCP over %s", (transport) => {
  const project = `mcp-${transport}`;
  let mcp: McpConnection;
  /** Every tool answer and resource text this connection produced, for the canary check. */
  const seen: unknown[] = [];
  const tool = async (name: string, args: Record<string, unknown> = {}) => {
    const answer = await call(mcp, name, args);
    seen.push(answer.raw);
    return answer;
  };
  const toolOk = async (name: string, args: Record<string, unknown> = {}) => {
    const answer = await callOk(mcp, name, args);
    seen.push(answer.raw);
    return answer;
  };
  const production = async () => {
    const env = await readEnvironment(owner, project, "production");
    return { revision: env.revision, byKey: new Map(env.variables.map((v) => [v.key, v])) };
  };

  beforeAll(async () => {
    await seed(project);
    mcp = await connectMcp(server, server.ownerToken, transport);
  }, 60_000);
  afterAll(() => mcp?.close());

  it("lists every tool with an output schema, and descriptions that teach merge, request_secret and redeploys", async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(expect.arrayContaining(TOOLS));
    for (const t of tools) expect(t.outputSchema, t.name).toBeDefined();
    const set = tools.find((t) => t.name === "set_env_vars")!;
    expect(set.description).toMatch(/MERGES by default/);
    expect(set.description).toMatch(/request_secret/);
    expect(set.description).toMatch(/redeploy/);
    expect(Object.keys(set.inputSchema.properties ?? {}).sort()).toEqual(
      ["branch", "env", "environment", "project", "replace"].sort(),
    );
    expect(mcp.client.getInstructions()).toMatch(/request_secret/);
  });

  it("list_projects and list_environments", async () => {
    const projects = await toolOk("list_projects");
    expect(projects.structured.projects).toContainEqual(
      expect.objectContaining({ slug: project, role: "OWNER", environments: ["development", "preview", "production"] }),
    );
    const envs = await toolOk("list_environments", { project });
    const prod = envs.structured.environments.find((e: { name: string }) => e.name === "production");
    expect(prod).toMatchObject({ deployedBy: ["main"], canRead: true, canWrite: true, isProtected: true });
    const missing = await tool("list_environments", { project: "nope" });
    expect(missing.isError).toBe(true);
    expect(missing.text).toMatch(/Project "nope" not found.*list_projects/);
  });

  it("list_env_vars gives names, types and a count, never values; with branch, which keys it overrides", async () => {
    const r = await toolOk("list_env_vars", { project, environment: "production" });
    const byKey = Object.fromEntries(r.structured.variables.map((v: { key: string }) => [v.key, v]));
    expect(r.structured.count).toBe(6);
    expect(byKey.DATABASE_URL).toMatchObject({ type: "managed", binding: "main-db" });
    expect(byKey.STRIPE_SECRET).toMatchObject({ type: "secret" });
    expect(byKey.DB_URL).toMatchObject({ type: "reference", references: ["SHARED_DB"], resolvesToSecret: true });
    expect(byKey.HOST_URL).toMatchObject({ type: "reference", resolvesToSecret: false });
    expect(byKey.PORT).toMatchObject({ type: "standard", hasNote: true });
    expect(JSON.stringify(r.raw)).not.toMatch(/8080|info|db\.internal/);
    const branch = await toolOk("list_env_vars", { project, environment: "production", branch: "main" });
    const overridden = branch.structured.variables.filter((v: { overridden: boolean }) => v.overridden);
    expect(overridden.map((v: { key: string }) => v.key)).toEqual(["LOG_LEVEL"]);
    expect(branch.text).toMatch(/1 overridden/);
    // A token limited to production cannot list the project variables; the reference still says it hides a secret.
    const limited = await serviceToken(server, project, ["READ"], ["production"]);
    const narrow = await connectMcp(server, limited.token, transport);
    try {
      const seenByLimited = await callOk(narrow, "list_env_vars", { project, environment: "production" });
      seen.push(seenByLimited.raw);
      expect(seenByLimited.structured.variables).toContainEqual(
        expect.objectContaining({ key: "DB_URL", type: "reference", resolvesToSecret: true }),
      );
      expect(seenByLimited.structured.variables).toContainEqual(
        expect.objectContaining({ key: "HOST_URL", resolvesToSecret: false }),
      );
    } finally {
      await narrow.close();
    }
    // The server's CLI hints become tool hints: an agent cannot run "envplane env …".
    for (const [name, args] of [
      ["request_secret", { project, environment: "staging", key: "STRIPE_KEY" }],
      ["diff_environments", { project, base: "production", head: "staging" }],
      ["set_env_vars", { project, environment: "production", env: { NO_BASE_YET: "1" }, branch: "main" }],
      ["request_secret", { project: "no-such-project", environment: "production", key: "STRIPE_KEY" }],
    ] as const) {
      const r = await tool(name, args);
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(/Call list_environments|set_env_vars without branch|Call list_projects/);
      expect(r.text).not.toMatch(/envplane (env|projects)/);
    }
    const unknown = await tool("list_env_vars", { project, environment: "production", branch: "ghost" });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toMatch(/no branch "ghost"/);
  });

  it("set_env_vars merges: only named keys change; notes, references, secrets and the binding stay; redeploy needed", async () => {
    const r = await toolOk("set_env_vars", {
      project,
      environment: "production",
      env: { PORT: "9090", NEW_FLAG: "on", HOST_URL: "https://${{project.SHARED_HOST}}" },
    });
    expect(r.structured).toMatchObject({
      mode: "merge",
      added: ["NEW_FLAG"],
      changed: ["PORT"],
      unchanged: ["HOST_URL"],
      removed: [],
      redeployNeeded: true,
    });
    expect(r.structured.deployedBranches.map((d: { branch: string }) => d.branch)).toEqual(["main"]);
    expect(r.structured.note).toMatch(/Redeploy/);
    const after = await production();
    expect(after.revision).toBe(r.structured.revision);
    expect(after.byKey.get("PORT")).toMatchObject({ value: "9090", note: "The port the app listens on" });
    expect(after.byKey.get("DB_URL")?.references).toEqual(["SHARED_DB"]);
    expect(after.byKey.get("HOST_URL")?.references).toEqual(["SHARED_HOST"]);
    expect(after.byKey.get("STRIPE_SECRET")?.isSecret).toBe(true);
    expect(after.byKey.get("DATABASE_URL")?.isManaged).toBe(true);
    expect(after.byKey.get("LOG_LEVEL")?.overrides.map((o) => o.value)).toEqual(["debug"]);
  });

  it("set_env_vars refuses secret-looking names, existing secrets and managed keys, writing nothing", async () => {
    const before = await production();
    const cases: [Record<string, string>, RegExp][] = [
      [{ API_TOKEN: "x", PORT: "1" }, /API_TOKEN: the name looks like it holds a secret/],
      [{ stripeApiKey: "x" }, /stripeApiKey/],
      [{ STRIPE_SECRET: "guess", PORT: "1" }, /STRIPE_SECRET: already secret/],
      [{ DATABASE_URL: "postgres://x" }, /DATABASE_URL \(binding "main-db"\): managed by a service binding/],
    ];
    for (const [env, message] of cases) {
      const r = await tool("set_env_vars", { project, environment: "production", env });
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(message);
      expect(r.text).toMatch(/wrote nothing/);
      if (!("DATABASE_URL" in env)) expect(r.text).toMatch(/request_secret/);
    }
    const replaced = await tool("set_env_vars", {
      project,
      environment: "production",
      env: { PASSWORD: "x" },
      replace: true,
    });
    expect(replaced.isError).toBe(true);
    const after = await production();
    expect(after.revision).toBe(before.revision);
    expect(after.byKey.get("PORT")?.value).toBe("9090");
    expect(after.byKey.has("API_TOKEN")).toBe(false);
  });

  it("set_env_vars on a branch sets its overrides only", async () => {
    const r = await toolOk("set_env_vars", {
      project,
      environment: "production",
      branch: "main",
      env: { PORT: "9191" },
    });
    expect(r.structured).toMatchObject({ branch: "main", added: ["PORT"], redeployNeeded: true });
    const after = await production();
    expect(after.byKey.get("PORT")).toMatchObject({ value: "9090" });
    expect(after.byKey.get("PORT")?.overrides.map((o) => [o.branch.name, o.value])).toEqual([["main", "9191"]]);
    const replace = await tool("set_env_vars", {
      project,
      environment: "production",
      branch: "main",
      env: { A: "1" },
      replace: true,
    });
    expect(replace.isError).toBe(true);
    expect(replace.text).toMatch(/replace works on base values only/);
  });

  it("set_env_vars with a bad key name or a dangling reference: the reason once, naming the key; nothing written", async () => {
    const before = await production();
    const bad = await tool("set_env_vars", { project, environment: "production", env: { "lower-case": "x", OK: "1" } });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/wrote nothing/);
    expect(bad.text).toMatch(/Invalid key name: "lower-case"/);
    expect(bad.text).not.toMatch(/variables\.0/);
    const dangling = await tool("set_env_vars", {
      project,
      environment: "production",
      env: { REF_URL: "${{project.NO_SUCH_SHARED}}" },
    });
    expect(dangling.isError).toBe(true);
    expect(dangling.text).toMatch(/NO_SUCH_SHARED/);
    expect(dangling.text.split("\n").filter((line: string) => line.includes("NO_SUCH_SHARED"))).toHaveLength(1);
    const after = await production();
    expect(after.revision).toBe(before.revision);
    expect(after.byKey.has("OK")).toBe(false);
  });

  it("get_env_status: revisions, the live revision and the keys pending since", async () => {
    const r = await toolOk("get_env_status", { project, branch: "main" });
    const prod = r.structured.environments.find((e: { name: string }) => e.name === "production");
    expect(r.structured.branches).toHaveLength(1);
    const main = r.structured.branches[0];
    expect(main).toMatchObject({
      branch: "main",
      environment: "production",
      revision: prod.revision,
      redeployNeeded: true,
    });
    expect(main.liveRevision).toBeLessThan(prod.revision);
    expect(main.pendingKeys).toEqual(expect.arrayContaining(["NEW_FLAG", "PORT"]));
    const all = await toolOk("get_env_status", { project });
    expect(all.structured.branches.map((b: { branch: string }) => b.branch).sort()).toEqual(
      expect.arrayContaining(["dev", "feature", "main"]),
    );
    // A token limited to development: a branch deploying elsewhere is named as out of its sight, not "? revision ?".
    const limited = await serviceToken(server, project, ["READ"], ["development"]);
    const narrow = await connectMcp(server, limited.token, transport);
    try {
      const seenByLimited = await callOk(narrow, "get_env_status", { project, branch: "main" });
      expect(seenByLimited.structured.branches[0]).toMatchObject({ branch: "main", environment: null, revision: null });
      expect(seenByLimited.text).toBe("main → an environment this token cannot see");
    } finally {
      await narrow.close();
    }
  });

  it("diff_environments: standard values, secrets by key only", async () => {
    const r = await toolOk("diff_environments", { project, base: "development", head: "production" });
    const byKey = Object.fromEntries(r.structured.entries.map((e: { key: string }) => [e.key, e]));
    expect(byKey.PORT).toMatchObject({ status: "CHANGED", baseValue: "3000", headValue: "9090" });
    expect(byKey.STRIPE_SECRET).toMatchObject({ status: "ADDED", isSecret: true, baseValue: null, headValue: null });
    expect(byKey.DATABASE_URL).toMatchObject({ isSecret: true, headValue: null });
  });

  it("create_preview copies the environment with overrides; refuses secret-looking overrides", async () => {
    const refused = await tool("create_preview", {
      project,
      branch: "feature",
      url: "https://feature.example.com",
      overrides: { SESSION_SECRET: "x" },
    });
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/SESSION_SECRET.*\n?.*request_secret/s);
    const r = await toolOk("create_preview", {
      project,
      branch: "feature",
      url: "https://feature.example.com",
      overrides: { PUBLIC_URL: "${PREVIEW_URL}" },
    });
    expect(r.structured).toMatchObject({ environment: "preview/feature", from: "preview", overridden: ["PUBLIC_URL"] });
    const env = await readEnvironment(owner, project, "preview/feature");
    expect(env.variables.find((v) => v.key === "PUBLIC_URL")?.value).toBe("https://feature.example.com");
  });

  it("create_preview of an environment with a service binding: the server's refusal and what a person must do", async () => {
    const { project: p } = await owner.project({ slug: project });
    const mapping = p!.mapping.map((m) => ({ branch: m.branch, environment: m.environment.name }));
    await owner.createBranch({ input: { project, name: "release" } });
    await owner.updateBranchMapping({
      input: { project, entries: [{ branch: "release", environment: "production" }, ...mapping] },
    });
    const r = await tool("create_preview", { project, branch: "release", url: "https://release.example.com" });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/main-db/);
    expect(r.text).toMatch(/envplane preview create release --url https:\/\/release.example.com --share-binding/);
  });

  it("delete_env_vars reports removed and not_found", async () => {
    const r = await toolOk("delete_env_vars", { project, environment: "production", keys: ["NEW_FLAG", "NOT_THERE"] });
    expect(r.structured).toMatchObject({ removed: ["NEW_FLAG"], not_found: ["NOT_THERE"], redeployNeeded: true });
    expect((await production()).byKey.has("NEW_FLAG")).toBe(false);
    const none = await toolOk("delete_env_vars", { project, environment: "production", keys: ["NOT_THERE"] });
    expect(none.structured).toMatchObject({ removed: [], redeployNeeded: false });
  });

  it("set_env_vars replace removes unnamed standard keys and says so, keeping secrets and managed keys", async () => {
    const r = await toolOk("set_env_vars", {
      project,
      environment: "production",
      env: { PORT: "7070", FRESH: "1" },
      replace: true,
    });
    expect(r.structured).toMatchObject({
      mode: "replace",
      added: ["FRESH"],
      changed: ["PORT"],
      keptSecrets: ["STRIPE_SECRET"],
      managedKept: ["DATABASE_URL"],
      redeployNeeded: true,
    });
    expect([...r.structured.removed].sort()).toEqual(["DB_URL", "HOST_URL", "LOG_LEVEL"]);
    const after = await production();
    expect([...after.byKey.keys()].sort()).toEqual(["DATABASE_URL", "FRESH", "PORT", "STRIPE_SECRET"]);
    expect(r.structured.removed).not.toContain("STRIPE_SECRET");
    expect(after.byKey.get("PORT")?.note).toBe("The port the app listens on");
    // The secret still resolves to its value at runtime.
    expect((await runtimeValues(server, project, "main")).values.STRIPE_SECRET.value).toBe(CANARY);
  });

  it("a read-only token gets the server's refusal as an error result", async () => {
    const reader = await serviceToken(server, project, ["READ"]);
    const ro = await connectMcp(server, reader.token, transport);
    try {
      const listed = await call(ro, "list_env_vars", { project, environment: "production" });
      expect(listed.isError).toBe(false);
      const set = await call(ro, "set_env_vars", { project, environment: "production", env: { PORT: "1" } });
      seen.push(set.raw, listed.raw);
      expect(set.isError).toBe(true);
      expect(set.text).toMatch(/permission|may not|cannot|not allowed/i);
      const del = await call(ro, "delete_env_vars", { project, environment: "production", keys: ["PORT"] });
      expect(del.isError).toBe(true);
      expect((await production()).byKey.get("PORT")?.value).toBe("7070");
    } finally {
      await ro.close();
    }
  });

  it("request_secret gives a link and an id; a person fulfils it; get_secret_request says fulfilled, never the value", async () => {
    const r = await toolOk("request_secret", {
      project,
      environment: "production",
      key: "GITHUB_TOKEN",
      note: "A fine-grained token with repo:read",
    });
    expect(r.structured).toMatchObject({ status: "pending", key: "GITHUB_TOKEN", environment: "production" });
    expect(r.structured.url).toBe(`${new URL(server.url).origin}/requests/${r.structured.id}`);
    expect(r.text).toContain(r.structured.url);
    const pending = await toolOk("get_secret_request", { id: r.structured.id });
    expect(pending.structured.status).toBe("pending");
    // The person, signed in to the dashboard, enters the value (a token can never fulfil).
    const person = await sessionClient(server, server.ownerToken);
    const fulfilled = await person.FulfillSecretRequest({ input: { id: r.structured.id, value: CANARY_REQUESTED } });
    expect(fulfilled.fulfillSecretRequest.__typename).toBe("FulfillSecretRequestPayload");
    const done = await toolOk("get_secret_request", { id: r.structured.id });
    expect(done.structured).toMatchObject({ status: "fulfilled", fulfilledBy: expect.any(String) });
    expect(done.text).toMatch(/Redeploy/);
    expect((await runtimeValues(server, project, "main")).values.GITHUB_TOKEN).toEqual({
      value: CANARY_REQUESTED,
      isSecret: true,
    });
    const listed = await toolOk("list_env_vars", { project, environment: "production" });
    expect(listed.structured.variables).toContainEqual(
      expect.objectContaining({ key: "GITHUB_TOKEN", type: "secret" }),
    );
    const unknown = await tool("get_secret_request", { id: "nope" });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toMatch(/No secret request "nope"/);
    const managed = await tool("request_secret", { project, environment: "production", key: "DATABASE_URL" });
    expect(managed.isError).toBe(true);
    expect(managed.text).toMatch(/main-db/);
  });

  it("a token that may write but not read: names with unknown types, and existing secrets still refused", async () => {
    const writer = await serviceToken(server, project, ["WRITE"]);
    const wo = await connectMcp(server, writer.token, transport);
    try {
      const listed = await call(wo, "list_env_vars", { project, environment: "production" });
      seen.push(listed.raw);
      expect(listed.structured).toMatchObject({ typesKnown: false });
      expect((listed.structured as { variables: { key: string; type: string }[] }).variables).toContainEqual(
        expect.objectContaining({ key: "STRIPE_SECRET", type: "unknown" }),
      );
      const before = await production();
      const refused = await call(wo, "set_env_vars", {
        project,
        environment: "production",
        env: { STRIPE_SECRET: "guess", PORT: "1" },
      });
      seen.push(refused.raw);
      expect(refused.isError).toBe(true);
      expect(refused.text).toMatch(/STRIPE_SECRET: already secret[\s\S]*request_secret/);
      expect((await production()).revision).toBe(before.revision);
      const replace = await call(wo, "set_env_vars", {
        project,
        environment: "production",
        env: { A: "1" },
        replace: true,
      });
      expect(replace.isError).toBe(true);
      expect(replace.text).toMatch(/replace needs a token that may read/);
      const set = await call(wo, "set_env_vars", { project, environment: "production", env: { WRITER_FLAG: "1" } });
      seen.push(set.raw);
      expect(set.structured).toMatchObject({ added: ["WRITER_FLAG"] });
    } finally {
      await wo.close();
    }
  });

  it("resources: the guide and the project's mapping", async () => {
    const { resources } = await mcp.client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toContain("envplane://guide");
    expect(uris).toContain(`envplane://projects/${project}/mapping`);
    const guide = await mcp.client.readResource({ uri: "envplane://guide" });
    const text = (guide.contents[0] as { text: string }).text;
    expect(text).toMatch(/set_env_vars merges/);
    expect(text).toMatch(/request_secret/);
    const mapping = await mcp.client.readResource({ uri: `envplane://projects/${project}/mapping` });
    const body = JSON.parse((mapping.contents[0] as { text: string }).text);
    expect(body.mapping).toEqual(
      expect.arrayContaining([
        { branch: "main", environment: "production" },
        { branch: "feature", environment: "preview/feature" },
      ]),
    );
    seen.push(resources, guide, mapping);
    const templates = await mcp.client.listResourceTemplates();
    seen.push(templates);
    await expect(mcp.client.readResource({ uri: "envplane://projects/nope/mapping" })).rejects.toThrow(/not found/);
    // The protocol's "resource not found", not an internal error.
    await expect(mcp.client.readResource({ uri: "envplane://projects/nope/mapping" })).rejects.toMatchObject({
      code: -32002,
    });
  });

  it("the canary secrets never appear in a tool result, resource, log line or stderr", async () => {
    // Every tool once more, after everything above.
    for (const [name, args] of [
      ["list_projects", {}],
      ["list_environments", { project }],
      ["list_env_vars", { project, environment: "production" }],
      ["list_env_vars", { project, environment: "production", branch: "main" }],
      ["get_env_status", { project }],
      ["diff_environments", { project, base: "preview/feature", head: "production" }],
      ["set_env_vars", { project, environment: "production", env: { STRIPE_SECRET: "x" } }],
      ["delete_env_vars", { project, environment: "production", keys: ["GONE"] }],
      ["request_secret", { project, environment: "production", key: "ANOTHER_SECRET" }],
    ] as const)
      await tool(name, args);
    const everything = JSON.stringify(seen) + server.logs.join("\n") + mcp.stderr();
    expect(seen.length).toBeGreaterThan(20);
    for (const canary of canaries()) expect(everything).not.toContain(canary);
    // The check can fail: the canary is really stored and served.
    expect((await runtimeValues(server, project, "main")).values.STRIPE_SECRET.value).toBe(CANARY);
  });
});

describe("envplane mcp (stdio) start-up", () => {
  it("stdout carries only the protocol: every line is a JSON-RPC message; notes go to stderr", async () => {
    const { spawn } = await import("node:child_process");
    const path = await import("node:path");
    const child = spawn(process.execPath, [path.resolve(import.meta.dirname, "../../bin/envplane.js"), "mcp"], {
      env: {
        PATH: process.env.PATH,
        HOME: "/nonexistent",
        ENVPLANE_SERVER: server.url,
        ENVPLANE_TOKEN: server.ownerToken,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const send = (id: number, method: string, params: unknown) =>
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    send(1, "initialize", {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "raw", version: "1" },
    });
    child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
    send(2, "tools/call", { name: "list_projects", arguments: {} });
    await expect.poll(() => stdout.split("\n").filter(Boolean).length, { timeout: 30_000 }).toBe(2);
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    const messages = stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(messages.map((m) => [m.jsonrpc, m.id])).toEqual([
      ["2.0", 1],
      ["2.0", 2],
    ]);
    expect(messages[1].result.structuredContent.count).toEqual(expect.any(Number));
    expect(stderr).toMatch(/envplane MCP server on stdio/);
  });

  it("takes --server and --token instead of the environment", async () => {
    const connection = await connectMcp(server, server.ownerToken, "stdio", { flags: true });
    try {
      const r = await callOk(connection, "list_projects");
      expect(r.structured.count).toEqual(expect.any(Number));
      expect(connection.stderr()).toMatch(/envplane MCP server on stdio/);
    } finally {
      await connection.close();
    }
  });

  it("fails on stderr with a clear message when the token is refused; stdout stays empty", async () => {
    const { runCli } = await import("../support/cli.js");
    const r = await runCli(["mcp"], {
      cwd: process.cwd(),
      env: {
        PATH: process.env.PATH,
        HOME: "/nonexistent",
        ENVPLANE_SERVER: server.url,
        ENVPLANE_TOKEN: "envp_pat_bogus",
      },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/token/i);
  });
});
