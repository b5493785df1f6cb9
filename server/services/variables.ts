/** Setting, unsetting and bulk-upserting variables and branch overrides. */
import type { Database } from "../db/client.js";
import { computeBulkDiff, diffIsEmpty, type IncomingVariable } from "../../core/diff.js";
import { check, variableKey, variableValue, branchName, type FieldError } from "../../core/names.js";
import { assertCan, can, projectAccess } from "../authz/index.js";
import type { Actor } from "./actor.js";
import { assertValid, NotFoundError, ValidationError } from "./errors.js";
import type { KeyRing } from "./keyring.js";
import { findBranch, findEnvironment, type EnvironmentRow } from "./lookup.js";
import { bumpRevision, inTransaction, Rollback, staleRevision } from "./transaction.js";
import { deleteBaseValues, loadValues, upsertBaseValues } from "./values.js";

export interface SetVariableInput {
  project: string;
  environment: string;
  key: string;
  value: string;
  secret?: boolean | null;
  branch?: string | null;
  expectedRevision?: number | null;
}

export interface UnsetVariableInput {
  project: string;
  environment: string;
  key: string;
  branch?: string | null;
  expectedRevision?: number | null;
}

export interface BulkUpsertInput {
  project: string;
  environment: string;
  variables: IncomingVariable[];
  prune?: boolean | null;
  /** Keys prune leaves in place, e.g. the secrets a pull left out of the file. */
  keep?: string[] | null;
  dryRun?: boolean | null;
  expectedRevision?: number | null;
}

export interface BulkUpsertResult {
  environment: EnvironmentRow;
  revision: number;
  applied: boolean;
  dryRun: boolean;
  added: string[];
  changed: string[];
  unchanged: string[];
  secretOverwritten: string[];
  removed: string[];
  typeKept: string[];
}

function flipError(key: string, isSecret: boolean, env: string): ValidationError {
  return new ValidationError(
    `"${key}" is a ${isSecret ? "secret" : "standard"} variable; the secret flag is set at creation and cannot be changed. ` +
      `Delete it with "envplane env unset ${key} --env ${env}" and set it again${isSecret ? " without" : " with"} --secret.`,
    [{ path: ["secret"], message: "The secret flag of an existing variable cannot be changed." }],
  );
}

function noOverridesOnDevelopment(env: EnvironmentRow): void {
  if (env.name === "development")
    throw new ValidationError(
      'Branch overrides are not available on "development": it is used for local execution and is not mapped to any project branch. Set the base value, or use .env.local for machine-specific values.',
      [{ path: ["branch"], message: "No branch overrides on development." }],
    );
}

