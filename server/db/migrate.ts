/**
 * Migration runner for envplane's two databases (embedded SQLite, PostgreSQL).
 *
 * Migrations are committed SQL files (`0001_init.sql`, …) in
 * `prisma/migrations/<provider>/`, applied in name order. Each applied file is
 * recorded in `_envplane_migrations` with the sha256 of its content, so edited
 * or unknown migrations are detected instead of silently diverging.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";

export type MigrationTarget = { provider: "sqlite"; file: string } | { provider: "postgresql"; url: string };

export type MigrateOptions = {
  /** Directory of `*.sql` files; default `<repo>/prisma/migrations/<provider>`. */
  dir?: string;
  /** Receives one line per applied migration. */
  log?: (line: string) => void;
};

/** A migration problem the operator has to act on; the message says what to do. */
export class MigrationError extends Error {
  override name = "MigrationError";
}

type Migration = { name: string; sql: string; checksum: string };
type AppliedRow = { name: string; checksum: string };

/** Arbitrary fixed key for pg_advisory_lock, shared by every envplane process. */
const PG_LOCK_KEY = "7242519060316411905";

const BOOKKEEPING_TABLE = "_envplane_migrations";

// From server/db/ in the sources, or dist/server/db/ when compiled (npm run build:server).
const DEFAULT_ROOT = fileURLToPath(
  new URL(`${import.meta.url.includes("/dist/server/") ? "../" : ""}../../prisma/migrations/`, import.meta.url),
);

/** Applies pending migrations and returns their names (empty when up to date). */
export async function migrate(target: MigrationTarget, opts: MigrateOptions = {}): Promise<{ applied: string[] }> {
  const migrations = loadMigrations(opts.dir ?? path.join(DEFAULT_ROOT, target.provider));
  const log = opts.log ?? (() => {});
  const applied =
    target.provider === "sqlite"
      ? migrateSqlite(target.file, migrations, log)
      : await migratePostgres(target.url, migrations, log);
  return { applied };
}

function loadMigrations(dir: string): Migration[] {
  if (!existsSync(dir)) {
    throw new MigrationError(`Migrations directory not found: ${dir}. Reinstall envplane or pass the right directory.`);
  }
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((f) => {
      const content = readFileSync(path.join(dir, f));
      return {
        name: f.slice(0, -".sql".length),
        sql: content.toString("utf8"),
        checksum: createHash("sha256").update(content).digest("hex"),
      };
    });
}

/** Checks the recorded history against the files and returns the migrations still to apply. */
function pending(migrations: Migration[], appliedRows: AppliedRow[]): Migration[] {
  const byName = new Map(migrations.map((m) => [m.name, m]));
  for (const row of appliedRows) {
    const m = byName.get(row.name);
    if (!m) {
      throw new MigrationError(
        `The database was migrated by a newer envplane (unknown migration ${row.name}). Upgrade envplane.`,
      );
    }
    if (m.checksum !== row.checksum) {
      throw new MigrationError(
        `Migration ${row.name} was modified after it was applied (checksum mismatch). ` +
          `Restore the original file; add schema changes as a new migration.`,
      );
    }
  }
  const done = new Set(appliedRows.map((r) => r.name));
  return migrations.filter((m) => !done.has(m.name));
}

function failed(name: string, err: unknown, scrub: (s: string) => string = (s) => s): MigrationError {
  const reason = scrub(err instanceof Error ? err.message : String(err));
  return new MigrationError(
    `Migration ${name} failed and was rolled back: ${reason}. Fix ${name}.sql (if it is not yet released) and start envplane again.`,
  );
}

function migrateSqlite(file: string, migrations: Migration[], log: (line: string) => void): string[] {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 5000");
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${BOOKKEEPING_TABLE} (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`,
    );
    const applied: string[] = [];
    const rows = db.prepare(`SELECT name, checksum FROM ${BOOKKEEPING_TABLE} ORDER BY name`).all() as AppliedRow[];
    // A concurrent process may have applied a migration since we read the list;
    // re-check inside each write transaction (BEGIN IMMEDIATE serializes writers).
    const isApplied = db.prepare(`SELECT 1 FROM ${BOOKKEEPING_TABLE} WHERE name = ?`);
    const record = db.prepare(`INSERT INTO ${BOOKKEEPING_TABLE} (name, checksum, applied_at) VALUES (?, ?, ?)`);
    for (const m of pending(migrations, rows)) {
      db.exec("BEGIN IMMEDIATE");
      try {
        if (isApplied.get(m.name)) {
          db.exec("ROLLBACK");
          continue;
        }
        db.exec(m.sql);
        record.run(m.name, m.checksum, new Date().toISOString());
        db.exec("COMMIT");
      } catch (err) {
        if (db.inTransaction) db.exec("ROLLBACK");
        throw failed(m.name, err);
      }
      applied.push(m.name);
      log(`Applied migration ${m.name}`);
    }
    return applied;
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string, migrations: Migration[], log: (line: string) => void): Promise<string[]> {
  const scrub = passwordScrubber(url);
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw new MigrationError(
      `Could not connect to PostgreSQL at ${describeUrl(url)}: ${scrub(err instanceof Error ? err.message : String(err))}. ` +
        `Check DATABASE_URL and that the server is running.`,
    );
  }
  let locked = false;
  try {
    // Serializes concurrently starting servers; the winner applies, the others then find nothing pending.
    await client.query("SELECT pg_advisory_lock($1)", [PG_LOCK_KEY]);
    locked = true;
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${BOOKKEEPING_TABLE} (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`,
    );
    const { rows } = await client.query<AppliedRow>(`SELECT name, checksum FROM ${BOOKKEEPING_TABLE} ORDER BY name`);
    const applied: string[] = [];
    for (const m of pending(migrations, rows)) {
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO ${BOOKKEEPING_TABLE} (name, checksum, applied_at) VALUES ($1, $2, now())`, [
          m.name,
          m.checksum,
        ]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw failed(m.name, err, scrub);
      }
      applied.push(m.name);
      log(`Applied migration ${m.name}`);
    }
    return applied;
  } catch (err) {
    if (err instanceof MigrationError) throw err;
    throw new MigrationError(`Migrating PostgreSQL at ${describeUrl(url)} failed: ${scrub(String(err))}`);
  } finally {
    if (locked) await client.query("SELECT pg_advisory_unlock($1)", [PG_LOCK_KEY]).catch(() => {});
    await client.end().catch(() => {});
  }
}

/** `host:port/database` of a connection URL, without credentials. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return "the configured DATABASE_URL";
  }
}

/** Removes the URL's password from a message, in case a driver error echoes it. */
function passwordScrubber(url: string): (s: string) => string {
  let password = "";
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // unparsable URL: nothing we can reliably scrub
  }
  return (s) => (password ? s.split(password).join("***") : s);
}
