/**
 * Migration 0011_bindings on a database that already has data: "Variable" gets its managedBy column by
 * ALTER TABLE (a table rebuild would cascade to overrides and history on SQLite); every value,
 * override and history row is kept, and existing variables are plain (not managed).
 */
import { expect, it } from "vitest";
import { seedValues, useMigrationDatabase } from "../support/migration.js";

const m = useMigrationDatabase();

it("keeps variables, overrides and history across 0011_bindings; old variables are not managed", async () => {
  await m.upgrade("0011", (q) => seedValues(q, m.bytes, { name: "production", revision: 3 }));
  await m.query(async (q) => {
    const rows = await q(`SELECT "key", "managedBy" FROM "Variable" ORDER BY "key"`);
    expect(rows.map((r) => [r.key, r.managedBy])).toEqual([
      ["API_URL", null],
      ["TOKEN", null],
    ]);
    expect(Number((await q(`SELECT COUNT(*) AS n FROM "BranchOverride"`))[0].n)).toBe(1);
    // The new foreign key works: a binding can manage a variable, and deleting the binding leaves the row.
    await q(
      `INSERT INTO "ServiceBinding" ("id", "projectId", "name", "service", "variable") VALUES ('s1', 'p1', 'db', 'postgres', 'TOKEN')`,
    );
    await q(`UPDATE "Variable" SET "managedBy" = 's1' WHERE "id" = 'v2'`);
    expect((await q(`SELECT "managedBy" FROM "Variable" WHERE "id" = 'v2'`))[0].managedBy).toBe("s1");
  });
});
