/**
 * Migration 0015: on PostgreSQL, Variable's foreign key to Environment becomes a trigger (the key's check was a
 * query per inserted value). Values, their branch overrides and their history still go with their environment,
 * and a project's with the project; other environments keep theirs. On SQLite the key stays (the migration is
 * empty there), with the same behaviour.
 */
import { expect, it } from "vitest";
import { seedValues, useMigrationDatabase } from "../support/migration.js";

const m = useMigrationDatabase();

it("deletes an environment's values and overrides with it, and a project's with the project", async () => {
  await m.upgrade("0015", (q) => seedValues(q, m.bytes, { name: "production", revision: 3 }));
  await m.query(async (q) => {
    await q(`INSERT INTO "Environment" ("id", "projectId", "name", "revision") VALUES ('e2', 'p1', 'staging', 1)`);
    await q(`INSERT INTO "Project" ("id", "slug", "name") VALUES ('p2', 'other', 'Other')`);
    await q(`INSERT INTO "Environment" ("id", "projectId", "name", "revision") VALUES ('e3', 'p2', 'production', 1)`);
    await q(
      `INSERT INTO "Variable" ("id", "environmentId", "key", "isSecret", "ciphertext", "keyVersion", "valueVersion") VALUES
        ('v3', 'e2', 'API_URL', false, $1, 1, 1), ('v4', 'e3', 'API_URL', false, $2, 1, 1)`,
      [m.bytes("0a0b0c"), m.bytes("0a0b0c")],
    );
    await q(
      `INSERT INTO "BranchOverride" ("id", "variableId", "branchId", "ciphertext", "keyVersion", "valueVersion") VALUES ('o2', 'v3', 'b1', $1, 1, 1)`,
      [m.bytes("aabbcc")],
    );
    const values = async () => (await q(`SELECT "id" FROM "Variable" ORDER BY "id"`)).map((r) => r.id);
    const overrides = async () => (await q(`SELECT "id" FROM "BranchOverride" ORDER BY "id"`)).map((r) => r.id);
    expect(await values()).toEqual(["v1", "v2", "v3", "v4"]);
    expect(await overrides()).toEqual(["o1", "o2"]);

    await q(`DELETE FROM "Environment" WHERE "id" = 'e1'`);
    expect(await values()).toEqual(["v3", "v4"]);
    expect(await overrides()).toEqual(["o2"]);

    await q(`DELETE FROM "Project" WHERE "id" = 'p1'`);
    expect(await values()).toEqual(["v4"]);
    expect(await overrides()).toEqual([]);
  });
});

it("has no foreign key from Variable to Environment on PostgreSQL (a trigger instead); SQLite keeps it", async () => {
  await m.upgrade("0015", async () => {});
  await m.query(async (q) => {
    if (m.db.provider === "sqlite") {
      const keys = await q(`SELECT "table" AS "to" FROM pragma_foreign_key_list('Variable')`);
      expect(keys.map((k) => k.to).sort()).toEqual(["Environment", "ServiceBinding"]);
      return;
    }
    const keys = await q(
      `SELECT conname AS "name" FROM pg_constraint WHERE conrelid = '"Variable"'::regclass AND contype = 'f' ORDER BY 1`,
    );
    expect(keys.map((k) => k.name)).toEqual(["Variable_managedBy_fkey"]);
    const triggers = await q(
      `SELECT tgname AS "name" FROM pg_trigger WHERE tgrelid = '"Environment"'::regclass AND NOT tgisinternal ORDER BY 1`,
    );
    expect(triggers.map((t) => t.name)).toEqual([
      "RevisionChange_delete_with_environment",
      "Variable_delete_with_environment",
    ]);
  });
});
