/**
 * An environment's history: its revisions, its state at any revision since `historySince`, and
 * restoring one (a new revision whose state equals the old one, secrets and overrides included,
 * decrypted and re-encrypted entirely on the server).
 *
 * The state at revision N is, per (key, branch), the latest RevisionChange at or before N unless
 * it is a removal; overrides of branches that no longer exist are left out. Each change keeps the
 * ciphertext as it was stored (its valueVersion is part of its associated data).
 */
import { assertCan, can, projectAccess } from "../authz/index.js";
import type { Database, Db, Provider, Tx } from "../db/client.js";
import { Prisma } from "../db/generated/sqlite/client.js";
import { assertMessage } from "../events/history.js";
import type { WritePath } from "../events/index.js";
import type { Actor } from "./actor.js";
import { keepManagedState } from "./bindings.js";
import type { ComparisonEntry, ComparisonStatus } from "./comparison.js";
import { NotFoundError, UndecryptableError, ValidationError } from "./errors.js";
import type { ValueIdentity } from "./keyring.js";
import { findEnvironment } from "./lookup.js";
import { referenceColumns } from "./references.js";
import { Rollback, staleRevision } from "./transaction.js";
import type { StoredValue, ValueLabel, ValueStore } from "./values.js";

type Client =
  | Pick<Tx, "$queryRaw" | "$executeRaw" | "projectKey">
  | Pick<Db, "$queryRaw" | "$executeRaw" | "projectKey">;

export interface StateScope {
  projectId: string;
  environmentId: string;
  label: ValueLabel;
}

/** One base value ("" branchId) or override of a state, decrypted as asked. */
export interface StateEntry {
  key: string;
  branchId: string;
  branchName: string;
  isSecret: boolean;
  value: string | null;
}

interface StateRow {
  key: string;
  branchId: string;
  branchName: string;
  isSecret: boolean | number;
  ciphertext: string | null;
  keyVersion: number | bigint | null;
  valueVersion: number | bigint | null;
  /** null when the override's branch was deleted since. */
  liveBranch: string | null;
}

const hex = (provider: Provider, column: Prisma.Sql, wanted: Prisma.Sql) =>
  provider === "sqlite"
    ? Prisma.sql`CASE WHEN ${wanted} AND ${column} IS NOT NULL THEN hex(${column}) END` // (SQLite: hex(NULL) is '')
    : Prisma.sql`CASE WHEN ${wanted} THEN encode(${column}, 'hex') END`;

type Ciphertexts = "all" | "standard" | "none";
const wantedSql = (which: Ciphertexts, isSecret: Prisma.Sql) =>
  which === "all" ? Prisma.sql`TRUE` : which === "none" ? Prisma.sql`FALSE` : Prisma.sql`NOT ${isSecret}`;

/** The stored rows of a state: the current one (revision null) from the values, an older one from the history. */
function stateRows(
  client: Client,
  provider: Provider,
  environmentId: string,
  revision: number | null,
  opts: { branches: boolean; ciphertexts: Ciphertexts },
): Promise<StateRow[]> {
  if (revision === null) {
    const base = Prisma.sql`
      SELECT v."key", '' AS "branchId", '' AS "branchName", v."isSecret",
        ${hex(provider, Prisma.sql`v."ciphertext"`, wantedSql(opts.ciphertexts, Prisma.sql`v."isSecret"`))} AS "ciphertext",
        v."keyVersion", v."valueVersion", '' AS "liveBranch"
      FROM "Variable" v WHERE v."environmentId" = ${environmentId}`;
    if (!opts.branches) return client.$queryRaw<StateRow[]>`${base} ORDER BY "key"`;
    return client.$queryRaw<StateRow[]>`${base} UNION ALL
      SELECT v."key", o."branchId", b."name" AS "branchName", v."isSecret",
        ${hex(provider, Prisma.sql`o."ciphertext"`, wantedSql(opts.ciphertexts, Prisma.sql`v."isSecret"`))} AS "ciphertext",
        o."keyVersion", o."valueVersion", b."id" AS "liveBranch"
      FROM "BranchOverride" o JOIN "Variable" v ON v."id" = o."variableId" JOIN "ProjectBranch" b ON b."id" = o."branchId"
      WHERE v."environmentId" = ${environmentId}
      ORDER BY "key", "branchId"`;
  }
  return client.$queryRaw<StateRow[]>`
    SELECT c."key", c."branchId", c."branchName", c."isSecret",
      ${hex(provider, Prisma.sql`c."ciphertext"`, wantedSql(opts.ciphertexts, Prisma.sql`c."isSecret"`))} AS "ciphertext",
      c."keyVersion", c."valueVersion", CASE WHEN c."branchId" = '' THEN '' ELSE b."id" END AS "liveBranch"
    FROM "RevisionChange" c LEFT JOIN "ProjectBranch" b ON b."id" = c."branchId"
    WHERE c."environmentId" = ${environmentId} AND c."kind" <> 'removed'
      ${opts.branches ? Prisma.empty : Prisma.sql`AND c."branchId" = ''`}
      AND c."revision" = (SELECT MAX(x."revision") FROM "RevisionChange" x
        WHERE x."environmentId" = c."environmentId" AND x."key" = c."key" AND x."branchId" = c."branchId"
          AND x."revision" <= ${revision})
    ORDER BY c."key", c."branchId"`;
}

