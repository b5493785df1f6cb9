/**
 * The audit log as the API reads it: audited reads (pull and runtime resolution are recorded like writes, keys
 * only), a project's log filtered and paged newest first, and the verification of its hash chain.
 */
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../../core/limits.js";
import { assertCan, projectAccess } from "../authz/index.js";
import type { Database, Db, Tx } from "../db/client.js";
import { idleSqliteWriter, isPgClient } from "../db/direct.js";
import type { EventAction } from "../events/actions.js";
import { AUDIT_COLUMNS, appendAuditRowAtHead, appendAuditRowNow, auditHash } from "../events/audit.js";
import { appendEvent, auditFields, type EventFields } from "../events/write-path.js";
import type { Actor } from "./actor.js";
import { AppError, ValidationError } from "./errors.js";
import { findEnvironment } from "./lookup.js";
import { inTransaction } from "./transaction.js";

/** The audit row of a read could not be written: the read returns nothing. */
export class AuditUnavailableError extends AppError {}

/**
 * Records a read (keys only) in one transaction with `also` (e.g. the branch's live revision). Without `also`, the
 * row alone: on SQLite on the idle writer connection, on PostgreSQL through the chain's queue (at the head, with the
 * rows of other reads arriving meanwhile; both in events/audit.ts), else in a transaction. Any failure fails the read: the caller returns no value it could not
 * record.
 */
export async function auditRead(
  writer: Db,
  actor: Actor,
  action: EventAction,
  fields: EventFields,
  also?: (tx: Tx) => Promise<void>,
  log?: (line: string) => void,
): Promise<void> {
  try {
    const idle = also ? null : idleSqliteWriter(writer);
    if (idle) appendAuditRowNow(idle.connection, auditFields(actor, action, fields), idle.onQuery);
    else if (!also && isPgClient(writer)) await appendAuditRowAtHead(writer, auditFields(actor, action, fields));
    else
      await inTransaction(writer, async (tx) => {
        await also?.(tx);
        await appendEvent(tx, actor, action, fields);
      });
  } catch (error) {
    log?.(`Audit log write failed for ${action}: ${error instanceof Error ? error.message : String(error)}`);
    throw new AuditUnavailableError(
      "This read could not be recorded in the audit log, so no values were returned. Retry; if it keeps " +
        "failing, the server log says why (the database refuses writes, or is out of space).",
    );
  }
}

export interface AuditFilter {
  environment?: string | null;
  actor?: string | null;
  action?: string | null;
  since?: Date | null;
  until?: Date | null;
}

export type AuditEventRow = Awaited<ReturnType<typeof loadPage>>[number] & {
  environmentName: string | null;
  branchName: string | null;
  tokenName: string | null;
};

const CURSOR_LIST = "auditLog";

function parseCursor(after: string): number | null {
  try {
    const decoded = JSON.parse(Buffer.from(after, "base64url").toString("utf8"));
    if (Array.isArray(decoded) && decoded[0] === CURSOR_LIST && Number.isInteger(decoded[1]) && decoded[1] > 0)
      return decoded[1];
  } catch {}
  return null;
}

export const auditCursor = (row: { seq: number }) =>
  Buffer.from(JSON.stringify([CURSOR_LIST, row.seq])).toString("base64url");

function loadPage(db: Pick<Db, "event">, where: Record<string, unknown>, take: number) {
  return db.event.findMany({ where, orderBy: { seq: "desc" }, take, select: AUDIT_COLUMNS });
}

export interface AuditProblem {
  sequence: number;
  eventId: string | null;
  message: string;
}

const VERIFY_BATCH = 1000;

