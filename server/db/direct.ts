/**
 * Raw statements of a write transaction, run on its connection directly.
 *
 * Prisma sends every raw statement through its query compiler (WebAssembly): the parameters are
 * serialized into it and the plan back out. For the one JSON parameter of a bulk write (~350 KB
 * per 1,000 values) that cost 10–25 ms per 1,000 rows, more than SQLite's own work, and grew the
 * compiler's memory, which never shrinks. On SQLite the writer client has one connection and a
 * transaction holds it (the adapter's mutex) from BEGIN to COMMIT, so a statement run on that
 * connection inside `inTransaction` is part of the transaction, in order.
 *
 * On PostgreSQL a transaction holds one pooled client (pg.PoolClient) from BEGIN until Prisma
 * sends COMMIT or ROLLBACK on it and releases it. client.ts hands us each transaction the adapter
 * starts (`pgTransactionStarted`, found through the AsyncLocalStorage `inTransaction` runs in);
 * its `execute` statements run on that client while the transaction is open, queued in order with
 * Prisma's own (pg runs one query at a time per client). Once COMMIT or ROLLBACK is on its way
 * (e.g. Prisma's timeout) they go through Prisma again, which refuses a closed transaction.
 * `executeSql` and `querySql` run there (numbered placeholders, `sql.text`), and `querySql` outside
 * a transaction runs on the adapter's pool: a pull's reads cost ~0.3–0.5 ms of our CPU each through
 * the compiler. Rows come typed as Prisma types them (`pgTypes`: int8 as bigint, `timestamp` as a
 * UTC Date). Every other client keeps going through Prisma.
 *
 * On PostgreSQL a statement text run a second time becomes a named prepared statement
 * (`statementName`): each connection parses it once and may keep its plan, as a hand-written pg
 * server does. Parse and plan on every run cost PostgreSQL ~0.1–0.5 ms per statement (a pull of 100
 * values: ~7.0 → ~5.6 ms). Behind a pooler in transaction mode a session can change between transactions,
 * so `?pgbouncer=true` on DATABASE_URL turns this off (client.ts); a statement lost anyway turns it off
 * for the process, and a text whose result type changed (another server migrated) is run unnamed.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import type BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import type { Prisma } from "./generated/sqlite/client.js";

type Connection = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;
type RawClient = object;

const connectionOfClient = new WeakMap<object, () => Connection | undefined>();
const connectionOfTx = new WeakMap<object, Connection>();
/** The transaction that last began on each connection: a tx Prisma ended (e.g. its timeout) never writes into the next. */
const currentTx = new WeakMap<Connection, object>();
const statements = new WeakMap<Connection, Map<string, Statement>>();
/** querySql's statements: raw (rows as arrays) with their column names (rowsOf). */
const rowStatements = new WeakMap<Connection, Map<string, { statement: Statement; columns: string[] }>>();
/** Prepared statements kept per connection, of each kind (the bulk write's statements have fixed text). */
const MAX_STATEMENTS = 64;

/** A PostgreSQL transaction's pooled client (the pg adapter's transaction object holds it as `client`), or the pool. */
export interface PgClient {
  query(config: { name?: string; text: string; values: unknown[]; types?: typeof pgTypes }): Promise<{
    rowCount: number | null;
    rows: unknown[];
  }>;
}
export type PgPool = PgClient & { ending?: boolean };
const usable = (pool: PgPool | undefined) => (pool && !pool.ending ? pool : undefined);

/** Statement texts named so far (each connection prepares those it runs); later texts stay unnamed. */
export const MAX_NAMED_STATEMENTS = 256;
/** Texts seen once (null), named, or never to be named again (false); bounded, as texts with literals would grow it. */
const namesOfTexts = new Map<string, string | null | false>();
let namedCount = 0;
/** Off for the process once the server lost a prepared statement: a transaction-mode pooler moved the session. */
let namingLost = false;