/** Decrypts state rows (those with a ciphertext); an undecryptable one fails the read, naming its key. */
async function decryptRows(client: Client, store: ValueStore, scope: StateScope, rows: StateRow[]) {
  const versions = new Set<number>();
  for (const r of rows) if (r.ciphertext !== null && r.keyVersion !== null) versions.add(Number(r.keyVersion));
  const decrypt = await store.keys.decryptor(scope.projectId, versions, client);
  const failed: string[] = [];
  const out = rows.map((r): StateEntry => {
    let value: string | null = null;
    if (r.ciphertext !== null) {
      const id: ValueIdentity = {
        projectId: scope.projectId,
        environmentId: scope.environmentId,
        branchId: r.branchId === "" ? null : r.branchId,
        key: r.key,
        valueVersion: Number(r.valueVersion),
      };
      try {
        value = decrypt(id, Buffer.from(r.ciphertext, "hex"));
      } catch (error) {
        store.log(
          `Undecryptable history value ${r.key} (branch ${r.branchId || "base"}, value version ${id.valueVersion}) in ` +
            `environment ${scope.environmentId}: ${error instanceof Error ? error.message : String(error)}`,
        );
        failed.push(r.key);
      }
    }
    return { key: r.key, branchId: r.branchId, branchName: r.branchName, isSecret: Boolean(r.isSecret), value };
  });
  if (failed.length) throw UndecryptableError.inEnvironment(scope.label, [...new Set(failed)]);
  return out;
}

/** Why a revision cannot be shown or restored (before `since`, after `current`), or null when it can. */
function unknownRevision(name: string, n: number, since: number, current: number): ValidationError | null {
  if (Number.isInteger(n) && n >= since && n <= current) return null;
  const range = since === current ? `only revision ${current}` : `revisions ${since} to ${current}`;
  const why =
    n > current
      ? `"${name}" is at revision ${current}; revision ${n} does not exist yet.`
      : n < since
        ? `The history of "${name}" starts at revision ${since} (envplane began recording it then), so revision ${n} is not known.`
        : `Revision ${n} is not a revision number.`;
  return new ValidationError(`${why} Pick one of ${range}: envplane env history --env ${name}`, [
    { path: ["revision"], message: `Known revisions of "${name}": ${range}.` },
  ]);
}

/** Refuses a revision the history cannot show: before `historySince` or after the current one. */
async function assertRevisionKnown(
  client: Pick<Db, "$queryRaw"> | Pick<Tx, "$queryRaw">,
  scope: StateScope,
  n: number,
) {
  const rows = await client.$queryRaw<{ revision: number | bigint; historySince: number | bigint }[]>`
    SELECT "revision", "historySince" FROM "Environment" WHERE "id" = ${scope.environmentId}`;
  if (!rows.length)
    throw new NotFoundError(`Environment "${scope.label.environment}" no longer exists.`, "Environment");
  const error = unknownRevision(scope.label.environment, n, Number(rows[0].historySince), Number(rows[0].revision));
  if (error) throw error;
}

