/**
 * Migration 0005_history on a database that already has data (made by 0001–0004): each
 * environment's history starts at its current revision, with its values and overrides copied
 * (ciphertext bytes, key and value versions unchanged) as the baseline revision.
 */
import { copyFile, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type MigrationTarget, migrate } from "../../server/db/migrate.js";
import { auditActor } from "../../server/graphql/shared-history.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { withRawDb } from "../support/raw-db.js";

let db: TestDatabase;
let dir: string;
const all = fileURLToPath(new URL("../../prisma/migrations/", import.meta.url));

beforeEach(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), "envplane-history-migration-"));
});
afterEach(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

const target = (): MigrationTarget =>
  db.provider === "sqlite" ? { provider: "sqlite", file: db.file! } : { provider: "postgresql", url: db.url };

it("starts each environment's history at its current revision with a copy of its values and overrides", async () => {
  const source = path.join(all, db.provider);
  for (const f of (await readdir(source)).filter((f) => f < "0005"))
    await copyFile(path.join(source, f), path.join(dir, f));
  await migrate(target(), { dir });
  const bytes = (hex: string) => (db.provider === "sqlite" ? Buffer.from(hex, "hex") : `\\x${hex}`);
  await withRawDb(db, async (q) => {
    const now = new Date("2030-01-02T03:04:05.000Z");
    const at = db.provider === "sqlite" ? now.getTime() : now.toISOString();
    await q(`INSERT INTO "Project" ("id", "slug", "name") VALUES ('p1', 'shop', 'Shop')`);
    await q(`INSERT INTO "ProjectBranch" ("id", "projectId", "name") VALUES ('b1', 'p1', 'feature-x')`);
    await q(
      `INSERT INTO "Environment" ("id", "projectId", "name", "revision", "updatedAt") VALUES ('e1', 'p1', 'preview', 7, $1), ('e2', 'p1', 'development', 0, $2)`,
      [at, at],
    );
    await q(
      `INSERT INTO "Variable" ("id", "environmentId", "key", "isSecret", "ciphertext", "keyVersion", "valueVersion") VALUES
        ('v1', 'e1', 'API_URL', false, $1, 1, 3), ('v2', 'e1', 'TOKEN', true, $2, 2, 7)`,
      [bytes("0a0b0c"), bytes("0d0e0f")],
    );
    await q(
      `INSERT INTO "BranchOverride" ("id", "variableId", "branchId", "ciphertext", "keyVersion", "valueVersion") VALUES ('o1', 'v1', 'b1', $1, 1, 5)`,
      [bytes("aabbcc")],
    );
  });
  await migrate(target(), { dir: source });
  await withRawDb(db, async (q) => {
    // The values themselves are untouched (a table redefinition on SQLite would have cascaded to them).
    expect(Number((await q(`SELECT COUNT(*) AS n FROM "Variable"`))[0].n)).toBe(2);
    expect(Number((await q(`SELECT COUNT(*) AS n FROM "BranchOverride"`))[0].n)).toBe(1);
    const envs = await q(`SELECT "name", "revision", "historySince" FROM "Environment" ORDER BY "name"`);
    expect(envs.map((e) => [e.name, Number(e.revision), Number(e.historySince)])).toEqual([
      ["development", 0, 0],
      ["preview", 7, 7],
    ]);
    const hex = db.provider === "sqlite" ? `hex("ciphertext")` : `upper(encode("ciphertext", 'hex'))`;
    const changes = await q(
      `SELECT "environmentId", "key", "branchId", "branchName", "revision", "kind", "isSecret", ${hex} AS "c", "keyVersion", "valueVersion"
       FROM "RevisionChange" ORDER BY "key", "branchId"`,
    );
    expect(
      changes.map((c) => ({
        ...c,
        isSecret: Boolean(c.isSecret),
        revision: Number(c.revision),
        keyVersion: Number(c.keyVersion),
        valueVersion: Number(c.valueVersion),
      })),
    ).toEqual([
      {
        environmentId: "e1",
        key: "API_URL",
        branchId: "",
        branchName: "",
        revision: 7,
        kind: "added",
        isSecret: false,
        c: "0A0B0C",
        keyVersion: 1,
        valueVersion: 3,
      },
      {
        environmentId: "e1",
        key: "API_URL",
        branchId: "b1",
        branchName: "feature-x",
        revision: 7,
        kind: "added",
        isSecret: false,
        c: "AABBCC",
        keyVersion: 1,
        valueVersion: 5,
      },
      {
        environmentId: "e1",
        key: "TOKEN",
        branchId: "",
        branchName: "",
        revision: 7,
        kind: "added",
        isSecret: true,
        c: "0D0E0F",
        keyVersion: 2,
        valueVersion: 7,
      },
    ]);
    const revisions = await q(
      `SELECT "environmentId", "number", "action", "actorType", "actorUserId", "tokenId", "actorName", "added", "createdAt"
       FROM "Revision"`,
    );
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({
      environmentId: "e1",
      action: "history.baseline",
      actorType: "system",
      actorName: "envplane",
    });
    expect(Number(revisions[0].number)).toBe(7);
    expect(Number(revisions[0].added)).toBe(3);
    // The API names the server "system", as the audit log does, whatever the migration stored.
    expect(auditActor(revisions[0] as Parameters<typeof auditActor>[0])).toMatchObject({
      type: "system",
      name: "system",
    });
  });
});
