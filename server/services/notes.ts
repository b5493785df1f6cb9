/**
 * Notes and .env layout of base variables. A note is documentation (the `# comment` block above
 * a key in a .env file): readable by whoever may read the environment's standard values, for
 * secrets too, and sealed with the project's data key like values, under its own associated data
 * (`envplane/note`, bound to project, environment, key and the revision that wrote it), so a note
 * and a value ciphertext cannot stand in for each other. Branch overrides have no notes.
 */
import type { ExistingVariable } from "../../core/diff.js";
import type { FieldError } from "../../core/names.js";
import { check, variableKey } from "../../core/names.js";
import { effectiveOrder, mergeLayout, noteErrors, type StoredLayout } from "../../core/notes.js";
import { noteAad } from "../crypto/aad.js";
import { CryptoError, open, readBlobHeader, seal, utf8 } from "../crypto/aead.js";
import type { Provider, Tx } from "../db/client.js";
import { type LayoutUpdate, type NoteRow, type NoteUpdate, updateLayoutRows, updateNoteRows } from "../db/notes-sql.js";
import type { WritePath } from "../events/index.js";
import type { Actor } from "./actor.js";
import { assertValid, NotFoundError, UndecryptableError } from "./errors.js";
import type { KeyRing } from "./keyring.js";
import { Rollback } from "./transaction.js";
import type { Log, ValueStore } from "./values.js";

export interface NoteIdentity {
  projectId: string;
  environmentId: string;
  key: string;
  noteVersion: number;
}

export interface StoredNote extends StoredLayout {
  isSecret: boolean;
  /** The note; null when none, undefined when not read (or not decryptable: a write then replaces it). */
  note: string | null | undefined;
}

const stores = new WeakMap<ValueStore, NoteStore>();

export class NoteStore {
  /** The note store next to a value store (same provider, key ring and log). */
  static of(values: ValueStore): NoteStore {
    let store = stores.get(values);
    if (!store) {
      store = new NoteStore(values.provider, values.keys, values.log);
      stores.set(values, store);
    }
    return store;
  }

  constructor(
    readonly provider: Provider,
    readonly keys: KeyRing,
    readonly log: Log,
  ) {}

  async seal(id: NoteIdentity, note: string, keyVersion: number, tx?: Tx): Promise<Uint8Array<ArrayBuffer>> {
    const key = await this.keys.dataKey(id.projectId, keyVersion, tx);
    return seal(key, keyVersion, utf8.encode(note), noteAad(id)) as Uint8Array<ArrayBuffer>;
  }

  /** Opens a note; a failure is logged (ids only) and thrown as an UndecryptableError naming the key. */
  async open(id: NoteIdentity, blob: Uint8Array, label: { environment: string }, tx?: Tx): Promise<string> {
    try {
      const key = await this.keys.dataKey(id.projectId, readBlobHeader(blob).keyVersion, tx);
      return utf8.decode(open(key, blob, noteAad(id)));
    } catch (error) {
      if (!(error instanceof CryptoError)) throw error;
      this.log(
        `Undecryptable note of ${id.key} in environment ${id.environmentId} of project ${id.projectId}: ${error.message}`,
      );
      throw UndecryptableError.inEnvironment({ environment: label.environment }, [id.key]);
    }
  }

  /** The layout and notes of rows ValueStore.load read with `layout` (values and notes in one statement). */
  async fromRows(
    scope: { projectId: string; environmentId: string },
    rows: readonly NoteRow[],
    notes: boolean,
  ): Promise<StoredNote[]> {
    const out: StoredNote[] = [];
    for (const r of rows) {
      let note: string | null | undefined;
      if (!notes) note = undefined;
      else if (r.noteCiphertext == null || r.noteVersion == null) note = null;
      else
        note = await this.open(
          { ...scope, key: r.key, noteVersion: Number(r.noteVersion) },
          Buffer.from(r.noteCiphertext, "hex"),
          { environment: "" },
        ).catch(() => undefined);
      const position = r.position === null ? null : Number(r.position);
      out.push({
        key: r.key,
        isSecret: Boolean(r.isSecret),
        position,
        blankLineBefore: Boolean(r.blankLineBefore),
        note,
      });
    }
    return effectiveOrder(out);
  }

