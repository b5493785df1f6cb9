/** Reading and writing encrypted values of one environment. */
import { randomUUID } from "node:crypto";
import { Prisma } from "../db/generated/sqlite/client.js";
import type { Db, Tx } from "../db/client.js";
import type { KeyRing } from "./keyring.js";

type Client = Pick<Tx, "variable" | "projectKey"> | Pick<Db, "variable" | "projectKey">;

export interface StoredValue {
  key: string;
  isSecret: boolean;
  /** null for secrets unless they were asked for. */
  value: string | null;
  /** Whether `value` comes from the branch's override. */
  fromOverride: boolean;
}

/**
 * The environment's values, resolved for `branchId` (override -> base) when given.
 * Secrets are decrypted only with `secrets: true`. Two statements whatever the size.
 */
export async function loadValues(
  db: Client,
  keys: KeyRing,
  scope: { projectId: string; environmentId: string; branchId?: string | null },
  opts: { secrets: boolean },
): Promise<StoredValue[]> {
  const { projectId, environmentId } = scope;
  const branchId = scope.branchId ?? null;
  const rows = await db.variable.findMany({
    where: { environmentId },
    orderBy: { key: "asc" },
    select: {
      key: true,
      isSecret: true,
      ciphertext: true,
      valueVersion: true,
      ...(branchId ? { overrides: { where: { branchId }, select: { ciphertext: true, valueVersion: true } } } : {}),
    },
  });
  const out: StoredValue[] = [];
  for (const row of rows) {
    const override = (row as { overrides?: { ciphertext: Uint8Array; valueVersion: number }[] }).overrides?.[0];
    let value: string | null = null;
    if (!row.isSecret || opts.secrets) {
      value = override
        ? await keys.decrypt({ projectId, environmentId, branchId, key: row.key, valueVersion: override.valueVersion }, override.ciphertext, db)
        : await keys.decrypt({ projectId, environmentId, branchId: null, key: row.key, valueVersion: row.valueVersion }, row.ciphertext, db);
    }
    out.push({ key: row.key, isSecret: row.isSecret, value, fromOverride: !!override });
  }
  return out;
}

export interface NewValue {
  key: string;
  value: string;
  isSecret: boolean;
}

const CHUNK = 500;

/**
 * Inserts or updates base values in bulk (one multi-row INSERT … ON CONFLICT per 500 rows).
 * An existing row keeps its type; its ciphertext and valueVersion are replaced.
 */
export async function upsertBaseValues(
  tx: Tx,
  keys: KeyRing,
  scope: { projectId: string; environmentId: string; keyVersion: number; valueVersion: number },
  values: readonly NewValue[],
): Promise<void> {
  const { projectId, environmentId, keyVersion, valueVersion } = scope;
  const now = new Date();
  for (let i = 0; i < values.length; i += CHUNK) {
    const rows: Prisma.Sql[] = [];
    for (const v of values.slice(i, i + CHUNK)) {
      const blob = await keys.encrypt({ projectId, environmentId, branchId: null, key: v.key, valueVersion }, v.value, keyVersion, tx);
      rows.push(Prisma.sql`(${randomUUID()}, ${environmentId}, ${v.key}, ${v.isSecret}, ${Buffer.from(blob)}, ${keyVersion}, ${valueVersion}, ${now}, ${now})`);
    }
    await tx.$executeRaw`
      INSERT INTO "Variable" ("id", "environmentId", "key", "isSecret", "ciphertext", "keyVersion", "valueVersion", "createdAt", "updatedAt")
      VALUES ${Prisma.join(rows)}
      ON CONFLICT ("environmentId", "key") DO UPDATE SET
        "ciphertext" = excluded."ciphertext", "keyVersion" = excluded."keyVersion", "valueVersion" = excluded."valueVersion", "updatedAt" = excluded."updatedAt"`;
  }
}

export async function deleteBaseValues(tx: Tx, environmentId: string, keysToDelete: readonly string[]): Promise<void> {
  for (let i = 0; i < keysToDelete.length; i += CHUNK)
    await tx.variable.deleteMany({ where: { environmentId, key: { in: keysToDelete.slice(i, i + CHUNK) } } });
}
