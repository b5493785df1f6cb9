/** Reading and writing encrypted values of one environment. */
import { randomUUID } from "node:crypto";
import { Prisma } from "../db/generated/sqlite/client.js";
import type { Db, Provider, Tx } from "../db/client.js";
import type { KeyRing } from "./keyring.js";

type Client = Pick<Tx, "$queryRaw" | "projectKey"> | Pick<Db, "$queryRaw" | "projectKey">;

export interface StoredValue {
  key: string;
  isSecret: boolean;
  /** null for secrets unless they were asked for. */
  value: string | null;
  /** Whether `value` comes from the branch's override. */
  fromOverride: boolean;
}

/**
 * The environment's values by key, resolved for `branchId` (override -> base) when given.
 * Secrets are decrypted only with `secrets: true`; nothing is decrypted with `values: false`. One statement whatever the size: a LEFT
 * JOIN on the branch's overrides, ciphertexts read as hex text (Prisma's driver adapters
 * turn each BLOB into an array of numbers and back: ~9 ms per 1,000 rows).
 */
export async function loadValues(
  db: Client,
  keys: KeyRing,
  scope: { provider: Provider; projectId: string; environmentId: string; branchId?: string | null },
  opts: { secrets: boolean; values?: boolean },
): Promise<StoredValue[]> {
  const { provider, projectId, environmentId } = scope;
  const branchId = scope.branchId ?? null;
  // Ciphertexts are read (and their data keys unwrapped) only for rows that will be decrypted.
  const wanted = opts.values === false ? Prisma.sql`FALSE` : opts.secrets ? Prisma.sql`TRUE` : Prisma.sql`NOT v."isSecret"`;
  const hex = (column: Prisma.Sql) =>
    provider === "sqlite" ? Prisma.sql`CASE WHEN ${wanted} THEN hex(${column}) END` : Prisma.sql`CASE WHEN ${wanted} THEN encode(${column}, 'hex') END`;
  const rows = await db.$queryRaw<
    { key: string; isSecret: boolean; ciphertext: string | null; keyVersion: number; valueVersion: number; overrideCiphertext: string | null; overrideKeyVersion: number | null; overrideValueVersion: number | null }[]
  >`
    SELECT v."key", v."isSecret", ${hex(Prisma.sql`v."ciphertext"`)} AS "ciphertext", v."keyVersion", v."valueVersion",
      ${hex(Prisma.sql`o."ciphertext"`)} AS "overrideCiphertext", o."keyVersion" AS "overrideKeyVersion", o."valueVersion" AS "overrideValueVersion"
    FROM "Variable" v LEFT JOIN "BranchOverride" o ON o."variableId" = v."id" AND o."branchId" = ${branchId ?? ""}
    WHERE v."environmentId" = ${environmentId}
    ORDER BY v."key" ASC`;
  const versions = new Set(
    rows.flatMap((r) => [...(r.ciphertext === null ? [] : [Number(r.keyVersion)]), ...(r.overrideKeyVersion === null || r.overrideCiphertext === null ? [] : [Number(r.overrideKeyVersion)])]),
  );
  const decrypt = await keys.decryptor(projectId, versions, db);
  const out: StoredValue[] = [];
  for (const row of rows) {
    const fromOverride = branchId !== null && row.overrideValueVersion !== null;
    const isSecret = Boolean(row.isSecret);
    let value: string | null = null;
    if (opts.values !== false && (!isSecret || opts.secrets)) {
      value = fromOverride
        ? decrypt({ projectId, environmentId, branchId, key: row.key, valueVersion: Number(row.overrideValueVersion) }, Buffer.from(row.overrideCiphertext!, "hex"))
        : decrypt({ projectId, environmentId, branchId: null, key: row.key, valueVersion: Number(row.valueVersion) }, Buffer.from(row.ciphertext!, "hex"));
    }
    out.push({ key: row.key, isSecret, value, fromOverride });
  }
  return out;
}

export interface NewValue {
  key: string;
  value: string;
  isSecret: boolean;
}

const CHUNK = 500;
/** Rows per bulk INSERT: each statement carries its rows as one JSON parameter. */
const UPSERT_CHUNK = 2000;

/**
 * Inserts or updates base values in bulk. An existing row keeps its type; its ciphertext and
 * valueVersion are replaced. Each statement passes its rows as ONE JSON parameter
 * ([id, key, isSecret, ciphertext hex] per row) that the database expands (json_each /
 * json_array_elements): Prisma's cost per bound parameter dominated with one parameter per
 * column (10,000 rows took ~250 ms more).
 */
export async function upsertBaseValues(
  tx: Tx,
  keys: KeyRing,
  scope: { provider: Provider; projectId: string; environmentId: string; keyVersion: number; valueVersion: number },
  values: readonly NewValue[],
): Promise<void> {
  const { provider, projectId, environmentId, keyVersion, valueVersion } = scope;
  const now = new Date();
  const encrypt = await keys.encryptor(projectId, keyVersion, tx);
  for (let i = 0; i < values.length; i += UPSERT_CHUNK) {
    const rows: [string, string, boolean, string][] = [];
    for (const v of values.slice(i, i + UPSERT_CHUNK)) {
      const blob = encrypt({ projectId, environmentId, branchId: null, key: v.key, valueVersion }, v.value);
      rows.push([randomUUID(), v.key, v.isSecret, Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).toString("hex")]);
    }
    const json = JSON.stringify(rows);
    const select =
      provider === "sqlite"
        ? Prisma.sql`SELECT j.value ->> 0, ${environmentId}, j.value ->> 1, j.value ->> 2, unhex(j.value ->> 3), ${keyVersion}, ${valueVersion}, ${now}, ${now}
            FROM json_each(${json}) AS j WHERE true`
        : Prisma.sql`SELECT j ->> 0, ${environmentId}::text, j ->> 1, (j ->> 2)::boolean, decode(j ->> 3, 'hex'), ${keyVersion}::integer, ${valueVersion}::integer, ${now}::timestamp(3), ${now}::timestamp(3)
            FROM json_array_elements(${json}::json) AS j`;
    await tx.$executeRaw`
      INSERT INTO "Variable" ("id", "environmentId", "key", "isSecret", "ciphertext", "keyVersion", "valueVersion", "createdAt", "updatedAt")
      ${select}
      ON CONFLICT ("environmentId", "key") DO UPDATE SET
        "ciphertext" = excluded."ciphertext", "keyVersion" = excluded."keyVersion", "valueVersion" = excluded."valueVersion", "updatedAt" = excluded."updatedAt"`;
  }
}

export async function deleteBaseValues(tx: Tx, environmentId: string, keysToDelete: readonly string[]): Promise<void> {
  for (let i = 0; i < keysToDelete.length; i += CHUNK)
    await tx.variable.deleteMany({ where: { environmentId, key: { in: keysToDelete.slice(i, i + CHUNK) } } });
}
