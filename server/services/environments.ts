/** Environments: create (optionally seeded), delete, protect, and seed one from another. */
import type { Database, Tx } from "../db/client.js";
import { check, environmentName, isDefaultEnvironment, variableValue, type FieldError } from "../../core/names.js";
import { assertCan, projectAccess, type ProjectAccess } from "../authz/index.js";
import type { Actor } from "./actor.js";
import { assertValid, ConflictError, ValidationError } from "./errors.js";
import type { KeyRing } from "./keyring.js";
import { findEnvironment, type EnvironmentRow } from "./lookup.js";
import { bumpRevision, inTransaction, isUniqueViolation, staleRevision } from "./transaction.js";
import { loadValues, upsertBaseValues, type NewValue } from "./values.js";

export type SeedAction = "KEEP" | "EDIT" | "SKIP";

export interface SeedDecision {
  key: string;
  action: SeedAction;
  value?: string | null;
  secret?: boolean | null;
}

export interface SeedSummary {
  copied: string[];
  edited: string[];
  skipped: string[];
  typeKept: string[];
}

/**
 * What a seed writes: everything as-is without decisions, else the reviewed list, which
 * must cover every source variable exactly once (a stale review is an error, not a guess).
 */
function planSeed(source: { key: string; isSecret: boolean; value: string | null }[], decisions: SeedDecision[] | null | undefined, sourceName: string) {
  const summary: SeedSummary = { copied: [], edited: [], skipped: [], typeKept: [] };
  const writes: NewValue[] = [];
  if (!decisions) {
    for (const v of source) {
      writes.push({ key: v.key, value: v.value!, isSecret: v.isSecret });
      summary.copied.push(v.key);
    }
    return { writes, summary };
  }
  const errors: FieldError[] = [];
  const byKey = new Map(source.map((v) => [v.key, v]));
  const decided = new Set<string>();
  for (const [i, d] of decisions.entries()) {
    const path = ["decisions", String(i)];
    const v = byKey.get(d.key);
    if (!v) {
      errors.push({ path: [...path, "key"], message: `"${d.key}" is not a variable of "${sourceName}". Review the seed again.` });
    } else if (decided.has(d.key)) {
      errors.push({ path: [...path, "key"], message: `"${d.key}" has more than one decision.` });
    } else {
      decided.add(d.key);
      if (d.action === "SKIP") summary.skipped.push(d.key);
      else if (d.action === "KEEP" && v.isSecret)
        errors.push({ path: [...path, "action"], message: `"${d.key}" is a secret: its value cannot be kept or shown. Enter a new value (EDIT) or SKIP it.` });
      else if (d.action === "KEEP") {
        writes.push({ key: d.key, value: v.value!, isSecret: false });
        summary.copied.push(d.key);
      } else if (d.value == null) errors.push({ path: [...path, "value"], message: `EDIT of "${d.key}" needs a value.` });
      else {
        const bad = check(variableValue, d.value, [...path, "value"]);
        errors.push(...bad);
        if (!bad.length) {
          writes.push({ key: d.key, value: d.value, isSecret: d.secret ?? v.isSecret });
          summary.edited.push(d.key);
        }
      }
    }
  }
  for (const v of source)
    if (!decided.has(v.key)) errors.push({ path: ["decisions"], message: `"${v.key}" of "${sourceName}" has no decision (KEEP, EDIT or SKIP). The source changed since the review? Review again.` });
  assertValid(errors);
  return { writes, summary };
}