export function variableService({ db, keys }: { db: Pick<Database, "provider" | "reader" | "writer">; keys: KeyRing }) {
  return {
    async setVariable(actor: Actor, input: SetVariableInput) {
      assertValid([
        ...check(variableKey, input.key, ["key"]),
        ...check(variableValue, input.value, ["value"]),
        ...(input.branch != null ? check(branchName, input.branch, ["branch"]) : []),
      ]);
      const access = await projectAccess(db.reader, actor, input.project);
      const env = await findEnvironment(db.reader, access, input.environment);
      assertCan(access, "environment:write", env);
      const branch = input.branch != null ? (noOverridesOnDevelopment(env), await findBranch(db.reader, access, input.branch)) : null;
      const projectId = access.project.id;

      return inTransaction(db.writer, async (tx) => {
        const revision = await bumpRevision(tx, env, input.expectedRevision);
        const existing = await tx.variable.findUnique({ where: { environmentId_key: { environmentId: env.id, key: input.key } }, select: { id: true, isSecret: true } });
        if (existing && input.secret != null && input.secret !== existing.isSecret) throw flipError(input.key, existing.isSecret, env.name);
        const { activeKeyVersion } = await tx.project.findUniqueOrThrow({ where: { id: projectId }, select: { activeKeyVersion: true } });

        if (!branch) {
          const isSecret = existing?.isSecret ?? input.secret ?? false;
          await upsertBaseValues(tx, keys, { provider: db.provider, projectId, environmentId: env.id, keyVersion: activeKeyVersion, valueVersion: revision }, [{ key: input.key, value: input.value, isSecret }]);
          return { environment: { ...env, revision }, key: input.key, branch: null, created: !existing, isSecret };
        }
        if (!existing)
          throw new NotFoundError(
            `"${input.key}" has no base value in "${env.name}", so it cannot be overridden for a branch. Set the base value first: envplane env set ${input.key} <value> --env ${env.name}`,
            "Variable",
          );
        const ciphertext = Buffer.from(await keys.encrypt({ projectId, environmentId: env.id, branchId: branch.id, key: input.key, valueVersion: revision }, input.value, activeKeyVersion, tx));
        const before = await tx.branchOverride.findUnique({ where: { variableId_branchId: { variableId: existing.id, branchId: branch.id } }, select: { id: true } });
        await tx.branchOverride.upsert({
          where: { variableId_branchId: { variableId: existing.id, branchId: branch.id } },
          create: { variableId: existing.id, branchId: branch.id, ciphertext, keyVersion: activeKeyVersion, valueVersion: revision },
          update: { ciphertext, keyVersion: activeKeyVersion, valueVersion: revision, updatedAt: new Date() },
        });
        return { environment: { ...env, revision }, key: input.key, branch: branch.name, created: !before, isSecret: existing.isSecret };
      });
    },

    async unsetVariable(actor: Actor, input: UnsetVariableInput) {
      assertValid([...check(variableKey, input.key, ["key"]), ...(input.branch != null ? check(branchName, input.branch, ["branch"]) : [])]);
      const access = await projectAccess(db.reader, actor, input.project);
      const env = await findEnvironment(db.reader, access, input.environment);
      assertCan(access, "environment:write", env);
      const branch = input.branch != null ? (noOverridesOnDevelopment(env), await findBranch(db.reader, access, input.branch)) : null;

      return inTransaction(db.writer, async (tx) => {
        const revision = await bumpRevision(tx, env, input.expectedRevision);
        const notFound = new Rollback({ environment: { ...env, revision: revision - 1 }, key: input.key, branch: branch?.name ?? null, removed: false, overridesRemoved: 0 });
        const variable = await tx.variable.findUnique({ where: { environmentId_key: { environmentId: env.id, key: input.key } }, select: { id: true, _count: { select: { overrides: true } } } });
        if (!variable) throw notFound;
        if (branch) {
          const { count } = await tx.branchOverride.deleteMany({ where: { variableId: variable.id, branchId: branch.id } });
          if (count === 0) throw notFound;
          return { environment: { ...env, revision }, key: input.key, branch: branch.name, removed: true, overridesRemoved: 1 };
        }
        await tx.variable.delete({ where: { id: variable.id } });
        return { environment: { ...env, revision }, key: input.key, branch: null, removed: true, overridesRemoved: variable._count.overrides };
      });
    },

    async bulkUpsertVariables(actor: Actor, input: BulkUpsertInput): Promise<BulkUpsertResult> {
      const errors: FieldError[] = [];
      const seen = new Map<string, number>();
      input.variables.forEach((v, i) => {
        errors.push(...check(variableKey, v.key, ["variables", String(i), "key"]), ...check(variableValue, v.value, ["variables", String(i), "value"]));
        const first = seen.get(v.key);
        if (first !== undefined) errors.push({ path: ["variables", String(i), "key"], message: `Key "${v.key}" appears twice (items ${first} and ${i}). Keep one.` });
        else seen.set(v.key, i);
      });
      assertValid(errors);
      const prune = input.prune ?? false;
      const access = await projectAccess(db.reader, actor, input.project);
      const env = await findEnvironment(db.reader, access, input.environment);
      const projectId = access.project.id;
      const summarize = (revision: number, applied: boolean, existing: Awaited<ReturnType<typeof loadValues>>): BulkUpsertResult => {
        const d = computeBulkDiff(existing, input.variables, prune, input.keep ?? []);
        return {
          environment: { ...env, revision },
          revision,
          applied,
          dryRun: !!input.dryRun,
          added: d.added.map((v) => v.key),
          changed: d.changed.map((v) => v.key),
          unchanged: d.unchanged,
          secretOverwritten: d.secretOverwritten.map((v) => v.key),
          removed: d.removed,
          typeKept: d.typeKept,
        };
      };

      if (input.dryRun) {
        assertCan(access, "variable:read-value", env);
        if (input.expectedRevision != null && input.expectedRevision !== env.revision) throw staleRevision(env.name, input.expectedRevision, env.revision);
        return summarize(env.revision, false, await loadValues(db.reader, keys, { provider: db.provider, projectId, environmentId: env.id }, { secrets: false }));
      }
      assertCan(access, "environment:write", env);
      return inTransaction(db.writer, async (tx) => {
        const revision = await bumpRevision(tx, env, input.expectedRevision);
        // A token that may write but not read compares nothing: every given key counts as
        // changed, so `unchanged` cannot tell it what a stored value is.
        const existing = await loadValues(tx, keys, { provider: db.provider, projectId, environmentId: env.id }, { secrets: false, values: can(access, "variable:read-value", env) });
        const diff = computeBulkDiff(existing, input.variables, prune, input.keep ?? []);
        if (diffIsEmpty(diff)) throw new Rollback(summarize(revision - 1, false, existing));
        const { activeKeyVersion } = await tx.project.findUniqueOrThrow({ where: { id: projectId }, select: { activeKeyVersion: true } });
        const types = new Map(existing.map((v) => [v.key, v.isSecret]));
        const writes = [...diff.added, ...diff.changed, ...diff.secretOverwritten].map((v) => ({ key: v.key, value: v.value, isSecret: types.get(v.key) ?? v.secret ?? false }));
        await upsertBaseValues(tx, keys, { provider: db.provider, projectId, environmentId: env.id, keyVersion: activeKeyVersion, valueVersion: revision }, writes);
        await deleteBaseValues(tx, env.id, diff.removed);
        return summarize(revision, true, existing);
      });
    },
  };
}
