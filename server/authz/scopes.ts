/**
 * Read scopes: the policy as Prisma `where` fragments, so lists and lookups return only
 * what the caller may see (in the query, not by filtering afterwards).
 */
import type { Actor } from "../services/actor.js";

const nothing = { id: { in: [] as string[] } };

/** Projects the caller can access. */
export function projectScope(actor: Actor) {
  return actor.kind === "service" ? { id: actor.projectId } : { members: { some: { userId: actor.userId } } };
}

/** Environments the caller sees inside an accessible project (service tokens: only theirs); never `_shared`. */
export function environmentScope(actor: Actor | null) {
  const kind = "environment";
  return actor?.kind === "service" && actor.environmentIds ? { id: { in: [...actor.environmentIds] }, kind } : { kind };
}

/** Base variables whose keys and standard values the caller may list (`variable:read-value`). */
export function variableScope(actor: Actor | null) {
  if (!actor) return nothing;
  if (actor.kind === "user") return {};
  if (!actor.permissions.has("read")) return nothing;
  return actor.environmentIds ? { environmentId: { in: [...actor.environmentIds] } } : {};
}

/** Members the caller may list: personal tokens of members only (`member:read`). */
export function memberScope(actor: Actor | null) {
  // Member has no `id` (its key is projectId + userId): `nothing` would be an invalid filter here.
  return actor?.kind === "user" ? {} : { userId: { in: [] as string[] } };
}
