/**
 * Managed data-service bindings. A binding names a data service of the project (postgres, redis,
 * bucket, other) and the variable its credential is injected under (DATABASE_URL by default). Per
 * environment the credential is a secret Variable with `managedBy` = the binding's id: pull leaves
 * it out (it is a secret), runtime resolution includes it.
 *
 * Only the binding changes its variables (bindService, updateBinding, unbindService). Every other
 * write path calls the guards below: set / setVariables / unset / unsetVariables refuse a managed key
 * naming the binding; a bulk upsert refuses one it is sent and leaves the others when it prunes
 * (`managedKept`); seed, promote and restore leave managed keys of the target as they are and never
 * copy a source's credential to another environment.
 *
 * Each binding write is one transaction: bindService and unbindService append their own project-level event
 * (binding.create / binding.delete), and every environment whose credential changes gets its own revision
 * (history) and event (binding.credential_set / binding.credential_remove, sent to webhooks as
 * environment.changed). updateBinding has no event of its own: its first environment change is the write path's.
 */
import { z } from "zod";
import { check, type FieldError, variableKey, variableValue } from "../../core/names.js";
import { assertCan, type ProjectAccess } from "../authz/index.js";
import type { Database, Provider, Tx } from "../db/client.js";
import { querySql } from "../db/direct.js";
import { Prisma } from "../db/generated/sqlite/client.js";
import { captureRemovals, captureRevision } from "../events/history.js";
import {
  appendEvent,
  type EventAction,
  type EventActor,
  Rollback,
  type UnitOfWork,
  type WritePath,
} from "../events/index.js";
import { enqueueDeliveries } from "../events/outbox.js";
import type { Actor } from "./actor.js";
import { assertValid, ConflictError, NotFoundError, ValidationError } from "./errors.js";
import { type EnvironmentRow, findEnvironment } from "./lookup.js";
import { bumpRevision, isUniqueViolation } from "./transaction.js";
import type { ValueStore } from "./values.js";

export const BINDING_SERVICES = ["postgres", "redis", "bucket", "other"] as const;
export type BindingService = (typeof BINDING_SERVICES)[number];
export const DEFAULT_BINDING_VARIABLE = "DATABASE_URL";

export const bindingName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    "Binding names use lower-case letters, digits, - and _ (at most 63 characters, e.g. main-db).",
  );

type Client = Pick<Tx, "variable" | "$queryRaw">;

/** The managed variables of one environment (only those among `keys` when given): key → binding name. */
export async function managedKeys(
  client: Client,
  environmentId: string,
  keys?: readonly string[],
): Promise<Map<string, string>> {
  if (!keys) {
    // Every bulk write asks: one raw statement (run directly in a SQLite write transaction, server/db/direct.ts).
    const all = await querySql<{ key: string; name: string | null }>(
      client,
      Prisma.sql`SELECT v."key", b."name" FROM "Variable" v LEFT JOIN "ServiceBinding" b ON b."id" = v."managedBy"
        WHERE v."environmentId" = ${environmentId} AND v."managedBy" IS NOT NULL`,
    );
    return new Map(all.map((r) => [r.key, r.name ?? "?"]));
  }
  const rows = await client.variable.findMany({
    where: { environmentId, managedBy: { not: null }, ...(keys ? { key: { in: [...keys] } } : {}) },
    select: { key: true, binding: { select: { name: true } } },
  });
  return new Map(rows.map((r) => [r.key, r.binding?.name ?? "?"]));
}

/** The error for writing managed variables some other way than through their binding. */
export function managedError(
  env: { name: string },
  managed: Map<string, string>,
  pathOf: (key: string) => string[],
): ValidationError {
  const keys = [...managed.keys()];
  const [key, binding] = [keys[0], managed.get(keys[0])!];
  const list = keys.map((k) => `"${k}" (binding "${managed.get(k)}")`).join(", ");
  const one = keys.length === 1;
  return new ValidationError(
    `${list} in "${env.name}" ${one ? "is" : "are"} managed by a service binding: only the binding changes or ` +
      `removes ${one ? "it" : "them"}. Set a new credential with "envplane bindings set ${binding} --env ${env.name} ` +
      `--value -", remove it with "envplane bindings remove ${binding} --env ${env.name}", ` +
      `or leave ${key}${one ? "" : " and the others"} out of this write.`,
    keys.map((k) => ({ path: pathOf(k), message: `"${k}" is managed by the binding "${managed.get(k)}".` })),
  );
}

