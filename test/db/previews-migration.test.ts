/**
 * Migration 0010_previews adds columns to Environment. On SQLite a table rebuild inside our migration
 * transaction would cascade-delete every variable, override, mapping entry and revision: this proves a
 * database with data keeps all of it, and that the new foreign key deletes a preview with its branch.
 */
import { expect, it } from "vitest";
import { useMigrationDatabase } from "../support/migration.js";
import type { RawQuery } from "../support/raw-db.js";

const m = useMigrationDatabase();

it("keeps every environment, variable, override, mapping entry and revision; a preview goes with its branch", async () => {
  const bytes = m.bytes;
  const count = async (q: RawQuery, table: string) => Number((await q(`SELECT COUNT(*) AS n FROM "${table}"`))[0].n);
  await m.upgrade("0010", async (q) => {
    await q(`INSERT INTO "Project" ("id", "slug", "name") VALUES ('p1', 'shop', 'Shop')`);
    await q(`INSERT INTO "ProjectBranch" ("id", "projectId", "name") VALUES ('b1', 'p1', 'feature-x')`);
    await q(`INSERT INTO "Environment" ("id", "projectId", "name", "revision") VALUES ('e1', 'p1', 'preview', 3)`);
    await q(
      `INSERT INTO "Variable" ("id", "environmentId", "key", "isSecret", "ciphertext", "keyVersion", "valueVersion") VALUES
        ('v1', 'e1', 'API_URL', false, $1, 1, 3)`,
      [bytes("0a0b0c")],
    );
    await q(
      `INSERT INTO "BranchOverride" ("id", "variableId", "branchId", "ciphertext", "keyVersion", "valueVersion") VALUES ('o1', 'v1', 'b1', $1, 1, 3)`,
      [bytes("aabbcc")],
    );
    await q(
      `INSERT INTO "MappingEntry" ("id", "projectId", "environmentId", "branch", "position") VALUES ('m1', 'p1', 'e1', '*', 0)`,
    );
    await q(
      `INSERT INTO "Revision" ("environmentId", "number", "action", "actorType", "actorName") VALUES ('e1', 3, 'variable.set', 'system', 'system')`,
    );
  });
  await m.query(async (q) => {
    for (const table of ["Environment", "Variable", "BranchOverride", "MappingEntry", "Revision"])
      expect(await count(q, table), table).toBe(1);
    const [env] = await q(`SELECT "previewBranchId", "previewOf", "previewUrl" FROM "Environment"`);
    expect(env).toEqual({ previewBranchId: null, previewOf: null, previewUrl: null });
    await q(
      `INSERT INTO "Environment" ("id", "projectId", "name", "previewBranchId", "previewOf", "previewUrl")
        VALUES ('e2', 'p1', 'preview/feature-x', 'b1', 'e1', 'https://x.example.com')`,
    );
    if (m.db.provider === "sqlite") await q("PRAGMA foreign_keys = ON");
    await q(`DELETE FROM "ProjectBranch" WHERE "id" = 'b1'`);
    expect((await q(`SELECT "id" FROM "Environment"`)).map((r) => r.id)).toEqual(["e1"]);
    expect(await count(q, "Variable")).toBe(1);
  });
});