/** The prepared statement name of `text` from its second run on (undefined: run it unnamed). */
function statementName(text: string): string | undefined {
  if (namingLost) return undefined;
  const name = namesOfTexts.get(text);
  if (name) return name;
  if (name === null && namedCount < MAX_NAMED_STATEMENTS) {
    const named = `ep_${createHash("sha256").update(text).digest("hex").slice(0, 32)}`;
    namesOfTexts.set(text, named);
    namedCount++;
    return named;
  }
  if (name === undefined && namesOfTexts.size < MAX_NAMED_STATEMENTS * 4) namesOfTexts.set(text, null);
  return undefined;
}

/**
 * A named statement failed in a way its text run unnamed would not: true when it may be run again unnamed.
 * 0A000: its plan's result type changed (another server migrated a column): that text is never named again.
 * 26000 / 42P05: the session does not have the statement, or has another one by that name: a pooler in
 * transaction mode sits between us and PostgreSQL; naming stops for the process (`?pgbouncer=true` says so upfront).
 */
function unnamedAfter(error: unknown, name: string | undefined, text: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (!name || (code !== "0A000" && code !== "26000" && code !== "42P05")) return false;
  if (code === "0A000") namesOfTexts.set(text, false);
  else if (!namingLost) {
    namingLost = true;
    process.emitWarning(
      "PostgreSQL lost a prepared statement of this connection: a pooler in transaction mode (e.g. PgBouncer) " +
        "sits in between. envplane stops preparing statements; add ?pgbouncer=true to DATABASE_URL to say so upfront.",
    );
  }
  return true;
}

/** Runs `text` on `client`, named when it may be; outside a transaction a named run that failed is retried unnamed. */
async function runPg(
  client: PgClient,
  config: { text: string; values: unknown[]; types?: typeof pgTypes },
  named: boolean,
  inTransaction: boolean,
) {
  const name = named ? statementName(config.text) : undefined;
  try {
    return await client.query({ name, ...config });
  } catch (error) {
    if (!unnamedAfter(error, name, config.text) || inTransaction) throw error;
    return client.query(config);
  }
}

/** Result types as Prisma's $queryRaw gives them: int8 as bigint, `timestamp` (stored as UTC) as a Date in UTC. */
const pgTypes = {
  // Called for every column of every result: the two parsers are made once.
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === pg.types.builtins.INT8) return parseInt8;
    if (oid === pg.types.builtins.TIMESTAMP) return parseTimestamp;
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};
function parseInt8(value: string): bigint {
  return BigInt(value);
}
function parseTimestamp(value: string): Date {
  return new Date(`${value.replace(" ", "T")}Z`);
}
interface PgTransaction {
  client: PgClient;
  open: boolean;
  /** Named prepared statements allowed (not behind a transaction-mode pooler). */
  named: boolean;
}
const pgTransactionOfTx = new WeakMap<object, PgTransaction>();
/** The PostgreSQL transaction that `inTransaction`'s $transaction started, set by the adapter (client.ts). */
const starting = new AsyncLocalStorage<{ transaction?: PgTransaction }>();

/** client.ts: the pg adapter started a transaction. Wraps it to see when it ends; returns it. */
export function pgTransactionStarted<T extends object>(transaction: T, named: boolean): T {
  const slot = starting.getStore();
  const client = (transaction as { client?: PgClient }).client;
  if (!slot || slot.transaction || typeof client?.query !== "function") return transaction;
  const state: PgTransaction = { client, open: true, named };
  slot.transaction = state;
  const tx = transaction as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of ["executeRaw", "queryRaw", "commit", "rollback"] as const) {
    const method = tx[name].bind(transaction);
    tx[name] = (...args: unknown[]) => {
      const sql = (args[0] as { sql?: unknown } | undefined)?.sql;
      if (name === "commit" || name === "rollback" || (typeof sql === "string" && /^\s*(COMMIT|ROLLBACK)\b/i.test(sql)))
        state.open = false;
      return method(...args);
    };
  }
  return transaction;
}

