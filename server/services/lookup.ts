/** Finding environments and project branches by name, with errors that say what exists. */

import { can, type ProjectAccess, projectEnvironmentAccess } from "../authz/index.js";
import type { Db, Tx } from "../db/client.js";
import { environmentByName } from "../db/project-sql.js";
import type { Actor } from "./actor.js";
import { NotFoundError } from "./errors.js";

type Client =
  | Pick<Tx, "environment" | "projectBranch" | "$queryRaw">
  | Pick<Db, "environment" | "projectBranch" | "$queryRaw">;

export interface EnvironmentRow {
  id: string;
  name: string;
  isDefault: boolean;
  isProtected: boolean;
  revision: number;
}

export async function findEnvironment(db: Client, access: ProjectAccess, name: string): Promise<EnvironmentRow> {
  return visibleEnvironment(access, await environmentByName(db, access.project.id, name), name);
}

/**
 * projectAccess and findEnvironment in one statement (server/authz/access.ts), with their errors; with `branch`, the
 * project's branch of that name too (null when there is none: the caller throws `branchNotFound` after its checks).
 */
export async function findProjectEnvironment(
  db: Pick<Client, "$queryRaw">,
  actor: Actor,
  project: string,
  name: string,
  branch?: string | null,
): Promise<{ access: ProjectAccess; env: EnvironmentRow; branch: { id: string; name: string } | null }> {
  const found = await projectEnvironmentAccess(db, actor, project, name, branch);
  return { access: found.access, env: visibleEnvironment(found.access, found.environment, name), branch: found.branch };
}

function visibleEnvironment(access: ProjectAccess, env: EnvironmentRow | null, name: string): EnvironmentRow {
  if (env && can(access, "environment:read", env)) return env;
  // A token limited to some environments hears the same answer whether the environment exists or not.
  const limited = access.actor.kind === "service" && access.actor.environmentIds !== null;
  throw new NotFoundError(
    limited
      ? `Environment "${name}" not found in project "${access.project.slug}", or this token may not use it: the token ` +
          `is limited to some of the project's environments (an admin sees which with "envplane tokens list").`
      : `Environment "${name}" not found in project "${access.project.slug}". Run "envplane env list-environments" to see them.`,
    "Environment",
  );
}

export async function findBranch(
  db: Client,
  access: ProjectAccess,
  name: string,
): Promise<{ id: string; name: string }> {
  const branch = await db.projectBranch.findUnique({
    where: { projectId_name: { projectId: access.project.id, name } },
    select: { id: true, name: true },
  });
  if (branch) return branch;
  throw branchNotFound(access, name);
}

export function branchNotFound(access: ProjectAccess, name: string): NotFoundError {
  return new NotFoundError(
    `Project branch "${name}" not found in project "${access.project.slug}". ` +
      `Run "envplane branch list", or create it with "envplane branch create ${name}".`,
    "ProjectBranch",
  );
}
