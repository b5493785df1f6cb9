/** Per-request DataLoaders for what plugin-prisma does not batch: the caller's access to projects. */
import DataLoader from "dataloader";
import { accessByProjectIds, type ProjectAccess } from "../authz/index.js";
import type { Database } from "../db/client.js";
import type { Actor } from "../services/actor.js";

export function createLoaders(db: Database, actor: Actor | null) {
  return {
    /** The caller's access to each project id; null when it has none. */
    access: new DataLoader<string, ProjectAccess | null>(async (ids) =>
      actor ? accessByProjectIds(db.reader, actor, ids) : ids.map(() => null),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
