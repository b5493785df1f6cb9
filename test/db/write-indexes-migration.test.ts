/**
 * Migrations 0014_write_indexes and 0016_drop_value_version_index: every bulk write maintains each index of
 * "Variable", so it keeps only its keys and a PARTIAL index on managedBy (hand-written: Prisma's schema cannot
 * express it); 0016 dropped (environmentId, valueVersion), which only the history copy used. The partial index
 * still finds a binding's variables and serves ON DELETE SET NULL. On PostgreSQL the history's foreign key to
 * Environment becomes a trigger: its rows still go with their environment.
 */
import { expect, it } from "vitest";
import { seedValues, useMigrationDatabase } from "../support/migration.js";

const m = useMigrationDatabase();

it("leaves Variable, BranchOverride and RevisionChange their keys (0016: no valueVersion index), the history index and a partial managedBy index", async () => {
  await m.upgrade("0014", (q) => seedValues(q, m.bytes, { name: "production", revision: 3 }));
  await m.query(async (q) => {
    const indexes = async (table: string) =>
      m.db.provider === "sqlite"
        ? (await q(`SELECT "name", "sql" FROM sqlite_master WHERE type = 'index' AND tbl_name = $1`, [table]))
            .filter((r) => !String(r.name).startsWith("sqlite_autoindex"))
            .map((r) => ({ name: String(r.name), sql: String(r.sql) }))
        : (await q(`SELECT indexname AS "name", indexdef AS "sql" FROM pg_indexes WHERE tablename = $1`, [table])).map(
            (r) => ({ name: String(r.name), sql: String(r.sql) }),
          );
    const names = async (table: string) => (await indexes(table)).map((i) => i.name).sort();
    const pk = (table: string) => (m.db.provider === "sqlite" ? [] : [`${table}_pkey`]);
    expect(await names("Variable")).toEqual(
      [...pk("Variable"), "Variable_environmentId_key_key", "Variable_managedBy_idx"].sort(),
    );
    expect(await names("BranchOverride")).toEqual(
      [...pk("BranchOverride"), "BranchOverride_branchId_idx", "BranchOverride_variableId_branchId_key"].sort(),
    );
    expect(await names("RevisionChange")).toEqual(
      [...pk("RevisionChange"), "RevisionChange_environmentId_revision_idx"].sort(),
    );
    const managed = (await indexes("Variable")).find((i) => i.name === "Variable_managedBy_idx")!;
    expect(managed.sql).toMatch(/WHERE \(?"managedBy" IS NOT NULL\)?/);

    // A managed variable is found by its binding; deleting the binding sets it back to a plain variable.
    await q(
      `INSERT INTO "ServiceBinding" ("id", "projectId", "name", "service", "variable") VALUES ('s1', 'p1', 'db', 'postgres', 'TOKEN')`,
    );
    await q(`UPDATE "Variable" SET "managedBy" = 's1' WHERE "id" = 'v2'`);
    expect(await q(`SELECT "key" FROM "Variable" WHERE "managedBy" = $1`, ["s1"])).toEqual([{ key: "TOKEN" }]);
    await q(`DELETE FROM "ServiceBinding" WHERE "id" = 's1'`);
    expect(await q(`SELECT "key", "managedBy" FROM "Variable" ORDER BY "key"`)).toEqual([
      { key: "API_URL", managedBy: null },
      { key: "TOKEN", managedBy: null },
    ]);
  });
});

it("deletes an environment's history with the environment, and a project's with the project", async () => {
  await m.upgrade("0014", (q) => seedValues(q, m.bytes, { name: "production", revision: 3 }));
  await m.query(async (q) => {
    await q(`INSERT INTO "Environment" ("id", "projectId", "name", "revision") VALUES ('e2', 'p1', 'staging', 1)`);
    await q(`INSERT INTO "Project" ("id", "slug", "name") VALUES ('p2', 'other', 'Other')`);
    await q(`INSERT INTO "Environment" ("id", "projectId", "name", "revision") VALUES ('e3', 'p2', 'production', 1)`);
    for (const env of ["e1", "e2", "e3"])
      await q(
        `INSERT INTO "RevisionChange" ("environmentId", "key", "branchId", "revision", "kind", "isSecret", "ciphertext", "keyVersion", "valueVersion")
          VALUES ($1, 'API_URL', '', 1, 'added', false, $2, 1, 1), ($3, 'TOKEN', '', 2, 'removed', true, NULL, NULL, NULL)`,
        [env, m.bytes("0a0b0c"), env],
      );
    const left = async () =>
      (await q(`SELECT "environmentId", COUNT(*) AS n FROM "RevisionChange" GROUP BY "environmentId" ORDER BY 1`)).map(
        (r) => [r.environmentId, Number(r.n)],
      );
    expect(await left()).toEqual([
      ["e1", 2],
      ["e2", 2],
      ["e3", 2],
    ]);
    await q(`DELETE FROM "Environment" WHERE "id" = 'e1'`);
    expect(await left()).toEqual([
      ["e2", 2],
      ["e3", 2],
    ]);
    await q(`DELETE FROM "Project" WHERE "id" = 'p1'`);
    expect(await left()).toEqual([["e3", 2]]);
  });
});

it("0016: on PostgreSQL, leaves room on Variable's pages for updates that stay on their page", async () => {
  await m.upgrade("0016", (q) => seedValues(q, m.bytes, { name: "production", revision: 3 }));
  await m.query(async (q) => {
    if (m.db.provider === "postgresql") {
      const options = await q(`SELECT reloptions AS "options" FROM pg_class WHERE relname = 'Variable'`);
      expect(options[0].options).toEqual(["fillfactor=80"]);
    }
    // The values are still there, found by environment and key.
    expect(await q(`SELECT "key" FROM "Variable" WHERE "environmentId" = 'e1' ORDER BY "key"`)).toEqual([
      { key: "API_URL" },
      { key: "TOKEN" },
    ]);
  });
});
