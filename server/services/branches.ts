/** Project branches and the branch -> environment mapping. */

import { type MappingRule, resolveBranch, validateMapping } from "../../core/mapping.js";
import { branchName, check } from "../../core/names.js";
import { assertCan, type ProjectAccess } from "../authz/index.js";
import type { Database } from "../db/client.js";
import type { WritePath } from "../events/index.js";
import type { Actor } from "./actor.js";
import { assertValid, ConflictError, ValidationError } from "./errors.js";
import { findBranch } from "./lookup.js";
import { deletePreviewOf } from "./preview-of.js";
import { isUniqueViolation } from "./transaction.js";

export async function loadMapping(
  db: Pick<Database["reader"], "mappingEntry">,
  projectId: string,
): Promise<MappingRule[]> {
  const rows = await db.mappingEntry.findMany({
    where: { projectId },
    orderBy: { position: "asc" },
    select: { branch: true, environment: { select: { name: true } } },
  });
  return rows.map((r) => ({ branch: r.branch, environment: r.environment.name }));
}

export function branchService({ db, writes }: { db: Pick<Database, "reader">; writes: WritePath }) {
  return {
    /** Creating a branch is allowed to whoever may write the environment it maps to (the GitHub-push path). */
    async createBranch(actor: Actor, input: { project: string; name: string }) {
      assertValid(check(branchName, input.name, ["name"]));
      const authorize = async ({ access }: { access: ProjectAccess }) => {
        const target = resolveBranch(await loadMapping(db.reader, access.project.id), input.name).environment;
        const env = await db.reader.environment.findUnique({
          where: { projectId_name: { projectId: access.project.id, name: target } },
          select: { id: true, name: true, isProtected: true },
        });
        if (env) assertCan(access, "environment:write", env);
        else assertCan(access, "branch:manage");
      };
      const exists = () =>
        new ConflictError(`Project branch "${input.name}" already exists in project "${input.project}".`);
      try {
        return await writes.run(
          { actor, action: "branch.create", project: input.project, authorize },
          async ({ tx, access, record }) => {
            if (
              await tx.projectBranch.findUnique({
                where: { projectId_name: { projectId: access.project.id, name: input.name } },
                select: { id: true },
              })
            )
              throw exists();
            const branch = await tx.projectBranch.create({ data: { projectId: access.project.id, name: input.name } });
            record({ branchId: branch.id, metadata: { name: branch.name } });
            return branch;
          },
        );
      } catch (error) {
        if (isUniqueViolation(error)) throw exists();
        throw error;
      }
    },

    async deleteBranch(actor: Actor, input: { project: string; name: string }) {
      let branch: { id: string; name: string } | null = null;
      const authorize = async ({ access }: { access: ProjectAccess }) => {
        branch = await findBranch(db.reader, access, input.name);
        if (branch.name === "main")
          throw new ValidationError('"main" is the production branch and cannot be deleted.', [
            { path: ["name"], message: "main cannot be deleted." },
          ]);
      };
      return writes.run(
        { actor, action: "branch.delete", project: input.project, permission: "branch:manage", authorize },
        async (uow) => {
          const { tx, record } = uow;
          const { id, name } = branch!;
          // Its preview environment (if any) goes first, with its values and mapping entry.
          const preview = await deletePreviewOf(tx, id);
          // Removing overrides is a write to their environments: move their revisions on (one revision each, with its history).
          const touched = (await uow.removingBranch(id)).map((e) => ({ id: e.environmentId }));
          const overridesRemoved = await tx.branchOverride.count({ where: { branchId: id } });
          await tx.projectBranch.delete({ where: { id } });
          record({
            branchId: id,
            metadata: {
              name,
              overridesRemoved,
              environmentIds: touched.map((e) => e.id),
              preview: preview?.name ?? null,
              previewId: preview?.id ?? null,
            },
          });
          return { name, overridesRemoved, previewDeleted: preview?.name ?? null };
        },
      );
    },

    async updateBranchMapping(actor: Actor, input: { project: string; entries: MappingRule[] }) {
      let envId = new Map<string, string>();
      let rules: MappingRule[] = [];
      const authorize = async ({ access }: { access: ProjectAccess }) => {
        const envs = await db.reader.environment.findMany({
          where: { projectId: access.project.id, kind: "environment" },
          select: { id: true, name: true },
        });
        const validated = validateMapping(
          input.entries,
          envs.map((e) => e.name),
        );
        assertValid(validated.errors);
        rules = validated.rules;
        envId = new Map(envs.map((e) => [e.name, e.id]));
      };
      return writes.run(
        { actor, action: "mapping.set", project: input.project, permission: "mapping:manage", authorize },
        async ({ tx, access, record }) => {
          await tx.mappingEntry.deleteMany({ where: { projectId: access.project.id } });
          await tx.mappingEntry.createMany({
            data: rules.map((r, position) => ({
              projectId: access.project.id,
              environmentId: envId.get(r.environment)!,
              branch: r.branch,
              position,
            })),
          });
          record({ metadata: { entries: rules.map((r) => ({ branch: r.branch, environment: r.environment })) } });
          return rules;
        },
      );
    },
  };
}
