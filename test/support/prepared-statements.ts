/** PostgreSQL databases opened as the server opens them, and the statements their connection has prepared. */
import { afterEach } from "vitest";
import { type Database, dbConfigFromEnv, openDatabase } from "../../server/db/client.js";
import { querySql } from "../../server/db/direct.js";
import { Prisma } from "../../server/db/generated/sqlite/client.js";
import { migrate } from "../../server/db/migrate.js";
import { createTestDatabase, type TestDatabase } from "./database.js";

/** Opens a migrated throwaway PostgreSQL database (DATABASE_URL + `query`) per test; closes and drops it after. */
export function usePostgresDatabase(): (query?: string) => Promise<Database> {
  let database: TestDatabase | undefined;
  let db: Database | undefined;
  afterEach(async () => {
    await db?.close();
    await database?.drop();
    db = database = undefined;
  });
  return async (query = "") => {
    database = await createTestDatabase();
    const config = dbConfigFromEnv(`${database.url}${query}`, "/nonexistent");
    if (config.provider !== "postgresql") throw new Error("PostgreSQL only");
    await migrate({ provider: "postgresql", url: config.url }, { log: () => {} });
    db = await openDatabase(config);
    await db.reader.$queryRaw`SELECT 1`; // Prisma connects its pool, which the direct statements then use
    return db;
  };
}

/** The statements prepared on the connection this read runs on (one at a time, so the pool reuses one). */
export async function preparedStatements(db: Database): Promise<string[]> {
  const rows = await querySql<{ statement: string }>(
    db.reader,
    Prisma.sql`SELECT statement FROM pg_prepared_statements WHERE name LIKE 'ep_%'`,
  );
  return rows.map((r) => r.statement);
}
