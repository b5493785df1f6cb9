/**
 * The audit log: the Event table as hash chains. Each project has one chain (Event.chain = its id), the
 * instance one more (""). A row's `seq` is 1, 2, 3, … in its chain and its `hash` is a SHA-256 over a canonical
 * encoding of its fields and `prevHash`, the previous row's hash; AuditChainHead holds each chain's newest
 * seq and hash. An append advances the head first (one upsert: on PostgreSQL it row-locks the head until the
 * transaction ends, so appends to one chain run one after the other; SQLite write transactions are serialized
 * already), inserts the row, then stores the row's hash in the head.
 *
 * What it proves: a row edited, deleted or moved after it was written (without rewriting every later row
 * and the head) no longer verifies (services/audit.ts). What it does not: someone with write access to the
 * database can rewrite a whole chain consistently; only a copy of the head's hash kept elsewhere catches that.
 */
import { createHash } from "node:crypto";
import type BetterSqlite3 from "better-sqlite3";
import type { Database, Db, Tx } from "../db/client.js";
import { bindable, executeSql, prepare, querySql } from "../db/direct.js";
import { Prisma } from "../db/generated/sqlite/client.js";
import { timeOrderedId } from "../db/ids.js";
import { inTransaction } from "../services/transaction.js";

/** A stored event, as hashed. */
export interface AuditRow {
  id: string;
  chain: string;
  seq: number;
  createdAt: Date;
  action: string;
  actorType: string;
  actorUserId: string | null;
  tokenId: string | null;
  actorName: string;
  projectId: string | null;
  environmentId: string | null;
  branchId: string | null;
  revision: number | null;
  keys: string;
  metadata: string;
  clientAddress: string | null;
  userAgent: string | null;
  prevHash: string;
}

const ENCODING_VERSION = "envplane-audit-1";
/** User agents are kept this long at most (as the Session table does). */
const MAX_USER_AGENT = 256;

/**
 * SHA-256 (hex) over the row as a JSON array of its fields in a fixed order: strings are quoted and escaped,
 * null is null, so no two different rows encode alike. Dates at millisecond precision (what both databases store).
 */
export function auditHash(row: AuditRow): string {
  const fields = [
    ENCODING_VERSION,
    row.chain,
    row.seq,
    row.id,
    row.createdAt.toISOString(),
    row.action,
    row.actorType,
    row.actorUserId,
    row.tokenId,
    row.actorName,
    row.projectId,
    row.environmentId,
    row.branchId,
    row.revision,
    row.keys,
    row.metadata,
    row.clientAddress,
    row.userAgent,
    row.prevHash,
  ];
  return createHash("sha256").update(JSON.stringify(fields)).digest("hex");
}

export type AuditFields = Omit<AuditRow, "id" | "chain" | "seq" | "createdAt" | "prevHash">;

type AuditTx = Pick<Tx, "$queryRaw" | "$executeRaw">;

/** Advances the chain's head (created at seq 1); returns its new seq and the previous row's hash. */
const advanceHead = (chain: string) => Prisma.sql`
    INSERT INTO "AuditChainHead" ("chain", "seq", "hash") VALUES (${chain}, 1, '')
    ON CONFLICT ("chain") DO UPDATE SET "seq" = "AuditChainHead"."seq" + 1
    RETURNING "seq", "hash"`;

function nextRow(fields: AuditFields, head: { seq: number | bigint; hash: string }): AuditRow & { hash: string } {
  const row: AuditRow = {
    ...fields,
    userAgent: fields.userAgent ? fields.userAgent.slice(0, MAX_USER_AGENT) : null,
    id: timeOrderedId(),
    chain: fields.projectId ?? "",
    seq: Number(head.seq),
    createdAt: new Date(),
    prevHash: head.hash,
  };
  return { ...row, hash: auditHash(row) };
}

/** The Event columns both appends write, in the order of their values. */
const EVENT_INSERT_COLUMNS =
  Prisma.raw(`("id", "createdAt", "action", "actorType", "actorUserId", "tokenId", "projectId",
  "environmentId", "branchId", "revision", "keys", "metadata", "chain", "seq", "prevHash", "hash", "clientAddress",
  "userAgent", "actorName")`);

const insertRow = (row: AuditRow & { hash: string }) => Prisma.sql`
    INSERT INTO "Event" ${EVENT_INSERT_COLUMNS}
    VALUES (${row.id}, ${row.createdAt}, ${row.action}, ${row.actorType}, ${row.actorUserId}, ${row.tokenId},
      ${row.projectId}, ${row.environmentId}, ${row.branchId}, ${row.revision}, ${row.keys}, ${row.metadata},
      ${row.chain}, ${row.seq}, ${row.prevHash}, ${row.hash}, ${row.clientAddress}, ${row.userAgent}, ${row.actorName})`;

