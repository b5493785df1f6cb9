/** Project-level SQL that Prisma's query API cannot express. */
import type { Db, Provider, Tx } from "./client.js";

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
      ? await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "Project" WHERE "id" = ${projectId} FOR UPDATE`
      : await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "Project" WHERE "id" = ${projectId}`;
  return rows.length === 1;
}

/** Projects with values (base or override) still sealed with an older data key version than the active one. */
export async function projectsWithStaleValues(db: Pick<Db, "$queryRaw">): Promise<string[]> {
  const rows = await db.$queryRaw<{ projectId: string }[]>`
    SELECT DISTINCT e."projectId" FROM "Variable" v
      JOIN "Environment" e ON e."id" = v."environmentId" JOIN "Project" p ON p."id" = e."projectId"
      LEFT JOIN "BranchOverride" o ON o."variableId" = v."id"
    WHERE v."keyVersion" < p."activeKeyVersion" OR o."keyVersion" < p."activeKeyVersion"`;
  return rows.map((r) => r.projectId);
}