export function environmentService({ db, keys }: { db: Pick<Database, "provider" | "reader" | "writer">; keys: KeyRing }) {
  async function seedInto(tx: Tx, access: ProjectAccess, target: EnvironmentRow, source: EnvironmentRow, decisions: SeedDecision[] | null | undefined, expectedRevision?: number | null) {
    const projectId = access.project.id;
    const revision = await bumpRevision(tx, target, expectedRevision);
    const values = await loadValues(tx, keys, { provider: db.provider, projectId, environmentId: source.id }, { secrets: true });
    const plan = planSeed(values, decisions, source.name);
    const existing = new Map((await tx.variable.findMany({ where: { environmentId: target.id }, select: { key: true, isSecret: true } })).map((v) => [v.key, v.isSecret]));
    const writes = plan.writes.map((w) => {
      const current = existing.get(w.key);
      if (current === undefined || current === w.isSecret) return w;
      plan.summary.typeKept.push(w.key);
      return { ...w, isSecret: current };
    });
    // Copying a secret as-is into an existing standard variable would make its value readable.
    const sourceSecrets = new Set(values.filter((v) => v.isSecret).map((v) => v.key));
    const revealed = decisions ? [] : writes.filter((w) => !w.isSecret && sourceSecrets.has(w.key)).map((w) => w.key);
    if (revealed.length)
      throw new ValidationError(
        `${revealed.map((k) => `"${k}"`).join(", ")} ${revealed.length > 1 ? "are secrets" : "is a secret"} in "${source.name}" but standard in "${target.name}": copying would make the value readable. Review the seed (EDIT or SKIP), or delete the variable from "${target.name}" first.`,
        revealed.map((k) => ({ path: ["from"], message: `"${k}" is a secret in the source and standard in the target.` })),
      );
    const { activeKeyVersion } = await tx.project.findUniqueOrThrow({ where: { id: projectId }, select: { activeKeyVersion: true } });
    await upsertBaseValues(tx, keys, { provider: db.provider, projectId, environmentId: target.id, keyVersion: activeKeyVersion, valueVersion: revision }, writes);
    return { revision, summary: plan.summary };
  }

  return {
    async createEnvironment(actor: Actor, input: { project: string; name: string; from?: string | null; decisions?: SeedDecision[] | null; isProtected?: boolean | null }) {
      assertValid(check(environmentName, input.name, ["name"]));
      if (input.decisions && !input.from) throw new ValidationError("Seed decisions need a source environment: set `from`.", [{ path: ["from"], message: "Required with decisions." }]);
      const access = await projectAccess(db.reader, actor, input.project);
      assertCan(access, "environment:manage");
      const source = input.from ? await findEnvironment(db.reader, access, input.from) : null;
      if (source) assertCan(access, "variable:read-value", source);
      try {
        return await inTransaction(db.writer, async (tx) => {
          if (await tx.environment.findUnique({ where: { projectId_name: { projectId: access.project.id, name: input.name } }, select: { id: true } }))
            throw new ConflictError(`Environment "${input.name}" already exists in project "${access.project.slug}". Use "envplane env seed ${input.name} --from <env>" to fill it.`);
          const env = await tx.environment.create({
            data: { projectId: access.project.id, name: input.name, isProtected: input.isProtected ?? false },
            select: { id: true, name: true, isDefault: true, isProtected: true, revision: true },
          });
          if (!source) return { environment: env, seed: null };
          const { revision, summary } = await seedInto(tx, access, env, source, input.decisions);
          return { environment: { ...env, revision }, seed: summary };
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError(`Environment "${input.name}" already exists in project "${access.project.slug}".`);
        throw error;
      }
    },

    async deleteEnvironment(actor: Actor, input: { project: string; name: string }) {
      const access = await projectAccess(db.reader, actor, input.project);
      const env = await findEnvironment(db.reader, access, input.name);
      if (isDefaultEnvironment(env.name))
        throw new ValidationError(`"${env.name}" is a default environment and cannot be deleted (development, preview and production always exist). Only custom environments can be deleted.`, [
          { path: ["name"], message: "Default environments cannot be deleted." },
        ]);
      assertCan(access, "environment:manage");
      return inTransaction(db.writer, async (tx) => {
        const mapped = await tx.mappingEntry.findMany({ where: { environmentId: env.id }, select: { branch: true } });
        await tx.environment.delete({ where: { id: env.id } });
        return { name: env.name, unmappedBranches: mapped.map((m) => m.branch) };
      });
    },

    async updateEnvironment(actor: Actor, input: { project: string; name: string; isProtected: boolean }) {
      const access = await projectAccess(db.reader, actor, input.project);
      const env = await findEnvironment(db.reader, access, input.name);
      assertCan(access, "environment:manage");
      return inTransaction(db.writer, async (tx) => {
        await bumpRevision(tx, env);
        return tx.environment.update({ where: { id: env.id }, data: { isProtected: input.isProtected }, select: { id: true, name: true, isDefault: true, isProtected: true, revision: true } });
      });
    },

    async seedEnvironment(actor: Actor, input: { project: string; target: string; from: string; decisions?: SeedDecision[] | null; expectedRevision?: number | null; expectedSourceRevision?: number | null }) {
      if (input.target === input.from) throw new ValidationError(`Cannot seed "${input.target}" from itself. Pick another source.`, [{ path: ["from"], message: "Source and target are the same." }]);
      const access = await projectAccess(db.reader, actor, input.project);
      const target = await findEnvironment(db.reader, access, input.target);
      const source = await findEnvironment(db.reader, access, input.from);
      assertCan(access, "environment:write", target);
      assertCan(access, "variable:read-value", source);
      return inTransaction(db.writer, async (tx) => {
        if (input.expectedSourceRevision != null) {
          const { revision } = await tx.environment.findUniqueOrThrow({ where: { id: source.id }, select: { revision: true } });
          if (revision !== input.expectedSourceRevision) throw staleRevision(source.name, input.expectedSourceRevision, revision);
        }
        const { revision, summary } = await seedInto(tx, access, target, source, input.decisions, input.expectedRevision);
        return { environment: { ...target, revision }, seed: summary };
      });
    },
  };
}