/** Refuses a write naming managed variables of `env` (set, setVariables, unset, unsetVariables, bulk upsert). */
export async function assertNotManaged(
  client: Client,
  env: { id: string; name: string },
  keys: readonly string[],
  pathOf: (key: string) => string[],
): Promise<void> {
  if (!keys.length) return;
  const managed = await managedKeys(client, env.id, keys);
  if (managed.size) throw managedError(env, managed, pathOf);
}

export interface BindingCredentialInput {
  environment: string;
  /** The credential (e.g. a connection URL); stored as a secret, never returned. */
  value: string;
}

export interface BindServiceInput {
  project: string;
  name: string;
  service: BindingService;
  /** Default DATABASE_URL. */
  variable?: string | null;
  environments?: BindingCredentialInput[] | null;
  message?: string | null;
}

export interface UpdateBindingInput {
  project: string;
  name: string;
  /** Sets (or rotates) the credential of each of these environments. */
  environments?: BindingCredentialInput[] | null;
  /** Removes the credential (the managed variable) from these environments. */
  removeEnvironments?: string[] | null;
  message?: string | null;
}

export interface UnbindServiceInput {
  project: string;
  name: string;
  /** true: the credentials stay as plain secrets; default: they are removed with the binding. */
  keepVariables?: boolean | null;
  message?: string | null;
}

export type BindingChangeKind = "added" | "rotated" | "removed" | "kept";

export interface BindingChange {
  environment: string;
  kind: BindingChangeKind;
  /** The environment's revision after the change; null for `kept` (no value changed). */
  revision: number | null;
}

export interface BindingResult {
  binding: { id: string; name: string; service: string; variable: string; projectId: string };
  changes: BindingChange[];
}

function credentialErrors(list: readonly BindingCredentialInput[], field: string): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const [i, c] of list.entries()) {
    const path = [field, String(i)];
    if (seen.has(c.environment))
      errors.push({ path: [...path, "environment"], message: `"${c.environment}" is given twice. Keep one.` });
    seen.add(c.environment);
    if (c.value === "")
      errors.push({ path: [...path, "value"], message: "The credential is empty. Give the service's credential." });
    errors.push(...check(variableValue, c.value, [...path, "value"]));
  }
  return errors;
}

const notFound = (name: string, project: string) =>
  new NotFoundError(
    `Binding "${name}" not found in project "${project}". Run "envplane bindings list" to see them.`,
    "ServiceBinding",
  );

/** Who writes, and (updateBinding) the write path's unit of work whose event the first environment change takes. */
interface WriteContext {
  actor: Actor;
  message?: string | null;
  projectId: string;
  primary?: { uow: UnitOfWork | null };
}

