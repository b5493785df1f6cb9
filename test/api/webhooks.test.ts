/**
 * Webhooks end to end: a real receiver (node:http on 127.0.0.1) verifies every delivery with
 * the `standardwebhooks` package, the real worker sends them (short retry delays), on SQLite
 * and PostgreSQL. Outcomes are polled for with generous deadlines, never slept for.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type EnvplaneClient, type WebhookEventType } from "../../sdk/index.js";
import { type App, createApp } from "../../server/app.js";
import { enqueueDeliveries } from "../../server/events/outbox.js";
import { appendEvent } from "../../server/events/write-path.js";
import { inTransaction } from "../../server/services/transaction.js";
import { testProvider } from "../support/database.js";
import { expectType } from "../support/expect.js";
import {
  createBranch,
  createProject,
  rawGraphQL,
  serviceToken,
  setVariable,
  userWithRole,
} from "../support/fixtures.js";
import { silentLogger } from "../support/log.js";
import { withRawDb } from "../support/raw-db.js";
import { startTestServer, type TestServer } from "../support/server.js";

const WORKER = { webhookWorker: true, webhooks: { pollMs: 100, retryBaseMs: 150, maxAttempts: 3, timeoutMs: 5000 } };
const canary = `canary-${randomBytes(12).toString("hex")}`;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook endpoint: records each request; `answer(path, n)` gives the status of the n-th request to a path. */
async function startReceiver(answer: (path: string, n: number) => number = () => 200) {
  const received: Received[] = [];
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const p = req.url ?? "/";
      const n = (counts.get(p) ?? 0) + 1;
      counts.set(p, n);
      received.push({ path: p, headers: req.headers, body });
      res.writeHead(answer(p, n)).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return {
    base,
    received,
    at: (p: string) => received.filter((r) => r.path === p),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** Polls `check` until it returns a value other than undefined/false (generous deadline for a loaded machine). */
async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, deadlineMs = 45_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function verify(secret: string, r: Received) {
  return new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as {
    type: string;
    timestamp: string;
    data: Record<string, unknown>;
  };
}

let server: TestServer;
let sdk: EnvplaneClient;
let receiver: Receiver;
let n = 0;
const slug = () => `hooks-${++n}`;

beforeAll(async () => {
  server = await startTestServer({ config: WORKER });
  sdk = server.owner;
  receiver = await startReceiver((p, count) => {
    if (p.startsWith("/flaky")) return count === 1 ? 500 : 200;
    if (p.startsWith("/down")) return 500;
    return 200;
  });
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

async function createWebhook(
  project: string,
  p: string,
  options: { environments?: string[]; events?: WebhookEventType[] } = {},
) {
  return expectType(
    (await sdk.createWebhook({ input: { project, url: `${receiver.base}${p}`, ...options } })).createWebhook,
    "CreateWebhookPayload",
  );
}

async function deliveriesOf(project: string, webhookId: string) {
  const hooks = (await sdk.webhookDeliveries({ slug: project })).project!.webhooks;
  return hooks.find((h) => h.id === webhookId)!.deliveries.nodes;
}

/** Waits until no delivery of the project is pending. */
async function settled(project: string) {
  await waitFor(`the deliveries of ${project} to settle`, async () => {
    const hooks = (await sdk.webhookDeliveries({ slug: project })).project!.webhooks;
    return hooks.every((h) => h.deliveries.nodes.every((d) => d.status !== "PENDING"));
  });
}

describe("delivery", () => {
  it("signs each delivery the Standard Webhooks way; the payload names keys, never values", async () => {
    const s = slug();
    await createProject(sdk, s);
    const { webhook, signingSecret } = await createWebhook(s, `/basic-${s}`);
    expect(signingSecret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(signingSecret.slice(6), "base64").length).toBeGreaterThanOrEqual(24);
    expect(webhook).toMatchObject({ environments: null, url: `${receiver.base}/basic-${s}` });
    expect(webhook.events).toHaveLength(10);

    await setVariable(sdk, { project: s, environment: "production", key: "API_KEY", value: canary, secret: true });
    await setVariable(sdk, { project: s, environment: "production", key: "PLAIN", value: canary });
    const got = await waitFor("two deliveries", async () => receiver.at(`/basic-${s}`).length >= 2 && true);
    expect(got).toBe(true);
    await settled(s);
    const requests = receiver.at(`/basic-${s}`);
    expect(requests).toHaveLength(2);
    const payloads = requests.map((r) => verify(signingSecret, r));
    const deliveries = await deliveriesOf(s, webhook.id);
    expect(deliveries.map((d) => d.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    expect(deliveries.every((d) => d.attempts === 1 && d.lastStatusCode === 200 && d.deliveredAt)).toBe(true);
    // webhook-id is the delivery's id
    expect(new Set(requests.map((r) => r.headers["webhook-id"]))).toEqual(new Set(deliveries.map((d) => d.id)));
    const project = (await sdk.project({ slug: s })).project!;
    const production = project.environments.find((e) => e.name === "production")!;
    const first = payloads.find((p) => (p.data.keys as string[]).includes("API_KEY"))!;
    expect(first).toMatchObject({
      type: "environment.changed",
      data: {
        project: { id: project.id, slug: s },
        environment: { id: production.id, name: "production" },
        keys: ["API_KEY"],
        branch: null,
        actor: { type: "user" },
      },
    });
    expect(typeof first.data.revision).toBe("number");
    expect(Date.parse(first.timestamp)).not.toBeNaN();
    for (const r of requests) expect(r.body).not.toContain(canary);
    for (const d of deliveries) expect(d.payload).not.toContain(canary);

    // A tampered body or another secret does not verify.
    expect(() => new Webhook(signingSecret).verify(`${requests[0].body} `, requests[0].headers as never)).toThrow();
    expect(() => verify(`whsec_${randomBytes(32).toString("base64")}`, requests[0])).toThrow();

    // The secret is stored encrypted: neither it nor its key bytes are in the row.
    const row = await server.app.database.reader.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
    const stored = Buffer.from(row.secretCiphertext);
    expect(stored.includes(Buffer.from(signingSecret))).toBe(false);
    expect(stored.includes(Buffer.from(signingSecret.slice(6), "base64"))).toBe(false);
  });

  it("filters by environment and event type; branch events ignore the environment filter", async () => {
    const s = slug();
    await createProject(sdk, s);
    const prod = await createWebhook(s, `/prod-${s}`, {
      environments: ["production"],
      events: ["ENVIRONMENT_CHANGED"],
    });
    expect(prod.webhook).toMatchObject({ environments: ["production"], events: ["ENVIRONMENT_CHANGED"] });
    const branches = await createWebhook(s, `/branches-${s}`, {
      environments: ["production"],
      events: ["BRANCH_CREATED"],
    });
    const all = await createWebhook(s, `/all-${s}`);

    await setVariable(sdk, { project: s, environment: "development", key: "DEV_ONLY", value: "1" });
    await setVariable(sdk, { project: s, environment: "production", key: "PROD_ONLY", value: "1" });
    await createBranch(sdk, s, "feature-x");
    await settled(s);
    await waitFor("the catch-all webhook's three deliveries", async () => receiver.at(`/all-${s}`).length === 3);

    const prodBodies = receiver.at(`/prod-${s}`).map((r) => verify(prod.signingSecret, r));
    expect(prodBodies).toHaveLength(1);
    expect(prodBodies[0].data).toMatchObject({ environment: { name: "production" }, keys: ["PROD_ONLY"] });
    const branchBodies = receiver.at(`/branches-${s}`).map((r) => verify(branches.signingSecret, r));
    expect(branchBodies).toHaveLength(1);
    expect(branchBodies[0]).toMatchObject({ type: "branch.created", data: { branch: "feature-x", environment: null } });
    const types = receiver.at(`/all-${s}`).map((r) => verify(all.signingSecret, r).type);
    expect(types.sort()).toEqual(["branch.created", "environment.changed", "environment.changed"]);
  });

  it("environment and token events: a deleted environment is still named; a service token's writes name it", async () => {
    const s = slug();
    await createProject(sdk, s);
    const { signingSecret } = await createWebhook(s, `/lifecycle-${s}`, {
      events: ["ENVIRONMENT_CREATED", "ENVIRONMENT_DELETED", "TOKEN_CREATED", "ENVIRONMENT_CHANGED"],
    });
    expectType(
      (await sdk.createEnvironment({ input: { project: s, name: "staging" } })).createEnvironment,
      "EnvironmentPayload",
    );
    const writer = await serviceToken(server, s, ["WRITE"], ["staging"]);
    await setVariable(writer.client, { project: s, environment: "staging", key: "BY_TOKEN", value: canary });
    expectType(
      (await sdk.deleteEnvironment({ input: { project: s, name: "staging" } })).deleteEnvironment,
      "DeleteEnvironmentPayload",
    );
    await settled(s);
    const bodies = receiver.at(`/lifecycle-${s}`).map((r) => verify(signingSecret, r));
    const byType = Object.fromEntries(bodies.map((b) => [b.type, b.data]));
    expect(Object.keys(byType).sort()).toEqual([
      "environment.changed",
      "environment.created",
      "environment.deleted",
      "token.created",
    ]);
    expect(byType["environment.created"]).toMatchObject({ environment: { name: "staging" } });
    expect(byType["environment.deleted"]).toMatchObject({ environment: { name: "staging" }, keys: [] });
    expect(byType["token.created"]).toMatchObject({ environment: null, actor: { type: "user" } });
    expect(byType["environment.changed"]).toMatchObject({
      keys: ["BY_TOKEN"],
      actor: { type: "service", name: `service token ${writer.created.token.name}` },
    });
    for (const r of receiver.at(`/lifecycle-${s}`)) expect(r.body).not.toContain(canary);
  });

  it("deleting a branch reports environment.changed for each environment it moved on, with no revision gap", async () => {
    const s = slug();
    await createProject(sdk, s);
    const { signingSecret } = await createWebhook(s, `/branchdel-${s}`, {
      events: ["ENVIRONMENT_CHANGED", "BRANCH_DELETED"],
    });
    await createBranch(sdk, s, "feature-y");
    for (const environment of ["staging", "production"]) {
      if (environment === "staging") await sdk.createEnvironment({ input: { project: s, name: environment } });
      await setVariable(sdk, { project: s, environment, key: "A", value: "base" });
      await setVariable(sdk, { project: s, environment, key: "B", value: "base" });
      await setVariable(sdk, { project: s, environment, key: "A", value: "o", branch: "feature-y" });
      await setVariable(sdk, { project: s, environment, key: "B", value: canary, branch: "feature-y" });
    }
    await setVariable(sdk, { project: s, environment: "development", key: "UNTOUCHED", value: "1" });
    expectType(
      (await sdk.deleteBranch({ input: { project: s, name: "feature-y" } })).deleteBranch,
      "DeleteBranchPayload",
    );
    await settled(s);
    const bodies = receiver.at(`/branchdel-${s}`).map((r) => verify(signingSecret, r));
    expect(bodies.filter((b) => b.type === "branch.deleted")).toHaveLength(1);
    const envs = (await sdk.project({ slug: s })).project!.environments;
    for (const name of ["staging", "production", "development"]) {
      const revisions = bodies
        .filter((b) => b.type === "environment.changed" && (b.data.environment as { name: string }).name === name)
        .map((b) => b.data.revision as number)
        .sort((a, b) => a - b);
      const current = envs.find((e) => e.name === name)!.revision;
      // Every revision from the first write on is reported exactly once, up to the current one.
      expect(revisions).toEqual(Array.from({ length: revisions.length }, (_, i) => current - revisions.length + 1 + i));
    }
    for (const name of ["staging", "production"]) {
      const changed = bodies.filter(
        (b) =>
          b.type === "environment.changed" &&
          (b.data.environment as { name: string }).name === name &&
          b.data.revision === envs.find((e) => e.name === name)!.revision,
      );
      expect(changed).toHaveLength(1);
      expect(changed[0].data).toMatchObject({ keys: ["A", "B"], branch: "feature-y", actor: { type: "user" } });
    }
    for (const r of receiver.at(`/branchdel-${s}`)) expect(r.body).not.toContain(canary);
  });

  it("the payload carries the write's message, or null", async () => {
    const s = slug();
    await createProject(sdk, s);
    const { signingSecret } = await createWebhook(s, `/message-${s}`, { events: ["ENVIRONMENT_CHANGED"] });
    await setVariable(sdk, { project: s, environment: "development", key: "A", value: "1", message: "rotate A" });
    await setVariable(sdk, { project: s, environment: "development", key: "B", value: "1" });
    await settled(s);
    const bodies = receiver.at(`/message-${s}`).map((r) => verify(signingSecret, r));
    const byKey = Object.fromEntries(bodies.map((b) => [(b.data.keys as string[])[0], b.data]));
    expect(byKey.A.message).toBe("rotate A");
    expect(byKey.B.message).toBeNull();
  });

  it("retries after a 500 with backoff: attempts 2, then SUCCEEDED, with the same webhook-id", async () => {
    const s = slug();
    await createProject(sdk, s);
    const { webhook, signingSecret } = await createWebhook(s, `/flaky-${s}`);
    await setVariable(sdk, { project: s, environment: "development", key: "A", value: "1" });
    const [delivery] = await waitFor("the retried delivery to succeed", async () => {
      const list = await deliveriesOf(s, webhook.id);
      return list.length === 1 && list[0].status === "SUCCEEDED" && list;
    });
    expect(delivery).toMatchObject({ attempts: 2, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
    const requests = receiver.at(`/flaky-${s}`);
    expect(requests).toHaveLength(2);
    expect(requests.map((r) => r.headers["webhook-id"])).toEqual([delivery.id, delivery.id]);
    for (const r of requests) verify(signingSecret, r);
  });

  it("gives up after maxAttempts (FAILED, the error says why); redeliver queues the same payload anew", async () => {
    const s = slug();
    await createProject(sdk, s);
    const { webhook, signingSecret } = await createWebhook(s, `/down-${s}`);
    await setVariable(sdk, { project: s, environment: "development", key: "SECRETISH", value: canary, secret: true });
    const [failed] = await waitFor("the delivery to fail", async () => {
      const list = await deliveriesOf(s, webhook.id);
      return list[0]?.status === "FAILED" && list;
    });
    expect(failed).toMatchObject({ attempts: 3, lastStatusCode: 500, nextAttemptAt: null, deliveredAt: null });
    expect(failed.lastError).toBe("The endpoint answered HTTP 500.");
    expect(receiver.at(`/down-${s}`)).toHaveLength(3);
    const lines = server.logs.join("\n");
    expect(lines).toContain(`Webhook delivery ${failed.id}`);
    expect(lines).not.toContain(signingSecret);
    expect(lines).not.toContain(canary);

    const again = expectType(
      (await sdk.redeliverWebhook({ input: { project: s, deliveryId: failed.id } })).redeliverWebhook,
      "RedeliverWebhookPayload",
    ).delivery;
    expect(again.id).not.toBe(failed.id);
    expect(again.payload).toBe(failed.payload);
    const settledAgain = await waitFor("the redelivery to fail too", async () => {
      const list = await deliveriesOf(s, webhook.id);
      return list.length === 2 && list[0].status === "FAILED" && list;
    });
    expect(settledAgain.map((d) => d.id)).toEqual([again.id, failed.id]); // newest first
    expect(receiver.at(`/down-${s}`).filter((r) => r.headers["webhook-id"] === again.id)).toHaveLength(3);
  });

  /** A webhook to `url` in a new project, one change, and that delivery's first failed attempt. */
  async function firstFailure(url: string) {
    const s = slug();
    await createProject(sdk, s);
    const { webhook } = expectType(
      (await sdk.createWebhook({ input: { project: s, url } })).createWebhook,
      "CreateWebhookPayload",
    );
    await setVariable(sdk, { project: s, environment: "development", key: "A", value: "1" });
    const [delivery] = await waitFor("the failed attempt", async () => {
      const list = await deliveriesOf(s, webhook.id);
      return (list[0]?.attempts ?? 0) >= 1 && list;
    });
    return delivery;
  }

  it("a connection refused is recorded without a status code", async () => {
    const closed = await startReceiver();
    await closed.close();
    const delivery = await firstFailure(`${closed.base}/gone`);
    expect(delivery.lastStatusCode).toBeNull();
    expect(delivery.lastError).toBe("Connection refused: nothing listens at that address.");
  });

  it("a port HTTP clients refuse to call (fetch's blocked ports) is named as the reason", async () => {
    const delivery = await firstFailure("http://127.0.0.1:9/hook");
    expect(delivery.lastStatusCode).toBeNull();
    expect(delivery.lastError).toMatch(
      /^The URL's port is one that HTTP clients refuse to call .*; use another port\.$/,
    );
  });

  it("key rotation re-seals the secret; deliveries still verify with it", async () => {
    const s = slug();
    await createProject(sdk, s);
    const { webhook, signingSecret } = await createWebhook(s, `/rotated-${s}`);
    expectType((await sdk.rotateProjectKey({ input: { project: s } })).rotateProjectKey, "RotateProjectKeyPayload");
    const row = await server.app.database.reader.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
    expect(row.keyVersion).toBe(2);
    await setVariable(sdk, { project: s, environment: "development", key: "AFTER_ROTATION", value: "1" });
    const [request] = await waitFor("the delivery after rotation", async () => {
      const list = receiver.at(`/rotated-${s}`);
      return list.length === 1 && list;
    });
    expect(verify(signingSecret, request).data).toMatchObject({ keys: ["AFTER_ROTATION"] });
  });

  it("deleting a webhook deletes its log; later writes send nothing to it", async () => {
    const s = slug();
    await createProject(sdk, s);
    const { webhook } = await createWebhook(s, `/deleted-${s}`);
    await setVariable(sdk, { project: s, environment: "development", key: "A", value: "1" });
    await settled(s);
    expectType(
      (await sdk.deleteWebhook({ input: { project: s, id: webhook.id } })).deleteWebhook,
      "DeleteWebhookPayload",
    );
    expect(await server.app.database.reader.webhookDelivery.count({ where: { webhookId: webhook.id } })).toBe(0);
    await setVariable(sdk, { project: s, environment: "development", key: "B", value: "1" });
    expect((await sdk.webhooks({ slug: s })).project!.webhooks).toEqual([]);
    expect(await server.app.database.reader.webhookDelivery.count({ where: { webhookId: webhook.id } })).toBe(0);
    const again = expectType(
      (await sdk.deleteWebhook({ input: { project: s, id: webhook.id } })).deleteWebhook,
      "NotFoundError",
    );
    expect(again.message).toContain("envplane webhooks list");
  });
});

describe("the outbox is the write's transaction", () => {
  it("one delivery per matching webhook, with the event's id; a refused write queues nothing", async () => {
    const s = slug();
    await createProject(sdk, s);
    const { webhook } = await createWebhook(s, `/outbox-${s}`);
    const { revision } = await setVariable(sdk, { project: s, environment: "development", key: "A", value: "1" });
    const db = server.app.database.reader;
    const rows = await db.webhookDelivery.findMany({ where: { webhookId: webhook.id } });
    expect(rows).toHaveLength(1);
    const event = await db.event.findUniqueOrThrow({ where: { id: rows[0].eventId } });
    expect(event).toMatchObject({ action: "variable.set", revision });

    const stale = await sdk.setVariable({
      input: { project: s, environment: "development", key: "B", value: "2", expectedRevision: revision - 1 },
    });
    expectType(stale.setVariable, "ConflictError");
    const bad = await sdk.setVariable({ input: { project: s, environment: "development", key: "1 bad", value: "2" } });
    expectType(bad.setVariable, "ValidationError");
    expect(await db.webhookDelivery.count({ where: { webhookId: webhook.id } })).toBe(1);
  });

  it("a delivery that cannot be written fails the whole write: no value, no event, no other delivery", async () => {
    const s = slug();
    await createProject(sdk, s);
    const kept = await createWebhook(s, `/kept-${s}`);
    const broken = await createWebhook(s, `/broken-${s}`);
    const db = server.app.database.reader;
    const sqlite = server.database.provider === "sqlite";
    const id = broken.webhook.id;
    await withRawDb(server.database, async (q) => {
      if (sqlite)
        await q(
          `CREATE TRIGGER hookboom BEFORE INSERT ON "WebhookDelivery" WHEN NEW."webhookId" = '${id}' BEGIN SELECT RAISE(ABORT, 'forced failure'); END`,
        );
      else {
        await q(
          `CREATE FUNCTION hookboom() RETURNS trigger AS $$ BEGIN IF NEW."webhookId" = '${id}' THEN RAISE EXCEPTION 'forced failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
        );
        await q(`CREATE TRIGGER hookboom BEFORE INSERT ON "WebhookDelivery" FOR EACH ROW EXECUTE FUNCTION hookboom()`);
      }
    });
    try {
      const events = await db.event.count();
      const failed = await sdk
        .setVariable({ input: { project: s, environment: "development", key: "NEVER", value: canary } })
        .catch((e: Error) => e);
      expect(failed).toBeInstanceOf(Error);
      expect(await db.event.count()).toBe(events);
      expect(await db.variable.count({ where: { key: "NEVER" } })).toBe(0);
      expect(await db.webhookDelivery.count({ where: { webhookId: { in: [kept.webhook.id, id] } } })).toBe(0);
    } finally {
      await withRawDb(server.database, async (q) => {
        await q(sqlite ? `DROP TRIGGER hookboom` : `DROP TRIGGER hookboom ON "WebhookDelivery"`);
        if (!sqlite) await q(`DROP FUNCTION hookboom()`);
      });
    }
  });

  it("a transaction rolled back after the event and its deliveries were written leaves neither", async () => {
    const s = slug();
    const project = await createProject(sdk, s);
    const { webhook } = await createWebhook(s, `/rollback-${s}`);
    const db = server.app.database;
    const before = await db.reader.event.count();
    await expect(
      inTransaction(db.writer, async (tx) => {
        const appended = await appendEvent(tx, { kind: "system" }, "branch.create", { projectId: project.id });
        const queued = await enqueueDeliveries(tx, {
          ...appended,
          action: "branch.create",
          actor: { kind: "system" },
          projectId: project.id,
          environmentId: null,
          branchId: null,
          revision: null,
          keys: [],
          metadata: { name: "never" },
        });
        expect(queued).toBe(1);
        expect(await tx.webhookDelivery.count({ where: { webhookId: webhook.id } })).toBe(1);
        throw new Error("the write fails after its event");
      }),
    ).rejects.toThrow("the write fails after its event");
    expect(await db.reader.event.count()).toBe(before);
    expect(await db.reader.webhookDelivery.count({ where: { webhookId: webhook.id } })).toBe(0);
  });
});

describe("permissions and input", () => {
  it("only admins and owners manage webhooks; service tokens never", async () => {
    const s = slug();
    await createProject(sdk, s);
    const developer = await userWithRole(server, s, "DEVELOPER");
    const admin = await userWithRole(server, s, "ADMIN");
    const token = await serviceToken(server, s, ["READ", "WRITE"]);
    for (const client of [developer.client, token.client]) {
      const r = await client.createWebhook({ input: { project: s, url: `${receiver.base}/nope` } });
      const error = expectType(r.createWebhook, "ForbiddenError");
      expect(error.message).toMatch(/manage webhooks/);
    }
    const view = JSON.parse(
      await rawGraphQL(server, developer.token, `query($s: String!) { project(slug: $s) { webhooks { id } } }`, { s }),
    );
    expect(view.errors[0].message).toContain("Only admins and owners");
    expect(view.errors[0].extensions.code).toBe("FORBIDDEN");
    const can = JSON.parse(
      await rawGraphQL(
        server,
        developer.token,
        `query($s: String!) { project(slug: $s) { viewerCanManageWebhooks } }`,
        {
          s,
        },
      ),
    );
    expect(can.data.project.viewerCanManageWebhooks).toBe(false);

    const created = expectType(
      (await admin.client.createWebhook({ input: { project: s, url: `${receiver.base}/admin-${s}` } })).createWebhook,
      "CreateWebhookPayload",
    );
    const viaAdmin = (await admin.client.webhooks({ slug: s })).project!;
    expect(viaAdmin.viewerCanManageWebhooks).toBe(true);
    expect(viaAdmin.webhooks.map((w) => w.id)).toEqual([created.webhook.id]);
    // No one else learns a delivery or deletes a webhook.
    const del = await developer.client.deleteWebhook({ input: { project: s, id: created.webhook.id } });
    expectType(del.deleteWebhook, "ForbiddenError");
    const other = slug();
    await createProject(sdk, other);
    const elsewhere = await sdk.deleteWebhook({ input: { project: other, id: created.webhook.id } });
    expectType(elsewhere.deleteWebhook, "NotFoundError");
    expect(await server.app.database.reader.webhook.count({ where: { id: created.webhook.id } })).toBe(1);
  });

  it("refuses bad URLs, unknown environments and empty lists with field errors, creating nothing", async () => {
    const s = slug();
    await createProject(sdk, s);
    const cases: [Record<string, unknown>, string[], RegExp][] = [
      [{ url: "ftp://example.com/x" }, ["url"], /Only http:\/\/ and https:\/\//],
      [{ url: "https://user:pw@example.com/x" }, ["url"], /must not contain a user name or password/],
      [{ url: "not a url" }, ["url"], /not an absolute URL/],
      [{ url: "" }, ["url"], /Give the URL/],
      [{ url: "https://example.com", environments: ["production", "nope"] }, ["environments", "1"], /"nope" not found/],
      [{ url: "https://example.com", environments: [] }, ["environments"], /empty list/],
      [{ url: "https://example.com", events: [] }, ["events"], /empty list/],
      [{ url: "https://example.com", description: "x".repeat(201) }, ["description"], /200 characters/],
    ];
    for (const [input, field, message] of cases) {
      const r = await sdk.createWebhook({ input: { project: s, url: "", ...input } as never });
      const error = expectType(r.createWebhook, "ValidationError");
      expect(error.fieldErrors[0].path, JSON.stringify(input)).toEqual(field);
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain("pw@");
    }
    expect((await sdk.webhooks({ slug: s })).project!.webhooks).toEqual([]);
    const missing = await sdk.redeliverWebhook({ input: { project: s, deliveryId: "nope" } });
    expect(expectType(missing.redeliverWebhook, "NotFoundError").message).toContain("envplane webhooks deliveries");
  });
});

// Scaling out is PostgreSQL's job (two SQLite servers in one process block each other).
describe.skipIf(testProvider() === "sqlite")("two servers on one PostgreSQL database", () => {
  let second: App;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-hooks-"));
    second = await createApp(
      {
        port: 0,
        host: "127.0.0.1",
        dataDir,
        databaseUrl: server.database.url,
        rootKey: server.rootKey,
        development: false,
        authFailuresPerMinute: 1000,
        runtimeResolutionsPerMinute: 100_000,
        webhookWorker: true,
        webhooks: { pollMs: 20, retryBaseMs: 150, maxAttempts: 3, timeoutMs: 5000 },
      },
      { logger: silentLogger() },
    );
  });
  afterAll(async () => {
    await second?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("each event is delivered exactly once, whichever server wrote it", async () => {
    const s = slug();
    await createProject(sdk, s);
    const { webhook, signingSecret } = await createWebhook(s, `/multi-${s}`);
    const other = createClient({
      url: "http://envplane.test/graphql",
      token: server.ownerToken,
      fetch: (i, init) => second.fetch(new Request(i, init)),
    });
    const writes = 30;
    await Promise.all(
      Array.from({ length: writes }, (_, i) =>
        setVariable(i % 2 ? other : sdk, { project: s, environment: "development", key: `K${i}`, value: "v" }),
      ),
    );
    await waitFor("every delivery to succeed", async () => {
      const list = await deliveriesOf(s, webhook.id);
      return list.length === writes && list.every((d) => d.status === "SUCCEEDED");
    });
    const requests = receiver.at(`/multi-${s}`);
    expect(requests).toHaveLength(writes);
    expect(new Set(requests.map((r) => r.headers["webhook-id"])).size).toBe(writes);
    const keys = requests.map((r) => (verify(signingSecret, r).data.keys as string[])[0]).sort();
    expect(keys).toEqual(Array.from({ length: writes }, (_, i) => `K${i}`).sort());
    const deliveries = await deliveriesOf(s, webhook.id);
    expect(deliveries.every((d) => d.attempts === 1)).toBe(true);
  });
});

describe.skipIf(testProvider() === "sqlite")("lock order on PostgreSQL", () => {
  it("deleting a webhook while a write queues a delivery to it: both complete (no deadlock)", async () => {
    const s = slug();
    await createProject(sdk, s);
    const { webhook } = await createWebhook(s, `/race-${s}`);
    const projectId = (await sdk.project({ slug: s })).project!.id;
    const pg = await import("pg");
    const holder = new pg.default.Client({ connectionString: server.database.url });
    const watcher = new pg.default.Client({ connectionString: server.database.url });
    await holder.connect();
    await watcher.connect();
    const waiting = async (count: number) =>
      waitFor(`${count} transactions waiting for a lock`, async () => {
        const { rows } = await watcher.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
        );
        return rows[0].n >= count;
      });
    try {
      // Hold the project's audit chain head, so the write and the deletion queue behind it in a known order:
      // first the write (its event and delivery), then the deletion.
      await holder.query("BEGIN");
      await holder.query(`SELECT 1 FROM "AuditChainHead" WHERE "chain" = $1 FOR UPDATE`, [projectId]);
      const write = sdk.setVariable({ input: { project: s, environment: "development", key: "RACE", value: "1" } });
      await waiting(1);
      const deletion = sdk.deleteWebhook({ input: { project: s, id: webhook.id } });
      await waiting(2);
      await holder.query("COMMIT");
      const [written, deleted] = await Promise.all([write, deletion]);
      expectType(written.setVariable, "SetVariablePayload");
      expectType(deleted.deleteWebhook, "DeleteWebhookPayload");
      expect((await sdk.webhooks({ slug: s })).project!.webhooks).toEqual([]);
    } finally {
      await holder.end();
      await watcher.end();
    }
  });
});