const storeHash = (row: { chain: string; hash: string }) =>
  Prisma.sql`UPDATE "AuditChainHead" SET "hash" = ${row.hash} WHERE "chain" = ${row.chain}`;

/** Appends one row to its project's chain (or the instance's) in `tx`; returns it with its hash. */
export async function appendAuditRow(tx: AuditTx, fields: AuditFields): Promise<AuditRow & { hash: string }> {
  const [head] = await querySql<{ seq: number | bigint; hash: string }>(tx, advanceHead(fields.projectId ?? ""));
  const row = nextRow(fields, head);
  // Raw statements: no query planning on the path every write and audited read takes.
  await executeSql(tx, insertRow(row));
  await executeSql(tx, storeHash(row));
  return row;
}

/**
 * Appends one row as its own transaction (BEGIN IMMEDIATE … COMMIT) on an idle SQLite connection, synchronously:
 * better-sqlite3 runs it to the end before any other JavaScript, so nothing else lands inside it, and no
 * Prisma transaction (which costs more than the three statements) is needed. `onQuery` sees all five statements.
 */
export function appendAuditRowNow(
  connection: BetterSqlite3.Database,
  fields: AuditFields,
  onQuery?: (sql: string) => void,
): AuditRow & { hash: string } {
  const statement = (sql: Prisma.Sql) => {
    onQuery?.(sql.sql);
    return { s: prepare(connection, sql.sql), values: sql.values.map(bindable) };
  };
  const append = connection.transaction(() => {
    const advance = statement(advanceHead(fields.projectId ?? ""));
    const row = nextRow(fields, advance.s.get(...advance.values) as { seq: number; hash: string });
    const insert = statement(insertRow(row));
    insert.s.run(...insert.values);
    const store = statement(storeHash(row));
    store.s.run(...store.values);
    return row;
  });
  onQuery?.("BEGIN IMMEDIATE");
  const row = append.immediate();
  onQuery?.("COMMIT");
  return row;
}

type ChainedRow = AuditRow & { hash: string };

/** A row waiting for its chain's next append, and the caller's promise. */
interface Waiting {
  fields: AuditFields;
  resolve(row: ChainedRow): void;
  reject(error: unknown): void;
}

/** Per PostgreSQL client: each chain's head as this process last appended it (seq 0: not known), and its queue. */
interface ChainState {
  seq: number;
  hash: string;
  waiting: Waiting[];
  appending: boolean;
}
const heads = new WeakMap<object, Map<string, ChainState>>();

const readHead = (chain: string) => Prisma.sql`SELECT "seq", "hash" FROM "AuditChainHead" WHERE "chain" = ${chain}`;

/**
 * Moves the head from (from.seq, from.hash) to the last row's and inserts the rows, only if the head was still there
 * (all rows or none); returns how many it inserted and the head as it is after the statement. The head's row is
 * updated either way (unchanged when it had moved): an UPDATE waits for a concurrent one and then sees the newest
 * committed head, where a plain read would see the statement's older snapshot, so a failed attempt learns where the
 * head is now without another round trip.
 */
function insertAtHead(chain: string, from: { seq: number; hash: string }, rows: ChainedRow[]) {
  const last = rows[rows.length - 1];
  const column = <K extends keyof ChainedRow>(key: K) => rows.map((row) => row[key]);
  const there = Prisma.sql`"seq" = ${from.seq}::integer AND "hash" = ${from.hash}::text`;
  return Prisma.sql`
    WITH "head" AS (
      UPDATE "AuditChainHead"
      SET "seq" = CASE WHEN ${there} THEN ${last.seq}::integer ELSE "seq" END,
        "hash" = CASE WHEN ${there} THEN ${last.hash}::text ELSE "hash" END
      WHERE "chain" = ${chain}::text
      RETURNING "chain", "seq", "hash"),
    "inserted" AS (
      INSERT INTO "Event" ${EVENT_INSERT_COLUMNS}
      SELECT r."id", r."createdAt", r."action", r."actorType", r."actorUserId", r."tokenId", r."projectId",
        r."environmentId", r."branchId", r."revision", r."keys", r."metadata", "head"."chain", r."seq", r."prevHash",
        r."hash", r."clientAddress", r."userAgent", r."actorName"
      FROM unnest(${column("id")}::text[], ${rows.map((row) => row.createdAt.toISOString())}::timestamp(3)[],
        ${column("action")}::text[], ${column("actorType")}::text[], ${column("actorUserId")}::text[],
        ${column("tokenId")}::text[], ${column("projectId")}::text[], ${column("environmentId")}::text[],
        ${column("branchId")}::text[], ${column("revision")}::integer[], ${column("keys")}::text[],
        ${column("metadata")}::text[], ${column("seq")}::integer[], ${column("prevHash")}::text[],
        ${column("hash")}::text[], ${column("clientAddress")}::text[], ${column("userAgent")}::text[],
        ${column("actorName")}::text[])
        AS r("id", "createdAt", "action", "actorType", "actorUserId", "tokenId", "projectId", "environmentId",
          "branchId", "revision", "keys", "metadata", "seq", "prevHash", "hash", "clientAddress", "userAgent",
          "actorName")
      CROSS JOIN "head"
      WHERE "head"."seq" = ${last.seq}::integer AND "head"."hash" = ${last.hash}::text
      RETURNING 1)
    SELECT (SELECT count(*) FROM "inserted")::integer AS "inserted", "seq", "hash" FROM "head"`;
}

