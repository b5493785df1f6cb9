/** Per-request DataLoaders for what plugin-prisma does not batch: the caller's access to projects. */
import DataLoader from "dataloader";
import type { Database } from "../db/client.js";
import type { Role } from "../../core/roles.js";
import type { ProjectAccess } from "../services/access.js";
import type { Actor } from "../services/actor.js";

export function createLoaders(db: Database, actor: Actor | null) {
  return {
    /** The caller's access to each project id; null when it has none. */
    access: new DataLoader<string, ProjectAccess | null>(async (ids) => {
      if (!actor) return ids.map(() => null);
      const projects = await db.reader.project.findMany({ where: { id: { in: [...ids] } }, select: { id: true, slug: true, name: true, activeKeyVersion: true } });
      const roles = new Map<string, Role>();
      if (actor.kind === "user") {
        const members = await db.reader.member.findMany({ where: { userId: actor.userId, projectId: { in: [...ids] } }, select: { projectId: true, role: true } });
        for (const m of members) roles.set(m.projectId, m.role as Role);
      }
      const byId = new Map(projects.map((p) => [p.id, p]));
      return ids.map((id) => {
        const project = byId.get(id);
        if (!project) return null;
        if (actor.kind === "service") return actor.projectId === id ? { actor, project, role: null } : null;
        const role = roles.get(id);
        return role ? { actor, project, role } : null;
      });
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