export function auditService({ db, log }: { db: Pick<Database, "reader">; log?: (line: string) => void }) {
  async function access(actor: Actor, project: string) {
    const found = await projectAccess(db.reader, actor, project);
    assertCan(found, "audit:read");
    return found;
  }

  return {
    log,

    /** A page of a project's audit log, newest first, in a constant number of statements. */
    async auditLog(
      actor: Actor,
      input: { project: string; filter?: AuditFilter | null; first?: number | null; after?: string | null },
    ) {
      const first = input.first ?? DEFAULT_PAGE_SIZE;
      const errors: { path: string[]; message: string }[] = [];
      if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE)
        errors.push({
          path: ["first"],
          message: `first must be between 0 and ${MAX_PAGE_SIZE} (got ${first}). Fetch more page by page with after.`,
        });
      const after = input.after != null ? parseCursor(input.after) : null;
      if (input.after != null && after === null)
        errors.push({
          path: ["after"],
          message:
            "after is not a cursor of the audit log. Pass pageInfo.endCursor of a previous page, or leave it out.",
        });
      const filter = input.filter ?? {};
      const action = filter.action?.trim();
      if (filter.action != null && (!action || action.length > 100))
        errors.push({
          path: ["filter", "action"],
          message:
            'action must be an event action (e.g. "variable.set") or a prefix ending in "." (e.g. "variables.").',
        });
      if (filter.actor != null && !filter.actor.trim())
        errors.push({
          path: ["filter", "actor"],
          message:
            "actor must name someone: a user's e-mail address or name, or a token's name. Leave it out for everyone.",
        });
      if (filter.since && filter.until && filter.since > filter.until)
        errors.push({ path: ["filter", "until"], message: "until must not be before since." });
      if (errors.length) throw ValidationError.fromFields(errors);

      const granted = await access(actor, input.project);
      const { project } = granted;
      const conditions: Record<string, unknown>[] = [{ chain: project.id }];
      if (after !== null) conditions.push({ seq: { lt: after } });
      if (action) conditions.push(action.endsWith(".") ? { action: { startsWith: action } } : { action });
      if (filter.since) conditions.push({ createdAt: { gte: filter.since } });
      if (filter.until) conditions.push({ createdAt: { lte: filter.until } });
      const [env, actors] = await Promise.all([
        // An environment that does not exist is an error, not an empty log (a typo would look like "nothing happened").
        filter.environment != null ? findEnvironment(db.reader, granted, filter.environment) : null,
        filter.actor != null ? matchActors(project.id, filter.actor.trim()) : null,
      ]);
      if (env) conditions.push({ environmentId: env.id });
      if (actors) conditions.push({ OR: actors });
      const where = { AND: conditions };
      const rows = first === 0 ? [] : await loadPage(db.reader, where, first + 1);
      const nodes = await withNames(rows.slice(0, first));
      return {
        nodes,
        hasNextPage: rows.length > first,
        cursor: auditCursor,
        totalCount: () => db.reader.event.count({ where: { AND: conditions.filter((c) => !("seq" in c)) } }),
      };
    },

    /**
     * Walks the project's chain from its anchor (or the start): every row's hash must match its content, its
     * prevHash the previous row's hash, its seq the next number, and the last row must be the head.
     */
    async verifyAuditLog(actor: Actor, input: { project: string }) {
      const { project } = await access(actor, input.project);
      return verifyChain(db.reader, project.id);
    },
  };

  /** Names of the page's environments, branches and tokens: three statements, whatever the page size. */
  async function withNames(rows: Awaited<ReturnType<typeof loadPage>>) {
    const ids = (pick: (r: (typeof rows)[number]) => string | null) => [
      ...new Set(rows.map(pick).filter((id): id is string => !!id)),
    ];
    const [envs, branches, tokens] = rows.length
      ? await Promise.all([
          db.reader.environment.findMany({
            where: { id: { in: ids((r) => r.environmentId) } },
            select: { id: true, name: true },
          }),
          db.reader.projectBranch.findMany({
            where: { id: { in: ids((r) => r.branchId) } },
            select: { id: true, name: true },
          }),
          db.reader.token.findMany({ where: { id: { in: ids((r) => r.tokenId) } }, select: { id: true, name: true } }),
        ])
      : [[], [], []];
    const name = (list: { id: string; name: string }[]) => new Map(list.map((x) => [x.id, x.name]));
    const [envName, branchName, tokenName] = [name(envs), name(branches), name(tokens)];
    return rows.map((row) => {
      // Deleted environments and branches keep the name their events recorded.
      const metadata = JSON.parse(row.metadata) as Record<string, unknown>;
      const recorded = (key: string) => (typeof metadata[key] === "string" ? (metadata[key] as string) : null);
      return {
        ...row,
        environmentName: row.environmentId
          ? (envName.get(row.environmentId) ?? recorded("environment") ?? recorded("name"))
          : null,
        branchName: row.branchId ? (branchName.get(row.branchId) ?? recorded("branch")) : null,
        tokenName: row.tokenId ? (tokenName.get(row.tokenId) ?? null) : null,
      };
    });
  }

  async function matchActors(projectId: string, actor: string) {
    const [users, tokens] = await Promise.all([
      db.reader.user.findMany({ where: { OR: [{ email: actor }, { name: actor }] }, select: { id: true } }),
      db.reader.token.findMany({
        where: { name: actor, OR: [{ projectId }, { kind: "personal" }] },
        select: { id: true },
      }),
    ]);
    return [
      { actorName: actor },
      { actorName: `service token ${actor}` },
      ...(users.length ? [{ actorUserId: { in: users.map((u) => u.id) } }] : []),
      ...(tokens.length ? [{ tokenId: { in: tokens.map((t) => t.id) } }] : []),
    ];
  }
}

