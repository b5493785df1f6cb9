/**
 * Project-shared variables: the values of a project's hidden `_shared` environment (kind "shared"),
 * which environments reference as `${{project.KEY}}`. They feed every environment, production
 * included, so writing them needs what writing every environment needs: a person who may write
 * the protected ones, or a service token with write on all environments.
 */

import { check, type FieldError, variableKey, variableValue } from "../../core/names.js";
import { readReferencesColumn } from "../../core/references.js";
import { type ProjectAccess, projectAccess } from "../authz/index.js";
import type { Database, Tx } from "../db/client.js";
import type { WritePath } from "../events/index.js";
import type { Actor } from "./actor.js";
import { assertValid, ConflictError, ForbiddenError, ValidationError } from "./errors.js";
import { loadSharedKeys, SHARED_ENVIRONMENT } from "./references.js";
import { canReadShared, canReadSharedValues, canWriteShared } from "./shared-access.js";
import { Rollback } from "./transaction.js";
import type { ValueStore } from "./values.js";

export interface SetSharedVariableInput {
  project: string;
  key: string;
  value: string;
  secret?: boolean | null;
  message?: string | null;
}

export interface UnsetSharedVariableInput {
  project: string;
  key: string;
  /** Delete even when environments reference it (their references then fail to resolve). */
  force?: boolean | null;
  message?: string | null;
}

type Reader = Database["reader"];

async function assertCanWriteShared(db: Reader, access: ProjectAccess): Promise<void> {
  if (await canWriteShared(db, access)) return;
  const { actor, project, role } = access;
  if (actor.kind === "service")
    throw new ForbiddenError(
      `Project variables feed every environment of project "${project.slug}": a service token needs the write ` +
        "permission on all environments to change them. Use a personal token of an admin, or a service token " +
        "created with --permission write and no --env.",
    );
  if (role === "viewer")
    throw new ForbiddenError(`Your role "viewer" in project "${project.slug}" is read-only. Ask an admin.`);
  throw new ForbiddenError(
    `Project variables feed every environment of project "${project.slug}", protected ones included: only admins ` +
      `and owners can change them (your role: ${role}). Ask an admin.`,
  );
}

function assertCanReadShared(access: ProjectAccess): void {
  if (canReadShared(access)) return;
  throw new ForbiddenError(
    `Project variables of "${access.project.slug}" are not visible to a token limited to some environments. ` +
      "Use a token for all environments.",
  );
}

/** The `_shared` environment, created on the first write (the write serializes on the project row). */
async function sharedEnvironment(tx: Tx, projectId: string): Promise<{ id: string; name: string }> {
  const found = await tx.environment.findFirst({ where: { projectId, kind: "shared" }, select: { id: true } });
  const env =
    found ??
    (await tx.environment.create({
      data: { projectId, name: SHARED_ENVIRONMENT, kind: "shared" },
      select: { id: true },
    }));
  return { id: env.id, name: SHARED_ENVIRONMENT };
}

/**
 * Environments whose values (base or override) reference `key`, by name. One read after the other: in a transaction
 * (`tx`) they share one PostgreSQL connection, and sent at once they would rely on Prisma batching them (pg's queue
 * of a busy client's queries is deprecated; pg 9 drops it).
 */
async function referencingEnvironments(db: Reader | Tx, projectId: string, key: string): Promise<string[]> {
  const needle = { contains: `"${key}"` };
  const base = await db.variable.findMany({
    where: { references: needle, environment: { projectId, kind: "environment" } },
    select: { references: true, environment: { select: { name: true } } },
  });
  const overrides = await db.branchOverride.findMany({
    where: { references: needle, variable: { environment: { projectId, kind: "environment" } } },
    select: { references: true, variable: { select: { environment: { select: { name: true } } } } },
  });
  const names = new Set<string>();
  for (const v of base) if (readReferencesColumn(v.references).includes(key)) names.add(v.environment.name);
  for (const o of overrides)
    if (readReferencesColumn(o.references).includes(key)) names.add(o.variable.environment.name);
  return [...names].sort();
}

