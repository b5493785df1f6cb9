/**
 * Migration 0009_shared on a database with data (made by the migrations before it): environments,
 * variables, overrides, revisions and their changes all stay (plain ADD COLUMN: a SQLite table
 * rebuild would have cascaded), existing environments are kind "environment", and existing values
 * and overrides reference nothing.
 */
import { expect, it } from "vitest";
import { seedValues, useMigrationDatabase } from "../support/migration.js";

const m = useMigrationDatabase();

it("keeps every environment, value, override and revision, and marks them as plain environments", async () => {
  await m.upgrade("0009", async (q) => {
    await seedValues(q, m.bytes, { name: "preview", revision: 3 });
    await q(
      `INSERT INTO "Revision" ("environmentId", "number", "action", "actorType", "actorName", "added") VALUES ('e1', 3, 'variable.set', 'system', 'system', 1)`,
    );
    await q(
      `INSERT INTO "RevisionChange" ("environmentId", "key", "revision", "kind", "isSecret", "ciphertext", "keyVersion", "valueVersion") VALUES ('e1', 'API_URL', 3, 'added', false, $1, 1, 3)`,
      [m.bytes("0a0b0c")],
    );
  });
  await m.query(async (q) => {
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
