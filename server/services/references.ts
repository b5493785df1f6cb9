/**
 * `${{project.KEY}}` references to project-shared variables (the hidden `_shared` environment):
 * checked at write time (well-formed, naming existing project variables, none inside a project
 * variable itself), stored as a plaintext key list beside the ciphertext, and resolved on the
 * server for pull, runtime and listings. A value that references a secret project variable
 * resolves as a secret. Messages name keys, never values.
 */
import { parseReferences, substituteReferences, wellFormedReferences } from "../../core/references.js";
import type { ProjectAccess } from "../authz/index.js";
import type { Db, Tx } from "../db/client.js";
import { ConflictError, ForbiddenError, ValidationError } from "./errors.js";
import { canWriteShared } from "./shared-access.js";

type Client = Pick<Tx, "$queryRaw"> | Pick<Db, "$queryRaw">;

/** A value as ValueStore.load returns it (values.ts imports this module, so the shapes are restated here). */
interface StoredValue {
  key: string;
  isSecret: boolean;
  value: string | null;
  fromOverride: boolean;
}

/** What resolution needs of the ValueStore: loading the `_shared` environment's values. */
interface ValueStore {
  load(
    db: never,
    scope: { projectId: string; environmentId: string; label: { project: string; environment: string } },
    opts: { secrets: boolean },
  ): Promise<StoredValue[]>;
}

import { SHARED_ENVIRONMENT } from "./shared-access.js";

export { SHARED_ENVIRONMENT };

export interface SharedKeys {
  /** The `_shared` environment's id. */
  id: string;
  revision: number;
  /** Project variable key -> isSecret. */
  keys: Map<string, boolean>;
}

/** The project's `_shared` environment and its keys with their types (no decryption); null before its first write. */
export async function loadSharedKeys(db: Client, projectId: string): Promise<SharedKeys | null> {
  const rows = await db.$queryRaw<
    { envId: string; revision: number | bigint; key: string | null; isSecret: boolean | number | null }[]
  >`SELECT e."id" AS "envId", e."revision", v."key", v."isSecret" FROM "Environment" e
      LEFT JOIN "Variable" v ON v."environmentId" = e."id"
    WHERE e."projectId" = ${projectId} AND e."kind" = 'shared'`;
  if (!rows.length) return null;
  const keys = new Map<string, boolean>();
  for (const r of rows) if (r.key !== null) keys.set(r.key, Boolean(r.isSecret));
  return { id: rows[0].envId, revision: Number(rows[0].revision), keys };
}

/** How a write's references are checked: user input (`ReferenceCheck`) or a copy of stored values ("copy"). */
export interface ReferenceCheck {
  access: ProjectAccess;
  /** The input field of item i for fieldErrors (default: ["value"] for one item, else ["variables", i, "value"]). */
  pathOf?: (i: number) => string[];
}

/**
 * The `references` column (JSON key list) of each value written to `environmentId`. Secrets are taken
 * literally: never parsed, no references. User input (`check`) is refused for a malformed reference, a
 * reference to a missing project variable, any reference inside a project variable (no chains), and a
 * reference to a secret project variable by someone who may not write project variables. A copy of
 * stored values ("copy": seed, promote, restore, preview clone, binding credentials) is never refused:
 * its column lists the well-formed references only.
 */
export async function referenceColumns(
  db: Tx,
  scope: { projectId: string; environmentId: string },
  items: readonly { key: string; value: string; isSecret?: boolean }[],
  check: ReferenceCheck | "copy",
): Promise<string[]> {
  if (check === "copy")
    return items.map((item) => JSON.stringify(item.isSecret ? [] : wellFormedReferences(item.value)));
  const pathOf = check.pathOf ?? ((i) => (items.length === 1 ? ["value"] : ["variables", String(i), "value"]));
  const parsed = items.map((item) => (item.isSecret ? { keys: [], error: null } : parseReferences(item.value)));
  if (parsed.every((p) => p.keys.length === 0 && p.error === null)) return items.map(() => "[]");
  const bad = parsed.findIndex((p) => p.error !== null);
  if (bad !== -1) {
    const message = `The value of "${items[bad].key}" ${parsed[bad].error}`;
    throw new ValidationError(message, [{ path: pathOf(bad), message }]);
  }
  const shared = await loadSharedKeys(db, scope.projectId);
  if (shared?.id === scope.environmentId) {
    const i = parsed.findIndex((p) => p.keys.length > 0);
    const message =
      `Project variable "${items[i].key}" references \${{project.${parsed[i].keys[0]}}}: project variables cannot ` +
      "reference other project variables. Write the value itself.";
    throw new ValidationError(message, [{ path: pathOf(i), message }]);
  }
  for (const [i, p] of parsed.entries()) {
    const missing = p.keys.filter((k) => !shared?.keys.has(k));
    if (missing.length) {
      const names = missing.map((k) => `"${k}"`).join(", ");
      const message =
        `"${items[i].key}" references project variable${missing.length > 1 ? "s" : ""} ${names}, which ` +
        `${missing.length > 1 ? "do" : "does"} not exist. Create ${missing.length > 1 ? "them" : "it"} first ` +
        `(envplane shared set ${missing[0]} <value>) or fix the reference.`;
      throw new ValidationError(message, [{ path: pathOf(i), message }]);
    }
  }
  const secretRef = parsed.findIndex((p) => p.keys.some((k) => shared?.keys.get(k)));
  if (secretRef !== -1 && !(await canWriteShared(db, check.access))) {
    const key = parsed[secretRef].keys.find((k) => shared?.keys.get(k));
    throw new ForbiddenError(
      `"${items[secretRef].key}" references the secret project variable "${key}". Referencing a secret project ` +
        "variable needs the permission to write project variables (while an environment is protected, only " +
        "admins and owners have it). Ask one of them to set it.",
    );
  }
  return parsed.map((p) => JSON.stringify(p.keys));
}

