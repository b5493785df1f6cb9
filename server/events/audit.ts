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
import type { Database, Tx } from "../db/client.js";
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

const insertRow = (row: AuditRow & { hash: string }) => Prisma.sql`
    INSERT INTO "Event" ("id", "createdAt", "action", "actorType", "actorUserId", "tokenId", "projectId",
      "environmentId", "branchId", "revision", "keys", "metadata", "chain", "seq", "prevHash", "hash",
      "clientAddress", "userAgent", "actorName")
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

/** Per PostgreSQL client: each chain's head as this process last appended it, and the tail of its appends. */
const heads = new WeakMap<object, Map<string, { seq: number; hash: string; tail: Promise<unknown> }>>();

const readHead = (chain: string) => Prisma.sql`SELECT "seq", "hash" FROM "AuditChainHead" WHERE "chain" = ${chain}`;

/** Moves the head from (seq - 1, prevHash) to (seq, hash) and inserts the row, only if the head was still there. */
const insertAtHead = (row: AuditRow & { hash: string }) => Prisma.sql`
    WITH "head" AS (
      UPDATE "AuditChainHead" SET "seq" = ${row.seq}::integer, "hash" = ${row.hash}::text
      WHERE "chain" = ${row.chain}::text AND "seq" = ${row.seq - 1}::integer AND "hash" = ${row.prevHash}::text
      RETURNING "chain")
    INSERT INTO "Event" ("id", "createdAt", "action", "actorType", "actorUserId", "tokenId", "projectId",
      "environmentId", "branchId", "revision", "keys", "metadata", "chain", "seq", "prevHash", "hash",
      "clientAddress", "userAgent", "actorName")
    SELECT ${row.id}::text, ${row.createdAt}::timestamp(3), ${row.action}::text, ${row.actorType}::text,
      ${row.actorUserId}::text, ${row.tokenId}::text, ${row.projectId}::text, ${row.environmentId}::text,
      ${row.branchId}::text, ${row.revision}::integer, ${row.keys}::text, ${row.metadata}::text, "head"."chain",
      ${row.seq}::integer, ${row.prevHash}::text, ${row.hash}::text, ${row.clientAddress}::text,
      ${row.userAgent}::text, ${row.actorName}::text
    FROM "head" RETURNING "seq"`;

/** Compare-and-set attempts before the caller takes the locked path (another server keeps appending too). */
const AT_HEAD_ATTEMPTS = 3;

/**
 * PostgreSQL, outside a transaction: appends one row as ONE autocommitted statement that moves the chain's head
 * only if it is still where this process last saw it (compare-and-set on seq and hash), so the head's row lock is
 * held for that statement instead of a transaction's five round trips. This process's appends to one chain run
 * one after another (so they never race each other); when another server moved the head, the head is read again
 * and the append retried. Returns null when the chain has no head yet or the head kept moving: the caller then
 * appends in a transaction (appendAuditRow). An error (the insert refused) is thrown and nothing was written.
 */
export async function appendAuditRowAtHead(
  client: AuditTx,
  fields: AuditFields,
): Promise<(AuditRow & { hash: string }) | null> {
  const chain = fields.projectId ?? "";
  const chains = heads.get(client) ?? new Map();
  heads.set(client, chains);
  const known = chains.get(chain) ?? { seq: 0, hash: "", tail: Promise.resolve() };
  chains.set(chain, known);
  const append = async () => {
    for (let attempt = 0; attempt < AT_HEAD_ATTEMPTS; attempt++) {
      if (known.seq === 0) {
        const [stored] = await querySql<{ seq: number | bigint; hash: string }>(client, readHead(chain));
        if (!stored) return null;
        [known.seq, known.hash] = [Number(stored.seq), stored.hash];
      }
      const row = nextRow(fields, { seq: known.seq + 1, hash: known.hash });
      const inserted = await querySql(client, insertAtHead(row));
      if (inserted.length === 1) {
        [known.seq, known.hash] = [row.seq, row.hash];
        return row;
      }
      known.seq = 0;
    }
    return null;
  };
  const result = known.tail.then(append, append);
  // The tail keeps no row (a pull's row lists every key it returned).
  known.tail = result.then(
    () => undefined,
    () => {
      known.seq = 0;
    },
  );
  return result;
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
