/**
 * Migration 0008_notes on a database that already has data (made by 0001–0007): every variable,
 * override and history row stays (a table rebuild on SQLite would cascade-delete them inside our
 * migration transaction); the new columns start empty.
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
  dir = await mkdtemp(path.join(os.tmpdir(), "envplane-notes-migration-"));
});
afterEach(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

const target = (): MigrationTarget =>
  db.provider === "sqlite" ? { provider: "sqlite", file: db.file! } : { provider: "postgresql", url: db.url };

it("keeps every variable and override; notes and layout start empty", async () => {
  const source = path.join(all, db.provider);
  for (const f of (await readdir(source)).filter((f) => f < "0008"))
    await copyFile(path.join(source, f), path.join(dir, f));
  await migrate(target(), { dir });
  const bytes = (hex: string) => (db.provider === "sqlite" ? Buffer.from(hex, "hex") : `\\x${hex}`);
  await withRawDb(db, async (q) => {
    await q(`INSERT INTO "Project" ("id", "slug", "name") VALUES ('p1', 'shop', 'Shop')`);
    await q(`INSERT INTO "ProjectBranch" ("id", "projectId", "name") VALUES ('b1', 'p1', 'feature-x')`);
    await q(`INSERT INTO "Environment" ("id", "projectId", "name", "revision") VALUES ('e1', 'p1', 'preview', 7)`);
    await q(
      `INSERT INTO "Variable" ("id", "environmentId", "key", "isSecret", "ciphertext", "keyVersion", "valueVersion") VALUES
        ('v1', 'e1', 'API_URL', false, $1, 1, 3), ('v2', 'e1', 'TOKEN', true, $2, 1, 7)`,
      [bytes("0a0b0c"), bytes("0d0e0f")],
    );
    await q(
      `INSERT INTO "BranchOverride" ("id", "variableId", "branchId", "ciphertext", "keyVersion", "valueVersion") VALUES ('o1', 'v1', 'b1', $1, 1, 5)`,
      [bytes("aabbcc")],
    );
  });
  await migrate(target(), { dir: source });
  await withRawDb(db, async (q) => {
    const rows = await q(
      `SELECT "key", "noteCiphertext", "noteKeyVersion", "noteVersion", "position", "blankLineBefore" FROM "Variable" ORDER BY "key"`,
    );
    expect(
      rows.map((r) => [
        r.key,
        r.noteCiphertext,
        r.noteKeyVersion,
        r.noteVersion,
        r.position,
        Boolean(r.blankLineBefore),
      ]),
    ).toEqual([
      ["API_URL", null, null, null, null, false],
      ["TOKEN", null, null, null, null, false],
    ]);
    expect(Number((await q(`SELECT COUNT(*) AS n FROM "BranchOverride"`))[0].n)).toBe(1);
  });
});
