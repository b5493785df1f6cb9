/**
 * Migration 0009_shared on a database with data (made by the migrations before it): environments,
 * variables, overrides, revisions and their changes all stay (plain ADD COLUMN: a SQLite table
 * rebuild would have cascaded), existing environments are kind "environment", and existing values
 * and overrides reference nothing.
 */
import { copyFile, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type MigrationTarget, migrate } from "../../server/db/migrate.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { withRawDb } from "../support/raw-db.js";

let db: TestDatabase;
let dir: string;
const all = fileURLToPath(new URL("../../prisma/migrations/", import.meta.url));

beforeEach(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), "envplane-shared-migration-"));
});
afterEach(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

const target = (): MigrationTarget =>
  db.provider === "sqlite" ? { provider: "sqlite", file: db.file! } : { provider: "postgresql", url: db.url };

it("keeps every environment, value, override and revision, and marks them as plain environments", async () => {
  const source = path.join(all, db.provider);
  for (const f of (await readdir(source)).filter((f) => f < "0009"))
    await copyFile(path.join(source, f), path.join(dir, f));
  await migrate(target(), { dir });
  const bytes = (hex: string) => (db.provider === "sqlite" ? Buffer.from(hex, "hex") : `\\x${hex}`);
  await withRawDb(db, async (q) => {
    await q(`INSERT INTO "Project" ("id", "slug", "name") VALUES ('p1', 'shop', 'Shop')`);
    await q(`INSERT INTO "ProjectBranch" ("id", "projectId", "name") VALUES ('b1', 'p1', 'feature-x')`);
    await q(`INSERT INTO "Environment" ("id", "projectId", "name", "revision") VALUES ('e1', 'p1', 'preview', 3)`);
    await q(
      `INSERT INTO "Variable" ("id", "environmentId", "key", "isSecret", "ciphertext", "keyVersion", "valueVersion") VALUES
        ('v1', 'e1', 'API_URL', false, $1, 1, 3), ('v2', 'e1', 'TOKEN', true, $2, 1, 2)`,
      [bytes("0a0b0c"), bytes("0d0e0f")],
    );
    await q(
      `INSERT INTO "BranchOverride" ("id", "variableId", "branchId", "ciphertext", "keyVersion", "valueVersion") VALUES ('o1', 'v1', 'b1', $1, 1, 3)`,
      [bytes("aabbcc")],
    );
    await q(
      `INSERT INTO "Revision" ("environmentId", "number", "action", "actorType", "actorName", "added") VALUES ('e1', 3, 'variable.set', 'system', 'system', 1)`,
    );
    await q(
      `INSERT INTO "RevisionChange" ("environmentId", "key", "revision", "kind", "isSecret", "ciphertext", "keyVersion", "valueVersion") VALUES ('e1', 'API_URL', 3, 'added', false, $1, 1, 3)`,
      [bytes("0a0b0c")],
    );
  });
  await migrate(target(), { dir: source });
  await withRawDb(db, async (q) => {
    const count = async (table: string) => Number((await q(`SELECT COUNT(*) AS n FROM "${table}"`))[0].n);
    expect([await count("Variable"), await count("BranchOverride"), await count("Revision")]).toEqual([2, 1, 1]);
    expect(await count("RevisionChange")).toBe(1);
    expect(await q(`SELECT "name", "kind" FROM "Environment"`)).toEqual([{ name: "preview", kind: "environment" }]);
    const refs = await q(`SELECT "key", "references" FROM "Variable" ORDER BY "key"`);
    expect(refs).toEqual([
      { key: "API_URL", references: "[]" },
      { key: "TOKEN", references: "[]" },
    ]);
    expect(await q(`SELECT "references" FROM "BranchOverride"`)).toEqual([{ references: "[]" }]);
  });
});