export function bindingService({
  db,
  values,
  writes,
}: {
  db: Pick<Database, "reader" | "provider">;
  values: ValueStore;
  writes: WritePath;
}) {
  /** The named environments, each checked: visible, and writable by the caller. */
  async function writableEnvironments(access: ProjectAccess, names: readonly string[]) {
    const envs = new Map<string, EnvironmentRow>();
    for (const name of names) {
      const env = await findEnvironment(db.reader, access, name);
      assertCan(access, "environment:write", env);
      envs.set(name, env);
    }
    return envs;
  }

  /**
   * One environment's part of a binding write: its revision bumped, the change made, its history
   * revision, its own event and webhook deliveries (environment.changed), all in the caller's transaction.
   * With `primary` (updateBinding), the first one is the write path's own revision and event.
   */
  async function environmentWrite(
    tx: Tx,
    spec: WriteContext & { action: EventAction; binding: string },
    env: EnvironmentRow,
    key: string,
    work: (revision: number) => Promise<void>,
  ): Promise<number> {
    const primary = spec.primary?.uow;
    if (primary) {
      spec.primary!.uow = null;
      const revision = await primary.bump(env);
      await work(revision);
      primary.record({ environmentId: env.id, keys: [key], metadata: { binding: spec.binding } });
      return revision;
    }
    const revision = await bumpRevision(tx, env);
    await work(revision);
    const { actor, action, message, projectId } = spec;
    await captureRevision(tx, db.provider as Provider, {
      environmentId: env.id,
      number: revision,
      action,
      actor,
      message,
    });
    const fields = {
      projectId,
      environmentId: env.id,
      branchId: null,
      revision,
      keys: [key],
      metadata: { binding: spec.binding },
    };
    const event = await appendEvent(tx, actor as EventActor, action, fields);
    await enqueueDeliveries(tx, { ...event, ...fields, action, actor, message: message ?? null });
    return revision;
  }

  /** Writes the credential of `binding` into `env` (a new managed secret, or a rotation of its own). */
  async function writeCredential(
    tx: Tx,
    spec: WriteContext,
    binding: { id: string; name: string; variable: string },
    env: EnvironmentRow,
    value: string,
  ): Promise<BindingChange> {
    const existing = await tx.variable.findUnique({
      where: { environmentId_key: { environmentId: env.id, key: binding.variable } },
      select: { managedBy: true, binding: { select: { name: true } } },
    });
    if (existing && existing.managedBy !== binding.id) {
      const other = existing.binding?.name;
      throw new ValidationError(
        other
          ? `"${binding.variable}" in "${env.name}" is already managed by the binding "${other}". ` +
              `Bind "${binding.name}" under another variable, or remove "${other}" from "${env.name}" first.`
          : `"${binding.variable}" already exists in "${env.name}" as a plain variable, so the binding cannot take it ` +
              `over. Unset it first (envplane env unset ${binding.variable} --env ${env.name}), or bind under ` +
              `another variable (--variable).`,
        [{ path: ["environments"], message: `"${binding.variable}" already exists in "${env.name}".` }],
      );
    }
    const { activeKeyVersion } = await tx.project.findUniqueOrThrow({
      where: { id: spec.projectId },
      select: { activeKeyVersion: true },
    });
    const action = "binding.credential_set";
    const revision = await environmentWrite(
      tx,
      { ...spec, action, binding: binding.name },
      env,
      binding.variable,
      async (rev) => {
        await values.upsert(
          tx,
          { projectId: spec.projectId, environmentId: env.id, keyVersion: activeKeyVersion, valueVersion: rev },
          [{ key: binding.variable, value, isSecret: true }],
        );
        await tx.variable.update({
          where: { environmentId_key: { environmentId: env.id, key: binding.variable } },
          data: { managedBy: binding.id },
        });
      },
    );
    return { environment: env.name, kind: existing ? "rotated" : "added", revision };
  }

  /** Removes `binding`'s credential from `env` (its own managed variable only); null when it had none there. */
  async function removeCredential(
    tx: Tx,
    spec: WriteContext,
    binding: { id: string; name: string; variable: string },
    env: EnvironmentRow,
  ): Promise<BindingChange | null> {
    const where = { environmentId: env.id, key: binding.variable, managedBy: binding.id };
    if (!(await tx.variable.findFirst({ where, select: { id: true } }))) return null;
    const action = "binding.credential_remove";
    const revision = await environmentWrite(
      tx,
      { ...spec, action, binding: binding.name },
      env,
      binding.variable,
      async (rev) => {
        await captureRemovals(
          tx,
          db.provider as Provider,
          { environmentId: env.id, revision: rev },
          { keys: [binding.variable] },
        );
        await tx.variable.deleteMany({ where });
      },
    );
    return { environment: env.name, kind: "removed", revision };
  }

  async function findBinding(tx: Tx, access: ProjectAccess, name: string) {
    const binding = await tx.serviceBinding.findUnique({
      where: { projectId_name: { projectId: access.project.id, name } },
    });
    if (!binding) throw notFound(name, access.project.slug);
    return binding;
  }

  return {
    async bindService(actor: Actor, input: BindServiceInput): Promise<BindingResult> {
      const variable = input.variable ?? DEFAULT_BINDING_VARIABLE;
      const credentials = input.environments ?? [];
      const errors: FieldError[] = [
        ...check(bindingName, input.name, ["name"]),
        ...check(variableKey, variable, ["variable"]),
        ...credentialErrors(credentials, "environments"),
      ];
      if (!BINDING_SERVICES.includes(input.service))
        errors.push({ path: ["service"], message: `The service is one of ${BINDING_SERVICES.join(", ")}.` });
      assertValid(errors);
      let envs = new Map<string, EnvironmentRow>();
      try {
        return await writes.run(
          {
            actor,
            action: "binding.create",
            project: input.project,
            permission: "environment:manage",
            serializeProject: true,
            message: input.message,
            authorize: async ({ access }) => {
              envs = await writableEnvironments(
                access,
                credentials.map((c) => c.environment),
              );
            },
          },
          async ({ tx, access, record }) => {
            const projectId = access.project.id;
            if (
              await tx.serviceBinding.findUnique({
                where: { projectId_name: { projectId, name: input.name } },
                select: { id: true },
              })
            )
              throw new ConflictError(
                `Binding "${input.name}" already exists in project "${access.project.slug}". ` +
                  `Change its credentials with "envplane bindings set ${input.name} --env <env> --value -", or pick another name.`,
              );
            const binding = await tx.serviceBinding.create({
              data: { projectId, name: input.name, service: input.service, variable },
            });
            const spec = { actor, message: input.message, projectId };
            const changes: BindingChange[] = [];
            for (const c of credentials)
              changes.push(await writeCredential(tx, spec, binding, envs.get(c.environment)!, c.value));
            record({
              keys: [variable],
              metadata: {
                name: binding.name,
                service: binding.service,
                variable,
                environments: changes.map((c) => c.environment),
              },
            });
            return { binding, changes };
          },
        );
      } catch (error) {
        if (isUniqueViolation(error))
          throw new ConflictError(`Binding "${input.name}" already exists in project "${input.project}".`);
        throw error;
      }
    },

    async updateBinding(actor: Actor, input: UpdateBindingInput): Promise<BindingResult> {
      const credentials = input.environments ?? [];
      const removals = [...new Set(input.removeEnvironments ?? [])];
      const errors: FieldError[] = [
        ...check(bindingName, input.name, ["name"]),
        ...credentialErrors(credentials, "environments"),
      ];
      for (const [i, name] of removals.entries())
        if (credentials.some((c) => c.environment === name))
          errors.push({
            path: ["removeEnvironments", String(i)],
            message: `"${name}" is both set and removed. Keep one.`,
          });
      if (!credentials.length && !removals.length)
        errors.push({ path: ["environments"], message: "Give environments to set, or removeEnvironments to remove." });
      assertValid(errors);
      let envs = new Map<string, EnvironmentRow>();
      return writes.run(
        {
          actor,
          // No event of its own: each environment changed is one (the first is the write path's).
          action: credentials.length ? "binding.credential_set" : "binding.credential_remove",
          project: input.project,
          permission: "environment:manage",
          serializeProject: true,
          message: input.message,
          authorize: async ({ access }) => {
            envs = await writableEnvironments(access, [...credentials.map((c) => c.environment), ...removals]);
          },
        },
        async (uow) => {
          const { tx, access } = uow;
          const binding = await findBinding(tx, access, input.name);
          const spec = { actor, message: input.message, projectId: access.project.id, primary: { uow } };
          const changes: BindingChange[] = [];
          for (const c of credentials)
            changes.push(await writeCredential(tx, spec, binding, envs.get(c.environment)!, c.value));
          for (const name of removals) {
            const change = await removeCredential(tx, spec, binding, envs.get(name)!);
            if (change) changes.push(change);
          }
          if (!changes.length) throw new Rollback({ binding, changes });
          return { binding, changes };
        },
      );
    },

    async unbindService(actor: Actor, input: UnbindServiceInput): Promise<BindingResult> {
      assertValid(check(bindingName, input.name, ["name"]));
      const keep = input.keepVariables ?? false;
      // Removing a credential writes its environment: the caller must be able to write each one.
      let envs: EnvironmentRow[] = [];
      return writes.run(
        {
          actor,
          action: "binding.delete",
          project: input.project,
          permission: "environment:manage",
          serializeProject: true,
          message: input.message,
          authorize: async ({ access }) => {
            const binding = await db.reader.serviceBinding.findUnique({
              where: { projectId_name: { projectId: access.project.id, name: input.name } },
              select: { variables: { select: { environment: { select: { name: true } } } } },
            });
            if (!binding) throw notFound(input.name, access.project.slug);
            const names = binding.variables.map((v) => v.environment.name);
            envs = [...(await writableEnvironments(access, names)).values()];
          },
        },
        async ({ tx, access, record }) => {
          const binding = await findBinding(tx, access, input.name);
          const spec = { actor, message: input.message, projectId: access.project.id };
          // A credential set in another environment since the check (before the project lock) is refused, not missed.
          const now = await tx.variable.findMany({
            where: { managedBy: binding.id, environmentId: { notIn: envs.map((e) => e.id) } },
            select: { id: true },
          });
          if (now.length)
            throw new ConflictError(
              `Binding "${binding.name}" changed while it was being removed. Run the command again.`,
            );
          const changes: BindingChange[] = [];
          for (const env of envs) {
            if (keep) {
              const { count } = await tx.variable.updateMany({
                where: { environmentId: env.id, managedBy: binding.id },
                data: { managedBy: null },
              });
              if (count) changes.push({ environment: env.name, kind: "kept", revision: null });
            } else {
              const change = await removeCredential(tx, spec, binding, env);
              if (change) changes.push(change);
            }
          }
          await tx.serviceBinding.delete({ where: { id: binding.id } });
          record({
            keys: [binding.variable],
            metadata: {
              name: binding.name,
              service: binding.service,
              keptVariables: keep,
              environments: changes.map((c) => c.environment),
            },
          });
          return { binding, changes };
        },
      );
    },
  };
}