/**
 * Base values of the environment at `revision` (null: now), like `ValueStore.load`: key, isSecret,
 * and the value (null for secrets unless `opts.secrets`). A revision before `historySince` or after
 * the current one is a ValidationError. (`store` is the server's ValueStore: it holds the key ring.)
 */
export async function loadState(
  client: Client,
  scope: StateScope,
  revision: number | null,
  opts: { secrets: boolean; values?: boolean },
  store: ValueStore,
): Promise<StoredValue[]> {
  if (revision === null) return store.load(client, scope, opts);
  await assertRevisionKnown(client, scope, revision);
  const ciphertexts = opts.values === false ? "none" : opts.secrets ? "all" : "standard";
  const rows = await stateRows(client, store.provider, scope.environmentId, revision, { branches: false, ciphertexts });
  const entries = await decryptRows(client, store, scope, rows);
  return entries.map((e) => ({ key: e.key, isSecret: e.isSecret, value: e.value, fromOverride: false }));
}

export interface RestoreInput {
  project: string;
  environment: string;
  revision: number;
  expectedRevision?: number | null;
  dryRun?: boolean | null;
  message?: string | null;
}

export interface RestoreResult {
  environment: { id: string };
  revision: number;
  restoredFrom: number;
  applied: boolean;
  dryRun: boolean;
  entries: ComparisonEntry[];
  /** Branch overrides that differ between now (base) and the restored revision (head). */
  overrideEntries: OverrideComparisonEntry[];
  overridesRestored: number;
  skippedBranches: string[];
}

export interface OverrideComparisonEntry extends ComparisonEntry {
  /** The branch's name. */
  branch: string;
}

/** What restoring `target` over `current` writes. Both are full states, secrets decrypted. */
function planRestore(current: StateEntry[], target: StateEntry[], readable: boolean) {
  const skipped = new Set<string>();
  const liveTarget = target.filter((e) => {
    if (e.branchId === "" || e.value !== DELETED_BRANCH) return true;
    skipped.add(e.branchName);
    return false;
  });
  const cur = new Map(current.filter((e) => e.branchId === "").map((e) => [e.key, e]));
  const tgt = new Map(liveTarget.filter((e) => e.branchId === "").map((e) => [e.key, e]));
  const entries: ComparisonEntry[] = [];
  const removeBase: string[] = [];
  const writeBase: StateEntry[] = [];
  for (const key of [...new Set([...cur.keys(), ...tgt.keys()])].sort()) {
    const c = cur.get(key);
    const t = tgt.get(key);
    const shown = (e: StateEntry | undefined) => (e && readable && !e.isSecret ? e.value : null);
    const status: ComparisonStatus = !c
      ? "ADDED"
      : !t
        ? "REMOVED"
        : c.isSecret !== t.isSecret || c.value !== t.value
          ? "CHANGED"
          : "UNCHANGED";
    if (status === "UNCHANGED") continue;
    entries.push({ key, status, isSecret: (t ?? c)!.isSecret, baseValue: shown(c), headValue: shown(t) });
    // A value whose type differs is removed and written again: the type is set at creation.
    if (c && (!t || c.isSecret !== t.isSecret)) removeBase.push(key);
    if (t) writeBase.push(t);
  }
  const gone = new Set(removeBase);
  const id = (e: StateEntry) => `${e.key}\u0000${e.branchId}`;
  const curOverrides = new Map(current.filter((e) => e.branchId !== "" && !gone.has(e.key)).map((e) => [id(e), e]));
  const tgtOverrides = liveTarget.filter((e) => e.branchId !== "");
  const writeOverrides = tgtOverrides.filter((e) => curOverrides.get(id(e))?.value !== e.value);
  const targetIds = new Set(tgtOverrides.map(id));
  const removeOverrides = [...curOverrides.values()].filter((e) => !targetIds.has(id(e)));
  // Overrides that go with their base value (removed, or removed and written again with another type).
  const removedWithBase = current.filter((e) => e.branchId !== "" && gone.has(e.key) && !targetIds.has(id(e)));
  return {
    overrideEntries: compareOverrides(current, tgtOverrides, readable),
    overrideChanges: writeOverrides.length + removeOverrides.length + removedWithBase.length,
    entries,
    removeBase,
    writeBase,
    writeOverrides,
    removeOverrides,
    skippedBranches: [...skipped].sort(),
    empty: !entries.length && !writeOverrides.length && !removeOverrides.length,
  };
}

