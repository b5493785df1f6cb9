/** Environments: create (optionally seeded), delete, protect, and seed one from another. */

import { MAX_BULK_ITEMS } from "../../core/limits.js";
import {
  check,
  environmentName,
  type FieldError,
  isDefaultEnvironment,
  PREVIEW_PREFIX,
  variableValue,
} from "../../core/names.js";
import { assertCan, can, type ProjectAccess } from "../authz/index.js";
import type { Database } from "../db/client.js";
import type { UnitOfWork, WritePath } from "../events/index.js";
import type { Actor } from "./actor.js";
import { leaveManaged, managedOfCopy } from "./bindings.js";
import { assertValid, ConflictError, ValidationError } from "./errors.js";
import { type EnvironmentRow, findEnvironment } from "./lookup.js";
import { copyNotes } from "./notes.js";
import { isUniqueViolation, staleRevision } from "./transaction.js";
import type { NewValue, ValueStore } from "./values.js";

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
  /**
   * Secrets of the source left out (also listed in `skipped`) because the caller may read the
   * source but not write it: copying them would move its secrets where other tokens read them.
   */
  skippedSecrets: string[];
  typeKept: string[];
}

/**
 * What a seed writes: everything as-is without decisions, else the reviewed list, which
 * must cover every source variable exactly once (a stale review is an error, not a guess).
 */
export function planSeed(
  source: { key: string; isSecret: boolean; value: string | null }[],
  decisions: SeedDecision[] | null | undefined,
  sourceName: string,
  /** KEEP of a secret carries it as-is (promote, when the caller may write the source); seed refuses it. */
  opts: { keepSecrets?: boolean } = {},
) {
  const summary: SeedSummary = { copied: [], edited: [], skipped: [], skippedSecrets: [], typeKept: [] };
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
      errors.push({
        path: [...path, "key"],
        message: `"${d.key}" is not a variable of "${sourceName}". Review the seed again.`,
      });
    } else if (decided.has(d.key)) {
      errors.push({ path: [...path, "key"], message: `"${d.key}" has more than one decision.` });
    } else {
      decided.add(d.key);
      if (d.action === "SKIP") summary.skipped.push(d.key);
      else if (d.action === "KEEP" && v.isSecret && opts.keepSecrets) {
        writes.push({ key: d.key, value: v.value!, isSecret: true });
        summary.copied.push(d.key);
      } else if (d.action === "KEEP" && v.isSecret)
        errors.push({
          path: [...path, "action"],
          message: `"${d.key}" is a secret: its value cannot be kept or shown. Enter a new value (EDIT) or SKIP it.`,
        });
      else if (d.action === "KEEP") {
        writes.push({ key: d.key, value: v.value!, isSecret: false });
        summary.copied.push(d.key);
      } else if (d.value == null)
        errors.push({ path: [...path, "value"], message: `EDIT of "${d.key}" needs a value.` });
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
    if (!decided.has(v.key))
      errors.push({
        path: ["decisions"],
        message: `"${v.key}" of "${sourceName}" has no decision (KEEP, EDIT or SKIP). The source changed since the review? Review again.`,
      });
  assertValid(errors);
  return { writes, summary };
}

/**
 * The values a copy writes, adjusted to the target: an existing key keeps its type (listed in
 * `typeKept`); a secret copied as-is (every key of `carried`, null: all) into an existing
 * standard variable would make its value readable, which is refused with what to do instead.
 */
export function keepTargetTypes(
  plan: { writes: NewValue[]; summary: SeedSummary },
  existing: Map<string, boolean>,
  source: { key: string; isSecret: boolean }[],
  carried: Set<string> | null,
  names: { source: { name: string }; target: { name: string } },
): NewValue[] {
  const writes = plan.writes.map((w) => {
    const current = existing.get(w.key);
    if (current === undefined || current === w.isSecret) return w;
    plan.summary.typeKept.push(w.key);
    return { ...w, isSecret: current };
  });
  const sourceSecrets = new Set(source.filter((v) => v.isSecret).map((v) => v.key));
  const revealed = writes
    .filter((w) => !w.isSecret && sourceSecrets.has(w.key) && (carried === null || carried.has(w.key)))
    .map((w) => w.key);
  if (revealed.length)
    throw new ValidationError(
      `${revealed.map((k) => `"${k}"`).join(", ")} ${revealed.length > 1 ? "are secrets" : "is a secret"} in ` +
        `"${names.source.name}" but standard in "${names.target.name}": copying would make the value readable. ` +
        `Review it (EDIT or SKIP), or delete the variable from "${names.target.name}" first.`,
      revealed.map((k) => ({
        path: ["from"],
        message: `"${k}" is a secret in the source and standard in the target.`,
      })),
    );
  return writes;
}

