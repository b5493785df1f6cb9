/**
 * The SQL of encrypted values, per provider: the only place services' value reads and bulk
 * writes meet SQL text (server/services/values.ts calls these).
 */

import type { Db, Provider, Tx } from "./client.js";
import { executeSql, querySql } from "./direct.js";
import { Prisma } from "./generated/sqlite/client.js";
import type { NoteRow } from "./notes-sql.js";

type Client = Pick<Tx, "$queryRaw" | "$executeRaw"> | Pick<Db, "$queryRaw" | "$executeRaw">;

export interface ValueRow {
  id: string;
  key: string;
  isSecret: boolean;
  /** Hex, or null when the row's ciphertext was not asked for. */
  ciphertext: string | null;
  keyVersion: number;
  valueVersion: number;
  overrideId: string | null;
  overrideCiphertext: string | null;
  overrideKeyVersion: number | null;
  overrideValueVersion: number | null;
  /** With `references`: the base value's and the override's Variable.references (JSON key lists). */
  references?: string;
  overrideReferences?: string | null;
}

/**
 * An environment and branch named as a request names them (project slug, environment name, branch name or null),
 * for a read sent before the lookup that resolves them (see `selectValueRows`).
 */
export interface NamedScope {
  project: string;
  environment: string;
  branch: string | null;
  /** The lookup's project condition: the user is a member, or the service token's project. */
  caller: { userId: string } | { projectId: string };
}

/** With a NamedScope: what each row was read for (compare it with the lookup's). */
export interface ScopeColumns {
  scopeEnvironmentId: string;
  scopeBranchId: string | null;
  /** The environment's revision in the statement's snapshot: the rows are exactly that revision's. */
  scopeRevision: number | bigint;
}

/** The layout and note columns (notes-sql.ts's NoteRow), read with the values when asked. */
export type LayoutColumns = Omit<NoteRow, "key" | "isSecret">;

/**
 * An environment's base values with `branchId`'s overrides (LEFT JOIN), sorted by key, in one
 * statement. Ciphertexts are read as hex text (Prisma's driver adapters turn each BLOB into an
 * array of numbers and back: ~9 ms per 1,000 rows), and only for the rows `ciphertexts` selects.
 */
export function selectValueRows(
  db: Client,
  provider: Provider,
  /**
   * By ids, or by names (NamedScope): the environment and branch the lookup (server/authz/access.ts,
   * projectEnvironmentAccess) would find, resolved in the statement; each row then carries their ids (ScopeColumns).
   */
  scope: { environmentId: string; branchId: string | null } | NamedScope,
  ciphertexts: "all" | "standard" | "none",
  /** Also each row's layout (NoteRow's columns), and with `notes` its sealed note as hex. */
  layout?: { notes: boolean },
  /** Also the rows' `references` columns (ValueRow's `references`, `overrideReferences`). */
  references = false,
): Promise<(ValueRow & Partial<LayoutColumns> & Partial<ScopeColumns>)[]> {
  const wanted =
    ciphertexts === "none"
      ? Prisma.sql`FALSE`
      : ciphertexts === "all"
        ? Prisma.sql`TRUE`
        : Prisma.sql`NOT v."isSecret"`;
  const hex = (column: Prisma.Sql, when = wanted) =>
    provider === "sqlite"
      ? Prisma.sql`CASE WHEN ${when} THEN hex(${column}) END`
      : Prisma.sql`CASE WHEN ${when} THEN encode(${column}, 'hex') END`;
  const layoutColumns = !layout
    ? Prisma.empty
    : Prisma.sql`, v."position", v."blankLineBefore", v."noteVersion", ${
        layout.notes ? hex(Prisma.sql`v."noteCiphertext"`, Prisma.sql`TRUE`) : Prisma.sql`NULL`
      } AS "noteCiphertext"`;
  const named = "project" in scope;
  // By name: the lookup's conditions, as uncorrelated subqueries (PostgreSQL runs each once, then uses the index).
  const caller = !named
    ? Prisma.empty
    : "userId" in scope.caller
      ? Prisma.sql`AND EXISTS (SELECT 1 FROM "Member" m WHERE m."projectId" = p."id" AND m."userId" = ${scope.caller.userId})`
      : Prisma.sql`AND p."id" = ${scope.caller.projectId}`;
  const environmentId = named
    ? Prisma.sql`(SELECT e."id" FROM "Environment" e JOIN "Project" p ON p."id" = e."projectId"
        WHERE p."slug" = ${scope.project} AND e."name" = ${scope.environment} AND e."kind" = 'environment' ${caller})`
    : Prisma.sql`${scope.environmentId}`;
  const branchId = named
    ? scope.branch === null
      ? null
      : Prisma.sql`(SELECT b."id" FROM "ProjectBranch" b JOIN "Project" p ON p."id" = b."projectId"
          WHERE p."slug" = ${scope.project} AND b."name" = ${scope.branch})`
    : scope.branchId === null
      ? null
      : Prisma.sql`${scope.branchId}`;
  const scopeColumns = named
    ? Prisma.sql`, v."environmentId" AS "scopeEnvironmentId", ${branchId ?? Prisma.sql`NULL`} AS "scopeBranchId",
        (SELECT r."revision" FROM "Environment" r WHERE r."id" = ${environmentId}) AS "scopeRevision"`
    : Prisma.empty;
  // Without a branch there are no overrides to join (PostgreSQL probed BranchOverride once per row: ~0.1 ms per 100).
  const overrides =
    branchId === null
      ? {
          columns: Prisma.sql`NULL AS "overrideId", NULL AS "overrideCiphertext", NULL AS "overrideKeyVersion", NULL AS "overrideValueVersion"${
            references ? Prisma.sql`, NULL AS "overrideReferences"` : Prisma.empty
          }`,
          join: Prisma.empty,
        }
      : {
          columns: Prisma.sql`o."id" AS "overrideId", ${hex(Prisma.sql`o."ciphertext"`)} AS "overrideCiphertext", o."keyVersion" AS "overrideKeyVersion", o."valueVersion" AS "overrideValueVersion"${
            references ? Prisma.sql`, o."references" AS "overrideReferences"` : Prisma.empty
          }`,
          join: Prisma.sql`LEFT JOIN "BranchOverride" o ON o."variableId" = v."id" AND o."branchId" = ${branchId}`,
        };
  return querySql<ValueRow & Partial<LayoutColumns>>(
    db,
    Prisma.sql`
    SELECT v."id", v."key", v."isSecret", ${hex(Prisma.sql`v."ciphertext"`)} AS "ciphertext", v."keyVersion", v."valueVersion",
      ${overrides.columns}${layoutColumns}${references ? Prisma.sql`, v."references"` : Prisma.empty}${scopeColumns}
    FROM "Variable" v ${overrides.join}
    WHERE v."environmentId" = ${environmentId}
    ORDER BY v."key" ASC`,
  );
}

