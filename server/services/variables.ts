/** Setting, unsetting and bulk-upserting variables and branch overrides. */

import { computeBulkDiff, diffIsEmpty, type IncomingVariable } from "../../core/diff.js";
import { MAX_BULK_ITEMS } from "../../core/limits.js";
import {
  branchName,
  check,
  type FieldError,
  isVariableKey,
  isVariableValue,
  variableKey,
  variableValue,
} from "../../core/names.js";
import { assertCan, can, projectAccess } from "../authz/index.js";
import type { Database } from "../db/client.js";
import { querySql } from "../db/direct.js";
import { Prisma } from "../db/generated/sqlite/client.js";
import type { WritePath } from "../events/index.js";
import type { Actor } from "./actor.js";
import { assertNotManaged, managedError, managedKeys } from "./bindings.js";
import { assertValid, NotFoundError, ValidationError } from "./errors.js";
import { type EnvironmentRow, findBranch, findEnvironment } from "./lookup.js";
import { wroteValues } from "./memory.js";
import { mergeLayout, NoteStore, noteChanges, noteInputErrors, withNotes } from "./notes.js";
import { LARGE_WRITE, nextTurn } from "./pace.js";
import { referenceColumns, withResolved } from "./references.js";
import { Rollback, staleRevision } from "./transaction.js";
import type { StoredValue, ValueStore } from "./values.js";

export interface SetVariableInput {
  project: string;
  environment: string;
  key: string;
  value: string;
  secret?: boolean | null;
  branch?: string | null;
  expectedRevision?: number | null;
  /** Why: kept with the revision (at most 500 characters). */
  message?: string | null;
  /** The variable's note: absent/null keeps it, "" clears it (base values only). */
  note?: string | null;
}

export interface UnsetVariableInput {
  project: string;
  environment: string;
  key: string;
  branch?: string | null;
  expectedRevision?: number | null;
  /** Why: kept with the revision (at most 500 characters). */
  message?: string | null;
}

export interface SetVariablesInput {
  project: string;
  environment: string;
  variables: { key: string; value: string; secret?: boolean | null; note?: string | null }[];
  branch?: string | null;
  expectedRevision?: number | null;
  /** Why: kept with the revision (at most 500 characters). */
  message?: string | null;
}

export interface UnsetVariablesInput {
  project: string;
  environment: string;
  keys: string[];
  branch?: string | null;
  expectedRevision?: number | null;
  /** Why: kept with the revision (at most 500 characters). */
  message?: string | null;
}

export interface BulkUpsertInput {
  project: string;
  environment: string;
  variables: IncomingVariable[];
  prune?: boolean | null;
  /** Keys prune leaves in place, e.g. the secrets a pull left out of the file. */
  keep?: string[] | null;
  dryRun?: boolean | null;
  /** The order of `variables` and their blankLineBefore are the .env layout to keep (envplane env push). */
  layout?: boolean | null;
  expectedRevision?: number | null;
  /** Why: kept with the revision (at most 500 characters). */
  message?: string | null;
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
  /** Managed variables (service bindings) that prune left in place. */
  managedKept: string[];
  notesChanged: string[];
  layoutChanged: boolean;
  /** Changed keys whose references (${{project.KEY}}) the incoming literal value replaces. */
  referencesReplaced: string[];
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
      'Branch overrides are not available on "development": it is used for local execution and is not mapped to ' +
        "any project branch. Set the base value, or use .env.local for machine-specific values.",
      [{ path: ["branch"], message: "No branch overrides on development." }],
    );
}

/** A bulk request's size, checked before any work. */
export function assertBulkSize(count: number, path: string): void {
  if (count > MAX_BULK_ITEMS)
    throw new ValidationError(
      `${path} has ${count} items; one request takes at most ${MAX_BULK_ITEMS.toLocaleString("en-US")}. Split it into several requests.`,
      [{ path: [path], message: `At most ${MAX_BULK_ITEMS} items.` }],
    );
}

