/**
 * Authorization: finds the project an actor may see and checks each operation against
 * the actor's role (personal tokens) or permissions and environments (service tokens).
 */
import type { Db, Tx } from "../db/client.js";
import { roleAtLeast, roleCanWrite, type Role, type ServicePermission } from "../../core/roles.js";
import type { Actor } from "./actor.js";
import { ForbiddenError, NotFoundError } from "./errors.js";

export interface ProjectAccess {
  actor: Actor;
  project: { id: string; slug: string; name: string; activeKeyVersion: number };
  /** The user's role; null for service tokens. */
  role: Role | null;
}

export interface EnvironmentRef {
  id: string;
  name: string;
  isProtected: boolean;
}

type Reader = Pick<Db, "project" | "member">;

const projectNotFound = (slug: string) =>
  new NotFoundError(`Project "${slug}" not found, or this token cannot access it. Run "envplane projects list" to see the projects you can access.`, "Project");

/** Loads a project by slug for `actor`. A project the actor cannot access is reported as not found. */
export async function projectAccess(db: Reader | Pick<Tx, "project" | "member">, actor: Actor, slug: string): Promise<ProjectAccess> {
  const project = await db.project.findUnique({ where: { slug }, select: { id: true, slug: true, name: true, activeKeyVersion: true } });
  if (!project) throw projectNotFound(slug);
  if (actor.kind === "service") {
    if (actor.projectId !== project.id) throw projectNotFound(slug);
    return { actor, project, role: null };
  }
  const member = await db.member.findUnique({ where: { projectId_userId: { projectId: project.id, userId: actor.userId } }, select: { role: true } });
  if (!member) throw projectNotFound(slug);
  return { actor, project, role: member.role as Role };
}

function tokenCovers(actor: Extract<Actor, { kind: "service" }>, env: EnvironmentRef, permission: ServicePermission): boolean {
  return actor.permissions.has(permission) && (actor.environmentIds === null || actor.environmentIds.has(env.id));
}

/** Whether the actor sees the environment at all (service tokens see only their environments). */
export function canSeeEnvironment(access: ProjectAccess, env: { id: string }): boolean {
  const { actor } = access;
  return actor.kind === "user" || actor.environmentIds === null || actor.environmentIds.has(env.id);
}

export function canRead(access: ProjectAccess, env: EnvironmentRef): boolean {
  return access.actor.kind === "user" ? roleAtLeast(access.role, "viewer") : tokenCovers(access.actor, env, "read");
}

export function canWrite(access: ProjectAccess, env: EnvironmentRef): boolean {
  return access.actor.kind === "user" ? roleCanWrite(access.role, env) : tokenCovers(access.actor, env, "write");
}

export function assertCanRead(access: ProjectAccess, env: EnvironmentRef): void {
  if (!canRead(access, env)) throw new ForbiddenError(`This token has no read permission on environment "${env.name}" of project "${access.project.slug}".`);
}

export function assertCanWrite(access: ProjectAccess, env: EnvironmentRef): void {
  if (canWrite(access, env)) return;
  const { actor, project } = access;
  if (actor.kind === "service") throw new ForbiddenError(`This service token has no write permission on environment "${env.name}" of project "${project.slug}". Create a token with --permission write for it.`);
  if (env.isProtected && roleAtLeast(access.role, "developer"))
    throw new ForbiddenError(`Environment "${env.name}" is protected: only admins and owners of project "${project.slug}" can change it (your role: ${access.role}). Ask an admin.`);
  throw new ForbiddenError(`Your role "${access.role}" in project "${project.slug}" is read-only. Ask an admin for the developer role.`);
}

/** Runtime resolution returns secrets: only service tokens with the runtime permission may do it. */
export function assertCanRuntime(access: ProjectAccess, env: EnvironmentRef): void {
  const { actor, project } = access;
  if (actor.kind === "user")
    throw new ForbiddenError(`Runtime resolution returns secrets and needs a service token with the runtime permission; personal tokens cannot use it. Create one with "envplane tokens create --permission runtime".`);
  if (!tokenCovers(actor, env, "runtime"))
    throw new ForbiddenError(`This service token has no runtime permission on environment "${env.name}" of project "${project.slug}".`);
}

export function isAdmin(access: ProjectAccess): boolean {
  return access.actor.kind === "user" && roleAtLeast(access.role, "admin");
}

export function assertAdmin(access: ProjectAccess, what: string): void {
  if (!isAdmin(access))
    throw new ForbiddenError(
      access.actor.kind === "service"
        ? `Service tokens cannot ${what}. Use a personal token of an admin or owner of project "${access.project.slug}".`
        : `Only admins and owners of project "${access.project.slug}" can ${what} (your role: ${access.role}).`,
    );
}

export function assertOwner(access: ProjectAccess, what: string): void {
  if (access.actor.kind !== "user" || access.role !== "owner")
    throw new ForbiddenError(`Only owners of project "${access.project.slug}" can ${what}.`);
}
