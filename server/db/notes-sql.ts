/**
 * The SQL of notes and layout (server/services/notes.ts calls these): bulk updates of existing
 * Variable rows of one environment, the rows travelling as ONE JSON parameter (as values-sql.ts does).
 */
import type { Provider, Tx } from "./client.js";
import { executeSql } from "./direct.js";
import { Prisma } from "./generated/sqlite/client.js";

/** A base variable's layout and note (hex; null without a note or when notes were not asked for). */
export interface NoteRow {
  key: string;
  isSecret: boolean | number;
  position: number | bigint | null;
  blankLineBefore: boolean | number;
  noteVersion: number | bigint | null;
  noteCiphertext: string | null;
}

/** [key, position, blankLineBefore] */
export type LayoutUpdate = [key: string, position: number, blankLineBefore: boolean];
/** [key, sealed note as hex or null to clear] */
export type NoteUpdate = [key: string, ciphertextHex: string | null];

export async function updateLayoutRows(
  tx: Pick<Tx, "$executeRaw">,
  provider: Provider,
  environmentId: string,
  rows: readonly LayoutUpdate[],
): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows);
  if (provider === "sqlite")
    await executeSql(
      tx,
      Prisma.sql`
      UPDATE "Variable" SET "position" = j.value ->> 1, "blankLineBefore" = j.value ->> 2
      FROM json_each(${json}) AS j WHERE "Variable"."environmentId" = ${environmentId} AND "Variable"."key" = j.value ->> 0`,
    );
  else
    await executeSql(
      tx,
      Prisma.sql`
      UPDATE "Variable" AS v SET "position" = (j ->> 1)::integer, "blankLineBefore" = (j ->> 2)::boolean
      FROM json_array_elements(${json}::json) AS j WHERE v."environmentId" = ${environmentId} AND v."key" = j ->> 0`,
    );
}

export async function updateNoteRows(
  tx: Pick<Tx, "$executeRaw">,
  provider: Provider,
  scope: { environmentId: string; keyVersion: number; noteVersion: number },
  rows: readonly NoteUpdate[],
): Promise<void> {
  if (rows.length === 0) return;
  const { environmentId, keyVersion, noteVersion } = scope;
  const json = JSON.stringify(rows);
  if (provider === "sqlite")
    await executeSql(
      tx,
      Prisma.sql`
      UPDATE "Variable" SET "noteCiphertext" = unhex(j.value ->> 1),
        "noteKeyVersion" = CASE WHEN j.value ->> 1 IS NULL THEN NULL ELSE ${keyVersion} END,
        "noteVersion" = CASE WHEN j.value ->> 1 IS NULL THEN NULL ELSE ${noteVersion} END
      FROM json_each(${json}) AS j WHERE "Variable"."environmentId" = ${environmentId} AND "Variable"."key" = j.value ->> 0`,
    );
  else
    await executeSql(
      tx,
      Prisma.sql`
      UPDATE "Variable" AS v SET "noteCiphertext" = decode(j ->> 1, 'hex'),
        "noteKeyVersion" = CASE WHEN j ->> 1 IS NULL THEN NULL ELSE ${keyVersion}::integer END,
        "noteVersion" = CASE WHEN j ->> 1 IS NULL THEN NULL ELSE ${noteVersion}::integer END
      FROM json_array_elements(${json}::json) AS j WHERE v."environmentId" = ${environmentId} AND v."key" = j ->> 0`,
    );
}