/** The overrides (of branches that exist) that differ between now and the target, by key then branch. */
function compareOverrides(current: StateEntry[], target: StateEntry[], readable: boolean): OverrideComparisonEntry[] {
  const id = (e: StateEntry) => `${e.key}\u0000${e.branchId}`;
  const cur = new Map(current.filter((e) => e.branchId !== "").map((e) => [id(e), e]));
  const tgt = new Map(target.filter((e) => e.branchId !== "").map((e) => [id(e), e]));
  const shown = (e: StateEntry | undefined) => (e && readable && !e.isSecret ? e.value : null);
  const out: OverrideComparisonEntry[] = [];
  for (const k of new Set([...cur.keys(), ...tgt.keys()])) {
    const c = cur.get(k);
    const t = tgt.get(k);
    if (c && t && c.isSecret === t.isSecret && c.value === t.value) continue;
    const status: ComparisonStatus = !c ? "ADDED" : !t ? "REMOVED" : "CHANGED";
    const e = (c ?? t)!;
    out.push({
      key: e.key,
      branch: e.branchName,
      status,
      isSecret: (t ?? c)!.isSecret,
      baseValue: shown(c),
      headValue: shown(t),
    });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key) || a.branch.localeCompare(b.branch));
}

/** Marks an override whose branch was deleted (its value is not decrypted). */
const DELETED_BRANCH = "\u0000deleted-branch";

async function fullState(client: Client, store: ValueStore, scope: StateScope, revision: number | null) {
  const rows = await stateRows(client, store.provider, scope.environmentId, revision, {
    branches: true,
    ciphertexts: "all",
  });
  const live = rows.filter((r) => r.liveBranch !== null);
  const entries = await decryptRows(client, store, scope, live);
  const deleted = rows
    .filter((r) => r.liveBranch === null)
    .map((r) => ({
      key: r.key,
      branchId: r.branchId,
      branchName: r.branchName,
      isSecret: Boolean(r.isSecret),
      value: DELETED_BRANCH,
    }));
  return [...entries, ...deleted];
}

