/**
 * History capture: the write path records one Revision row per bumped environment revision, in
 * the write's own transaction, with one RevisionChange row per base value or branch override
 * the revision changed. A change row keeps the NEW value's ciphertext exactly as stored (same
 * bytes, keyVersion and valueVersion, so the same associated data opens it); a removal keeps none.
 *
 *   - removals are captured before the delete (`captureRemovals`); removing a base value also
 *     records the removal of its overrides;
 *   - sets are captured at the end (`captureRevision`): every row whose valueVersion is the new
 *     revision was written by this write. added / changed follows the key's previous change. Base
 *     values are found by the keys `values.upsert` (their only writer) recorded (`recordBaseWrites`).
 *
 * All of it is multi-row SQL: a bulk upsert of 10,000 values costs two statements more.
 */
import type { FieldError } from "../../core/names.js";
import type { Provider, Tx } from "../db/client.js";
import { executeSql, querySql } from "../db/direct.js";
import { Prisma } from "../db/generated/sqlite/client.js";
import type { Actor } from "../services/actor.js";
import { ValidationError } from "../services/errors.js";
import type { EventAction } from "./actions.js";

type Client = Pick<Tx, "$executeRaw" | "$queryRaw">;
/** Who wrote (the write path's EventActor). */
type EventActor = Actor | { kind: "system"; name?: string };

export const MAX_MESSAGE_LENGTH = 500;

/** The optional message of a write: at most 500 characters. */
export function messageErrors(message: string | null | undefined): FieldError[] {
  if (message == null || message.length <= MAX_MESSAGE_LENGTH) return [];
  return [
    {
      path: ["message"],
      message:
        `The message has ${message.length} characters; at most ${MAX_MESSAGE_LENGTH} are kept with a revision. ` +
        "Shorten it (details belong in the commit or ticket it refers to).",
    },
  ];
}

export function assertMessage(message: string | null | undefined): void {
  const errors = messageErrors(message);
  if (errors.length) throw new ValidationError(errors[0].message, errors);
}

// Both databases: CAST(... AS TEXT/INTEGER) is valid SQL on each; PostgreSQL needs the types of parameters.
const text = (value: string | null) => Prisma.sql`CAST(${value} AS TEXT)`;
const int = (value: number) => Prisma.sql`CAST(${value} AS INTEGER)`;
const timestamp = (provider: Provider, date: Date) =>
  provider === "postgresql" ? Prisma.sql`CAST(${date} AS TIMESTAMP(3))` : Prisma.sql`${date}`;
const keyList = (provider: Provider, keys: readonly string[]) =>
  provider === "postgresql"
    ? Prisma.sql`(SELECT json_array_elements_text(CAST(${JSON.stringify(keys)} AS JSON)))`
    : Prisma.sql`(SELECT value FROM json_each(${JSON.stringify(keys)}))`;

/**
 * The revisions ("environmentId:revision") each transaction recorded removals at: only then can
 * `captureRevision` meet a change row already there (a key removed and set again by one write) and
 * need ON CONFLICT, whose speculative insertion cost PostgreSQL ~2 ms more per 1,000 rows.
 */
const removalsAt = new WeakMap<object, Set<string>>();

/**
 * The base values each transaction wrote, per "environmentId:revision", recorded by `values.upsert`, their only
 * writer. `captureRevision` finds them by key (up to KEYED_LOOKUP keys; more: by the environment's rows) and
 * skips base values when none were written. No index on (environmentId, valueVersion) is kept for it: every
 * write maintained it, and it made each update of a value touch every index of the table on PostgreSQL.
 */
const writtenAt = new WeakMap<object, Map<string, Set<string>>>();
const KEYED_LOOKUP = 256;

/** values.upsert: base values `keys` of `environmentId` were written at `revision` in `tx`. */
export function recordBaseWrites(tx: object, environmentId: string, revision: number, keys: Iterable<string>): void {
  const byRevision = writtenAt.get(tx) ?? new Map<string, Set<string>>();
  writtenAt.set(tx, byRevision);
  const scope = `${environmentId}:${revision}`;
  const written = byRevision.get(scope) ?? new Set<string>();
  byRevision.set(scope, written);
  for (const key of keys) written.add(key);
}