/** Verifies one chain; problems name the sequence numbers at fault. */
export async function verifyChain(
  db: Pick<Db, "event" | "auditChainHead">,
  chain: string,
): Promise<{ ok: boolean; checked: number; problems: AuditProblem[] }> {
  const head = await db.auditChainHead.findUnique({ where: { chain } });
  // Rows appended after the head was read are not checked (they are not in this head yet): without the bound, a
  // write committed while verifying would read as "rows were replaced".
  const headSeq = head?.seq ?? 0;
  const problems: AuditProblem[] = [];
  let expectedSeq = (head?.prunedThroughSeq ?? 0) + 1;
  let prevHash = head?.prunedHash ?? "";
  let checked = 0;
  for (;;) {
    const rows = await db.event.findMany({
      where: { chain, seq: head ? { gte: expectedSeq, lte: headSeq } : { gte: expectedSeq } },
      orderBy: { seq: "asc" },
      take: VERIFY_BATCH,
      select: AUDIT_COLUMNS,
    });
    for (const row of rows) {
      checked++;
      if (row.seq > expectedSeq) {
        const gap = row.seq - 1 === expectedSeq ? `#${expectedSeq} is` : `#${expectedSeq}–#${row.seq - 1} are`;
        problems.push({ sequence: expectedSeq, eventId: null, message: `Event ${gap} missing: deleted.` });
      } else if (row.prevHash !== prevHash)
        problems.push({
          sequence: row.seq,
          eventId: row.id,
          message: `Event #${row.seq} does not follow #${row.seq - 1}: the chain was broken here (rows edited, replaced or reordered).`,
        });
      if (auditHash(row) !== row.hash)
        problems.push({
          sequence: row.seq,
          eventId: row.id,
          message: `Event #${row.seq} was changed after it was written: its content does not match its hash.`,
        });
      prevHash = row.hash;
      expectedSeq = row.seq + 1;
    }
    if (rows.length < VERIFY_BATCH) break;
  }
  if (!head && checked > 0)
    problems.push({
      sequence: expectedSeq - 1,
      eventId: null,
      message:
        "The log's record of its newest event is missing (deleted in the database): rows may be missing at the end.",
    });
  if (expectedSeq <= headSeq) {
    const gap = expectedSeq === headSeq ? `#${headSeq} is` : `#${expectedSeq}–#${headSeq} are`;
    problems.push({ sequence: expectedSeq, eventId: null, message: `Event ${gap} missing: deleted.` });
  } else if (head && head.hash !== prevHash && checked > 0)
    problems.push({
      sequence: expectedSeq - 1,
      eventId: null,
      message: `Event #${expectedSeq - 1} is not the newest event the log recorded: rows were replaced.`,
    });
  return { ok: problems.length === 0, checked, problems };
}