export function sharedService({
  db,
  values,
  writes,
}: {
  db: Pick<Database, "reader">;
  values: ValueStore;
  writes: WritePath;
}) {
  const spec = (actor: Actor, action: "shared.set" | "shared.unset", project: string, message?: string | null) => ({
    actor,
    action,
    project,
    message,
    serializeProject: true,
    authorize: ({ access }: { access: ProjectAccess }) => assertCanWriteShared(db.reader, access),
  });

  return {
    /** Project variables by key, with the environments that reference each (`usedBy`). */
    async listShared(actor: Actor, input: { project: string }) {
      const access = await projectAccess(db.reader, actor, input.project);
      assertCanReadShared(access);
      const shared = await loadSharedKeys(db.reader, access.project.id);
      if (!shared) return { access, environmentId: null, revision: 0, variables: [] };
      const label = { project: access.project.slug, environment: SHARED_ENVIRONMENT };
      const rows = await values.load(
        db.reader,
        { projectId: access.project.id, environmentId: shared.id, label },
        { secrets: false, values: canReadSharedValues(access) },
      );
      return { access, environmentId: shared.id, revision: shared.revision, variables: rows };
    },

    async setSharedVariable(actor: Actor, input: SetSharedVariableInput) {
      assertValid([...check(variableKey, input.key, ["key"]), ...check(variableValue, input.value, ["value"])]);
      return writes.run(spec(actor, "shared.set", input.project, input.message), async (uow) => {
        const { tx, access, record } = uow;
        const projectId = access.project.id;
        const env = await sharedEnvironment(tx, projectId);
        const revision = await uow.bump(env);
        record({ keys: [input.key] });
        const existing = await tx.variable.findUnique({
          where: { environmentId_key: { environmentId: env.id, key: input.key } },
          select: { isSecret: true },
        });
        if (existing && input.secret != null && input.secret !== existing.isSecret)
          throw new ValidationError(
            `Project variable "${input.key}" is ${existing.isSecret ? "a secret" : "standard"}; the secret flag is set ` +
              `at creation and cannot be changed. Unset it (envplane shared unset ${input.key}) and set it again.`,
            [{ path: ["secret"], message: "The secret flag of an existing variable cannot be changed." }],
          );
        const isSecret = existing?.isSecret ?? input.secret ?? false;
        const { activeKeyVersion } = await tx.project.findUniqueOrThrow({
          where: { id: projectId },
          select: { activeKeyVersion: true },
        });
        await values.upsert(
          tx,
          { projectId, environmentId: env.id, keyVersion: activeKeyVersion, valueVersion: revision },
          [{ key: input.key, value: input.value, isSecret }],
          { access, pathOf: () => ["value"] },
        );
        record({ metadata: { created: !existing, isSecret } });
        return { key: input.key, created: !existing, isSecret, revision, projectId };
      });
    },

    async unsetSharedVariable(actor: Actor, input: UnsetSharedVariableInput) {
      const errors: FieldError[] = check(variableKey, input.key, ["key"]);
      assertValid(errors);
      return writes.run(spec(actor, "shared.unset", input.project, input.message), async (uow) => {
        const { tx, access, record } = uow;
        const projectId = access.project.id;
        const env = await sharedEnvironment(tx, projectId);
        const revision = await uow.bump(env);
        record({ keys: [input.key] });
        const variable = await tx.variable.findUnique({
          where: { environmentId_key: { environmentId: env.id, key: input.key } },
          select: { id: true },
        });
        if (!variable)
          throw new Rollback({ key: input.key, removed: false, usedBy: [] as string[], revision: revision - 1 });
        const usedBy = await referencingEnvironments(tx, projectId, input.key);
        if (usedBy.length && !input.force)
          throw new ConflictError(
            `Project variable "${input.key}" is referenced in ${usedBy.map((n) => `"${n}"`).join(", ")}. ` +
              `Change those values first, or force the deletion: their references will ` +
              "then fail to resolve until it is set again.",
          );
        await uow.removing([input.key]);
        await tx.variable.delete({ where: { id: variable.id } });
        record({ metadata: { forced: usedBy.length > 0, usedBy } });
        return { key: input.key, removed: true, usedBy, revision };
      });
    },

    referencingEnvironments: (projectId: string, key: string) => referencingEnvironments(db.reader, projectId, key),
  };
}