export interface ResolvedValue extends StoredValue {
  /** The value as written when it references project variables (`value` is then resolved); else null. */
  reference: string | null;
}

/**
 * Replaces references in `stored` by the project variables' values. A value referencing a secret
 * project variable becomes a secret: with `secrets: false` its value is null. A reference to a
 * project variable that no longer exists (deleted with force) fails, naming the keys.
 */
export async function resolveReferences(
  db: Client,
  values: ValueStore,
  scope: { projectId: string; label: { project: string; environment: string } },
  stored: readonly StoredValue[],
  opts: { secrets: boolean; onMissing?: "fail" | "skip" },
): Promise<ResolvedValue[]> {
  // Secrets are taken literally: a `${{` in a secret is part of the secret.
  const keysOf = (v: StoredValue) => (v.value === null || v.isSecret ? [] : wellFormedReferences(v.value));
  const referencing = stored.filter((v) => keysOf(v).length > 0);
  // A literal, not a spread: a 1,000-value pull copied each value through `{ ...v }` at ~0.6 µs apiece.
  if (!referencing.length)
    return stored.map((v) => ({
      key: v.key,
      isSecret: v.isSecret,
      value: v.value,
      fromOverride: v.fromOverride,
      reference: null,
    }));
  const shared = await loadSharedKeys(db, scope.projectId);
  const sharedValues = new Map<string, string>();
  if (shared) {
    const label = { project: scope.label.project, environment: SHARED_ENVIRONMENT };
    const rows = await values.load(db as never, { projectId: scope.projectId, environmentId: shared.id, label }, opts);
    for (const r of rows) if (r.value !== null) sharedValues.set(r.key, r.value);
  }
  const broken: string[] = [];
  const missingKeys: string[] = [];
  const out = stored.map((v): ResolvedValue => {
    const keys = keysOf(v);
    if (v.value === null || !keys.length) return { ...v, reference: null };
    const missing = keys.filter((k) => !shared?.keys.has(k));
    if (missing.length) {
      broken.push(`"${v.key}" (${missing.map((k) => `\${{project.${k}}}`).join(", ")})`);
      for (const k of missing) if (!missingKeys.includes(k)) missingKeys.push(k);
      return { ...v, value: null, reference: v.value };
    }
    const isSecret = v.isSecret || keys.some((k) => shared?.keys.get(k));
    if (isSecret && !opts.secrets) return { ...v, isSecret, value: null, reference: v.value };
    return { ...v, isSecret, value: substituteReferences(v.value, sharedValues), reference: v.value };
  });
  if (broken.length && opts.onMissing !== "skip")
    throw new ConflictError(
      `${broken.join(", ")} in environment "${scope.label.environment}" reference${broken.length > 1 ? "" : "s"} ` +
        "project variables that no longer exist. Set them again (envplane shared set " +
        `${missingKeys.length === 1 ? missingKeys[0] : "<KEY>"} <value>) or change the values.`,
    );
  return out;
}

/** Existing values for a bulk diff: each with `resolved` (its references resolved; null when it has none). */
export async function withResolved<T extends StoredValue>(
  db: Client,
  values: ValueStore,
  scope: { projectId: string; label: { project: string; environment: string } },
  existing: T[],
): Promise<(T & { resolved: string | null })[]> {
  const resolved = await resolveReferences(db, values, scope, existing, { secrets: false, onMissing: "skip" });
  return existing.map((v, i) => ({ ...v, resolved: resolved[i].reference !== null ? resolved[i].value : null }));
}
