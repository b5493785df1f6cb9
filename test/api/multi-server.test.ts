/** Several stateless servers on one database: one initializes it, all serve the same data, writes stay serialized. */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../sdk/index.js";
import { type App, createApp } from "../../server/app.js";
import { createTestDatabase, type TestDatabase, testProvider } from "../support/database.js";
import { expectType } from "../support/expect.js";
import { createProject, setVariable } from "../support/fixtures.js";
import { silentLogger } from "../support/log.js";

// Scaling out is PostgreSQL's job. (Three SQLite servers in one test process cannot work:
// better-sqlite3 waits for a lock synchronously, blocking the process that holds it.)
describe.skipIf(testProvider() === "sqlite")("three servers on one PostgreSQL database", () => {
  let database: TestDatabase;
  let apps: App[];
  const dataDirs: string[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    const rootKey = randomBytes(32).toString("base64");
    apps = await Promise.all(
      [0, 1, 2].map(() => {
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-multi-"));
        dataDirs.push(dataDir);
        return createApp(
          {
            port: 0,
            host: "127.0.0.1",
            dataDir,
            databaseUrl: database.url,
            rootKey,
            development: false,
            authFailuresPerMinute: 100,
            runtimeResolutionsPerMinute: 1000,
          },
          { logger: silentLogger() },
        );
      }),
    );
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await database.drop();
    for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true });
  });

  const sdk = (app: App, token: string) =>
    createClient({ url: "http://envplane.test/graphql", token, fetch: (i, init) => app.fetch(new Request(i, init)) });

  it("starting at once, exactly one initializes the database and creates the owner", async () => {
    expect(apps.filter((a) => a.ownerToken).length).toBe(1);
    const users = await apps[0].database.reader.user.findMany();
    expect(users.length).toBe(1);
  });

  it("serves what another server wrote, and concurrent pushes with one expected revision: exactly one wins", async () => {
    const token = apps.find((a) => a.ownerToken)!.ownerToken!;
    const [a, b, c] = apps.map((app) => sdk(app, token));
    await createProject(a, "multi");
    await setVariable(b, { project: "multi", environment: "development", key: "FROM_B", value: "b" });
    const pulled = expectType(
      (await c.pullVariables({ project: "multi", environment: "development" })).pullVariables,
      "PulledEnvironment",
    );
    expect(pulled.variables.map((v) => `${v.key}=${v.value}`)).toEqual(["FROM_B=b"]);

    const push = (client: typeof a, key: string) =>
      client.bulkUpsertVariables({
        input: {
          project: "multi",
          environment: "development",
          expectedRevision: pulled.revision,
          variables: [{ key, value: key }],
        },
      });
    const results = (await Promise.all([push(a, "FROM_A"), push(b, "FROM_B2"), push(c, "FROM_C")])).map(
      (r) => r.bulkUpsertVariables,
    );
    expect(results.filter((r) => r.__typename === "BulkUpsertVariablesPayload").length).toBe(1);
    expect(results.filter((r) => r.__typename === "ConflictError").length).toBe(2);
    const after = expectType(
      (await a.pullVariables({ project: "multi", environment: "development" })).pullVariables,
      "PulledEnvironment",
    );
    expect(after.revision).toBe(pulled.revision + 1);
    expect(after.variables.length).toBe(2);
  });

  it("audited reads and writes from three servers at once keep one unbroken audit chain", async () => {
    const token = apps.find((a) => a.ownerToken)!.ownerToken!;
    const clients = apps.map((app) => sdk(app, token));
    await createProject(clients[0], "multi-audit");
    const before = expectType(
      (await clients[0].verifyAuditLog({ project: "multi-audit" })).verifyAuditLog,
      "AuditVerification",
    );
    // Each server appends read rows at the head it last saw: the others keep moving it, and writes take the lock.
    const pulls = Array.from({ length: 30 }, (_, i) =>
      clients[i % 3].pullVariables({ project: "multi-audit", environment: "development" }),
    );
    const writes = Array.from({ length: 6 }, (_, i) =>
      setVariable(clients[(i + 1) % 3], {
        project: "multi-audit",
        environment: "development",
        key: `K${i}`,
        value: "v",
      }),
    );
    const pulled = await Promise.all(pulls);
    await Promise.all(writes);
    for (const p of pulled) expectType(p.pullVariables, "PulledEnvironment");
    const verified = expectType(
      (await clients[1].verifyAuditLog({ project: "multi-audit" })).verifyAuditLog,
      "AuditVerification",
    );
    expect(verified).toMatchObject({ ok: true, problems: [], checked: before.checked + 36 });
    const id = (await clients[2].project({ slug: "multi-audit" })).project!.id;
    const events = await apps[0].database.reader.event.findMany({ where: { chain: id }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: before.checked + 36 }, (_, i) => i + 1));
    expect(events.filter((e) => e.action === "variables.pull").length).toBe(30);
  });
});
