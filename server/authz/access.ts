/**
 * Who the caller is in a project: loaded once per operation (services) or batched per
 * request (the GraphQL DataLoader). A project the caller cannot access does not exist
 * for it: the same "not found" whether it exists or not.
 */

import type { Role } from "../../core/roles.js";
import type { Db, Tx } from "../db/client.js";
import { querySql } from "../db/direct.js";
import { Prisma } from "../db/generated/sqlite/client.js";
import { type ProjectRoleRow, projectWithRole } from "../db/project-sql.js";
import type { Actor } from "../services/actor.js";
import { NotFoundError } from "../services/errors.js";
import type { ProjectAccess } from "./policy.js";

type Reader = Pick<Db, "project" | "member" | "$queryRaw"> | Pick<Tx, "project" | "member" | "$queryRaw">;

const projectSelect = { id: true, slug: true, name: true, activeKeyVersion: true } as const;

export const projectNotFound = (slug: string) =>
  new NotFoundError(
    `Project "${slug}" not found, or this token cannot access it. Run "envplane projects list" to see the projects you can access.`,
    "Project",
  );

/** Loads a project by slug for `actor`; throws "not found" when the actor cannot access it. */
export async function projectAccess(db: Reader, actor: Actor, slug: string): Promise<ProjectAccess> {
  if (actor.kind === "service") {
    const project = await db.project.findUnique({ where: { slug }, select: projectSelect });
    if (!project || actor.projectId !== project.id) throw projectNotFound(slug);
    return { actor, project, role: null };
  }
  const found = await projectWithRole(db, slug, actor.userId); // one statement
  if (!found?.role) throw projectNotFound(slug);
  const { role, ...project } = found;
  return { actor, project, role: role as Role };
}

/** An environment's columns the access checks need (as services/lookup.ts's findEnvironment returns them). */
export interface AccessEnvironment {
  id: string;
  name: string;
  isDefault: boolean;
  isProtected: boolean;
  revision: number;
}

/**
 * projectAccess and the environment `name` of that project (null when it has none) in one statement:
 * project, the caller's membership and the environment joined (issue 13: the lookups every pull makes).
 * Throws "not found" like projectAccess; what the caller may do with the environment is the caller's check.
 */
export async function projectEnvironmentAccess(
  db: Pick<Db, "$queryRaw"> | Pick<Tx, "$queryRaw">,
  actor: Actor,
  slug: string,
  name: string,
  branchName?: string | null,
): Promise<{
  access: ProjectAccess;
  environment: AccessEnvironment | null;
  /** With `branchName`: the project's branch of that name, or null. */
  branch: { id: string; name: string } | null;
}> {
  const userId = actor.kind === "user" ? actor.userId : "";
  const rows = await querySql<
    ProjectRoleRow & {
      envId: string | null;
      envName: string | null;
      isDefault: boolean | number | null;
      isProtected: boolean | number | null;
      revision: number | bigint | null;
      branchId: string | null;
      branchName: string | null;
    }
  >(
    db,
    Prisma.sql`SELECT p."id", p."slug", p."name", p."activeKeyVersion", m."role",
      e."id" AS "envId", e."name" AS "envName", e."isDefault", e."isProtected", e."revision",
      b."id" AS "branchId", b."name" AS "branchName"
    FROM "Project" p
      LEFT JOIN "Member" m ON m."projectId" = p."id" AND m."userId" = ${userId}
      LEFT JOIN "Environment" e ON e."projectId" = p."id" AND e."name" = ${name} AND e."kind" = 'environment'
      LEFT JOIN "ProjectBranch" b ON b."projectId" = p."id" AND b."name" = ${branchName ?? null}
    WHERE p."slug" = ${slug}`,
  );
  const row = rows[0];
  if (!row) throw projectNotFound(slug);
  const project = { id: row.id, slug: row.slug, name: row.name, activeKeyVersion: Number(row.activeKeyVersion) };
  let access: ProjectAccess;
  if (actor.kind === "service") {
    if (actor.projectId !== project.id) throw projectNotFound(slug);
    access = { actor, project, role: null };
  } else {
    if (!row.role) throw projectNotFound(slug);
    access = { actor, project, role: row.role as Role };
  }
  const environment =
    row.envId === null
      ? null
      : {
          id: row.envId,
          name: row.envName!,
          isDefault: Boolean(row.isDefault),
          isProtected: Boolean(row.isProtected),
          revision: Number(row.revision),
        };
  const branch = row.branchId === null ? null : { id: row.branchId, name: row.branchName! };
  return { access, environment, branch };
}

/** The caller's access to each of `ids` (null where it has none), in two statements at most. */
export async function accessByProjectIds(
  db: Reader,
  actor: Actor,
  ids: readonly string[],
): Promise<(ProjectAccess | null)[]> {
  const visible = actor.kind === "service" ? ids.filter((id) => id === actor.projectId) : ids;
  if (!visible.length) return ids.map(() => null);
  const projects = await db.project.findMany({ where: { id: { in: [...new Set(visible)] } }, select: projectSelect });
  const roles = new Map<string, Role>();
  if (actor.kind === "user") {
    const members = await db.member.findMany({
      where: { userId: actor.userId, projectId: { in: projects.map((p) => p.id) } },
      select: { projectId: true, role: true },
    });
    for (const m of members) roles.set(m.projectId, m.role as Role);
  }
  const byId = new Map(projects.map((p) => [p.id, p]));
  return ids.map((id) => {
    const project = byId.get(id);
    if (!project) return null;
    if (actor.kind === "service") return { actor, project, role: null };
    const role = roles.get(id);
    return role ? { actor, project, role } : null;
  });
}