export type BindingServiceApi = ReturnType<typeof bindingService>;

/**
 * Seed and promote: the managed variables of the source (`fromSource`, never copied: a credential belongs to its
 * environment) and of the target (`inTarget`, key → binding: left as they are).
 */
export async function managedOfCopy(client: Client, sourceId: string, targetId: string) {
  const fromSource = new Set((await managedKeys(client, sourceId)).keys());
  return { fromSource, inTarget: await managedKeys(client, targetId) };
}

/**
 * The writes of a seed or promote without the target's managed variables: refused when the caller named one
 * (explicit decisions), else left out and listed in `skipped`.
 */
export function leaveManaged<T extends { key: string }>(
  writes: T[],
  target: { name: string },
  inTarget: Map<string, string>,
  explicit: boolean,
  summary: { copied: string[]; edited: string[]; skipped: string[] },
): T[] {
  const blocked = new Map(writes.filter((w) => inTarget.has(w.key)).map((w) => [w.key, inTarget.get(w.key)!]));
  if (!blocked.size) return writes;
  if (explicit) throw managedError(target, blocked, () => ["decisions"]);
  summary.copied = summary.copied.filter((k) => !blocked.has(k));
  summary.edited = summary.edited.filter((k) => !blocked.has(k));
  summary.skipped.push(...blocked.keys());
  return writes.filter((w) => !blocked.has(w.key));
}