/** Compare-and-set attempts before the callers take the locked path (another server keeps appending too). */
const AT_HEAD_ATTEMPTS = 5;
/** Rows one statement appends at most (a pull's row lists every key it returned). */
const MAX_BATCH = 32;

/**
 * PostgreSQL, outside a transaction: appends rows as ONE autocommitted statement that moves the chain's head only if
 * it is still where this process last saw it (compare-and-set on seq and hash), so the head's row lock is held for
 * that statement instead of a transaction's five round trips. This process appends to one chain one statement at a
 * time, and the rows that arrive meanwhile go together in the next statement (group commit: one statement for many
 * concurrent pulls, and fewer head moves for other servers to race). When another server moved the head, the failed
 * statement says where it is now, and the append is retried from there; when the chain has no head yet or the head
 * kept moving, the batch appends in one locked transaction (still one at a time per chain). A batch the database
 * refuses for a row's data (a check or trigger) is retried row by row, so that row's error reaches only its own
 * caller; any other error (the connection, the database) rejects the whole batch, and none of its rows was written.
 */
export function appendAuditRowAtHead(client: Db, fields: AuditFields): Promise<ChainedRow> {
  const chain = fields.projectId ?? "";
  const chains = heads.get(client) ?? new Map<string, ChainState>();
  heads.set(client, chains);
  let state = chains.get(chain);
  if (!state) {
    state = { seq: 0, hash: "", waiting: [], appending: false };
    chains.set(chain, state);
  }
  const queue = state;
  return new Promise((resolve, reject) => {
    queue.waiting.push({ fields, resolve, reject });
    if (!queue.appending) void drain(client, chain, queue);
  });
}

/** An error the database raised for a row's data (SQLSTATE classes 22, 23 and P0), not for the connection. */
const refusedRow = (error: unknown) => /^(22|23|P0)/.test(String((error as { code?: unknown })?.code ?? ""));

/** Appends the chain's waiting rows, a batch at a time, until none waits. Never throws. */
async function drain(client: Db, chain: string, state: ChainState) {
  state.appending = true;
  while (state.waiting.length) {
    const batch = state.waiting.splice(0, MAX_BATCH);
    try {
      const rows = await appendBatch(
        client,
        chain,
        state,
        batch.map((w) => w.fields),
      );
      for (const [i, w] of batch.entries()) w.resolve(rows[i]);
    } catch (error) {
      state.seq = 0;
      if (batch.length === 1 || !refusedRow(error)) for (const w of batch) w.reject(error);
      else
        for (const w of batch)
          try {
            w.resolve((await appendBatch(client, chain, state, [w.fields]))[0]);
          } catch (alone) {
            state.seq = 0;
            w.reject(alone);
          }
    }
  }
  state.appending = false;
}

/** The rows at the head (compare-and-set), or else in one transaction that holds the head's lock. */
async function appendBatch(client: Db, chain: string, state: ChainState, fields: AuditFields[]) {
  const atHead = await appendAtHead(client, chain, state, fields);
  if (atHead) return atHead;
  const rows = await inTransaction(client, async (tx) => {
    const appended: ChainedRow[] = [];
    for (const f of fields) appended.push(await appendAuditRow(tx, f));
    return appended;
  });
  const last = rows[rows.length - 1];
  [state.seq, state.hash] = [last.seq, last.hash];
  return rows;
}

/** One compare-and-set append of `fields` as consecutive rows, retried from where the head was found; null: gave up. */
async function appendAtHead(
  client: Db,
  chain: string,
  state: ChainState,
  fields: AuditFields[],
): Promise<ChainedRow[] | null> {
  for (let attempt = 0; attempt < AT_HEAD_ATTEMPTS; attempt++) {
    if (state.seq === 0) {
      const [stored] = await querySql<{ seq: number | bigint; hash: string }>(client, readHead(chain));
      if (!stored) return null;
      [state.seq, state.hash] = [Number(stored.seq), stored.hash];
    }
    const rows: ChainedRow[] = [];
    for (const f of fields)
      rows.push(nextRow(f, { seq: state.seq + rows.length + 1, hash: rows.at(-1)?.hash ?? state.hash }));
    const [found] = await querySql<{ inserted: number; seq: number | bigint; hash: string }>(
      client,
      insertAtHead(chain, state, rows),
    );
    if (!found) return null;
    if (found.inserted === rows.length) {
      const last = rows[rows.length - 1];
      [state.seq, state.hash] = [last.seq, last.hash];
      return rows;
    }
    // Another server moved the head: try again from where it is now.
    [state.seq, state.hash] = [Number(found.seq), found.hash];
  }
  return null;
}

