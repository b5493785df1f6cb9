/**
 * Who may read and write project-shared variables (the hidden `_shared` environment): its own module,
 * so references.ts (write checks) and shared.ts (the service) both use it without importing each other.
 */
import { can, type ProjectAccess } from "../authz/index.js";
import type { Tx } from "../db/client.js";

export const SHARED_ENVIRONMENT = "_shared";

/** A reader or a write transaction: the checks only count environments. */
type Reader = Pick<Tx, "environment">;

/** Whether the caller may list project variables (keys): people of the project, tokens for all environments. */
export function canReadShared(access: ProjectAccess): boolean {
  const { actor } = access;
  if (actor.kind === "service") return actor.environmentIds === null;
  return access.role !== null;
}

/** Whether the caller may read their standard values. */
export function canReadSharedValues(access: ProjectAccess): boolean {
  const { actor } = access;
  return canReadShared(access) && (actor.kind !== "service" || actor.permissions.has("read"));
}

async function anyProtected(db: Reader, projectId: string): Promise<boolean> {
  return (await db.environment.count({ where: { projectId, kind: "environment", isProtected: true } })) > 0;
}

/** Whether the caller may write project variables: as if `_shared` were protected when any environment is. */
export async function canWriteShared(db: Reader, access: ProjectAccess): Promise<boolean> {
  const { actor } = access;
  if (actor.kind === "service") return actor.environmentIds === null && actor.permissions.has("write");
  const isProtected = await anyProtected(db, access.project.id);
  return can(access, "environment:write", { id: "", name: SHARED_ENVIRONMENT, isProtected });
}
