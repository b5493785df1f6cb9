import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MigrationError, type MigrationTarget, migrate } from "../../server/db/migrate.js";
import { createTestDatabase, type TestDatabase, testProvider } from "../support/database.js";

const provider = testProvider();

let db: TestDatabase;
let dir: string;

beforeEach(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), "envplane-migrations-"));
});

afterEach(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

function target(): MigrationTarget {
  return db.provider === "sqlite" ? { provider: "sqlite", file: db.file! } : { provider: "postgresql", url: db.url };
}

/** Writes migration files into the temp migrations dir. */
async function files(spec: Record<string, string>): Promise<void> {
  for (const [name, sql] of Object.entries(spec)) await writeFile(path.join(dir, `${name}.sql`), sql);
}

async function query<T>(sql: string): Promise<T[]> {
  if (db.provider === "sqlite") {
    const conn = new Database(db.file!, { readonly: true });
    try {
      return conn.prepare(sql).all() as T[];
    } finally {
      conn.close();
    }
  }
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

async function tables(): Promise<string[]> {
  const sql =
    db.provider === "sqlite"
      ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
      : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name";
  return (await query<{ name: string }>(sql)).map((r) => r.name);
}

async function bookkeeping(): Promise<{ name: string; checksum: string }[]> {
  return query("SELECT name, checksum FROM _envplane_migrations ORDER BY name");
}

const INIT = "CREATE TABLE a (id INTEGER PRIMARY KEY);\nCREATE TABLE b (id INTEGER PRIMARY KEY);\n";
const SECOND = "CREATE TABLE c (id INTEGER PRIMARY KEY);";

describe(`migrate (${provider})`, () => {
  it("applies all migrations to an empty database, then nothing on a second run", async () => {
    await files({ "0001_init": INIT, "0002_more": SECOND });
    const lines: string[] = [];

    const first = await migrate(target(), { dir, log: (l) => lines.push(l) });
    expect(first.applied).toEqual(["0001_init", "0002_more"]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain("0001_init");
    expect(await tables()).toEqual(["_envplane_migrations", "a", "b", "c"]);
    const rows = await bookkeeping();
    expect(rows.map((r) => r.name)).toEqual(["0001_init", "0002_more"]);
    expect(rows[0].checksum).toMatch(/^[0-9a-f]{64}$/);

    const second = await migrate(target(), { dir, log: (l) => lines.push(l) });
    expect(second.applied).toEqual([]);
    expect(lines).toHaveLength(2);
    expect(await bookkeeping()).toEqual(rows);
  });

  it("applies only new migrations on a later run", async () => {
    await files({ "0001_init": INIT });
    await migrate(target(), { dir });
    await files({ "0002_more": SECOND });
    expect((await migrate(target(), { dir })).applied).toEqual(["0002_more"]);
  });

  it("refuses a migration modified after it was applied and changes nothing", async () => {
    await files({ "0001_init": INIT });
    await migrate(target(), { dir });
    const before = await bookkeeping();
    await files({ "0001_init": `${INIT}CREATE TABLE sneaky (id INTEGER);\n`, "0002_more": SECOND });

    const err = await migrate(target(), { dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toContain("Migration 0001_init was modified after it was applied");
    expect(await bookkeeping()).toEqual(before);
    expect(await tables()).toEqual(["_envplane_migrations", "a", "b"]);
  });

  it("refuses a database migrated by a newer envplane", async () => {
    await files({ "0001_init": INIT, "0002_more": SECOND });
    await migrate(target(), { dir });
    await rm(path.join(dir, "0002_more.sql"));

    const err = await migrate(target(), { dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toContain("newer envplane (unknown migration 0002_more)");
  });

  it("rolls back a failing migration, keeping the earlier ones", async () => {
    await files({
      "0001_init": INIT,
      "0002_broken": "CREATE TABLE half (id INTEGER);\nINSERT INTO no_such_table VALUES (1);\n",
    });

    const err = await migrate(target(), { dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toContain("0002_broken");
    expect(await tables()).toEqual(["_envplane_migrations", "a", "b"]);
    expect((await bookkeeping()).map((r) => r.name)).toEqual(["0001_init"]);

    // Once fixed, the migration applies.
    await files({ "0002_broken": "CREATE TABLE half (id INTEGER);\n" });
    expect((await migrate(target(), { dir })).applied).toEqual(["0002_broken"]);
  });

  it("commits a migration and its bookkeeping row together", async () => {
    // The migration claims its own bookkeeping row, so recording it fails after the SQL ran.
    await files({
      "0001_init": INIT,
      "0002_clash":
        "CREATE TABLE e (id INTEGER);\n" +
        "INSERT INTO _envplane_migrations (name, checksum, applied_at) VALUES ('0002_clash', 'x', CURRENT_TIMESTAMP);\n",
    });

    const err = await migrate(target(), { dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toContain("0002_clash");
    expect(await tables()).toEqual(["_envplane_migrations", "a", "b"]);
    expect((await bookkeeping()).map((r) => r.name)).toEqual(["0001_init"]);
  });

  it.runIf(provider === "postgresql")("applies each migration exactly once under concurrent starts", async () => {
    // Non-idempotent statements: a second application would fail.
    await files({
      "0001_init": INIT,
      "0002_more": `${SECOND}\nINSERT INTO c (id) VALUES (1);`,
      "0003_slow": "SELECT pg_sleep(0.2);\nCREATE TABLE d (id INTEGER);",
    });

    const results = await Promise.all(Array.from({ length: 5 }, () => migrate(target(), { dir })));
    const applied = results.flatMap((r) => r.applied).sort();
    expect(applied).toEqual(["0001_init", "0002_more", "0003_slow"]);
    expect((await bookkeeping()).map((r) => r.name)).toEqual(["0001_init", "0002_more", "0003_slow"]);
    expect(await query("SELECT id FROM c")).toEqual([{ id: 1 }]);
  });

  it.runIf(provider === "sqlite")("creates the SQLite file's parent directory", async () => {
    await files({ "0001_init": INIT });
    const file = path.join(dir, "nested", "deeper", "envplane.db");
    expect((await migrate({ provider: "sqlite", file }, { dir })).applied).toEqual(["0001_init"]);
  });
});

describe("migrate errors", () => {
  it("never puts the connection password in messages", async () => {
    await files({ "0001_init": INIT });
    const err = await migrate(
      { provider: "postgresql", url: "postgresql://envplane:s3cr3t-pw@127.0.0.1:1/envplane" },
      { dir },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toContain("127.0.0.1:1/envplane");
    expect((err as Error).message).not.toContain("s3cr3t-pw");
  });

  it("reports a missing migrations directory", async () => {
    const err = await migrate(target(), { dir: path.join(dir, "missing") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toContain("Migrations directory not found");
  });
});
