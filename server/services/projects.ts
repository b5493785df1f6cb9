/** Projects: creation with the default branches, environments and mapping; deletion. */

import { DEFAULT_MAPPING } from "../../core/mapping.js";
import { check, DEFAULT_BRANCHES, DEFAULT_ENVIRONMENTS, displayName, projectSlug } from "../../core/names.js";
import { assertCanOnInstance } from "../authz/index.js";
import type { WritePath } from "../events/index.js";
import type { Actor } from "./actor.js";
import { assertValid, ConflictError } from "./errors.js";
import type { KeyRing } from "./keyring.js";

export function projectService({ keys, writes }: { keys: KeyRing; writes: WritePath }) {
  return {
    async createProject(actor: Actor, input: { slug: string; name?: string | null }) {
      assertCanOnInstance(actor, "project:create");
      const name = input.name ?? input.slug;
      assertValid([...check(projectSlug, input.slug, ["slug"]), ...check(displayName, name, ["name"])]);
      return writes.run({ actor, action: "project.create" }, async ({ tx, record }) => {
        if (await tx.project.findUnique({ where: { slug: input.slug }, select: { id: true } }))
          throw new ConflictError(`A project with slug "${input.slug}" already exists. Pick another slug.`);
        const project = await tx.project.create({ data: { slug: input.slug, name: name.trim() } });
        await tx.projectKey.create({ data: keys.newProjectKey(project.id, 1) });
        await tx.member.create({ data: { projectId: project.id, userId: actor.userId, role: "owner" } });
        await tx.projectBranch.createMany({
          data: DEFAULT_BRANCHES.map((branch) => ({ projectId: project.id, name: branch })),
        });
        for (const envName of DEFAULT_ENVIRONMENTS)
          await tx.environment.create({
            data: { projectId: project.id, name: envName, isDefault: true, isProtected: envName === "production" },
          });
        const envs = await tx.environment.findMany({
          where: { projectId: project.id },
          select: { id: true, name: true },
        });
        const envId = new Map(envs.map((e) => [e.name, e.id]));
        await tx.mappingEntry.createMany({
          data: DEFAULT_MAPPING.map((rule, position) => ({
            projectId: project.id,
            environmentId: envId.get(rule.environment)!,
            branch: rule.branch,
            position,
          })),
        });
        record({ projectId: project.id, metadata: { slug: project.slug, name: project.name } });
        return project;
      });
    },

    async deleteProject(actor: Actor, input: { slug: string }) {
      // Serialized with membership changes; the event outlives the project (no foreign key).
      await writes.run(
        { actor, action: "project.delete", project: input.slug, permission: "project:delete", serializeProject: true },
        async ({ tx, access, record }) => {
          await tx.project.delete({ where: { id: access.project.id } });
          record({ metadata: { slug: access.project.slug, name: access.project.name } });
        },
      );
      return { slug: input.slug };
    },
  };
}
