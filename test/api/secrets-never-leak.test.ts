/**
 * A canary secret (SECURITY 8-10) is written through every write path, then every read
 * and error path is exercised. The canary may appear only in runtimeVariables answered to
 * a RUNTIME service token; never in another response body, error, log line or the database.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_VALUE_BYTES } from "../../core/names.js";
import { createClient, type EnvplaneClient, EnvplaneRequestError } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import {
  bulk as bulkUpsert,
  type Clients,
  createProject,
  readEnvironment,
  serviceToken,
  setVariable,
} from "../support/fixtures.js";
import { databaseSnapshot, withRawDb } from "../support/raw-db.js";
import { startTestServer, type TestServer } from "../support/server.js";

const canary = `canary-${randomBytes(16).toString("hex")}`;
const P = "leak";

let server: TestServer;
let owner: EnvplaneClient;
/** The owner and token clients, both recording: what the fixtures build through them is checked for the canary too. */
let recorded: Clients;
let runtimeToken = "";
/** Raw text of every response, by test. */
let bodies: string[] = [];

/** An SDK client that keeps the raw text of every response. */
function recording(token: string | null): EnvplaneClient {
  return createClient({
    url: server.url,
    token,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      const text = await response.text();
      bodies.push(text);
      return new Response(text, { status: response.status, headers: response.headers });
    },
  });
}

async function raw(body: unknown, token: string | null = server.ownerToken): Promise<{ status: number; text: string }> {
  const response = await fetch(server.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-envplane-client": "test",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  bodies.push(text);
  return { status: response.status, text };
}

/** Runs `fn`, returning its result or the EnvplaneRequestError it threw. */
async function settle<T>(fn: () => Promise<T>): Promise<T | EnvplaneRequestError> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof EnvplaneRequestError) return error;
    throw error;
  }
}

function expectNoCanary(texts: string[]) {
  expect(texts.length).toBeGreaterThan(0);
  for (const text of texts) expect(text).not.toContain(canary);
  expect(server.logs.join("\n")).not.toContain(canary);
}