/** Problems of a `variables` list: each key and value checked, and a key given twice named at its second item. */
export function variableListErrors(
  variables: readonly { key: string; value: string; note?: string | null }[],
): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  for (const [i, v] of variables.entries()) {
    // zod only for a key or value that fails (its messages); valid ones cost a regex and a length.
    if (!isVariableKey(v.key)) errors.push(...check(variableKey, v.key, ["variables", String(i), "key"]));
    if (!isVariableValue(v.value)) errors.push(...check(variableValue, v.value, ["variables", String(i), "value"]));
    if (v.note != null) errors.push(...noteInputErrors(v, ["variables", String(i), "note"]));
    const first = seen.get(v.key);
    if (first !== undefined)
      errors.push({
        path: ["variables", String(i), "key"],
        message: `Key "${v.key}" appears twice (items ${first} and ${i}). Keep one.`,
      });
    else seen.set(v.key, i);
  }
  return errors;
}

/** A key sent as secret that exists as standard would be stored readable: refused, like setVariable does. */
function secretOnStandardError(keys: string[], env: string, indexOf: (key: string) => number): ValidationError {
  const list = keys.map((k) => `"${k}"`).join(", ");
  const one = keys.length === 1;
  return new ValidationError(
    `${list} ${one ? "is a standard variable" : "are standard variables"} in "${env}" but ${one ? "was" : "were"} ` +
      `sent with secret: true; ` +
      `the secret flag is set at creation and cannot be changed, so the value would stay readable. ` +
      `Unset ${one ? "it" : "them"} first (envplane env unset ${keys[0]} --env ${env}) ` +
      `and send ${one ? "it" : "them"} again as secret, or leave out secret: true.`,
    keys.map((k) => ({
      path: ["variables", String(indexOf(k)), "secret"],
      message: `"${k}" is a standard variable; it cannot become a secret.`,
    })),
  );
}

