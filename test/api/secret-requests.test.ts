/**
 * Secret requests over a real server (SQLite or PostgreSQL): who may ask, who sees, that only a person in a
 * dashboard session fulfils (never a token), that the fulfil is one transaction (value as a secret, request status,
 * revision, audit row, webhook delivery), that it wins exactly once even when raced, expiry and cancel, managed keys,
 * and that a canary value never appears in any response, error, log line or the database in plaintext.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_VALUE_BYTES } from "../../core/names.js";
import { createClient, type EnvplaneClient } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import {
  createBranch,
  createProject,
  runtimeValues,
  serviceToken,
  setVariable,
  userWithRole,
} from "../support/fixtures.js";
import { databaseSnapshot, type Row, withRawDb } from "../support/raw-db.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { sessionClient } from "../support/session.js";

const P = "asks";
const canary = `canary-${randomBytes(16).toString("hex")}`;

let server: TestServer;
/** Raw text of every response any client below received. */
const bodies: string[] = [];

function recordingFetch() {
  return async (input: string, init: RequestInit) => {
    const response = await fetch(input, init);
    const text = await response.text();
    bodies.push(text);
    return new Response(text, { status: response.status, headers: response.headers });
  };
}

const tokenClient = (token: string) => createClient({ url: server.url, token, fetch: recordingFetch() });

/** A dashboard session of the user of `token`, recording its responses too. */
const sessionOf = (token: string) => sessionClient(server, token, recordingFetch());

const query = (sql: string, params: unknown[] = []) => withRawDb(server.database, (q) => q(sql, params));

async function create(
  client: EnvplaneClient,
  input: Partial<Parameters<EnvplaneClient["CreateSecretRequest"]>[0]["input"]>,
) {
  return (await client.CreateSecretRequest({ input: { project: P, environment: "preview", key: "API_KEY", ...input } }))
    .createSecretRequest;
}

async function created(client: EnvplaneClient, input: Parameters<typeof create>[1] = {}) {
  return expectType(await create(client, input), "CreateSecretRequestPayload");
}

async function fulfill(client: EnvplaneClient, id: string, value: string) {
  return (await client.FulfillSecretRequest({ input: { id, value } })).fulfillSecretRequest;
}

const events = (action: string) =>
  query(`SELECT * FROM "Event" WHERE "action" = $1 ORDER BY "seq"`, [action]) as Promise<Row[]>;
const deliveries = (eventId: string) =>
  query(`SELECT "eventType", "payload" FROM "WebhookDelivery" WHERE "eventId" = $1`, [eventId]) as Promise<Row[]>;

/** The environment's revision as the API shows it. */
async function revisionOf(environment: string) {
  return (await server.owner.project({ slug: P })).project!.environments.find((e) => e.name === environment)!.revision;
}

let agent: Awaited<ReturnType<typeof serviceToken>>;
let agentClient: EnvplaneClient;
let owner: EnvplaneClient;
let developer: { token: string; session: EnvplaneClient };
let viewer: { token: string; session: EnvplaneClient };

