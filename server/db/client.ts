/**
 * Database clients. SQLite (embedded default) or PostgreSQL (DATABASE_URL=postgres://…).
 *
 * Both Prisma clients are generated from one schema and have the same API; the SQLite
 * client's type stands for both. On SQLite, reads and writes use two connections: the
 * adapter runs every interactive transaction on its one connection under a mutex (so
 * writes are serialized in the app), and reads on the other connection never see a
 * transaction that has not committed (WAL snapshot isolation).
 */
import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery } from "@prisma/driver-adapter-utils";
import type BetterSqlite3 from "better-sqlite3";
import {
  type PgPool,
  pgTransactionStarted,
  registerPgClient,
  registerReaderConnection,
  registerWriterConnection,
} from "./direct.js";
import { PrismaClient as PostgresClient } from "./generated/postgresql/client.js";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client.js";

export type Db = SqliteClient;
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];
export type DbConfig =
  | { provider: "sqlite"; file: string }
  /** `pgbouncer`: DATABASE_URL's `?pgbouncer=true` (a transaction-mode pooler): no named prepared statements. */
  | { provider: "postgresql"; url: string; pgbouncer?: boolean };
export type Provider = DbConfig["provider"];

export interface Database {
  provider: Provider;
  /** Client for reads outside transactions. */
  reader: Db;
  /** Client for write transactions. */
  writer: Db;
  close(): Promise<void>;
}

/** Reads DATABASE_URL: a postgres URL, a `file:` path, or nothing (the data directory's SQLite file). */
export function dbConfigFromEnv(databaseUrl: string | undefined, dataDir: string): DbConfig {
  if (!databaseUrl) return { provider: "sqlite", file: `${dataDir}/envplane.db` };
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return postgresConfig(databaseUrl);
  if (databaseUrl.startsWith("file:")) return { provider: "sqlite", file: databaseUrl.slice("file:".length) };
  throw new Error(
    'DATABASE_URL must start with "postgresql://", "postgres://" or "file:". Unset it to use the embedded SQLite file.',
  );
}

/** A PostgreSQL URL; Prisma's `pgbouncer=true` parameter is taken off it (it is ours, not pg's). */
function postgresConfig(databaseUrl: string): DbConfig {
  const param = /([?&])pgbouncer=([^&]*)(&?)/.exec(databaseUrl);
  if (!param) return { provider: "postgresql", url: databaseUrl };
  if (param[2] !== "true" && param[2] !== "false")
    throw new Error(`DATABASE_URL: pgbouncer must be "true" or "false", not "${decodeURIComponent(param[2])}".`);
  // "?pgbouncer=x&a" → "?a", "?pgbouncer=x" → "", "&pgbouncer=x" → "".
  const rest = param[1] === "?" && param[3] ? "?" : param[3] && param[1];
  const url = databaseUrl.slice(0, param.index) + rest + databaseUrl.slice(param.index + param[0].length);
  return { provider: "postgresql", url, pgbouncer: param[2] === "true" };
}

/** Whether the SQLite file exists and holds something (an earlier start created it). */
export function sqliteFileExists(file: string): boolean {
  try {
    return fs.statSync(file).size > 0;
  } catch {
    return false;
  }
}

/**
 * Makes the SQLite database owner-only: its directory is created 0700 (and `ownDir`, the
 * envplane data directory, is tightened to 0700), the file is created 0600 before SQLite
 * opens it, and the file and its -wal/-shm companions are set to 0600.
 */
