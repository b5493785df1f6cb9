/** Project-level SQL that Prisma's query API cannot express. */
import type { Db, Provider, Tx } from "./client.js";
import { querySql } from "./direct.js";
import { Prisma } from "./generated/sqlite/client.js";

/**
 * Locks the project row until the transaction ends, so concurrent transactions that call this
 * for one project run one after the other (e.g. membership changes and the "at least one
 * owner" rule). Returns false when the project no longer exists.
 * PostgreSQL: SELECT … FOR UPDATE; a waiting transaction's later statements see the winner's
 * commit (READ COMMITTED). SQLite: write transactions already run one at a time on the
 * writer's one connection (server/db/client.ts), so a plain read is enough.
 */
export async function lockProject(tx: Pick<Tx, "$queryRaw">, provider: Provider, projectId: string): Promise<boolean> {
  const rows =
    provider === "postgresql"
      ? await querySql<{ id: string }>(tx, Prisma.sql`SELECT "id" FROM "Project" WHERE "id" = ${projectId} FOR UPDATE`)
      : await querySql<{ id: string }>(tx, Prisma.sql`SELECT "id" FROM "Project" WHERE "id" = ${projectId}`);
  return rows.length === 1;
}

/** Projects with values (base or override) still sealed with an older data key version than the active one. */
export async function projectsWithStaleValues(db: Pick<Db, "$queryRaw">): Promise<string[]> {
  const rows = await db.$queryRaw<{ projectId: string }[]>`
    SELECT DISTINCT e."projectId" FROM "Variable" v
      JOIN "Environment" e ON e."id" = v."environmentId" JOIN "Project" p ON p."id" = e."projectId"
      LEFT JOIN "BranchOverride" o ON o."variableId" = v."id"
    WHERE v."keyVersion" < p."activeKeyVersion" OR o."keyVersion" < p."activeKeyVersion"
      OR v."noteKeyVersion" < p."activeKeyVersion"
    UNION
    SELECT DISTINCT e."projectId" FROM "RevisionChange" c
      JOIN "Environment" e ON e."id" = c."environmentId" JOIN "Project" p ON p."id" = e."projectId"
    WHERE c."keyVersion" < p."activeKeyVersion"`;
  return rows.map((r) => r.projectId);
}

/** A project row with a user's role in it (null when not a member), as the database returns it. */
export interface ProjectRoleRow {
  id: string;
  slug: string;
  name: string;
  activeKeyVersion: number | bigint;
  role: string | null;
}

/** A project by slug with `userId`'s role in it (null when not a member), in one statement. */
export async function projectWithRole(
  db: Pick<Db, "$queryRaw"> | Pick<Tx, "$queryRaw">,
  slug: string,
  userId: string,
): Promise<{ id: string; slug: string; name: string; activeKeyVersion: number; role: string | null } | null> {
  const rows = await querySql<ProjectRoleRow>(
    db,
    Prisma.sql`SELECT p."id", p."slug", p."name", p."activeKeyVersion", m."role" FROM "Project" p
      LEFT JOIN "Member" m ON m."projectId" = p."id" AND m."userId" = ${userId}
    WHERE p."slug" = ${slug}`,
  );
  const row = rows[0];
  return row ? { ...row, activeKeyVersion: Number(row.activeKeyVersion) } : null;
}

/** An environment of a project by name (the columns access checks need), in one raw statement (direct.ts). */
export async function environmentByName(
  db: Pick<Db, "$queryRaw"> | Pick<Tx, "$queryRaw">,
  projectId: string,
  name: string,
): Promise<{ id: string; name: string; isDefault: boolean; isProtected: boolean; revision: number } | null> {
  const rows = await querySql<{
    id: string;
    name: string;
    isDefault: boolean | number;
    isProtected: boolean | number;
    revision: number | bigint;
  }>(
    db,
    Prisma.sql`SELECT "id", "name", "isDefault", "isProtected", "revision" FROM "Environment"
    WHERE "projectId" = ${projectId} AND "name" = ${name} AND "kind" = 'environment'`,
  );
  const row = rows[0];
  return row
    ? {
        id: row.id,
        name: row.name,
        isDefault: Boolean(row.isDefault),
        isProtected: Boolean(row.isProtected),
        revision: Number(row.revision),
      }
    : null;
}

/** Increments an environment's revision and returns the new one (null when it no longer exists), in one statement. */
export async function incrementRevision(tx: Pick<Tx, "$queryRaw">, environmentId: string): Promise<number | null> {
  const rows = await querySql<{ revision: number | bigint }>(
    tx,
    Prisma.sql`
    UPDATE "Environment" SET "revision" = "revision" + 1, "updatedAt" = ${new Date()} WHERE "id" = ${environmentId}
    RETURNING "revision"`,
  );
  return rows.length ? Number(rows[0].revision) : null;
}