describe("a canary secret never leaks", () => {
  beforeAll(async () => {
    server = await startTestServer({ listen: true });
    owner = recording(server.ownerToken);
    recorded = { owner, client: recording };
    await createProject(owner, P);
    // Every way a secret value gets in: set, bulk upsert (new key), branch override, seeds (as-is and edited), key rotation.
    await setVariable(owner, {
      project: P,
      environment: "development",
      key: "SECRET_SET",
      value: `${canary}-set`,
      secret: true,
    });
    const bulk = await bulkUpsert(owner, {
      project: P,
      environment: "preview",
      variables: [
        { key: "PLAIN", value: "plain-value" },
        { key: "SECRET_BULK", value: `${canary}-bulk`, secret: true },
      ],
    });
    expect(bulk.added).toEqual(["PLAIN", "SECRET_BULK"]);
    await setVariable(owner, {
      project: P,
      environment: "preview",
      key: "SECRET_BULK",
      value: `${canary}-override`,
      branch: "dev",
    });
    expectType(
      (await owner.createEnvironment({ input: { project: P, name: "staging", from: "preview" } })).createEnvironment,
      "EnvironmentPayload",
    );
    const seeded = await owner.seedEnvironment({
      input: {
        project: P,
        target: "production",
        from: "preview",
        decisions: [
          { key: "PLAIN", action: "KEEP" },
          { key: "SECRET_BULK", action: "EDIT", value: `${canary}-edit` },
        ],
      },
    });
    expectType(seeded.seedEnvironment, "EnvironmentPayload");
    expectType((await owner.rotateProjectKey({ input: { project: P } })).rotateProjectKey, "RotateProjectKeyPayload");
    runtimeToken = (await serviceToken(recorded, P, ["RUNTIME"])).token;
    expectNoCanary(bodies);
  });
  afterAll(() => server.close());

  it("is returned only by runtime resolution to a RUNTIME service token", async () => {
    bodies = [];
    const rt = recording(runtimeToken);
    const dev = expectType(
      (await rt.runtimeVariables({ project: P, branch: "dev" })).runtimeVariables,
      "RuntimeEnvironment",
    );
    expect(dev.variables).toContainEqual({
      key: "SECRET_BULK",
      value: `${canary}-override`,
      isSecret: true,
      fromOverride: true,
    });
    const main = expectType(
      (await rt.runtimeVariables({ project: P, branch: "main" })).runtimeVariables,
      "RuntimeEnvironment",
    );
    expect(main.variables).toContainEqual({
      key: "SECRET_BULK",
      value: `${canary}-edit`,
      isSecret: true,
      fromOverride: false,
    });
    expect(bodies.every((b) => b.includes(canary))).toBe(true);

    bodies = [];
    const reader = await serviceToken(recorded, P, ["READ", "WRITE"]);
    for (const client of [owner, reader.client])
      expectType((await client.runtimeVariables({ project: P, branch: "dev" })).runtimeVariables, "ForbiddenError");
    expectNoCanary(bodies);
  });

  it("appears in no listing, pull or project query, whatever asks", async () => {
    bodies = [];
    const reader = await serviceToken(recorded, P, ["READ", "WRITE"]);
    const envs = ["development", "preview", "production", "staging"];
    for (const client of [owner, reader.client]) {
      await client.projects();
      await client.project({ slug: P });
      await client.viewer();
      for (const environment of envs) {
        const listed = await readEnvironment(client, P, environment);
        for (const v of listed.variables.filter((v) => v.isSecret))
          expect([v.value, ...v.overrides.map((o) => o.value)]).toEqual([null, ...v.overrides.map(() => null)]);
        const pulled = expectType(
          (await client.pullVariables({ project: P, environment })).pullVariables,
          "PulledEnvironment",
        );
        expect(pulled.variables.map((v) => v.key)).not.toContain("SECRET_BULK");
      }
      expect(
        expectType(
          (await client.pullVariables({ project: P, environment: "preview", branch: "dev" })).pullVariables,
          "PulledEnvironment",
        ).excludedSecrets,
      ).toEqual(["SECRET_BULK"]);
      await client.resolveBranch({ project: P, branch: "dev" });
    }
    await owner.projectTokens({ slug: P });
    await owner.projectMembers({ slug: P });
    await owner.users();
    const everything = await raw({
      query: `{ projects(first: 10) { nodes { environments { name variables(first: 40) { nodes { id key isSecret value overrides { value branch { name } } } } } } } viewer { personalTokens { nodes { name } } } }`,
    });
    expect(everything.text).toContain("SECRET_BULK");
    // A bulk dry run and a no-op push compare against stored values: they report keys only.
    const dry = await owner.bulkUpsertVariables({
      input: {
        project: P,
        environment: "preview",
        dryRun: true,
        variables: [
          { key: "PLAIN", value: "plain-value" },
          { key: "SECRET_BULK", value: `${canary}-bulk` },
        ],
      },
    });
    expect(expectType(dry.bulkUpsertVariables, "BulkUpsertVariablesPayload").secretOverwritten).toEqual([
      "SECRET_BULK",
    ]);
    expectNoCanary(bodies);
  });

  it("appears in no history, comparison, restore, promotion, audit log or webhook delivery (issue 9)", async () => {
    bodies = [];
    const hook = await owner.createWebhook({ input: { project: P, url: "http://127.0.0.1:9/hook" } });
    expectType(hook.createWebhook, "CreateWebhookPayload");
    for (const environment of ["development", "preview", "production", "staging"]) {
      const history = await owner.environmentHistory({ project: P, environment, first: 50 });
      const numbers = history.project!.environment!.revisions.nodes.map((r) => r.number);
      for (const number of numbers) await owner.environmentRevision({ project: P, environment, number });
    }
    const base = { environment: "preview", revision: 1 };
    for (const head of [{ environment: "production" }, { environment: "staging" }, { environment: "preview" }])
      await owner.compareEnvironments({ project: P, base, head });
    const restore = { project: P, environment: "preview", revision: 1 };
    expectType(
      (await owner.restoreEnvironment({ input: { ...restore, dryRun: true } })).restoreEnvironment,
      "RestoreEnvironmentPayload",
    );
    expectType((await owner.restoreEnvironment({ input: restore })).restoreEnvironment, "RestoreEnvironmentPayload");
    const promote = { project: P, from: "preview", to: "staging" };
    expectType(
      (await owner.promoteEnvironment({ input: { ...promote, dryRun: true } })).promoteEnvironment,
      "PromoteEnvironmentPayload",
    );
    expectType((await owner.promoteEnvironment({ input: promote })).promoteEnvironment, "PromoteEnvironmentPayload");
    const audit = await owner.auditLog({ project: P, first: 100 });
    expect(audit.auditLog.nodes.map((e) => e.action)).toContain("environment.restore");
    await owner.verifyAuditLog({ project: P });
    await owner.branchStatus({ project: P });
    const deliveries = await owner.webhookDeliveries({ slug: P, first: 50 });
    expect(JSON.stringify(deliveries)).toContain("environment.changed");
    expectNoCanary(bodies);
    const id = expectType(hook.createWebhook, "CreateWebhookPayload").webhook.id;
    expectType((await owner.deleteWebhook({ input: { project: P, id } })).deleteWebhook, "DeleteWebhookPayload");
  });

  it("appears in no error message or extension", async () => {
    bodies = [];
    const set = (input: Partial<Parameters<EnvplaneClient["setVariable"]>[0]["input"]>) =>
      owner
        .setVariable({
          input: { project: P, environment: "development", key: "SECRET_SET", value: `${canary}-x`, ...input },
        })
        .then((r) => r.setVariable);
    expectType(await set({ secret: false }), "ValidationError");
    expectType(await set({ expectedRevision: 0 }), "ConflictError");
    expectType(await set({ value: canary.repeat(Math.ceil(MAX_VALUE_BYTES / canary.length) + 1) }), "ValidationError");
    expectType(await set({ environment: "nope" }), "NotFoundError");
    expectType(await set({ key: "1BAD" }), "ValidationError");
    expectType(await set({ branch: "dev" }), "ValidationError"); // no overrides on development
    expectType(await set({ environment: "preview", key: "NEW_KEY", branch: "dev" }), "NotFoundError"); // no base value
    expectType(await set({ environment: "preview", branch: "no-such-branch" }), "NotFoundError");
    const bulk = (
      variables: { key: string; value: string; secret?: boolean }[],
      extra: { expectedRevision?: number } = {},
    ) =>
      owner
        .bulkUpsertVariables({ input: { project: P, environment: "preview", variables, ...extra } })
        .then((r) => r.bulkUpsertVariables);
    expectType(
      await bulk([
        { key: "A", value: `${canary}-1` },
        { key: "A", value: `${canary}-2` },
      ]),
      "ValidationError",
    );
    expectType(await bulk([{ key: "SECRET_BULK", value: `${canary}-3` }], { expectedRevision: 0 }), "ConflictError");
    expectType(
      await bulk([{ key: "BIG", value: `${canary}`.repeat(Math.ceil(MAX_VALUE_BYTES / canary.length) + 1) }]),
      "ValidationError",
    );
    const seed = await owner.seedEnvironment({
      input: {
        project: P,
        target: "staging",
        from: "preview",
        decisions: [
          { key: "SECRET_BULK", action: "KEEP" },
          { key: "PLAIN", action: "SKIP" },
        ],
      },
    });
    expectType(seed.seedEnvironment, "ValidationError");
    // A token that is the canary, or a request with no token.
    for (const token of [canary, `envp_pat_${canary}`, null]) {
      const error = await settle(() => recording(token).pullVariables({ project: P, environment: "preview" }));
      expect(error).toBeInstanceOf(EnvplaneRequestError);
      expect((error as EnvplaneRequestError).code).toBe("UNAUTHENTICATED");
    }
    expectNoCanary(bodies);
  });

  it("is not echoed by GraphQL coercion, validation or syntax errors", async () => {
    bodies = [];
    const mutation = `mutation($input: SetVariableInput!) { setVariable(input: $input) { __typename } }`;
    const input = { project: P, environment: "development", key: "SECRET_SET", value: "x" };
    const attempts = [
      { query: mutation, variables: { input: { ...input, value: { x: canary } } } },
      { query: mutation, variables: { input: { ...input, value: [canary] } } },
      { query: mutation, variables: { input: { ...input, expectedRevision: canary } } },
      { query: mutation, variables: { input: { ...input, secret: canary } } },
      { query: mutation, variables: { input: canary } },
      {
        query: `mutation($k: TokenKind!) { createToken(input: { kind: $k, name: "n" }) { __typename } }`,
        variables: { k: canary },
      },
      {
        query: `mutation { setVariable(input: { project: "${P}", environment: "development", key: "K", value: { x: "${canary}" } }) { __typename } }`,
      },
      {
        query: `mutation { setVariable(input: { project: "${P}", environment: "development", key: "K", value: "v", expectedRevision: "${canary}" }) { __typename } }`,
      },
      {
        query: `mutation { createToken(input: { kind: PERSONAL, name: "n", permissions: [${canary.replace(/-/g, "_")}] }) { __typename } }`,
      },
      { query: `{ project(slug: "${P}") "${canary}" }` },
    ];
    for (const body of attempts) {
      const { text } = await raw(body);
      expect(JSON.parse(text).errors?.length).toBeGreaterThan(0);
    }
    for (const text of bodies) expect(text).not.toContain(canary.replace(/-/g, "_"));
    expectNoCanary(bodies);
  });

  it("is not in the database: neither the file and its WAL (SQLite) nor a dump (PostgreSQL)", async () => {
    const dump = await databaseSnapshot(server.database);
    expect(dump.contains("SECRET_BULK")).toBe(true);
    for (const suffix of ["", "-set", "-bulk", "-override", "-edit"])
      expect(dump.contains(`${canary}${suffix}`)).toBe(false);
  });

  it("a damaged value is a typed error naming only its key: no stack, no SQL, no value; the log names the rows", async () => {
    const slug = "leak-broken";
    await createProject(owner, slug);
    const plainValue = `plain-${randomBytes(8).toString("hex")}`;
    await setVariable(owner, { project: slug, environment: "development", key: "PLAIN", value: plainValue });
    for (const key of ["BROKEN", "INTACT"])
      await setVariable(owner, { project: slug, environment: "preview", key, value: `${canary}-${key}`, secret: true });
    const rt = await serviceToken(recorded, slug, ["RUNTIME"]);
    const ids = (environment: string) => readEnvironment(owner, slug, environment);
    const dev = await ids("development");
    const preview = await ids("preview");
    const corrupt = (id: string) =>
      withRawDb(server.database, async (q) => {
        const [row] = await q(`SELECT "ciphertext" FROM "Variable" WHERE "id" = $1`, [id]);
        const blob = Buffer.from(row.ciphertext as Uint8Array);
        blob[blob.length - 1] ^= 0xff;
        await q(`UPDATE "Variable" SET "ciphertext" = $1 WHERE "id" = $2`, [blob, id]);
      });
    const plainId = dev.variables.find((v) => v.key === "PLAIN")!.id;
    const brokenId = preview.variables.find((v) => v.key === "BROKEN")!.id;
    await corrupt(plainId);
    await corrupt(brokenId);

    bodies = [];
    server.logs.length = 0;
    const listing = await settle(() => owner.environmentVariables({ project: slug, environment: "development" }));
    expect(listing).toBeInstanceOf(EnvplaneRequestError);
    expect((listing as EnvplaneRequestError).message).toMatch(
      /^1 value in "development" cannot be decrypted .*: PLAIN\. Set it again/,
    );
    const pulled = expectType(
      (await owner.pullVariables({ project: slug, environment: "development" })).pullVariables,
      "UndecryptableError",
    );
    expect(pulled.keys).toEqual(["PLAIN"]);
    const runtime = expectType(
      (await rt.client.runtimeVariables({ project: slug, branch: "dev" })).runtimeVariables,
      "UndecryptableError",
    );
    expect(runtime.keys).toEqual(["BROKEN"]);
    expect(runtime.message).toContain(`"preview" of project "${slug}"`);
    for (const text of bodies) {
      expect(text).not.toMatch(/\bat .*\.[tj]s:\d+|SELECT|INSERT|ciphertext|prisma|stack|Unexpected error/i);
      expect(text).not.toContain(plainValue);
    }
    expectNoCanary(bodies);
    const logged = server.logs.filter((l) => JSON.parse(l).msg.startsWith("Undecryptable"));
    expect(logged).toHaveLength(3);
    expect(logged[0]).toContain(plainId);
    expect(logged[1]).toContain(plainId);
    expect(logged[2]).toContain(brokenId);
    expect(logged[2]).toContain(preview.id);
    expect(server.logs.join("\n")).not.toContain(plainValue);
    expect(server.logs.join("\n")).not.toContain(canary);
  });
});