export function environmentService({
  db,
  values,
  writes,
}: {
  db: Pick<Database, "reader">;
  values: ValueStore;
  writes: WritePath;
}) {
  /**
   * Seeds `target` (whose revision the unit of work bumped) from `source`. Copying a secret
   * as-is needs the right to write it in the source too: a caller who may only read the source
   * (e.g. a developer with production) must not move its secrets where they become readable
   * at runtime by other tokens; such secrets are skipped and reported in `skippedSecrets`.
   */
  async function seedInto(
    uow: UnitOfWork,
    target: EnvironmentRow,
    source: EnvironmentRow,
    decisions: SeedDecision[] | null | undefined,
  ) {
    const { tx, access, revision } = uow;
    const projectId = access.project.id;
    const mayCopySecrets = can(access, "environment:write", source);
    // Service bindings: the source's credentials are not copied, the target's are left (both listed in skipped).
    const managed = await managedOfCopy(tx, source.id, target.id);
    decisions = decisions?.filter((d) => !managed.fromSource.has(d.key));
    const all = (
      await values.load(
        tx,
        { projectId, environmentId: source.id, label: { project: access.project.slug, environment: source.name } },
        { secrets: mayCopySecrets },
      )
    ).filter((v) => !managed.fromSource.has(v.key));
    // Without the right to write the source, its secrets are not even decrypted.
    const withheld = decisions || mayCopySecrets ? [] : all.filter((v) => v.isSecret).map((v) => v.key);
    const plan = planSeed(withheld.length ? all.filter((v) => !v.isSecret) : all, decisions, source.name);
    plan.summary.skipped.push(...withheld);
    plan.summary.skippedSecrets = withheld;
    plan.summary.skipped.push(...managed.fromSource);
    // The target's values as they are (secrets decrypted here only to compare): its kinds, and what a seed would not change.
    const current = new Map(
      (
        await values.load(
          tx,
          { projectId, environmentId: target.id, label: { project: access.project.slug, environment: target.name } },
          { secrets: true },
        )
      ).map((v) => [v.key, v]),
    );
    const existing = new Map([...current].map(([key, v]) => [key, v.isSecret]));
    const writes = leaveManaged(
      keepTargetTypes(plan, existing, all, decisions ? new Set() : null, { source, target }),
      target,
      managed.inTarget,
      !!decisions,
      plan.summary,
    );
    const { activeKeyVersion } = await tx.project.findUniqueOrThrow({
      where: { id: projectId },
      select: { activeKeyVersion: true },
    });
    // A value the target already has (same text, same kind) is not written again: the revision lists what changed.
    const changed = writes.filter((w) => {
      const now = current.get(w.key);
      return !now || now.value !== w.value || now.isSecret !== w.isSecret;
    });
    await values.upsert(
      tx,
      { projectId, environmentId: target.id, keyVersion: activeKeyVersion, valueVersion: revision },
      changed,
    );
    // Notes and layout go with the copied keys (re-sealed for the target).
    await copyNotes(
      values,
      tx,
      { projectId, from: source.id, to: target.id, noteVersion: revision },
      writes.map((w) => w.key),
    );
    const { copied, edited, skipped } = plan.summary;
    uow.record({
      keys: changed.map((w) => w.key),
      metadata: {
        from: source.id,
        fromName: source.name,
        copied: copied.length,
        edited: edited.length,
        skipped: skipped.length,
        skippedSecrets: withheld,
      },
    });
    return plan.summary;
  }

  function assertDecisionCount(decisions: SeedDecision[] | null | undefined) {
    if (decisions && decisions.length > MAX_BULK_ITEMS)
      throw new ValidationError(
        `decisions has ${decisions.length} items; one request takes at most ${MAX_BULK_ITEMS.toLocaleString("en-US")}. ` +
          `Split the seed, or seed without decisions.`,
        [{ path: ["decisions"], message: `At most ${MAX_BULK_ITEMS} items.` }],
      );
  }

  return {
    async createEnvironment(
      actor: Actor,
      input: {
        project: string;
        name: string;
        from?: string | null;
        decisions?: SeedDecision[] | null;
        isProtected?: boolean | null;
      },
    ) {
      if (input.name.startsWith(PREVIEW_PREFIX))
        throw new ValidationError(
          `"${input.name}": preview/ environments are made for a project branch by "envplane preview create <branch>".`,
          [{ path: ["name"], message: "preview/ names are for preview environments." }],
        );
      assertValid(check(environmentName, input.name, ["name"]));
      assertDecisionCount(input.decisions);
      if (input.decisions && !input.from)
        throw new ValidationError("Seed decisions need a source environment: set `from`.", [
          { path: ["from"], message: "Required with decisions." },
        ]);
      let source: EnvironmentRow | null = null;
      const authorize = async ({ access }: { access: ProjectAccess }) => {
        source = input.from ? await findEnvironment(db.reader, access, input.from) : null;
        if (source) assertCan(access, "variable:read-value", source);
      };
      try {
        return await writes.run(
          { actor, action: "environment.create", project: input.project, permission: "environment:manage", authorize },
          async (uow) => {
            const { tx, access } = uow;
            if (
              await tx.environment.findUnique({
                where: { projectId_name: { projectId: access.project.id, name: input.name } },
                select: { id: true },
              })
            )
              throw new ConflictError(
                `Environment "${input.name}" already exists in project "${access.project.slug}". ` +
                  `Use "envplane env seed ${input.name} --from <env>" to fill it.`,
              );
            const env = await tx.environment.create({
              data: { projectId: access.project.id, name: input.name, isProtected: input.isProtected ?? false },
              select: { id: true, name: true, isDefault: true, isProtected: true, revision: true },
            });
            uow.record({ environmentId: env.id, metadata: { name: env.name, isProtected: env.isProtected } });
            if (!source) return { environment: env, seed: null };
            const revision = await uow.bump(env);
            const summary = await seedInto(uow, env, source, input.decisions);
            return { environment: { ...env, revision }, seed: summary };
          },
        );
      } catch (error) {
        if (isUniqueViolation(error))
          throw new ConflictError(`Environment "${input.name}" already exists in project "${input.project}".`);
        throw error;
      }
    },

    async deleteEnvironment(actor: Actor, input: { project: string; name: string }) {
      const authorize = ({ access, env }: { access: ProjectAccess; env: EnvironmentRow | null }) => {
        if (isDefaultEnvironment(env!.name))
          throw new ValidationError(
            `"${env!.name}" is a default environment and cannot be deleted (development, ` +
              `preview and production always exist). Only custom environments can be deleted.`,
            [{ path: ["name"], message: "Default environments cannot be deleted." }],
          );
        assertCan(access, "environment:manage");
      };
      return writes.run(
        { actor, action: "environment.delete", project: input.project, environment: input.name, authorize },
        async ({ tx, env, record }) => {
          const mapped = await tx.mappingEntry.findMany({ where: { environmentId: env.id }, select: { branch: true } });
          await tx.environment.delete({ where: { id: env.id } });
          record({ metadata: { name: env.name, unmappedBranches: mapped.map((m) => m.branch) } });
          return { name: env.name, unmappedBranches: mapped.map((m) => m.branch) };
        },
      );
    },

    async updateEnvironment(actor: Actor, input: { project: string; name: string; isProtected: boolean }) {
      const authorize = ({ access }: { access: ProjectAccess }) => assertCan(access, "environment:manage");
      return writes.run(
        { actor, action: "environment.update", project: input.project, environment: input.name, authorize, bump: true },
        async ({ tx, env, record }) => {
          const row = await tx.environment.findUniqueOrThrow({ where: { id: env.id }, select: { previewOf: true } });
          if (input.isProtected && (row.previewOf !== null || env.name.startsWith("preview/")))
            throw new ValidationError(
              `"${env.name}" is a preview environment: previews are never protected (they come and go with their ` +
                "branch). Protect the environment it was cloned from instead.",
              [{ path: ["isProtected"], message: "A preview environment cannot be protected." }],
            );
          record({ metadata: { name: env.name, isProtected: input.isProtected } });
          return tx.environment.update({
            where: { id: env.id },
            data: { isProtected: input.isProtected },
            select: { id: true, name: true, isDefault: true, isProtected: true, revision: true },
          });
        },
      );
    },

    async seedEnvironment(
      actor: Actor,
      input: {
        project: string;
        target: string;
        from: string;
        decisions?: SeedDecision[] | null;
        expectedRevision?: number | null;
        expectedSourceRevision?: number | null;
        message?: string | null;
      },
    ) {
      if (input.target === input.from)
        throw new ValidationError(`Cannot seed "${input.target}" from itself. Pick another source.`, [
          { path: ["from"], message: "Source and target are the same." },
        ]);
      assertDecisionCount(input.decisions);
      let source: EnvironmentRow | null = null;
      const authorize = async ({ access }: { access: ProjectAccess }) => {
        source = await findEnvironment(db.reader, access, input.from);
        assertCan(access, "variable:read-value", source);
      };
      const spec = {
        actor,
        action: "environment.seed",
        project: input.project,
        environment: input.target,
        permission: "environment:write",
      } as const;
      return writes.run(
        { ...spec, authorize, bump: true, expectedRevision: input.expectedRevision, message: input.message },
        async (uow) => {
          const from = source!;
          if (input.expectedSourceRevision != null) {
            const { revision } = await uow.tx.environment.findUniqueOrThrow({
              where: { id: from.id },
              select: { revision: true },
            });
            if (revision !== input.expectedSourceRevision)
              throw staleRevision(from.name, input.expectedSourceRevision, revision);
          }
          const summary = await seedInto(uow, uow.env, from, input.decisions);
          return { environment: { ...uow.env, revision: uow.revision }, seed: summary };
        },
      );
    },
  };
}