  /** Sets (or with "" / null clears) the notes of existing base variables, sealed at `noteVersion` (the revision). */
  async write(
    tx: Tx,
    scope: { projectId: string; environmentId: string; keyVersion: number; noteVersion: number },
    notes: readonly { key: string; note: string | null }[],
  ): Promise<void> {
    const rows: NoteUpdate[] = [];
    for (const { key, note } of notes) {
      if (!note) rows.push([key, null]);
      else {
        const blob = await this.seal({ ...scope, key }, note, scope.keyVersion, tx);
        rows.push([key, Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).toString("hex")]);
      }
    }
    await updateNoteRows(tx, this.provider, scope, rows);
  }

  /** Writes positions and blank lines, only of rows whose stored layout differs. */
  async writeLayout(
    tx: Tx,
    environmentId: string,
    stored: readonly StoredLayout[],
    rows: readonly { key: string; position: number; blankLineBefore: boolean }[],
  ): Promise<void> {
    const before = new Map(stored.map((r) => [r.key, r]));
    const updates: LayoutUpdate[] = rows
      .filter(
        (r) => before.get(r.key)?.position !== r.position || before.get(r.key)?.blankLineBefore !== r.blankLineBefore,
      )
      .map((r) => [r.key, r.position, r.blankLineBefore]);
    await updateLayoutRows(tx, this.provider, environmentId, updates);
  }
}

/** Re-seals notes still on an older key version (key rotation, in its batch's transaction); skips a note rewritten meanwhile. */
export async function reencryptNotes(
  tx: Tx,
  keys: KeyRing,
  projectId: string,
  active: number,
  batchSize: number,
): Promise<number> {
  const rows = await tx.variable.findMany({
    where: { environment: { projectId }, noteKeyVersion: { lt: active } },
    take: batchSize,
    select: { id: true, key: true, environmentId: true, noteVersion: true, noteCiphertext: true },
  });
  const store = new NoteStore("sqlite", keys, () => {}); // seal/open only: no SQL of its own
  for (const r of rows) {
    const id = { projectId, environmentId: r.environmentId, key: r.key, noteVersion: r.noteVersion! };
    const note = await store.open(id, r.noteCiphertext!, { environment: r.environmentId }, tx);
    const noteCiphertext = await store.seal(id, note, active, tx);
    await tx.variable.updateMany({
      where: { id: r.id, noteVersion: r.noteVersion },
      data: { noteCiphertext, noteKeyVersion: active },
    });
  }
  return rows.length;
}

export { mergeLayout };

/** Problems of a note sent with a variable (or a set of variables of `branch`): notes belong to base values. */
export function noteInputErrors(input: { note?: string | null; branch?: string | null }, path: string[]): FieldError[] {
  if (input.note == null) return [];
  if (input.branch != null)
    return [{ path, message: "Notes belong to base values, not branch overrides. Leave out the note with a branch." }];
  return noteErrors(input.note, path);
}

/** Whether writing `note` (null: keep) to an existing base variable changes its stored note. */
export async function noteChanges(
  values: ValueStore,
  tx: Tx,
  scope: { projectId: string; environmentId: string; key: string },
  note: string | null | undefined,
): Promise<boolean> {
  if (note == null) return false;
  const row = await tx.variable.findUnique({
    where: { environmentId_key: { environmentId: scope.environmentId, key: scope.key } },
    select: { noteCiphertext: true, noteVersion: true },
  });
  if (!row?.noteCiphertext || row.noteVersion == null) return note !== "";
  const stored = await NoteStore.of(values)
    .open({ ...scope, noteVersion: row.noteVersion }, row.noteCiphertext, { environment: "" }, tx)
    .catch(() => null);
  return stored !== note;
}

