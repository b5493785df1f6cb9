/**
 * Comparing two environments, each at its current state or at a past revision: per key ADDED
 * (only in head), REMOVED (only in base), CHANGED or UNCHANGED. Secrets are decrypted on the
 * server to compare them and reported as changed or unchanged only, never with a value — and only
 * to a caller who may write both sides (SECURITY rule 26): otherwise "is it equal?" is an oracle
 * (set a guess where you may write, compare with where you may not). For anyone else a secret on
 * both sides is SECRET_NOT_COMPARED; its presence (ADDED/REMOVED) is still told.
 */

import { assertCan, can, type ProjectAccess, projectAccess } from "../authz/index.js";
import type { Database, Db, Tx } from "../db/client.js";
import type { Actor } from "./actor.js";
import type { ComparisonEntry, ComparisonStatus } from "./comparison.js";
import { ValidationError } from "./errors.js";
import { loadState } from "./history.js";
import { type EnvironmentRow, findEnvironment } from "./lookup.js";
import type { StoredValue, ValueStore } from "./values.js";

export type { ComparisonEntry, ComparisonStatus } from "./comparison.js";

export interface EnvironmentRef {
  environment: string;
  revision?: number | null;
}

/** Where a state is read: the environment (as the caller resolved it) and the revision asked for (null: current). */
export interface StateScope {
  access: ProjectAccess;
  env: EnvironmentRow;
  revision: number | null;
}

type Client = Db | Tx;

/**
 * Reads an environment's base values at a revision (null or its current one: now), secrets
 * decrypted with `secrets: true`. A revision it never had is a ValidationError naming the range.
 */
export function stateReader(values: ValueStore) {
  return async function loadAt(
    client: Client,
    { access, env, revision }: StateScope,
    opts: { secrets: boolean; values?: boolean },
    path: string[],
  ): Promise<{ revision: number; values: StoredValue[] }> {
    const label = { project: access.project.slug, environment: env.name };
    const scope = { projectId: access.project.id, environmentId: env.id, label };
    if (revision != null && (!Number.isInteger(revision) || revision < 0 || revision > env.revision))
      throw new ValidationError(
        `"${env.name}" has no revision ${revision}: its revisions run from 0 to ${env.revision}. ` +
          `Run "envplane env history --env ${env.name}" to see them.`,
        [{ path, message: `"${env.name}" has no revision ${revision}: pick one from 0 to ${env.revision}.` }],
      );
    const current = revision == null || revision === env.revision;
    try {
      return {
        revision: revision ?? env.revision,
        values: await loadState(client, scope, current ? null : revision, opts, values),
      };
    } catch (error) {
      // The history's own checks (e.g. a revision before it began recording) name this side's field.
      if (error instanceof ValidationError)
        throw new ValidationError(
          error.message,
          error.fieldErrors.map((f) => ({ ...f, path })),
        );
      throw error;
    }
  };
}

/**
 * The entries of `head` against `base`, sorted by key. Values are kept only when `showValues` (never for secrets).
 * Without `compareSecrets` a secret on both sides is SECRET_NOT_COMPARED (its values need not be loaded).
 */
export function compareStates(
  base: StoredValue[],
  head: StoredValue[],
  showValues: boolean,
  compareSecrets = true,
): ComparisonEntry[] {
  const before = new Map(base.map((v) => [v.key, v]));
  const after = new Map(head.map((v) => [v.key, v]));
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  return keys.map((key) => {
    const b = before.get(key);
    const h = after.get(key);
    const isSecret = (h ?? b)!.isSecret;
    let status: ComparisonStatus;
    if (!b) status = "ADDED";
    else if (!h) status = "REMOVED";
    else if (b.isSecret && h.isSecret && !compareSecrets) status = "SECRET_NOT_COMPARED";
    else status = b.value === h.value && b.isSecret === h.isSecret ? "UNCHANGED" : "CHANGED";
    const shown = (v: StoredValue | undefined) => (showValues && v && !v.isSecret ? v.value : null);
    return { key, status, isSecret, baseValue: shown(b), headValue: shown(h) };
  });
}

export function countStatuses(entries: ComparisonEntry[]) {
  const count = (s: ComparisonStatus) => entries.filter((e) => e.status === s).length;
  return {
    added: count("ADDED"),
    removed: count("REMOVED"),
    changed: count("CHANGED"),
    unchanged: count("UNCHANGED"),
    notCompared: count("SECRET_NOT_COMPARED"),
  };
}

export function compareService({ db, values }: { db: Pick<Database, "reader">; values: ValueStore }) {
  const loadAt = stateReader(values);
  return {
    async compareEnvironments(actor: Actor, input: { project: string; base: EnvironmentRef; head: EnvironmentRef }) {
      const access = await projectAccess(db.reader, actor, input.project);
      const baseEnv = await findEnvironment(db.reader, access, input.base.environment);
      const headEnv = await findEnvironment(db.reader, access, input.head.environment);
      // Whether two values are equal says something about them: comparing needs the right to read both.
      for (const env of [baseEnv, headEnv]) assertCan(access, "variable:read-value", env);
      // Whether two secrets are equal is told only to who may write both (one environment against a past
      // revision of itself: who may write it), as copying one needs (SECURITY rule 26). Else not even decrypted.
      const secrets = can(access, "environment:write", baseEnv) && can(access, "environment:write", headEnv);
      const base = await loadAt(
        db.reader,
        { access, env: baseEnv, revision: input.base.revision ?? null },
        { secrets },
        ["base", "revision"],
      );
      const head = await loadAt(
        db.reader,
        { access, env: headEnv, revision: input.head.revision ?? null },
        { secrets },
        ["head", "revision"],
      );
      const entries = compareStates(base.values, head.values, true, secrets);
      return {
        base: { environment: baseEnv, revision: base.revision },
        head: { environment: headEnv, revision: head.revision },
        entries,
        ...countStatuses(entries),
      };
    },
  };
}
