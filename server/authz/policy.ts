/**
 * The permission policy: `can(access, action, environment?)` answers every question of the
 * form "may this caller do that here", and `assertCan` turns a "no" into a ForbiddenError
 * that says what is missing. Personal tokens act with the user's role in the project;
 * service tokens carry their own permissions for a set of environments of one project.
 */
import { type Role, roleAtLeast, type ServicePermission } from "../../core/roles.js";
import type { Actor } from "../services/actor.js";
import { ForbiddenError } from "../services/errors.js";
import type { EnvironmentAction, InstanceAction, ProjectAction } from "./actions.js";

export interface ProjectAccess {
  /** The caller; the system acting for a project (a GitHub delivery, server/services/git.ts) has an admin's role. */
  actor: Actor | { kind: "system"; name?: string };
  project: { id: string; slug: string; name: string; activeKeyVersion: number };
  /** The user's role; null for service tokens. */
  role: Role | null;
}

export interface EnvironmentRef {
  id: string;
  name: string;
  isProtected: boolean;
}

type ServiceActor = Extract<Actor, { kind: "service" }>;

/** The least role each project action needs; null: no personal role is enough (not used yet). */
const PROJECT_ROLE: Record<ProjectAction, Role> = {
  "project:read": "viewer",
  "project:delete": "owner",
  "environment:manage": "admin",
  "branch:manage": "admin",
  "mapping:manage": "admin",
  "token:manage": "admin",
  "member:read": "viewer",
  "member:manage": "admin",
  "member:grant-owner": "owner",
  "key:rotate": "admin",
  "webhook:manage": "admin",
  "audit:read": "admin",
  "git:manage": "admin",
};

/** The service-token permission each environment action needs (tokens never manage a project). */
const SERVICE_PERMISSION: Record<Exclude<EnvironmentAction, "environment:read">, ServicePermission> = {
  "variable:read-value": "read",
  "environment:write": "write",
  "runtime:resolve": "runtime",
};

function tokenCoversEnvironment(actor: ServiceActor, env: { id: string }): boolean {
  return actor.environmentIds === null || actor.environmentIds.has(env.id);
}

export function can(access: ProjectAccess, action: ProjectAction): boolean;
export function can(access: ProjectAccess, action: EnvironmentAction, env: EnvironmentRef | { id: string }): boolean;
export function can(
  access: ProjectAccess,
  action: ProjectAction | EnvironmentAction,
  env?: EnvironmentRef | { id: string },
): boolean {
  const { actor, role } = access;
  if (env === undefined) {
    const projectAction = action as ProjectAction;
    // A service token of the project may see it; it manages nothing and lists no people.
    if (actor.kind === "service") return projectAction === "project:read";
    return roleAtLeast(role, PROJECT_ROLE[projectAction]);
  }
  const envAction = action as EnvironmentAction;
  if (actor.kind === "service") {
    if (!tokenCoversEnvironment(actor, env)) return false;
    return envAction === "environment:read" || actor.permissions.has(SERVICE_PERMISSION[envAction]);
  }
  switch (envAction) {
    case "environment:read":
    case "variable:read-value":
      return roleAtLeast(role, "viewer");
    case "environment:write":
      return "isProtected" in env && env.isProtected ? roleAtLeast(role, "admin") : roleAtLeast(role, "developer");
    case "runtime:resolve":
      // Runtime resolution returns secrets: never to a person.
      return false;
  }
}

const PROJECT_WHAT: Record<ProjectAction, string> = {
  "project:read": "see this project",
  "project:delete": "delete the project",
  "environment:manage": "manage environments",
  "branch:manage": "manage branches",
  "mapping:manage": "change the branch mapping",
  "token:manage": "manage service tokens",
  "member:read": "list members",
  "member:manage": "manage members",
  "member:grant-owner": "grant or change the owner role",
  "key:rotate": "rotate the project's encryption key",
  "webhook:manage": "manage webhooks",
  "audit:read": "read the audit log",
  "git:manage": "connect GitHub",
};

function projectDenied(access: ProjectAccess, action: ProjectAction): ForbiddenError {
  const { actor, project, role } = access;
  const what = PROJECT_WHAT[action];
  if (actor.kind === "service")
    return new ForbiddenError(
      `Service tokens cannot ${what}. Use a personal token of an admin or owner of project "${project.slug}".`,
    );
  if (PROJECT_ROLE[action] === "owner")
    return new ForbiddenError(`Only owners of project "${project.slug}" can ${what}.`);
  return new ForbiddenError(`Only admins and owners of project "${project.slug}" can ${what} (your role: ${role}).`);
}

function environmentDenied(access: ProjectAccess, action: EnvironmentAction, env: EnvironmentRef): ForbiddenError {
  const { actor, project, role } = access;
  if (action === "runtime:resolve") {
    if (actor.kind === "user")
      return new ForbiddenError(
        "Runtime resolution returns secrets and needs a service token with the runtime permission; " +
          'personal tokens cannot use it. Create one with "envplane tokens create --name runtime --permission runtime".',
      );
    return new ForbiddenError(
      `This service token has no runtime permission on environment "${env.name}" of project "${project.slug}".`,
    );
  }
  if (action === "environment:write") {
    if (actor.kind === "service")
      return new ForbiddenError(
        `This service token has no write permission on environment "${env.name}" of project "${project.slug}". ` +
          `Create a token with --permission write for it.`,
      );
    if (env.isProtected && roleAtLeast(role, "developer"))
      return new ForbiddenError(
        `Environment "${env.name}" is protected: only admins and owners of project "${project.slug}" can change it ` +
          `(your role: ${role}). Ask an admin.`,
      );
    return new ForbiddenError(
      `Your role "${role}" in project "${project.slug}" is read-only. Ask an admin for the developer role.`,
    );
  }
  return new ForbiddenError(
    `This token has no read permission on environment "${env.name}" of project "${project.slug}".`,
  );
}

export function assertCan(access: ProjectAccess, action: ProjectAction): void;
export function assertCan(access: ProjectAccess, action: EnvironmentAction, env: EnvironmentRef): void;
export function assertCan(
  access: ProjectAccess,
  action: ProjectAction | EnvironmentAction,
  env?: EnvironmentRef,
): void {
  if (env === undefined) {
    if (!can(access, action as ProjectAction)) throw projectDenied(access, action as ProjectAction);
  } else if (!can(access, action as EnvironmentAction, env))
    throw environmentDenied(access, action as EnvironmentAction, env);
}

/** Instance actions: people only (service tokens act inside their project); managing users needs an instance admin. */
export function canOnInstance(actor: Actor, action: InstanceAction): boolean {
  if (actor.kind !== "user") return false;
  return action === "user:manage" ? actor.isInstanceAdmin : true;
}

const INSTANCE_DENIED: Record<InstanceAction, string> = {
  "project:create": "Service tokens cannot create projects. Use a personal token.",
  "token:create": "Service tokens cannot create or revoke tokens. Use a personal token.",
  "user:manage": "Only instance admins can manage users and their tokens.",
};

export function assertCanOnInstance(
  actor: Actor,
  action: InstanceAction,
  message = INSTANCE_DENIED[action],
): asserts actor is Extract<Actor, { kind: "user" }> {
  if (!canOnInstance(actor, action)) throw new ForbiddenError(message);
}
