/**
 * Direct access to a test server's database, around the application: raw SQL (to tamper
 * with rows the way an attacker with database access would) and the database's full
 * contents (to grep for plaintext that must never be stored).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import Database from "better-sqlite3";
import pg from "pg";
import type { TestDatabase } from "./database.js";

export type Row = Record<string, unknown>;
/** Runs one statement; write placeholders as $1, $2, … in order of use. */
export type RawQuery = (sql: string, params?: unknown[]) => Promise<Row[]>;

export async function withRawDb<T>(db: TestDatabase, fn: (query: RawQuery) => Promise<T>): Promise<T> {
  if (db.provider === "sqlite") {
    const conn = new Database(db.file!);
    conn.pragma("busy_timeout = 10000");
    try {
      return await fn(async (sql, params = []) => {
        const stmt = conn.prepare(sql.replace(/\$\d+/g, "?"));
        if (stmt.reader) return stmt.all(...params) as Row[];
        stmt.run(...params);
        return [];
      });
    } finally {
      conn.close();
    }
  }
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return await fn(async (sql, params = []) => (await client.query(sql, params)).rows as Row[]);
  } finally {
    await client.end();
  }
}

function pgDumpBinary(): string | null {
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return null;
  const versions = fs.readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (fs.existsSync(`${root}/${v}/bin/pg_dump`)) return `${root}/${v}/bin/pg_dump`;
  return null;
}

/**
 * Everything the database holds, as bytes: for SQLite the raw bytes of the database file
 * and its -wal/-shm files; for PostgreSQL a pg_dump (or, without pg_dump, every row of
 * every table, with binary columns both as hex and as raw bytes).
 */
async function databaseBytes(db: TestDatabase): Promise<Buffer> {
  if (db.provider === "sqlite") {
    const files = [db.file!, `${db.file}-wal`, `${db.file}-shm`].filter((f) => fs.existsSync(f));
    return Buffer.concat(files.map((f) => fs.readFileSync(f)));
  }
  const pgDump = pgDumpBinary();
  if (pgDump) return execFileSync(pgDump, ["--no-owner", "--dbname", db.url], { maxBuffer: 512 * 1024 * 1024 });
  return withRawDb(db, async (query) => {
    const tables = await query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
    const parts: Buffer[] = [];
    for (const { table_name } of tables) {
      for (const row of await query(`SELECT * FROM "${String(table_name)}"`))
        for (const value of Object.values(row))
          parts.push(
            Buffer.isBuffer(value)
              ? Buffer.concat([value, Buffer.from(value.toString("hex"))])
              : Buffer.from(JSON.stringify(value) ?? ""),
          );
    }
    return Buffer.concat(parts);
  });
}

/**
 * The database read once (a pg_dump on PostgreSQL is slow); `contains(needle)` searches it as
 * UTF-8 text, or hex-encoded (how pg_dump prints bytea).
 */
export async function databaseSnapshot(db: TestDatabase): Promise<{ contains(needle: string): boolean }> {
  const bytes = await databaseBytes(db);
  return {
    contains: (needle) =>
      bytes.includes(Buffer.from(needle, "utf8")) ||
      bytes.includes(Buffer.from(Buffer.from(needle, "utf8").toString("hex"))),
  };
}