/**
 * Takes the chain's head lock now rather than at the append (PostgreSQL; SQLite write transactions are serialized
 * already). For writes that lock a row another write's post-append step needs: deleting a webhook locks it, and a
 * write holding the head then queues a delivery to it (a foreign key check) — without this, a deadlock.
 */
export async function lockAuditChain(tx: AuditTx, provider: Database["provider"], chain: string): Promise<void> {
  if (provider === "postgresql")
    await querySql(tx, Prisma.sql`SELECT 1 FROM "AuditChainHead" WHERE "chain" = ${chain} FOR UPDATE`);
}

const EVENT_COLUMNS = {
  id: true,
  chain: true,
  seq: true,
  createdAt: true,
  action: true,
  actorType: true,
  actorUserId: true,
  tokenId: true,
  actorName: true,
  projectId: true,
  environmentId: true,
  branchId: true,
  revision: true,
  keys: true,
  metadata: true,
  clientAddress: true,
  userAgent: true,
  prevHash: true,
  hash: true,
} as const;

export { EVENT_COLUMNS as AUDIT_COLUMNS };

/**
 * Seals rows that have a place in a chain but no hash yet: the events written before the audit log existed
 * (migration 0006_audit numbered them). Runs at start, per chain in one transaction that holds the head.
 * Returns how many rows it sealed.
 */
export async function sealUnchainedEvents(db: Pick<Database, "provider" | "writer">): Promise<number> {
  // Only chains the migration left unsealed (their head has no hash yet): no scan of the whole log at every start,
  // and a row blanked in the database later is not sealed anew (it stays a verification failure).
  const chains = await db.writer.auditChainHead.findMany({ where: { hash: "" }, select: { chain: true } });
  let sealed = 0;
  for (const { chain } of chains) {
    sealed += await inTransaction(db.writer, async (tx) => {
      if (db.provider === "postgresql")
        await querySql(tx, Prisma.sql`SELECT 1 FROM "AuditChainHead" WHERE "chain" = ${chain} FOR UPDATE`);
      const head = await tx.auditChainHead.findUnique({ where: { chain } });
      const rows = await tx.event.findMany({ where: { chain }, orderBy: { seq: "asc" }, select: EVENT_COLUMNS });
      let prevHash = head?.prunedHash ?? "";
      let count = 0;
      for (const row of rows) {
        if (row.hash === "") {
          const hash = auditHash({ ...row, prevHash });
          await tx.event.update({ where: { id: row.id }, data: { prevHash, hash } });
          prevHash = hash;
          count++;
        } else prevHash = row.hash;
      }
      const last = rows.at(-1);
      if (last)
        await tx.auditChainHead.upsert({
          where: { chain },
          create: { chain, seq: last.seq, hash: prevHash },
          update: { seq: last.seq, hash: prevHash },
        });
      return count;
    });
  }
  return sealed;
}

/**
 * Retention: deletes the rows older than `days` days from every chain and moves each chain's anchor
 * (prunedThroughSeq, prunedHash) to the last deleted row, so the kept rows still verify. Returns the count deleted.
 */
export async function pruneAuditLog(
  db: Pick<Database, "provider" | "writer">,
  days: number,
  now = new Date(),
): Promise<number> {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  const chains = await db.writer.event.groupBy({
    by: ["chain"],
    where: { createdAt: { lt: cutoff } },
    _max: { seq: true },
  });
  let deleted = 0;
  for (const { chain } of chains) {
    deleted += await inTransaction(db.writer, async (tx) => {
      if (db.provider === "postgresql")
        await querySql(tx, Prisma.sql`SELECT 1 FROM "AuditChainHead" WHERE "chain" = ${chain} FOR UPDATE`);
      // The newest old row, read under the lock; rows are pruned as a prefix of the chain only.
      const last = await tx.event.findFirst({
        where: { chain, createdAt: { lt: cutoff } },
        orderBy: { seq: "desc" },
        select: { seq: true, hash: true },
      });
      if (!last) return 0;
      const { count } = await tx.event.deleteMany({ where: { chain, seq: { lte: last.seq } } });
      await tx.auditChainHead.update({
        where: { chain },
        data: { prunedThroughSeq: last.seq, prunedHash: last.hash },
      });
      return count;
    });
  }
  return deleted;
}