describe("secret requests", () => {
  beforeAll(async () => {
    server = await startTestServer({ listen: true, logLevel: "trace" });
    await createProject(server.owner, P);
    await createBranch(server.owner, P, "feature");
    // A webhook subscribed to everything: every event below must queue its delivery in the same transaction.
    expectType(
      (await server.owner.createWebhook({ input: { project: P, url: "http://127.0.0.1:9/hook" } })).createWebhook,
      "CreateWebhookPayload",
    );
    agent = await serviceToken(server, P, ["READ", "WRITE"]);
    agentClient = tokenClient(agent.token);
    owner = await sessionOf(server.ownerToken);
    const dev = await userWithRole(server, P, "DEVELOPER", "Dana Developer");
    developer = { token: dev.token, session: await sessionOf(dev.token) };
    const view = await userWithRole(server, P, "VIEWER", "Vic Viewer");
    viewer = { token: view.token, session: await sessionOf(view.token) };
  });
  afterAll(() => server.close());

  it("a token with write access asks: a random link, audited and sent to webhooks, no value anywhere", async () => {
    const { request, url } = await created(agentClient, { note: "For the payments API", expiresInHours: 2 });
    expect(url).toBe(`${new URL(server.url).origin}/requests/${request.id}`);
    // At least 128 random bits in the id (base64url: 6 bits a character).
    expect(request.id).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(request).toMatchObject({
      project: P,
      environment: "preview",
      branch: null,
      key: "API_KEY",
      note: "For the payments API",
      status: "PENDING",
      requestedBy: "service token svc READ+WRITE",
      fulfilledAt: null,
      viewerCanFulfill: false,
    });
    const hours = (Date.parse(request.expiresAt) - Date.parse(request.createdAt)) / 3600_000;
    expect(hours).toBeCloseTo(2, 2);
    const [event] = (await events("secret_request.create")).slice(-1);
    expect(JSON.parse(String(event.keys))).toEqual(["API_KEY"]);
    expect(event.tokenId).toBe(agent.id);
    expect((await deliveries(String(event.id))).map((d) => d.eventType)).toEqual(["secret_request.created"]);
    // The default expiry is 24 hours.
    const later = (await created(agentClient, { key: "OTHER_KEY" })).request;
    expect((Date.parse(later.expiresAt) - Date.parse(later.createdAt)) / 3600_000).toBeCloseTo(24, 2);
  });

  it("refuses bad input and callers who may not write, changing nothing", async () => {
    const before = await query(`SELECT COUNT(*) AS n FROM "SecretRequest"`);
    const reader = tokenClient((await serviceToken(server, P, ["READ"])).token);
    expect(expectType(await create(reader, {}), "ForbiddenError").message).toMatch(/no write permission/);
    expect(expectType(await create(viewer.session, {}), "ForbiddenError").message).toMatch(/read-only/);
    expect(expectType(await create(agentClient, { environment: "nope" }), "NotFoundError").message).toMatch(/nope/);
    expect(expectType(await create(agentClient, { key: "1BAD" }), "ValidationError").fieldErrors[0].path).toEqual([
      "key",
    ]);
    for (const expiresInHours of [0, 169])
      expect(expectType(await create(agentClient, { expiresInHours }), "ValidationError").message).toMatch(/1 to 168/);
    // A branch override needs a secret base value (an override of a standard one would be readable).
    expect(expectType(await create(agentClient, { branch: "dev" }), "ValidationError").message).toMatch(
      /no base value/,
    );
    await setVariable(server.owner, { project: P, environment: "preview", key: "PLAIN", value: "visible" });
    expect(expectType(await create(agentClient, { key: "PLAIN", branch: "dev" }), "ValidationError").message).toMatch(
      /standard variable/,
    );
    expect(expectType(await create(agentClient, { branch: "nope" }), "NotFoundError").message).toMatch(/nope/);
    expect(
      expectType(await create(agentClient, { environment: "development", branch: "dev" }), "ValidationError").message,
    ).toMatch(/not available on "development"/);
    expect(await query(`SELECT COUNT(*) AS n FROM "SecretRequest"`)).toEqual(before);
  });

  it("refuses a key managed by a service binding, naming the binding (asked, or bound after asking)", async () => {
    const early = (await created(agentClient, { key: "CACHE_URL" })).request;
    expectType(
      (
        await server.owner.bindService({
          input: { project: P, name: "cache", service: "REDIS", variable: "CACHE_URL", environments: [] },
        })
      ).bindService,
      "BindingPayload",
    );
    expectType(
      (
        await server.owner.bindService({
          input: {
            project: P,
            name: "main-db",
            service: "POSTGRES",
            variable: "DATABASE_URL",
            environments: [{ environment: "preview", value: "postgres://db/app" }],
          },
        })
      ).bindService,
      "BindingPayload",
    );
    const refused = expectType(await create(agentClient, { key: "DATABASE_URL" }), "ValidationError");
    expect(refused.message).toMatch(/binding "main-db"/);
    // Bound after the request was made, and given a credential: the fulfil is refused, the request stays pending.
    expectType(
      (
        await server.owner.updateBinding({
          input: { project: P, name: "cache", environments: [{ environment: "preview", value: "redis://r" }] },
        })
      ).updateBinding,
      "BindingPayload",
    );
    expect(expectType(await fulfill(owner, early.id, canary), "ValidationError").message).toMatch(/binding "cache"/);
    expect((await owner.SecretRequest({ id: early.id })).secretRequest!.status).toBe("PENDING");
  });

  it("is visible to its asker and to members who see the environment; to no one else", async () => {
    const { request } = await created(agentClient, { key: "VISIBLE" });
    for (const client of [agentClient, owner, viewer.session, developer.session])
      expect((await client.SecretRequest({ id: request.id })).secretRequest?.key).toBe("VISIBLE");
    const outsider = await sessionOf(
      expectType((await server.owner.createUser({ input: { name: "Olga Outsider" } })).createUser, "CreateUserPayload")
        .plaintextToken,
    );
    const otherEnv = tokenClient((await serviceToken(server, P, ["READ", "WRITE"], ["production"])).token);
    for (const client of [outsider, otherEnv])
      expect((await client.SecretRequest({ id: request.id })).secretRequest).toBeNull();
    expect((await owner.SecretRequest({ id: "no-such-request" })).secretRequest).toBeNull();
    // Listing: the environment-limited token does not see it either; the owner does, filtered by status.
    const ids = async (client: EnvplaneClient, status?: "PENDING" | "FULFILLED") =>
      (await client.ProjectSecretRequests({ project: P, status })).project!.secretRequests.nodes.map((n) => n.id);
    expect(await ids(owner, "PENDING")).toContain(request.id);
    expect(await ids(owner, "FULFILLED")).not.toContain(request.id);
    expect(await ids(otherEnv)).not.toContain(request.id);
    // Pages: newest first, no request twice.
    const all = await ids(owner);
    const first = (await owner.ProjectSecretRequests({ project: P, first: 1 })).project!.secretRequests;
    const second = (await owner.ProjectSecretRequests({ project: P, first: 1, after: first.pageInfo.endCursor }))
      .project!.secretRequests;
    expect([...first.nodes, ...second.nodes].map((n) => n.id)).toEqual(all.slice(0, 2));
    expect(first.totalCount).toBe(all.length);
  });

  it("a token can never fulfil, whatever its permissions; a viewer's session neither; nothing changes", async () => {
    const { request } = await created(agentClient, { key: "TOKEN_REFUSED" });
    const revision = await revisionOf("preview");
    for (const client of [agentClient, tokenClient(server.ownerToken), tokenClient(developer.token)]) {
      const refused = expectType(await fulfill(client, request.id, canary), "ForbiddenError");
      expect(refused.message).toMatch(/signed in to the dashboard/);
    }
    expect((await viewer.session.SecretRequest({ id: request.id })).secretRequest!.viewerCanFulfill).toBe(false);
    expect(expectType(await fulfill(viewer.session, request.id, canary), "ForbiddenError").message).toMatch(
      /read-only/,
    );
    expect((await owner.SecretRequest({ id: request.id })).secretRequest!.status).toBe("PENDING");
    expect(await revisionOf("preview")).toBe(revision);
    expect(await query(`SELECT * FROM "Variable" WHERE "key" = 'TOKEN_REFUSED'`)).toEqual([]);
  });

  it("a person's session fulfils in one transaction: secret, status, revision, audit row, webhook", async () => {
    const { request } = await created(agentClient, { key: "PAYMENTS_KEY", note: "live key" });
    expect((await developer.session.SecretRequest({ id: request.id })).secretRequest!.viewerCanFulfill).toBe(true);
    const revision = await revisionOf("preview");
    const done = expectType(await fulfill(developer.session, request.id, canary), "FulfillSecretRequestPayload");
    expect(done.revision).toBe(revision + 1);
    expect(done.request).toMatchObject({ status: "FULFILLED", fulfilledBy: "Dana Developer", viewerCanFulfill: false });
    // The asker sees only the status.
    const seen = (await agentClient.SecretRequest({ id: request.id })).secretRequest!;
    expect(seen.status).toBe("FULFILLED");
    expect(JSON.stringify(seen)).not.toContain(canary);
    const [variable] = await query(`SELECT "isSecret", "valueVersion" FROM "Variable" WHERE "key" = 'PAYMENTS_KEY'`);
    expect(Boolean(variable.isSecret)).toBe(true);
    expect(Number(variable.valueVersion)).toBe(revision + 1);
    const [event] = (await events("secret_request.fulfill")).slice(-1);
    expect(event).toMatchObject({ revision: revision + 1, actorName: "Dana Developer" });
    expect(JSON.parse(String(event.keys))).toEqual(["PAYMENTS_KEY"]);
    const sent = await deliveries(String(event.id));
    expect(sent.map((d) => d.eventType)).toEqual(["environment.changed"]);
    expect(JSON.parse(String(sent[0].payload)).data).toMatchObject({ revision: revision + 1, keys: ["PAYMENTS_KEY"] });
    const [history] = await query(
      `SELECT "action", "added" FROM "Revision" WHERE "number" = $1 AND "environmentId" = $2`,
      [revision + 1, event.environmentId],
    );
    expect(history).toMatchObject({ action: "secret_request.fulfill" });
    // The deployment gets it at runtime.
    const runtime = await runtimeValues(server, P, "feature");
    expect(runtime.values.PAYMENTS_KEY).toEqual({ value: canary, isSecret: true });
  });

  it("a second fulfil is a conflict asking for a new link; of two at once exactly one wins", async () => {
    const { request } = await created(agentClient, { key: "ONCE" });
    expectType(await fulfill(owner, request.id, `${canary}-first`), "FulfillSecretRequestPayload");
    const again = expectType(await fulfill(developer.session, request.id, `${canary}-second`), "ConflictError");
    expect(again.message).toMatch(/already fulfilled by .*new link/);

    const raced = (await created(agentClient, { key: "RACED" })).request;
    const revision = await revisionOf("preview");
    const results = await Promise.all([
      fulfill(owner, raced.id, `${canary}-a`),
      fulfill(developer.session, raced.id, `${canary}-b`),
      fulfill(owner, raced.id, `${canary}-c`),
    ]);
    const winners = results.filter((r) => r.__typename === "FulfillSecretRequestPayload");
    expect(winners).toHaveLength(1);
    for (const r of results.filter((r) => r.__typename !== "FulfillSecretRequestPayload"))
      expect(expectType(r, "ConflictError").message).toMatch(/already fulfilled/);
    // One revision, one event: the losers rolled back their bump.
    expect(await revisionOf("preview")).toBe(revision + 1);
    const fulfilEvents = (await events("secret_request.fulfill")).filter((e) => String(e.keys).includes("RACED"));
    expect(fulfilEvents).toHaveLength(1);
    const winner = ["a", "b", "c"][results.indexOf(winners[0])];
    expect((await runtimeValues(server, P, "feature")).values.RACED.value).toBe(`${canary}-${winner}`);
  });

  it("an expired or cancelled request cannot be fulfilled: the message says to ask for a new link", async () => {
    const expired = (await created(agentClient, { key: "LATE" })).request;
    const past = new Date(Date.now() - 1000);
    await query(`UPDATE "SecretRequest" SET "expiresAt" = $1 WHERE "id" = $2`, [
      server.database.provider === "sqlite" ? past.toISOString().replace("Z", "+00:00") : past,
      expired.id,
    ]);
    expect((await owner.SecretRequest({ id: expired.id })).secretRequest!.status).toBe("EXPIRED");
    const ids = (await owner.ProjectSecretRequests({ project: P, status: "EXPIRED" })).project!.secretRequests.nodes;
    expect(ids.map((n) => n.id)).toEqual([expired.id]);
    expect(expectType(await fulfill(owner, expired.id, canary), "ConflictError").message).toMatch(/expired.*new link/);

    const cancelled = (await created(agentClient, { key: "NEVER" })).request;
    // A viewer may not cancel; the asker (the token) may.
    expect(
      expectType(
        (await viewer.session.CancelSecretRequest({ input: { id: cancelled.id } })).cancelSecretRequest,
        "ForbiddenError",
      ).message,
    ).toMatch(/cancel/);
    const done = expectType(
      (await agentClient.CancelSecretRequest({ input: { id: cancelled.id } })).cancelSecretRequest,
      "CancelSecretRequestPayload",
    );
    expect(done.request.status).toBe("CANCELLED");
    const [event] = (await events("secret_request.cancel")).slice(-1);
    expect((await deliveries(String(event.id))).map((d) => d.eventType)).toEqual(["secret_request.cancelled"]);
    expect(expectType(await fulfill(owner, cancelled.id, canary), "ConflictError").message).toMatch(
      /cancelled.*new link/,
    );
    expect(
      expectType(
        (await owner.CancelSecretRequest({ input: { id: cancelled.id } })).cancelSecretRequest,
        "ConflictError",
      ).message,
    ).toMatch(/cancelled/);
    expect(await query(`SELECT * FROM "Variable" WHERE "key" IN ('LATE', 'NEVER')`)).toEqual([]);
  });

  it("a key that exists as a standard value becomes a secret; a branch request writes the branch's override", async () => {
    await setVariable(server.owner, { project: P, environment: "preview", key: "WAS_PLAIN", value: "readable" });
    const { request } = await created(agentClient, { key: "WAS_PLAIN" });
    expect((await owner.SecretRequest({ id: request.id })).secretRequest!.replacesStandardValue).toBe(true);
    expectType(await fulfill(owner, request.id, `${canary}-now-secret`), "FulfillSecretRequestPayload");
    const [row] = await query(`SELECT "isSecret" FROM "Variable" WHERE "key" = 'WAS_PLAIN'`);
    expect(Boolean(row.isSecret)).toBe(true);

    await setVariable(server.owner, {
      project: P,
      environment: "preview",
      key: "BRANCHED",
      value: "base",
      secret: true,
    });
    const branched = (await created(agentClient, { key: "BRANCHED", branch: "dev" })).request;
    expect(branched.branch).toBe("dev");
    expectType(await fulfill(developer.session, branched.id, `${canary}-dev`), "FulfillSecretRequestPayload");
    expect((await runtimeValues(server, P, "dev")).values.BRANCHED.value).toBe(`${canary}-dev`);
    expect((await runtimeValues(server, P, "feature")).values.BRANCHED.value).toBe("base");
  });

  it("the value is checked like any value, and the error never quotes it", async () => {
    const { request } = await created(agentClient, { key: "TOO_BIG" });
    const big = canary.repeat(Math.ceil((MAX_VALUE_BYTES + 1) / canary.length));
    const refused = expectType(await fulfill(owner, request.id, big), "ValidationError");
    expect(refused.message).toMatch(/larger than 64 KiB/);
    expect((await owner.SecretRequest({ id: request.id })).secretRequest!.status).toBe("PENDING");
  });

  it("the canary is in no response, log line or database row in plaintext", async () => {
    expect(bodies.length).toBeGreaterThan(20);
    for (const body of bodies.filter((b) => !b.includes('"runtimeVariables"'))) expect(body).not.toContain(canary);
    expect(server.logs.join("\n")).not.toContain(canary);
    const snapshot = await databaseSnapshot(server.database);
    expect(snapshot.contains(canary)).toBe(false);
    expect(snapshot.contains("For the payments API")).toBe(true);
  });
});