/** Restore: the environment's managed variables keep their current state (`past` gets their current entries). */
export async function keepManagedState<T extends { key: string }>(
  client: Client,
  environmentId: string,
  current: T[],
  past: T[],
): Promise<T[]> {
  const managed = await managedKeys(client, environmentId);
  if (!managed.size) return past;
  return [...past.filter((e) => !managed.has(e.key)), ...current.filter((e) => managed.has(e.key))];
}

/** createPreview: per binding, the preview shares its parent's credential or gets its own `value`. */
export interface PreviewBindingChoice {
  binding: string;
  share?: boolean | null;
  value?: string | null;
}

/** What a preview got, per binding: the parent's credential (shared) or its own. */
export interface PreviewBindingOutcome {
  binding: string;
  variable: string;
  mode: "shared" | "own";
}

export function previewBindingErrors(choices: readonly PreviewBindingChoice[]): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const [i, c] of choices.entries()) {
    const path = ["bindings", String(i)];
    errors.push(...check(bindingName, c.binding, [...path, "binding"]));
    if (seen.has(c.binding))
      errors.push({ path: [...path, "binding"], message: `Binding "${c.binding}" is chosen twice. Keep one.` });
    seen.add(c.binding);
    if (c.share && c.value != null)
      errors.push({
        path: [...path, "value"],
        message: `Binding "${c.binding}": give either share: true (the parent's credential) or a value (its own), not both.`,
      });
    else if (!c.share && c.value == null)
      errors.push({
        path: [...path, "value"],
        message: `Binding "${c.binding}": choose share: true (the parent's credential) or give the preview its own value.`,
      });
    else if (c.value != null) {
      if (c.value === "") errors.push({ path: [...path, "value"], message: "The credential is empty." });
      errors.push(...check(variableValue, c.value, [...path, "value"]));
    }
  }
  return errors;
}