export function historyService({
  db,
  values,
  writes,
}: {
  db: Pick<Database, "reader" | "provider">;
  values: ValueStore;
  writes: WritePath;
}) {
  return {
    loadState: (client: Client, scope: StateScope, revision: number | null, opts: { secrets: boolean }) =>
      loadState(client, scope, revision, opts, values),

    async restoreEnvironment(actor: Actor, input: RestoreInput): Promise<RestoreResult> {
      assertMessage(input.message);
      if (!Number.isInteger(input.revision) || input.revision < 0)
        throw new ValidationError(`revision must be a revision number (0 or more), not ${input.revision}.`, [
          { path: ["revision"], message: "A revision number, 0 or more." },
        ]);
      const result = (
        env: { id: string },
        revision: number,
        applied: boolean,
        plan: ReturnType<typeof planRestore>,
      ): RestoreResult => ({
        environment: { id: env.id },
        revision,
        restoredFrom: input.revision,
        applied,
        dryRun: !!input.dryRun,
        entries: plan.entries,
        overrideEntries: plan.overrideEntries,
        overridesRestored: plan.overrideChanges,
        skippedBranches: plan.skippedBranches,
      });

      if (input.dryRun) {
        const access = await projectAccess(db.reader, actor, input.project);
        const env = await findEnvironment(db.reader, access, input.environment);
        assertCan(access, "environment:write", env);
        if (input.expectedRevision != null && input.expectedRevision !== env.revision)
          throw staleRevision(env.name, input.expectedRevision, env.revision);
        const scope = {
          projectId: access.project.id,
          environmentId: env.id,
          label: { project: access.project.slug, environment: env.name },
        };
        await assertRevisionKnown(db.reader, scope, input.revision);
        const now = await fullState(db.reader, values, scope, null);
        const past = await fullState(db.reader, values, scope, input.revision);
        // Managed variables (service bindings) are never changed by a restore.
        const plan = planRestore(
          now,
          await keepManagedState(db.reader, env.id, now, past),
          can(access, "variable:read-value", env),
        );
        return result(env, env.revision, false, plan);
      }

      return writes.run(
        {
          actor,
          action: "environment.restore",
          project: input.project,
          environment: input.environment,
          permission: "environment:write",
          bump: true,
          expectedRevision: input.expectedRevision,
          message: input.message,
        },
        async (uow) => {
          const { tx, access, env, revision } = uow;
          const projectId = access.project.id;
          const scope = {
            projectId,
            environmentId: env.id,
            label: { project: access.project.slug, environment: env.name },
          };
          // The bump already happened: the revision before it is the newest one that can be restored.
          const rows = await tx.$queryRaw<{ historySince: number | bigint }[]>`
            SELECT "historySince" FROM "Environment" WHERE "id" = ${env.id}`;
          const refused = unknownRevision(env.name, input.revision, Number(rows[0].historySince), revision - 1);
          if (refused) throw refused; // (the bump rolls back)
          const current = await fullState(tx, values, scope, null);
          const past = await fullState(tx, values, scope, input.revision);
          // Managed variables (service bindings) are never changed by a restore.
          const plan = planRestore(
            current,
            await keepManagedState(tx, env.id, current, past),
            can(access, "variable:read-value", env),
          );
          if (plan.empty) throw new Rollback(result(env, revision - 1, false, plan));
          const { activeKeyVersion } = await tx.project.findUniqueOrThrow({
            where: { id: projectId },
            select: { activeKeyVersion: true },
          });
          await uow.removing(plan.removeBase);
          await values.remove(tx, env.id, plan.removeBase);
          await values.upsert(
            tx,
            { projectId, environmentId: env.id, keyVersion: activeKeyVersion, valueVersion: revision },
            plan.writeBase.map((e) => ({ key: e.key, value: e.value!, isSecret: e.isSecret })),
          );
          const byBranch = new Map<string, string[]>();
          for (const o of plan.removeOverrides) byBranch.set(o.branchId, [...(byBranch.get(o.branchId) ?? []), o.key]);
          const overrideKeys = [...new Set([...plan.writeOverrides, ...plan.removeOverrides].map((o) => o.key))];
          const ids = new Map(
            (
              await tx.variable.findMany({
                where: { environmentId: env.id, key: { in: overrideKeys } },
                select: { id: true, key: true },
              })
            ).map((v) => [v.key, v.id]),
          );
          for (const [branchId, keys] of byBranch) {
            await uow.removing(keys, branchId);
            await tx.branchOverride.deleteMany({
              where: { branchId, variableId: { in: keys.map((k) => ids.get(k)!) } },
            });
          }
          const now = new Date();
          const references = await referenceColumns(
            tx,
            { projectId, environmentId: env.id },
            plan.writeOverrides.map((o) => ({ key: o.key, value: o.value! })),
            "copy",
          );
          for (const [i, o] of plan.writeOverrides.entries()) {
            const variableId = ids.get(o.key)!;
            const ciphertext = Buffer.from(
              await values.encryptOne(
                { projectId, environmentId: env.id, branchId: o.branchId, key: o.key, valueVersion: revision },
                o.value!,
                activeKeyVersion,
                tx,
              ),
            );
            await tx.branchOverride.upsert({
              where: { variableId_branchId: { variableId, branchId: o.branchId } },
              create: {
                variableId,
                branchId: o.branchId,
                ciphertext,
                keyVersion: activeKeyVersion,
                valueVersion: revision,
                references: references[i],
              },
              update: {
                ciphertext,
                keyVersion: activeKeyVersion,
                valueVersion: revision,
                updatedAt: now,
                references: references[i],
              },
            });
          }
          uow.record({
            keys: [...plan.entries.map((e) => e.key), ...overrideKeys],
            metadata: {
              restoredFrom: input.revision,
              overridesRestored: plan.overrideChanges,
              skippedBranches: plan.skippedBranches,
            },
          });
          return result(env, revision, true, plan);
        },
      );
    },
  };
}