/** Records the removal (at `revision`) of base values `keys` with their overrides, or of `branchId`'s overrides of them. */
export async function captureRemovals(
  tx: Client,
  provider: Provider,
  scope: { environmentId: string; revision: number },
  removal: { keys: readonly string[]; branchId?: string | null },
): Promise<void> {
  if (!removal.keys.length) return;
  const { environmentId, revision } = scope;
  const branchId = removal.branchId ?? null;
  const keys = keyList(provider, removal.keys);
  removalsAt.set(tx, (removalsAt.get(tx) ?? new Set()).add(`${environmentId}:${revision}`));
  const base = Prisma.sql`
    SELECT v."environmentId", v."key", '' AS "branchId", ${int(revision)} AS "revision", '' AS "branchName", v."isSecret"
    FROM "Variable" v WHERE v."environmentId" = ${text(environmentId)} AND v."key" IN ${keys}`;
  const overrides = Prisma.sql`
    SELECT v."environmentId", v."key", o."branchId", ${int(revision)} AS "revision", b."name" AS "branchName", v."isSecret"
    FROM "BranchOverride" o JOIN "Variable" v ON v."id" = o."variableId" JOIN "ProjectBranch" b ON b."id" = o."branchId"
    WHERE v."environmentId" = ${text(environmentId)} AND v."key" IN ${keys}
      ${branchId === null ? Prisma.empty : Prisma.sql`AND o."branchId" = ${text(branchId)}`}`;
  await executeSql(
    tx,
    Prisma.sql`
    INSERT INTO "RevisionChange" ("environmentId", "key", "branchId", "revision", "branchName", "isSecret", "kind")
    SELECT s."environmentId", s."key", s."branchId", s."revision", s."branchName", s."isSecret", 'removed'
    FROM (${branchId === null ? Prisma.sql`${base} UNION ALL ${overrides}` : overrides}) s WHERE true
    ON CONFLICT ("environmentId", "key", "branchId", "revision") DO UPDATE SET
      "kind" = 'removed', "ciphertext" = NULL, "keyVersion" = NULL, "valueVersion" = NULL`,
  );
}

/** The previous change's kind of a (key, branch): 'added' when there was none or it was a removal. */
const kindSql = (revision: number, branch: Prisma.Sql) => Prisma.sql`
  CASE WHEN COALESCE((SELECT p."kind" FROM "RevisionChange" p
    WHERE p."environmentId" = v."environmentId" AND p."key" = v."key" AND p."branchId" = ${branch}
      AND p."revision" < ${int(revision)}
    ORDER BY p."revision" DESC LIMIT 1), 'removed') = 'removed' THEN 'added' ELSE 'changed' END`;

/** Records the values and overrides written at `revision` (their valueVersion), then the Revision row itself. */
export async function captureRevision(
  tx: Client,
  provider: Provider,
  revision: {
    environmentId: string;
    number: number;
    action: EventAction;
    actor: EventActor;
    message?: string | null;
  },
): Promise<void> {
  const { environmentId, number } = revision;
  const written = writtenAt.get(tx)?.get(`${environmentId}:${number}`);
  // By key: index probes (on PostgreSQL an array, which its planner turns into probes whatever its estimates).
  const byKey =
    !written || written.size > KEYED_LOOKUP
      ? Prisma.empty
      : provider === "postgresql"
        ? Prisma.sql`AND v."key" = ANY(CAST(${[...written]} AS TEXT[]))`
        : Prisma.sql`AND v."key" IN ${keyList(provider, [...written])}`;
  const base = !written?.size
    ? Prisma.empty
    : Prisma.sql`
      SELECT v."environmentId", v."key", '' AS "branchId", ${int(number)} AS "revision", '' AS "branchName",
        ${kindSql(number, Prisma.sql`''`)} AS "kind", v."isSecret", v."ciphertext", v."keyVersion", v."valueVersion"
      FROM "Variable" v WHERE v."environmentId" = ${text(environmentId)} ${byKey} AND v."valueVersion" = ${int(number)}
      UNION ALL`;
  await executeSql(
    tx,
    Prisma.sql`
    INSERT INTO "RevisionChange" ("environmentId", "key", "branchId", "revision", "branchName", "kind", "isSecret", "ciphertext", "keyVersion", "valueVersion")
    SELECT * FROM (${base}
      SELECT v."environmentId", v."key", o."branchId", ${int(number)} AS "revision", b."name" AS "branchName",
        ${kindSql(number, Prisma.sql`o."branchId"`)} AS "kind", v."isSecret", o."ciphertext", o."keyVersion", o."valueVersion"
      FROM "Variable" v JOIN "BranchOverride" o ON o."variableId" = v."id" JOIN "ProjectBranch" b ON b."id" = o."branchId"
      WHERE v."environmentId" = ${text(environmentId)} AND o."valueVersion" = ${int(number)}
    ) s WHERE true
    ${
      removalsAt.get(tx)?.has(`${environmentId}:${number}`)
        ? Prisma.sql`ON CONFLICT ("environmentId", "key", "branchId", "revision") DO UPDATE SET
      "kind" = excluded."kind", "isSecret" = excluded."isSecret", "ciphertext" = excluded."ciphertext",
      "keyVersion" = excluded."keyVersion", "valueVersion" = excluded."valueVersion"`
        : Prisma.empty
    }`,
  );
  await insertRevisionRow(tx, provider, revision);
}