/**
 * The managed credentials of a new preview of `source` (whose values, secrets included, are `cloned`): every
 * binding with a credential in the source needs an explicit choice; a shared one copies the parent's value now
 * (a later rotation of the parent does not reach the preview: rotate it with `bindings set … --env preview/…`).
 */
export async function previewBindings(
  tx: Tx,
  projectId: string,
  source: { id: string; name: string },
  cloned: readonly { key: string; value: string | null }[],
  given: readonly PreviewBindingChoice[],
  overrideKeys: readonly string[],
  shareUnchosen = false,
) {
  const inSource = await tx.variable.findMany({
    where: { environmentId: source.id, managedBy: { not: null } },
    select: { key: true, managedBy: true, binding: { select: { name: true } } },
    orderBy: { key: "asc" },
  });
  // GitHub-created previews (no one to ask): every credential not chosen otherwise is shared.
  const choices: readonly PreviewBindingChoice[] = shareUnchosen
    ? [
        ...given,
        ...inSource
          .filter((v) => v.binding && !given.some((c) => c.binding === v.binding?.name))
          .map((v) => ({ binding: v.binding!.name, share: true })),
      ]
    : given;
  const bindings = new Map(
    (
      await tx.serviceBinding.findMany({
        where: { projectId, name: { in: choices.map((c) => c.binding) } },
        select: { id: true, name: true, variable: true },
      })
    ).map((b) => [b.name, b]),
  );
  const unknown = choices.find((c) => !bindings.has(c.binding));
  if (unknown)
    throw new NotFoundError(
      `Binding "${unknown.binding}" not found in this project. Run "envplane bindings list" to see them.`,
      "ServiceBinding",
    );
  const unchosen = inSource.filter((v) => !choices.some((c) => c.binding === v.binding?.name));
  if (unchosen.length)
    throw new ValidationError(
      `"${source.name}" has the credential of ${unchosen.map((v) => `binding "${v.binding?.name}" (${v.key})`).join(", ")}: ` +
        "choose for the preview, per binding, to share the parent's credential or to give it its own: " +
        '"envplane preview create" takes --share-binding NAME or --binding NAME=VALUE ("-" reads VALUE from stdin); ' +
        "in GraphQL, bindings: [{ binding, share: true }] or [{ binding, value }].",
      [{ path: ["bindings"], message: `Choose for ${unchosen.map((v) => `"${v.binding?.name}"`).join(", ")}.` }],
    );
  const values: { key: string; value: string; bindingId: string }[] = [];
  const outcomes: PreviewBindingOutcome[] = [];
  for (const [i, c] of choices.entries()) {
    const b = bindings.get(c.binding)!;
    const path = ["bindings", String(i)];
    const parent = inSource.find((v) => v.managedBy === b.id);
    const clonedValue = cloned.find((v) => v.key === b.variable);
    if (overrideKeys.includes(b.variable))
      throw new ValidationError(
        `"${b.variable}" is the credential of binding "${b.name}": its value comes from the binding choice, ` +
          "not from overrides. Leave it out of overrides.",
        [{ path: ["overrides"], message: `"${b.variable}" is managed by the binding "${b.name}".` }],
      );
    if (!parent && clonedValue)
      throw new ValidationError(
        `"${b.variable}" is a plain variable in "${source.name}", so the preview's copy cannot become binding ` +
          `"${b.name}"'s credential. Unset it there first, or leave "${b.name}" out of bindings.`,
        [{ path: [...path, "binding"], message: `"${b.variable}" is a plain variable in "${source.name}".` }],
      );
    if (c.share && !parent)
      throw new ValidationError(
        `Binding "${b.name}" has no credential in "${source.name}" to share. Give the preview its own value instead.`,
        [{ path: [...path, "share"], message: `No credential of "${b.name}" in "${source.name}".` }],
      );
    values.push({ key: b.variable, value: c.share ? clonedValue!.value! : c.value!, bindingId: b.id });
    outcomes.push({ binding: b.name, variable: b.variable, mode: c.share ? "shared" : "own" });
  }
  return { values, outcomes };
}

/** Marks the credentials `previewBindings` chose, once written, as managed by their bindings. */
export async function markManaged(
  tx: Tx,
  environmentId: string,
  values: readonly { key: string; bindingId: string }[],
): Promise<void> {
  for (const v of values)
    await tx.variable.update({
      where: { environmentId_key: { environmentId, key: v.key } },
      data: { managedBy: v.bindingId },
    });
}