/** The stored values with their notes, for the bulk diff. */
export function withNotes<T extends ExistingVariable>(existing: readonly T[], stored: readonly StoredNote[]): T[] {
  const notes = new Map(stored.map((n) => [n.key, n.note]));
  return existing.map((v) => ({ ...v, note: notes.get(v.key) }));
}

/** The note of one base variable, written alone: one revision (values untouched), nothing when it is the same. */
export function noteService({ values, writes }: { values: ValueStore; writes: WritePath }) {
  return {
    async setVariableNote(
      actor: Actor,
      input: { project: string; environment: string; key: string; note: string; expectedRevision?: number | null },
    ) {
      assertValid([...check(variableKey, input.key, ["key"]), ...noteErrors(input.note, ["note"])]);
      return writes.run(
        {
          actor,
          action: "variable.note_set",
          project: input.project,
          environment: input.environment,
          permission: "environment:write",
          bump: true,
          expectedRevision: input.expectedRevision,
        },
        async ({ tx, access, env, revision, record }) => {
          const projectId = access.project.id;
          const scope = { projectId, environmentId: env.id, key: input.key };
          const exists = await tx.variable.findUnique({
            where: { environmentId_key: { environmentId: env.id, key: input.key } },
            select: { id: true },
          });
          if (!exists)
            throw new NotFoundError(
              `"${input.key}" is not a variable of "${env.name}". Set it first (a note belongs to a variable).`,
              "Variable",
            );
          const result = (changed: boolean, rev: number) => ({
            environment: { ...env, revision: rev },
            key: input.key,
            note: input.note === "" ? null : input.note,
            changed,
          });
          if (!(await noteChanges(values, tx, scope, input.note))) throw new Rollback(result(false, revision - 1));
          const { activeKeyVersion } = await tx.project.findUniqueOrThrow({
            where: { id: projectId },
            select: { activeKeyVersion: true },
          });
          await NoteStore.of(values).write(
            tx,
            { projectId, environmentId: env.id, keyVersion: activeKeyVersion, noteVersion: revision },
            [{ key: input.key, note: input.note }],
          );
          record({ keys: [input.key], metadata: { notesChanged: 1 } });
          return result(true, revision);
        },
      );
    },
  };
}

/**
 * Carries the notes and layout (position, blank line before) of `keys` from one environment to another, in the
 * caller's transaction, after their values were written to `to`: each note is opened under the source's note
 * AAD and re-sealed under the target's, at `noteVersion` (the target's revision). A key without a note in the
 * source keeps the target's note (a copy never erases documentation); an undecryptable source note is skipped.
 * Used by seed (env create --from), promote, and preview clones.
 */
export async function copyNotes(
  values: ValueStore,
  tx: Tx,
  scope: { projectId: string; from: string; to: string; noteVersion: number },
  keys: readonly string[],
): Promise<void> {
  if (!keys.length) return;
  const store = NoteStore.of(values);
  const rows = await tx.variable.findMany({
    where: { environmentId: scope.from, key: { in: [...keys] } },
    select: { key: true, position: true, blankLineBefore: true, noteVersion: true, noteCiphertext: true },
  });
  const notes: { key: string; note: string }[] = [];
  for (const r of rows) {
    if (r.noteCiphertext == null || r.noteVersion == null) continue;
    const id = { projectId: scope.projectId, environmentId: scope.from, key: r.key, noteVersion: r.noteVersion };
    const note = await store.open(id, r.noteCiphertext, { environment: "" }, tx).catch(() => null);
    if (note) notes.push({ key: r.key, note });
  }
  const { activeKeyVersion } = await tx.project.findUniqueOrThrow({
    where: { id: scope.projectId },
    select: { activeKeyVersion: true },
  });
  await store.write(
    tx,
    {
      projectId: scope.projectId,
      environmentId: scope.to,
      keyVersion: activeKeyVersion,
      noteVersion: scope.noteVersion,
    },
    notes,
  );
  const layout: LayoutUpdate[] = rows
    .filter((r) => r.position != null)
    .map((r) => [r.key, r.position as number, r.blankLineBefore]);
  await updateLayoutRows(tx, store.provider, scope.to, layout);
}