/** The Revision row, its counts taken from the change rows already recorded (one scan of them). */
export async function insertRevisionRow(
  tx: Client,
  provider: Provider,
  revision: {
    environmentId: string;
    number: number;
    action: EventAction | "history.baseline";
    actor: EventActor;
    message?: string | null;
  },
): Promise<void> {
  const { environmentId, number, actor } = revision;
  const userId = actor.kind === "user" ? actor.userId : null;
  const tokenId = actor.kind === "system" ? null : actor.tokenId;
  const name =
    actor.kind === "user"
      ? Prisma.sql`COALESCE((SELECT u."name" FROM "User" u WHERE u."id" = ${text(userId)}), 'a deleted user')`
      : actor.kind === "service"
        ? Prisma.sql`'service token ' || COALESCE((SELECT t."name" FROM "Token" t WHERE t."id" = ${text(tokenId)}), '?')`
        : Prisma.sql`${text(actor.name ?? "system")}`;
  const count = (kind: string) => Prisma.sql`COUNT(CASE WHEN c."kind" = ${text(kind)} THEN 1 END)`;
  await executeSql(
    tx,
    Prisma.sql`
    INSERT INTO "Revision" ("environmentId", "number", "createdAt", "action", "actorType", "actorUserId", "tokenId",
      "actorName", "message", "added", "changed", "removed")
    SELECT ${text(environmentId)}, ${int(number)}, ${timestamp(provider, new Date())}, ${text(revision.action)},
      ${text(actor.kind)}, ${text(userId)}, ${text(tokenId)}, ${name}, ${text(revision.message ?? null)},
      ${count("added")}, ${count("changed")}, ${count("removed")}
    FROM "RevisionChange" c WHERE c."environmentId" = ${text(environmentId)} AND c."revision" = ${int(number)}`,
  );
}

/** An environment a branch deletion moved on: its new revision and the keys whose overrides were removed. */
export interface BranchDeletionRevision {
  environmentId: string;
  revision: number;
  keys: string[];
  branch: string;
}

/**
 * Deleting a project branch removes its overrides everywhere: each environment that had some
 * moves to a new revision recording their removal. Returns those environments with their new revisions.
 */
export async function captureBranchDeletion(
  tx: Client,
  provider: Provider,
  spec: { projectId: string; branchId: string; action: EventAction; actor: EventActor; message?: string | null },
): Promise<BranchDeletionRevision[]> {
  const rows = await querySql<{ environmentId: string; keys: string; branch: string }>(
    tx,
    Prisma.sql`
    SELECT v."environmentId", v."key" AS "keys", b."name" AS "branch"
    FROM "BranchOverride" o JOIN "Variable" v ON v."id" = o."variableId"
      JOIN "Environment" e ON e."id" = v."environmentId" JOIN "ProjectBranch" b ON b."id" = o."branchId"
    WHERE o."branchId" = ${text(spec.branchId)} AND e."projectId" = ${text(spec.projectId)}
    ORDER BY v."environmentId", v."key"`,
  );
  const byEnv = new Map<string, string[]>();
  for (const r of rows) byEnv.set(r.environmentId, [...(byEnv.get(r.environmentId) ?? []), r.keys]);
  const bumpedEnvs: BranchDeletionRevision[] = [];
  for (const [environmentId, keys] of byEnv) {
    const bumped = await querySql<{ revision: number | bigint }>(
      tx,
      Prisma.sql`
      UPDATE "Environment" SET "revision" = "revision" + 1, "updatedAt" = ${timestamp(provider, new Date())}
      WHERE "id" = ${text(environmentId)} RETURNING "revision"`,
    );
    const number = Number(bumped[0].revision);
    await captureRemovals(tx, provider, { environmentId, revision: number }, { keys, branchId: spec.branchId });
    await insertRevisionRow(tx, provider, { ...spec, environmentId, number });
    bumpedEnvs.push({ environmentId, revision: number, keys, branch: rows[0].branch });
  }
  return bumpedEnvs;
}
