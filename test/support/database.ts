/**
 * Throwaway databases for tests. SQLite by default; PostgreSQL when
 * ENVPLANE_TEST_POSTGRES_URL (an admin URL, see scripts/with-postgres.sh) is set.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export type TestDatabase = {
  provider: "sqlite" | "postgresql";
  /** DATABASE_URL form: `file:/abs/path.db` for SQLite, a postgres URL for PostgreSQL. */
  url: string;
  /** Absolute path of the SQLite file (SQLite only). */
  file?: string;
  /** Deletes the database (and for SQLite its temp directory). */
  drop(): Promise<void>;
};

export function testProvider(): "sqlite" | "postgresql" {
  return process.env.ENVPLANE_TEST_POSTGRES_URL ? "postgresql" : "sqlite";
}

/** Creates an empty database of the provider under test. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.ENVPLANE_TEST_POSTGRES_URL;
  if (!adminUrl) {
    const dir = await mkdtemp(path.join(os.tmpdir(), "envplane-test-"));
    const file = path.join(dir, "test.db");
    return {
      provider: "sqlite",
      url: `file:${file}`,
      file,
      drop: () => rm(dir, { recursive: true, force: true }),
    };
  }

  const name = `envplane_t_${randomBytes(6).toString("hex")}`;
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    provider: "postgresql",
    url: url.toString(),
    drop: () => withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

async function withAdmin(adminUrl: string, fn: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}