/** The PostgreSQL clients (client.ts): only their transactions run in `starting` (it costs every promise a hook on Node 20). */
const pgClients = new WeakSet<object>();
const pgPools = new WeakMap<
  object,
  { pool: () => PgPool | undefined; named: boolean; onQuery?: (sql: string) => void }
>();
export function registerPgClient(
  client: object,
  pool: () => PgPool | undefined,
  options: { named: boolean; onQuery?: (sql: string) => void },
) {
  pgClients.add(client);
  pgPools.set(client, { pool, ...options });
}

/** A PostgreSQL client of client.ts (its raw statements outside a transaction run on the pool). */
export const isPgClient = (client: object): boolean => pgClients.has(client);

/** inTransaction: runs `start` (db.$transaction) so the PostgreSQL transaction it begins can be bound to its tx. */
export function startingTransaction<T>(client: object, start: () => Promise<T>): Promise<T> {
  return pgClients.has(client) ? starting.run({}, start) : start();
}

const writerOnQuery = new WeakMap<object, (sql: string) => void>();

/** openDatabase: the SQLite writer client and a getter of its connection (known once Prisma connected). */
export function registerWriterConnection(
  client: object,
  connection: () => Connection | undefined,
  onQuery?: (sql: string) => void,
): void {
  connectionOfClient.set(client, connection);
  if (onQuery) writerOnQuery.set(client, onQuery);
}

/**
 * The SQLite writer's connection when it is idle (no transaction open on it), for a short write run on it
 * synchronously as its own transaction (an audited read's row); null otherwise (PostgreSQL, not yet connected, or
 * a Prisma transaction under way: then Prisma's transaction it must be). `onQuery` counts the statements.
 */
export function idleSqliteWriter(client: object): { connection: Connection; onQuery?: (sql: string) => void } | null {
  const connection = connectionOfClient.get(client)?.();
  return connection && !connection.inTransaction ? { connection, onQuery: writerOnQuery.get(client) } : null;
}

/** inTransaction: `tx` is a transaction of `client`; when that is the SQLite writer, its statements may run directly. */
export function bindTransaction(client: object, tx: object): void {
  const pg = starting.getStore()?.transaction;
  if (pg) pgTransactionOfTx.set(tx, pg);
  const connection = connectionOfClient.get(client)?.();
  if (!connection) return;
  connectionOfTx.set(tx, connection);
  currentTx.set(connection, tx);
}

function connectionOf(tx: RawClient): Connection | null {
  const connection = connectionOfTx.get(tx);
  // Only inside this transaction's BEGIN … COMMIT; otherwise Prisma runs it (and refuses a closed transaction).
  return connection?.inTransaction && currentTx.get(connection) === tx ? connection : null;
}

const readers = new WeakMap<object, { connection: () => Connection | undefined; onQuery?: (sql: string) => void }>();

/**
 * openDatabase: the SQLite reader client, whose reads (querySql) run on its connection directly: a request's reads
 * skip Prisma's query compiler (a pull's three reads cost ~1 ms through it). Nothing opens a transaction on the
 * reader, and better-sqlite3 runs each statement to completion synchronously, so a direct read never lands inside
 * one of Prisma's; should the connection be in a transaction anyway, Prisma runs the read. `onQuery` counts them.
 */
export function registerReaderConnection(
  client: object,
  connection: () => Connection | undefined,
  onQuery?: (sql: string) => void,
): void {
  readers.set(client, { connection, onQuery });
}

function readerConnectionOf(db: RawClient, sql: string): Connection | null {
  const reader = readers.get(db);
  const connection = reader?.connection();
  if (!connection || connection.inTransaction) return null;
  reader!.onQuery?.(sql);
  return connection;
}