/** One base value to insert or update: [id, key, isSecret, ciphertext as hex, references (JSON key list)]. */
export type ValueInsert = [id: string, key: string, isSecret: boolean, ciphertextHex: string, references: string];

/**
 * Inserts or updates base values of one environment in one statement; an existing row keeps
 * its type, its ciphertext and versions are replaced. The rows travel as ONE JSON parameter
 * that the database expands (json_each / json_array_elements): Prisma's cost per bound
 * parameter dominated with one parameter per column (10,000 rows took ~250 ms more).
 */
export async function upsertValueRows(
  tx: Pick<Tx, "$executeRaw">,
  provider: Provider,
  scope: { environmentId: string; keyVersion: number; valueVersion: number; now: Date },
  rows: readonly ValueInsert[],
): Promise<void> {
  const { environmentId, keyVersion, valueVersion, now } = scope;
  // PostgreSQL takes the rows as typed arrays (unnest): expanding a JSON parameter cost it ~3× the statement.
  const column = <T>(i: number) => rows.map((row) => row[i] as T);
  const select =
    provider === "sqlite"
      ? Prisma.sql`SELECT j.value ->> 0, ${environmentId}, j.value ->> 1, j.value ->> 2, unhex(j.value ->> 3), ${keyVersion}, ${valueVersion}, ${now}, ${now}, j.value ->> 4
          FROM json_each(${JSON.stringify(rows)}) AS j WHERE true`
      : Prisma.sql`SELECT t.id, ${environmentId}::text, t.key, t.secret, decode(t.hex, 'hex'), ${keyVersion}::integer, ${valueVersion}::integer, ${now}::timestamp(3), ${now}::timestamp(3), t.refs
          FROM unnest(${column<string>(0)}::text[], ${column<string>(1)}::text[], ${column<boolean>(2)}::boolean[], ${column<string>(3)}::text[], ${column<string>(4)}::text[]) AS t(id, key, secret, hex, refs)`;
  await executeSql(
    tx,
    Prisma.sql`
    INSERT INTO "Variable" ("id", "environmentId", "key", "isSecret", "ciphertext", "keyVersion", "valueVersion", "createdAt", "updatedAt", "references")
    ${select}
    ON CONFLICT ("environmentId", "key") DO UPDATE SET
      "ciphertext" = excluded."ciphertext", "keyVersion" = excluded."keyVersion", "valueVersion" = excluded."valueVersion", "updatedAt" = excluded."updatedAt",
      "references" = excluded."references"`,
  );
}
