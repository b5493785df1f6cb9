/** Project branches and the branch -> environment mapping. */
import type { Database } from "../db/client.js";
import { resolveBranch, validateMapping, type MappingRule } from "../../core/mapping.js";
import { branchName, check } from "../../core/names.js";
import { assertCan, projectAccess } from "../authz/index.js";
import type { Actor } from "./actor.js";
import { assertValid, ConflictError, ValidationError } from "./errors.js";
import { findBranch } from "./lookup.js";
import { inTransaction, isUniqueViolation } from "./transaction.js";

export async function loadMapping(db: Pick<Database["reader"], "mappingEntry">, projectId: string): Promise<MappingRule[]> {
  const rows = await db.mappingEntry.findMany({ where: { projectId }, orderBy: { position: "asc" }, select: { branch: true, environment: { select: { name: true } } } });
  return rows.map((r) => ({ branch: r.branch, environment: r.environment.name }));
}

export function branchService({ db }: { db: Pick<Database, "reader" | "writer"> }) {
  return {
    /** Creating a branch is allowed to whoever may write the environment it maps to (the GitHub-push path). */
    async createBranch(actor: Actor, input: { project: string; name: string }) {
      assertValid(check(branchName, input.name, ["name"]));
      const access = await projectAccess(db.reader, actor, input.project);
      const target = resolveBranch(await loadMapping(db.reader, access.project.id), input.name).environment;
      const env = await db.reader.environment.findUnique({ where: { projectId_name: { projectId: access.project.id, name: target } }, select: { id: true, name: true, isProtected: true } });
      if (env) assertCan(access, "environment:write", env);
      else assertCan(access, "branch:manage");
      try {
        return await inTransaction(db.writer, async (tx) => {
          if (await tx.projectBranch.findUnique({ where: { projectId_name: { projectId: access.project.id, name: input.name } }, select: { id: true } }))
            throw new ConflictError(`Project branch "${input.name}" already exists in project "${access.project.slug}".`);
          return tx.projectBranch.create({ data: { projectId: access.project.id, name: input.name } });
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError(`Project branch "${input.name}" already exists in project "${access.project.slug}".`);
        throw error;
      }
    },

    async deleteBranch(actor: Actor, input: { project: string; name: string }) {
      const access = await projectAccess(db.reader, actor, input.project);
      assertCan(access, "branch:manage");
      const branch = await findBranch(db.reader, access, input.name);
      if (branch.name === "main")
        throw new ValidationError('"main" is the production branch and cannot be deleted.', [{ path: ["name"], message: "main cannot be deleted." }]);
      return inTransaction(db.writer, async (tx) => {
        // Removing overrides is a write to their environments: move their revisions on.
        await tx.environment.updateMany({
          where: { projectId: access.project.id, variables: { some: { overrides: { some: { branchId: branch.id } } } } },
          data: { revision: { increment: 1 }, updatedAt: new Date() },
        });
        const overridesRemoved = await tx.branchOverride.count({ where: { branchId: branch.id } });
        await tx.projectBranch.delete({ where: { id: branch.id } });
        return { name: branch.name, overridesRemoved };
      });
    },

    async updateBranchMapping(actor: Actor, input: { project: string; entries: MappingRule[] }) {
      const access = await projectAccess(db.reader, actor, input.project);
      assertCan(access, "mapping:manage");
      const envs = await db.reader.environment.findMany({ where: { projectId: access.project.id }, select: { id: true, name: true } });
      const { rules, errors } = validateMapping(input.entries, envs.map((e) => e.name));
      assertValid(errors);
      const envId = new Map(envs.map((e) => [e.name, e.id]));
      await inTransaction(db.writer, async (tx) => {
        await tx.mappingEntry.deleteMany({ where: { projectId: access.project.id } });
        await tx.mappingEntry.createMany({ data: rules.map((r, position) => ({ projectId: access.project.id, environmentId: envId.get(r.environment)!, branch: r.branch, position })) });
      });
      return rules;
    },
  };
}
