/**
 * Migration 0006_audit on a database that already has events: they join their project's chain (or the
 * instance's) in the order they were written, the server's first start hashes them, and the chains verify,
 * with the first start's own event appended after the old ones; a later start with a retention deletes the old
 * ones and the rest still verifies. SQLite and PostgreSQL.
 */
import { randomBytes } from "node:crypto";
import { copyFile, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type App, createApp } from "../../server/app.js";
import { type MigrationTarget, migrate } from "../../server/db/migrate.js";
import { verifyChain } from "../../server/services/audit.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { captureLogger } from "../support/log.js";
import { withRawDb } from "../support/raw-db.js";

const MIGRATIONS = path.resolve(import.meta.dirname, "../../prisma/migrations");

let db: TestDatabase;
let dirs: string[] = [];
let app: App | null = null;

beforeEach(async () => {
  db = await createTestDatabase();
});

afterEach(async () => {
  await app?.close();
  app = null;
  await db.drop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  dirs = [];
});

function target(): MigrationTarget {
  return db.provider === "sqlite" ? { provider: "sqlite", file: db.file! } : { provider: "postgresql", url: db.url };
}

/** The migrations before 0006_audit, as a release without the audit log had them. */
async function migrateBeforeAudit() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "envplane-pre-audit-"));
  dirs.push(dir);
  const source = path.join(MIGRATIONS, db.provider);
  for (const file of await readdir(source))
    if (file.endsWith(".sql") && file < "0006") await copyFile(path.join(source, file), path.join(dir, file));
  await migrate(target(), { dir });
}

it("chains the events written before the audit log: numbered in order, hashed at the first start, verified", async () => {
  await migrateBeforeAudit();
  const at = (second: number) =>
    db.provider === "sqlite"
      ? new Date(Date.UTC(2020, 0, 1, 0, 0, second)).toISOString().replace("Z", "+00:00")
      : new Date(Date.UTC(2020, 0, 1, 0, 0, second));
  // Written out of id order, to show the order is by time.
  const old: [id: string, second: number, projectId: string | null, action: string][] = [
    ["e3", 3, "p1", "variable.set"],
    ["e1", 1, "p1", "project.create"],
    ["e2", 2, null, "user.create"],
    ["e4", 4, "p2", "project.create"],
    ["e5", 5, "p1", "variable.unset"],
  ];
  await withRawDb(db, async (q) => {
    for (const [id, second, projectId, action] of old)
      await q(
        `INSERT INTO "Event" ("id", "createdAt", "action", "actorType", "projectId", "keys", "metadata") VALUES ($1, $2, $3, 'system', $4, '[]', '{}')`,
        [id, at(second), action, projectId],
      );
  });
  await migrate(target());
  const numbered = await withRawDb(db, (q) =>
    q(`SELECT "id", "chain", "seq", "hash" FROM "Event" ORDER BY "chain", "seq"`),
  );
  expect(numbered.map((r) => [r.id, r.chain, Number(r.seq), r.hash])).toEqual([
    ["e2", "", 1, ""],
    ["e1", "p1", 1, ""],
    ["e3", "p1", 2, ""],
    ["e5", "p1", 3, ""],
    ["e4", "p2", 1, ""],
  ]);

  const logs: string[] = [];
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "envplane-data-"));
  dirs.push(dataDir);
  const config = { rootKey: randomBytes(32).toString("base64") };
  app = await createApp(
    {
      port: 0,
      host: "127.0.0.1",
      dataDir,
      databaseUrl: db.url,
      rootKey: config.rootKey,
      development: false,
      authFailuresPerMinute: 1000,
      runtimeResolutionsPerMinute: 1000,
    },
    { logger: captureLogger(logs) },
  );
  expect(logs.join("\n")).toContain("Audit log: chained 5 event(s) written before the audit log existed.");
  expect(await verifyChain(app.database.reader, "p1")).toEqual({ ok: true, checked: 3, problems: [] });
  expect(await verifyChain(app.database.reader, "p2")).toEqual({ ok: true, checked: 1, problems: [] });
  // The instance chain: the old user.create, then this first start's instance.initialize.
  expect(await verifyChain(app.database.reader, "")).toEqual({ ok: true, checked: 2, problems: [] });
  const instance = await withRawDb(db, (q) =>
    q(`SELECT "action", "seq" FROM "Event" WHERE "chain" = '' ORDER BY "seq"`),
  );
  expect(instance.map((r) => [r.action, Number(r.seq)])).toEqual([
    ["user.create", 1],
    ["instance.initialize", 2],
  ]);

  // Restarted with a retention of 30 days: the 2020 events go, the anchors move, every chain still verifies.
  await app.close();
  logs.length = 0;
  app = await createApp(
    {
      port: 0,
      host: "127.0.0.1",
      dataDir,
      databaseUrl: db.url,
      rootKey: config.rootKey,
      development: false,
      authFailuresPerMinute: 1000,
      runtimeResolutionsPerMinute: 1000,
      auditRetentionDays: 30,
    },
    { logger: captureLogger(logs) },
  );
  expect(logs.join("\n")).toContain("Audit retention: deleted 5 event(s) older than 30 day(s).");
  expect(await verifyChain(app.database.reader, "p1")).toEqual({ ok: true, checked: 0, problems: [] });
  expect(await verifyChain(app.database.reader, "")).toEqual({ ok: true, checked: 1, problems: [] });
  const remaining = await withRawDb(db, (q) => q(`SELECT "action" FROM "Event"`));
  expect(remaining.map((r) => r.action)).toEqual(["instance.initialize"]);
});
