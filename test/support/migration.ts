/**
 * Migration-survival tests: a database made by the migrations before one, data written into it with
 * raw SQL, then every migration applied. Each test file calls `useMigrationDatabase()` once (a fresh
 * database per test on the provider under test) and asserts what the migration kept and added.
 */
import { copyFile, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach } from "vitest";
import { type MigrationTarget, migrate } from "../../server/db/migrate.js";
import { createTestDatabase, type TestDatabase } from "./database.js";
import { type RawQuery, withRawDb } from "./raw-db.js";

const all = fileURLToPath(new URL("../../prisma/migrations/", import.meta.url));

export interface MigrationDatabase {
  readonly db: TestDatabase;
  /** Binary column input for raw SQL on this provider, from hex. */
  bytes(hex: string): Buffer | string;
  /** Applies the migrations named before `migration` (e.g. "0009"), runs `seed`, then applies all of them. */
  upgrade(migration: string, seed: (q: RawQuery) => Promise<void>): Promise<void>;
  /** Raw SQL on the database (after `upgrade`). */
  query<T>(fn: (q: RawQuery) => Promise<T>): Promise<T>;
}

export function useMigrationDatabase(): MigrationDatabase {
  let db: TestDatabase;
  let dir: string;
  beforeEach(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(path.join(os.tmpdir(), "envplane-migration-"));
  });
  afterEach(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });
  const target = (): MigrationTarget =>
    db.provider === "sqlite" ? { provider: "sqlite", file: db.file! } : { provider: "postgresql", url: db.url };
  return {
    get db() {
      return db;
    },
    bytes: (hex) => (db.provider === "sqlite" ? Buffer.from(hex, "hex") : `\\x${hex}`),
    async upgrade(migration, seed) {
      const source = path.join(all, db.provider);
      for (const f of (await readdir(source)).filter((f) => f < migration))
        await copyFile(path.join(source, f), path.join(dir, f));
      await migrate(target(), { dir });
      await withRawDb(db, seed);
      await migrate(target(), { dir: source });
    },
    query: (fn) => withRawDb(db, fn),
  };
}

/**
 * The data most migration tests start from: project p1 with branch b1 (feature-x), environment e1, a
 * standard variable v1 (API_URL) with an override o1 for b1, and a secret v2 (TOKEN).
 */
export async function seedValues(
  q: RawQuery,
  bytes: MigrationDatabase["bytes"],
  environment: { name: string; revision: number },
) {
  await q(`INSERT INTO "Project" ("id", "slug", "name") VALUES ('p1', 'shop', 'Shop')`);
  await q(`INSERT INTO "ProjectBranch" ("id", "projectId", "name") VALUES ('b1', 'p1', 'feature-x')`);
  await q(`INSERT INTO "Environment" ("id", "projectId", "name", "revision") VALUES ('e1', 'p1', $1, $2)`, [
    environment.name,
    environment.revision,
  ]);
  await q(
    `INSERT INTO "Variable" ("id", "environmentId", "key", "isSecret", "ciphertext", "keyVersion", "valueVersion") VALUES
      ('v1', 'e1', 'API_URL', false, $1, 1, 3), ('v2', 'e1', 'TOKEN', true, $2, 1, 2)`,
    [bytes("0a0b0c"), bytes("0d0e0f")],
  );
  await q(
    `INSERT INTO "BranchOverride" ("id", "variableId", "branchId", "ciphertext", "keyVersion", "valueVersion") VALUES ('o1', 'v1', 'b1', $1, 1, 3)`,
    [bytes("aabbcc")],
  );
}