export function variableService({
  db,
  values,
  writes,
}: {
  db: Pick<Database, "reader">;
  values: ValueStore;
  writes: WritePath;
}) {
  return {
    async setVariable(actor: Actor, input: SetVariableInput) {
      assertValid([
        ...check(variableKey, input.key, ["key"]),
        ...check(variableValue, input.value, ["value"]),
        ...(input.branch != null ? check(branchName, input.branch, ["branch"]) : []),
        ...noteInputErrors(input, ["note"]),
      ]);
      let branch: { id: string; name: string } | null = null;
      const spec = {
        actor,
        action: "variable.set",
        project: input.project,
        environment: input.environment,
        permission: "environment:write",
      } as const;
      return writes.run(
        {
          ...spec,
          bump: true,
          expectedRevision: input.expectedRevision,
          message: input.message,
          authorize: async ({ access, env }) => {
            if (input.branch != null) {
              noOverridesOnDevelopment(env!);
              branch = await findBranch(db.reader, access, input.branch);
            }
          },
        },
        async ({ tx, access, env, revision, record }) => {
          const projectId = access.project.id;
          record({ keys: [input.key], branchId: branch?.id ?? null });
          await assertNotManaged(tx, env, [input.key], () => ["key"]);
          const existing = await tx.variable.findUnique({
            where: { environmentId_key: { environmentId: env.id, key: input.key } },
            select: { id: true, isSecret: true, ciphertext: true, valueVersion: true },
          });
          if (existing && input.secret != null && input.secret !== existing.isSecret)
            throw flipError(input.key, existing.isSecret, env.name);
          let noteOnly = false;
          // The same standard value again is no write (no revision, no event). Only for a caller who
          // may read it: a secret, or a write-only token, is always written, so the answer never
          // tells whether a guess matched the stored value.
          if (!branch && existing && !existing.isSecret && can(access, "variable:read-value", env)) {
            const id = { projectId, environmentId: env.id, branchId: null, key: input.key };
            // An undecryptable value is not equal to anything: setting it again recovers it.
            const current = await values.tryDecryptOne(
              { ...id, valueVersion: existing.valueVersion },
              existing.ciphertext,
            );
            // The same value with another note: only the note is written.
            const scope = { projectId, environmentId: env.id, key: input.key };
            noteOnly = current === input.value && (await noteChanges(values, tx, scope, input.note));
            if (current === input.value && !noteOnly)
              throw new Rollback({
                environment: { ...env, revision: revision - 1 },
                key: input.key,
                branch: null,
                created: false,
                changed: false,
                noteOnly: false,
                isSecret: false,
              });
          }
          const { activeKeyVersion } = await tx.project.findUniqueOrThrow({
            where: { id: projectId },
            select: { activeKeyVersion: true },
          });

          if (!branch) {
            const isSecret = existing?.isSecret ?? input.secret ?? false;
            if (!noteOnly)
              await values.upsert(
                tx,
                { projectId, environmentId: env.id, keyVersion: activeKeyVersion, valueVersion: revision },
                [{ key: input.key, value: input.value, isSecret }],
                { access, pathOf: () => ["value"] },
              );
            if (input.note != null)
              await NoteStore.of(values).write(
                tx,
                { projectId, environmentId: env.id, keyVersion: activeKeyVersion, noteVersion: revision },
                [{ key: input.key, note: input.note }],
              );
            record({
              metadata: { created: !existing, isSecret, ...(input.note != null ? { noteChanged: true } : {}) },
            });
            return {
              environment: { ...env, revision },
              key: input.key,
              branch: null,
              created: !existing,
              changed: true,
              noteOnly,
              isSecret,
            };
          }
          if (!existing)
            throw new NotFoundError(
              `"${input.key}" has no base value in "${env.name}", so it cannot be overridden for a branch. ` +
                `Set the base value first: envplane env set ${input.key} <value> --env ${env.name}`,
              "Variable",
            );
          const where = { variableId_branchId: { variableId: existing.id, branchId: branch.id } };
          const [references] = await referenceColumns(
            tx,
            { projectId, environmentId: env.id },
            [{ ...input, isSecret: existing.isSecret }],
            { access, pathOf: () => ["value"] },
          );
          const ciphertext = Buffer.from(
            await values.encryptOne(
              { projectId, environmentId: env.id, branchId: branch.id, key: input.key, valueVersion: revision },
              input.value,
              activeKeyVersion,
              tx,
            ),
          );
          const before = await tx.branchOverride.findUnique({ where, select: { id: true } });
          await tx.branchOverride.upsert({
            where,
            create: {
              variableId: existing.id,
              branchId: branch.id,
              ciphertext,
              keyVersion: activeKeyVersion,
              valueVersion: revision,
              references,
            },
            update: {
              ciphertext,
              keyVersion: activeKeyVersion,
              valueVersion: revision,
              updatedAt: new Date(),
              references,
            },
          });
          record({ metadata: { created: !before, isSecret: existing.isSecret } });
          return {
            environment: { ...env, revision },
            key: input.key,
            branch: branch.name,
            created: !before,
            changed: true,
            isSecret: existing.isSecret,
          };
        },
      );
    },

    async unsetVariable(actor: Actor, input: UnsetVariableInput) {
      assertValid([
        ...check(variableKey, input.key, ["key"]),
        ...(input.branch != null ? check(branchName, input.branch, ["branch"]) : []),
      ]);
      let branch: { id: string; name: string } | null = null;
      return writes.run(
        {
          actor,
          action: "variable.unset",
          project: input.project,
          environment: input.environment,
          permission: "environment:write",
          bump: true,
          expectedRevision: input.expectedRevision,
          message: input.message,
          authorize: async ({ access, env }) => {
            if (input.branch != null) {
              noOverridesOnDevelopment(env!);
              branch = await findBranch(db.reader, access, input.branch);
            }
          },
        },
        async ({ tx, env, revision, record, removing }) => {
          const notFound = new Rollback({
            environment: { ...env, revision: revision - 1 },
            key: input.key,
            branch: branch?.name ?? null,
            removed: false,
            overridesRemoved: 0,
          });
          record({ keys: [input.key], branchId: branch?.id ?? null });
          await assertNotManaged(tx, env, [input.key], () => ["key"]);
          const variable = await tx.variable.findUnique({
            where: { environmentId_key: { environmentId: env.id, key: input.key } },
            select: { id: true, _count: { select: { overrides: true } } },
          });
          if (!variable) throw notFound;
          if (branch) {
            await removing([input.key], branch.id);
            const { count } = await tx.branchOverride.deleteMany({
              where: { variableId: variable.id, branchId: branch.id },
            });
            if (count === 0) throw notFound;
            return {
              environment: { ...env, revision },
              key: input.key,
              branch: branch.name,
              removed: true,
              overridesRemoved: 1,
            };
          }
          await removing([input.key]);
          await tx.variable.delete({ where: { id: variable.id } });
          record({ metadata: { overridesRemoved: variable._count.overrides } });
          return {
            environment: { ...env, revision },
            key: input.key,
            branch: null,
            removed: true,
            overridesRemoved: variable._count.overrides,
          };
        },
      );
    },

    /**
     * Several base values, or several overrides of one project branch, in one write: one
     * revision, one event. Like setVariable per key (types are set at creation; an override
     * needs its base value), all or nothing.
     */
    async setVariables(actor: Actor, input: SetVariablesInput) {
      assertBulkSize(input.variables.length, "variables");
      const errors: FieldError[] = [];
      if (!input.variables.length) errors.push({ path: ["variables"], message: "Give at least one variable to set." });
      errors.push(...variableListErrors(input.variables));
      if (input.branch != null) errors.push(...check(branchName, input.branch, ["branch"]));
      for (const [i, v] of input.variables.entries())
        if (input.branch != null)
          errors.push(...noteInputErrors({ ...v, branch: input.branch }, ["variables", String(i), "note"]));
      assertValid(errors);
      let branch: { id: string; name: string } | null = null;
      return writes.run(
        {
          actor,
          action: "variables.set",
          project: input.project,
          environment: input.environment,
          permission: "environment:write",
          bump: true,
          expectedRevision: input.expectedRevision,
          message: input.message,
          authorize: async ({ access, env }) => {
            if (input.branch == null) return;
            noOverridesOnDevelopment(env!);
            branch = await findBranch(db.reader, access, input.branch);
          },
        },
        async ({ tx, access, env, revision, record }) => {
          const projectId = access.project.id;
          const keys = input.variables.map((v) => v.key);
          record({ keys, branchId: branch?.id ?? null });
          await assertNotManaged(tx, env, keys, (k) => ["variables", String(keys.indexOf(k)), "key"]);
          const existing = new Map(
            (
              await tx.variable.findMany({
                where: { environmentId: env.id, key: { in: keys } },
                select: { id: true, key: true, isSecret: true, ciphertext: true, valueVersion: true },
              })
            ).map((v) => [v.key, v]),
          );
          const flipped = input.variables.find(
            (v) => v.secret != null && existing.has(v.key) && existing.get(v.key)!.isSecret !== v.secret,
          );
          if (flipped) throw flipError(flipped.key, existing.get(flipped.key)!.isSecret, env.name);
          const { activeKeyVersion } = await tx.project.findUniqueOrThrow({
            where: { id: projectId },
            select: { activeKeyVersion: true },
          });
          const sent = new Map(input.variables.map((v) => [v.key, v]));
          // Like setVariable: a standard base value equal to the stored one is unchanged (only for a caller
          // who may read it; secrets and write-only tokens are always written, so a guess is never confirmed).
          const unchanged = new Set<string>();
          const noteOnly = new Set<string>();
          if (!branch && can(access, "variable:read-value", env))
            for (const v of input.variables) {
              const row = existing.get(v.key);
              if (!row || row.isSecret) continue;
              const id = {
                projectId,
                environmentId: env.id,
                branchId: null,
                key: v.key,
                valueVersion: row.valueVersion,
              };
              if ((await values.tryDecryptOne(id, row.ciphertext)) !== v.value) continue;
              const scope = { projectId, environmentId: env.id, key: v.key };
              if (await noteChanges(values, tx, scope, v.note)) noteOnly.add(v.key);
              else unchanged.add(v.key);
            }
          const result = (created: string[], rev = revision) => ({
            environment: { ...env, revision: rev },
            branch: branch?.name ?? null,
            created,
            updated: keys.filter((k) => !created.includes(k) && !unchanged.has(k)),
            unchanged: keys.filter((k) => unchanged.has(k)),
            secrets: keys.filter((k) => existing.get(k)?.isSecret ?? sent.get(k)?.secret === true),
          });
          if (unchanged.size === keys.length) throw new Rollback(result([], revision - 1));
          if (!branch) {
            const rows = input.variables
              .filter((v) => !unchanged.has(v.key) && !noteOnly.has(v.key))
              .map((v) => ({
                key: v.key,
                value: v.value,
                isSecret: existing.get(v.key)?.isSecret ?? v.secret ?? false,
              }));
            await values.upsert(
              tx,
              { projectId, environmentId: env.id, keyVersion: activeKeyVersion, valueVersion: revision },
              rows,
              { access, pathOf: (i) => ["variables", String(i), "value"] },
            );
            const noted = input.variables
              .filter((v) => v.note != null && !unchanged.has(v.key))
              .map((v) => ({ key: v.key, note: v.note! }));
            await NoteStore.of(values).write(
              tx,
              { projectId, environmentId: env.id, keyVersion: activeKeyVersion, noteVersion: revision },
              noted,
            );
            const created = keys.filter((k) => !existing.has(k));
            record({
              metadata: { created: created.length, updated: keys.length - created.length - unchanged.size },
            });
            return result(created);
          }
          const missing = keys.filter((k) => !existing.has(k));
          if (missing.length)
            throw new NotFoundError(
              `${missing.map((k) => `"${k}"`).join(", ")} ${missing.length === 1 ? "has" : "have"} no base value in "${env.name}", so ${missing.length === 1 ? "it cannot" : "they cannot"} be overridden for a branch. Set the base value first: envplane env set ${missing[0]} <value> --env ${env.name}`,
              "Variable",
            );
          const target = branch as { id: string; name: string };
          const before = new Set(
            (
              await tx.branchOverride.findMany({
                where: { branchId: target.id, variableId: { in: [...existing.values()].map((v) => v.id) } },
                select: { variableId: true },
              })
            ).map((o) => o.variableId),
          );
          const references = await referenceColumns(
            tx,
            { projectId, environmentId: env.id },
            input.variables.map((v) => ({ ...v, isSecret: existing.get(v.key)!.isSecret })),
            { access, pathOf: (i) => ["variables", String(i), "value"] },
          );
          for (const [i, v] of input.variables.entries()) {
            const variableId = existing.get(v.key)!.id;
            const ciphertext = Buffer.from(
              await values.encryptOne(
                { projectId, environmentId: env.id, branchId: target.id, key: v.key, valueVersion: revision },
                v.value,
                activeKeyVersion,
                tx,
              ),
            );
            await tx.branchOverride.upsert({
              where: { variableId_branchId: { variableId, branchId: target.id } },
              create: {
                variableId,
                branchId: target.id,
                ciphertext,
                keyVersion: activeKeyVersion,
                valueVersion: revision,
                references: references[i],
              },
              update: {
                ciphertext,
                keyVersion: activeKeyVersion,
                valueVersion: revision,
                updatedAt: new Date(),
                references: references[i],
              },
            });
          }
          const created = keys.filter((k) => !before.has(existing.get(k)!.id));
          record({ metadata: { created: created.length, updated: keys.length - created.length } });
          return result(created);
        },
      );
    },

    /**
     * Several base values (with their overrides), or several overrides of one project branch,
     * removed in one write: one revision, one event. Keys that are not there are reported in
     * `missing`; when none was there nothing is written (no revision, no event).
     */
    async unsetVariables(actor: Actor, input: UnsetVariablesInput) {
      assertBulkSize(input.keys.length, "keys");
      const errors: FieldError[] = [];
      if (!input.keys.length) errors.push({ path: ["keys"], message: "Give at least one key to unset." });
      for (const [i, k] of input.keys.entries()) errors.push(...check(variableKey, k, ["keys", String(i)]));
      if (input.branch != null) errors.push(...check(branchName, input.branch, ["branch"]));
      assertValid(errors);
      const keys = [...new Set(input.keys)];
      let branch: { id: string; name: string } | null = null;
      return writes.run(
        {
          actor,
          action: "variables.unset",
          project: input.project,
          environment: input.environment,
          permission: "environment:write",
          bump: true,
          expectedRevision: input.expectedRevision,
          message: input.message,
          authorize: async ({ access, env }) => {
            if (input.branch == null) return;
            noOverridesOnDevelopment(env!);
            branch = await findBranch(db.reader, access, input.branch);
          },
        },
        async ({ tx, env, revision, record, removing }) => {
          await assertNotManaged(tx, env, keys, (k) => ["keys", String(input.keys.indexOf(k))]);
          const found = await tx.variable.findMany({
            where: { environmentId: env.id, key: { in: keys } },
            select: { id: true, key: true, _count: { select: { overrides: true } } },
          });
          let removed: string[];
          let overridesRemoved: number;
          if (branch) {
            const target = branch as { id: string; name: string };
            const overrides = await tx.branchOverride.findMany({
              where: { branchId: target.id, variableId: { in: found.map((v) => v.id) } },
              select: { variableId: true },
            });
            const ids = new Set(overrides.map((o) => o.variableId));
            removed = found.filter((v) => ids.has(v.id)).map((v) => v.key);
            await removing(removed, target.id);
            await tx.branchOverride.deleteMany({ where: { branchId: target.id, variableId: { in: [...ids] } } });
            overridesRemoved = ids.size;
          } else {
            removed = found.map((v) => v.key);
            overridesRemoved = found.reduce((n, v) => n + v._count.overrides, 0);
            await removing(removed);
            await values.remove(tx, env.id, removed);
          }
          const result = (rev: number) => ({
            environment: { ...env, revision: rev },
            branch: branch?.name ?? null,
            removed: keys.filter((k) => removed.includes(k)),
            missing: keys.filter((k) => !removed.includes(k)),
            overridesRemoved,
          });
          if (!removed.length) throw new Rollback(result(revision - 1));
          record({ keys: removed, branchId: branch?.id ?? null, metadata: { overridesRemoved } });
          return result(revision);
        },
      );
    },

    async bulkUpsertVariables(actor: Actor, input: BulkUpsertInput): Promise<BulkUpsertResult> {
      assertBulkSize(input.variables.length, "variables");
      assertBulkSize(input.keep?.length ?? 0, "keep");
      // A large push lets other requests in between its long phases (GraphQL coercion, checks, reads, diff, write).
      const large = input.variables.length >= LARGE_WRITE;
      const breathe = large ? () => nextTurn() : async () => {};
      // Inside the write transaction: ahead of the line (pace.ts).
      const breatheHolding = large ? () => nextTurn(true) : async () => {};
      await breathe();
      const errors: FieldError[] = [];
      errors.push(...variableListErrors(input.variables));
      assertValid(errors);
      await breathe();
      const prune = input.prune ?? false;
      const sentAsSecret = new Set(input.variables.filter((v) => v.secret === true).map((v) => v.key));
      const indexOf = (k: string) => input.variables.findIndex((v) => v.key === k);
      // Managed variables (service bindings): sending one is refused; prune leaves them (reported in managedKept).
      const diffOf = (existing: StoredValue[], env: EnvironmentRow, managed: Map<string, string>) => {
        const sent = new Map([...managed].filter(([k]) => indexOf(k) >= 0));
        if (sent.size) throw managedError(env, sent, (k) => ["variables", String(indexOf(k)), "key"]);
        const refused = existing.filter((v) => !v.isSecret && sentAsSecret.has(v.key)).map((v) => v.key);
        if (refused.length) throw secretOnStandardError(refused, input.environment, indexOf);
        return computeBulkDiff(existing, input.variables, prune, [...(input.keep ?? []), ...managed.keys()]);
      };
      const managedKeptOf = (managed: Map<string, string>) => (prune ? [...managed.keys()].sort() : []);
      const summarize = (
        env: EnvironmentRow,
        revision: number,
        applied: boolean,
        d: ReturnType<typeof computeBulkDiff>,
        managedKept: string[],
      ): BulkUpsertResult => ({
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
        managedKept,
        notesChanged: d.notesChanged,
        layoutChanged,
        referencesReplaced: d.referencesReplaced,
      });
      let layoutChanged = false;
      const notes = NoteStore.of(values);
      /** The layout the push sends, merged into the stored one (null when it sends none). */
      const layoutOf = (stored: Parameters<typeof mergeLayout>[0], d: ReturnType<typeof computeBulkDiff>) => {
        if (!input.layout) return null;
        const sent = input.variables.map((v) => ({ key: v.key, blankLineBefore: v.blankLineBefore ?? false }));
        // A dry run compares as a push without prune would (envplane env push plans with prune on to list absent keys).
        const merged = mergeLayout(stored, sent, new Set(input.dryRun ? [] : d.removed));
        layoutChanged = merged.changed;
        return merged;
      };

      if (input.dryRun) {
        const access = await projectAccess(db.reader, actor, input.project);
        const env = await findEnvironment(db.reader, access, input.environment);
        // The plan of a write: a token that may write but not read gets it too, compared as the
        // write compares (without values), so it learns keys and types, never a stored value.
        const readable = can(access, "variable:read-value", env);
        if (!readable) assertCan(access, "environment:write", env);
        if (input.expectedRevision != null && input.expectedRevision !== env.revision)
          throw staleRevision(env.name, input.expectedRevision, env.revision);
        const label = { project: access.project.slug, environment: env.name };
        const scope = { projectId: access.project.id, environmentId: env.id, label };
        const layout = { notes: readable };
        const existing = await values.load(db.reader, scope, { secrets: false, values: readable, layout });
        const managed = await managedKeys(db.reader, env.id);
        const resolved = await withResolved(db.reader, values, scope, existing);
        const stored = await notes.fromRows(
          scope,
          existing.map((v) => v.layout!),
          readable,
        );
        const diff = diffOf(withNotes(resolved, stored), env, managed);
        layoutOf(stored, diff);
        return summarize(env, env.revision, false, diff, managedKeptOf(managed));
      }
      const spec = {
        actor,
        action: "variables.bulk_upsert",
        project: input.project,
        environment: input.environment,
        permission: "environment:write",
      } as const;
      const result = await writes.run(
        { ...spec, bump: true, expectedRevision: input.expectedRevision, message: input.message },
        async ({ tx, access, env, revision, record, removing }) => {
          const projectId = access.project.id;
          const label = { project: access.project.slug, environment: env.name };
          // A token that may write but not read compares nothing: every given key counts as
          // changed, so `unchanged` cannot tell it what a stored value is.
          const readable = can(access, "variable:read-value", env);
          const existing = await values.load(
            tx,
            { projectId, environmentId: env.id, label },
            { secrets: false, values: readable, layout: { notes: readable } },
          );
          await breatheHolding();
          const managed = await managedKeys(tx, env.id);
          const resolved = await withResolved(tx, values, { projectId, label }, existing);
          const stored = await notes.fromRows(
            { projectId, environmentId: env.id },
            existing.map((v) => v.layout!),
            readable,
          );
          await breatheHolding();
          const diff = diffOf(withNotes(resolved, stored), env, managed);
          const managedKept = managedKeptOf(managed);
          const layout = layoutOf(stored, diff);
          await breatheHolding();
          if (diffIsEmpty(diff) && !layoutChanged)
            throw new Rollback(summarize(env, revision - 1, false, diff, managedKept));
          const [project] = await querySql<{ activeKeyVersion: number | bigint }>(
            tx,
            Prisma.sql`SELECT "activeKeyVersion" FROM "Project" WHERE "id" = ${projectId}`,
          );
          if (!project) throw new NotFoundError(`Project "${input.project}" was deleted during this write.`, "Project");
          const activeKeyVersion = Number(project.activeKeyVersion);
          const types = new Map(existing.map((v) => [v.key, v.isSecret]));
          const written = [...diff.added, ...diff.changed, ...diff.secretOverwritten];
          const rows = written.map((v) => ({
            key: v.key,
            value: v.value,
            isSecret: types.get(v.key) ?? v.secret ?? false,
          }));
          await values.upsert(
            tx,
            { projectId, environmentId: env.id, keyVersion: activeKeyVersion, valueVersion: revision },
            rows,
            {
              access,
              pathOf: (i) => ["variables", String(input.variables.findIndex((v) => v.key === rows[i].key)), "value"],
            },
          );
          await breatheHolding();
          await removing(diff.removed);
          await values.remove(tx, env.id, diff.removed);
          const renoted = new Set(diff.notesChanged);
          const noted = [...diff.added.filter((v) => v.note), ...input.variables.filter((v) => renoted.has(v.key))];
          await notes.write(
            tx,
            { projectId, environmentId: env.id, keyVersion: activeKeyVersion, noteVersion: revision },
            noted.map((v) => ({ key: v.key, note: v.note ?? null })),
          );
          if (layout) await notes.writeLayout(tx, env.id, stored, layout.rows);
          record({
            keys: [...written.map((v) => v.key), ...diff.removed, ...diff.notesChanged],
            metadata: {
              added: diff.added.length,
              changed: diff.changed.length + diff.secretOverwritten.length,
              removed: diff.removed.length,
              ...(diff.notesChanged.length ? { notesChanged: diff.notesChanged.length } : {}),
              ...(layoutChanged ? { layoutChanged: true } : {}),
            },
          });
          return summarize(env, revision, true, diff, managedKept);
        },
      );
      wroteValues(input.variables.length);
      return result;
    },
  };
}