export type HistoryService = ReturnType<typeof historyService>;

/** One change of a revision as stored, with the previous change of the same (key, branch). */
export interface ChangeRow {
  revision: number;
  key: string;
  branchId: string;
  branchName: string;
  kind: "added" | "changed" | "removed";
  isSecret: boolean;
  before: string | null;
  after: string | null;
}

/**
 * The changes of `numbers` revisions of one environment, in one statement, with before and after
 * values decrypted for standard values only when `readable` (a secret's ciphertext is not even read).
 */
export async function revisionChanges(
  client: Pick<Db, "$queryRaw" | "projectKey">,
  store: ValueStore,
  scope: StateScope,
  numbers: readonly number[],
  readable: boolean,
): Promise<ChangeRow[]> {
  if (!numbers.length) return [];
  const provider = store.provider;
  const wanted = (alias: string) =>
    readable ? Prisma.sql`NOT ${Prisma.raw(`${alias}."isSecret"`)}` : Prisma.sql`FALSE`;
  const rows = await client.$queryRaw<
    {
      revision: number | bigint;
      key: string;
      branchId: string;
      branchName: string;
      kind: ChangeRow["kind"];
      isSecret: boolean | number;
      after: string | null;
      afterVersion: number | bigint | null;
      afterKey: number | bigint | null;
      before: string | null;
      beforeVersion: number | bigint | null;
      beforeKey: number | bigint | null;
    }[]
  >`
    SELECT c."revision", c."key", c."branchId", c."branchName", c."kind", c."isSecret",
      ${hex(provider, Prisma.sql`c."ciphertext"`, wanted("c"))} AS "after", c."valueVersion" AS "afterVersion", c."keyVersion" AS "afterKey",
      ${hex(provider, Prisma.sql`p."ciphertext"`, wanted("p"))} AS "before", p."valueVersion" AS "beforeVersion", p."keyVersion" AS "beforeKey"
    FROM "RevisionChange" c
      LEFT JOIN "RevisionChange" p ON p."environmentId" = c."environmentId" AND p."key" = c."key" AND p."branchId" = c."branchId"
        AND p."revision" = (SELECT MAX(x."revision") FROM "RevisionChange" x WHERE x."environmentId" = c."environmentId"
          AND x."key" = c."key" AND x."branchId" = c."branchId" AND x."revision" < c."revision")
    WHERE c."environmentId" = ${scope.environmentId} AND c."revision" IN (${Prisma.join(numbers)})
    ORDER BY c."revision" DESC, c."key", c."branchName"`;
  const versions = new Set<number>();
  for (const r of rows) {
    if (r.after !== null && r.afterKey !== null) versions.add(Number(r.afterKey));
    if (r.before !== null && r.beforeKey !== null) versions.add(Number(r.beforeKey));
  }
  const decrypt = versions.size ? await store.keys.decryptor(scope.projectId, versions, client) : null;
  const open = (r: (typeof rows)[number], hexText: string | null, valueVersion: number | bigint | null) => {
    if (hexText === null || !decrypt) return null;
    const id: ValueIdentity = {
      projectId: scope.projectId,
      environmentId: scope.environmentId,
      branchId: r.branchId === "" ? null : r.branchId,
      key: r.key,
      valueVersion: Number(valueVersion),
    };
    try {
      return decrypt(id, Buffer.from(hexText, "hex"));
    } catch (error) {
      store.log(`Undecryptable history value ${r.key} in environment ${scope.environmentId}: ${String(error)}`);
      throw UndecryptableError.inEnvironment(scope.label, [r.key]);
    }
  };
  return rows.map((r) => ({
    revision: Number(r.revision),
    key: r.key,
    branchId: r.branchId,
    branchName: r.branchName,
    kind: r.kind,
    isSecret: Boolean(r.isSecret),
    after: open(r, r.after, r.afterVersion),
    before: open(r, r.before, r.beforeVersion),
  }));
}