/** A statement on `connection`, prepared once per text (kept per connection). */
export function prepare(connection: Connection, sql: string): Statement {
  return cached(statements, connection, sql, () => connection.prepare(sql));
}

function cached<T>(caches: WeakMap<Connection, Map<string, T>>, connection: Connection, sql: string, make: () => T): T {
  let cache = caches.get(connection);
  if (!cache) {
    cache = new Map();
    caches.set(connection, cache);
  }
  let entry = cache.get(sql);
  if (!entry) {
    if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value!);
    entry = make();
    cache.set(sql, entry);
  }
  return entry;
}

/**
 * The rows of `sql` on `connection` as objects, as better-sqlite3 returns them (a later column of the same name
 * wins). Read as arrays and made objects here: better-sqlite3 sets each property from C++, ~1.2 µs more per row
 * of a pull's 14 columns (a 100-value pull's statement: ~300 → ~185 µs).
 */
function rowsOf(connection: Connection, sql: string, values: unknown[]): Record<string, unknown>[] {
  const { statement, columns } = cached(rowStatements, connection, sql, () => {
    const statement = connection.prepare(sql).raw(true);
    return { statement, columns: statement.columns().map((c) => c.name) };
  });
  const rows = statement.all(...values) as unknown[][];
  // SQLite prepares a statement again after a schema change (a migration by another process): its columns may differ.
  if (rows.length && rows[0].length !== columns.length)
    columns.splice(0, columns.length, ...statement.columns().map((c) => c.name));
  const out = new Array<Record<string, unknown>>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const object: Record<string, unknown> = {};
    for (let c = 0; c < columns.length; c++) object[columns[c]] = row[c];
    out[r] = object;
  }
  return out;
}

/** Parameters as the Prisma adapter binds them: booleans as 0/1, dates as ISO 8601 text with "+00:00". */
export function bindable(value: unknown): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  if (value === undefined) return null;
  return value;
}

/** Parameters as the Prisma pg adapter binds them: dates as UTC "YYYY-MM-DD HH:MM:SS.mmm". */
function pgBindable(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace("T", " ").replace("Z", "");
  if (value === undefined) return null;
  return value;
}

/** `tx.$executeRaw(sql)`: the number of rows changed. */
export async function executeSql(tx: Pick<Prisma.TransactionClient, "$executeRaw">, sql: Prisma.Sql): Promise<number> {
  const pg = pgTransactionOfTx.get(tx);
  if (pg?.open) {
    const result = await runPg(pg.client, { text: sql.text, values: sql.values.map(pgBindable) }, pg.named, true);
    return result.rowCount ?? 0;
  }
  const connection = connectionOf(tx);
  if (!connection) return tx.$executeRaw(sql);
  return prepare(connection, sql.sql).run(...sql.values.map(bindable)).changes;
}

/** `tx.$queryRaw(sql)` (also the SQLite reader's): the rows (integers as numbers, booleans as 0/1, blobs as Buffers). */
export async function querySql<T>(tx: Pick<Prisma.TransactionClient, "$queryRaw">, sql: Prisma.Sql): Promise<T[]> {
  const pgTx = pgTransactionOfTx.get(tx);
  // Not a pool that was ended (the database closed): Prisma then says so, or reconnects.
  const pgPool = pgTx?.open ? pgTx.client : usable(pgPools.get(tx)?.pool());
  if (pgPool) {
    const pooled = pgTx ? undefined : pgPools.get(tx)!;
    pooled?.onQuery?.(sql.text);
    const config = { text: sql.text, values: sql.values.map(pgBindable), types: pgTypes };
    const result = await runPg(pgPool, config, (pgTx ?? pooled)!.named, Boolean(pgTx));
    return result.rows as T[];
  }
  const connection = connectionOf(tx) ?? readerConnectionOf(tx, sql.sql);
  if (!connection) return tx.$queryRaw<T[]>(sql);
  return rowsOf(connection, sql.sql, sql.values.map(bindable)) as T[];
}