export function secureSqliteFiles(file: string, ownDir?: string): void {
  if (process.platform === "win32") return;
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (ownDir && path.resolve(ownDir) === dir && (fs.statSync(dir).mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
  fs.closeSync(fs.openSync(file, "a", 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      if ((fs.statSync(f).mode & 0o077) !== 0) fs.chmodSync(f, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
}

export async function openDatabase(
  config: DbConfig,
  opts: { onQuery?: (sql: string) => void } = {},
): Promise<Database> {
  const wrap = (factory: SqlDriverAdapterFactory) => (opts.onQuery ? countingFactory(factory, opts.onQuery) : factory);
  if (config.provider === "postgresql") {
    // Each transaction the adapter starts is handed to direct.ts (its statements may run on its pg client).
    const factory = new PrismaPg({ connectionString: config.url, max: 10 });
    const named = !config.pgbouncer;
    const connect = factory.connect.bind(factory);
    // The adapter's pool, for raw reads outside transactions (direct.ts).
    let pool: PgPool | undefined;
    factory.connect = async () => {
      const adapter = await connect();
      pool = (adapter as unknown as { client?: PgPool }).client;
      const start = adapter.startTransaction.bind(adapter);
      adapter.startTransaction = async (isolationLevel) => pgTransactionStarted(await start(isolationLevel), named);
      return adapter;
    };
    const client = new PostgresClient({ adapter: wrap(factory) }) as unknown as Db;
    registerPgClient(client, () => pool, { named, onQuery: opts.onQuery });
    return { provider: "postgresql", reader: client, writer: client, close: () => client.$disconnect() };
  }
  const sqlite = (factory: SqlDriverAdapterFactory) => new SqliteClient({ adapter: wrap(factory) });
  // The reader's connection, for its raw reads (direct.ts).
  let readerConnection: BetterSqlite3.Database | undefined;
  const readerFactory = new PrismaBetterSQLite3({ url: config.file, timeout: 10_000 });
  const connectReader = readerFactory.connect.bind(readerFactory);
  readerFactory.connect = async () => {
    const adapter = await connectReader();
    readerConnection = (adapter as unknown as { client?: BetterSqlite3.Database }).client;
    return adapter;
  };
  const reader = sqlite(readerFactory);
  registerReaderConnection(reader, () => readerConnection, opts.onQuery);
  // The writer's one connection, for the raw statements of its transactions (direct.ts).
  let writerConnection: BetterSqlite3.Database | undefined;
  const writerFactory = new PrismaBetterSQLite3({ url: config.file, timeout: 10_000 });
  const connect = writerFactory.connect.bind(writerFactory);
  writerFactory.connect = async () => {
    const adapter = await connect();
    writerConnection = (adapter as unknown as { client?: BetterSqlite3.Database }).client;
    return adapter;
  };
  const writer = sqlite(writerFactory);
  registerWriterConnection(writer, () => writerConnection, opts.onQuery);
  // Per connection: enforce foreign keys (ON DELETE CASCADE). WAL is set by the migration runner.
  await Promise.all([
    reader.$executeRawUnsafe("PRAGMA foreign_keys = ON"),
    writer.$executeRawUnsafe("PRAGMA foreign_keys = ON"),
  ]);
  return {
    provider: "sqlite",
    reader,
    writer,
    close: async () => {
      await Promise.all([reader.$disconnect(), writer.$disconnect()]);
    },
  };
}

/** Wraps a driver adapter factory so every SQL statement sent is reported (tests count them). */
function countingFactory(factory: SqlDriverAdapterFactory, onQuery: (sql: string) => void): SqlDriverAdapterFactory {
  const observe = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(obj, prop, receiver) {
        const value = Reflect.get(obj, prop, receiver);
        if (typeof value !== "function") return value;
        if (prop === "queryRaw" || prop === "executeRaw")
          return (query: SqlQuery) => {
            onQuery(query.sql);
            return value.call(obj, query);
          };
        if (prop === "startTransaction") return async (...args: unknown[]) => observe(await value.apply(obj, args));
        return value.bind(obj);
      },
    });
  return new Proxy(factory, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (prop === "connect") return async () => observe((await value.call(obj)) as SqlDriverAdapter);
      return typeof value === "function" ? value.bind(obj) : value;
    },
  });
}
