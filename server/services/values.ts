/**
 * Reading and writing encrypted values of one environment. A value that cannot be decrypted
 * (a damaged or moved ciphertext) fails the read with an UndecryptableError naming every such
 * key and how to recover; the log names the rows (ids and the reason, never a value).
 */
import type { Db, Provider, Tx } from "../db/client.js";
import { timeOrderedId } from "../db/ids.js";
import type { NoteRow } from "../db/notes-sql.js";
import {
  type LayoutColumns,
  type NamedScope,
  selectValueRows,
  upsertValueRows,
  type ValueInsert,
  type ValueRow,
} from "../db/values-sql.js";
import { recordBaseWrites } from "../events/history.js";
import { UndecryptableError } from "./errors.js";
import type { KeyRing, ValueIdentity } from "./keyring.js";
import { nextTurn, timeSlice } from "./pace.js";
import { type ReferenceCheck, referenceColumns } from "./references.js";

type Client =
  | Pick<Tx, "$queryRaw" | "$executeRaw" | "projectKey">
  | Pick<Db, "$queryRaw" | "$executeRaw" | "projectKey">;

export type Log = (line: string) => void;

export interface StoredValue {
  key: string;
  isSecret: boolean;
  /** null for secrets unless they were asked for. */
  value: string | null;
  /** Whether `value` comes from the branch's override. */
  fromOverride: boolean;
  /** With `layout`: the row's layout and sealed note (NoteStore.fromRows opens them). */
  layout?: NoteRow;
}

export interface NewValue {
  key: string;
  value: string;
  isSecret: boolean;
}

/** Names for messages: the project's slug and the environment's name. */
export interface ValueLabel {
  project: string;
  environment: string;
}

/** The environment (and branch, whose overrides win) a read is of; `label` names them in messages. */
export interface ValueScope {
  projectId: string;
  environmentId: string;
  branchId?: string | null;
  label: ValueLabel;
}

/** What a read decrypts: secrets only with `secrets`, nothing with `values: false`; `layout` adds NoteRow's columns. */
export interface ReadOptions {
  secrets: boolean;
  values?: boolean;
  layout?: { notes: boolean };
}

/** The rows of one read (ValueStore.read). */
export type ValueRows = readonly (ValueRow & Partial<LayoutColumns>)[];

/** Rows per bulk INSERT statement (each one synchronous on SQLite: a few ms per 1,000 rows). */
const UPSERT_CHUNK = 1000;
const DELETE_CHUNK = 500;

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class ValueStore {
  constructor(
    readonly provider: Provider,
    readonly keys: KeyRing,
    readonly log: Log,
  ) {}

  /**
   * The environment's values by key, resolved for `branchId` (override -> base) when given.
   * Secrets are decrypted only with `secrets: true`; nothing is decrypted with `values: false`.
   * One statement whatever the size; ciphertexts are read (and their data keys unwrapped) only
   * for rows that will be decrypted.
   */
  async load(db: Client, scope: ValueScope, opts: ReadOptions): Promise<StoredValue[]> {
    return this.open(db, scope, opts, await this.read(db, scope, opts));
  }

  /** load's one statement: the rows `open` decrypts (with `references`, also their references columns). */
  read(db: Client, scope: ValueScope, opts: ReadOptions & { references?: boolean }): Promise<ValueRows> {
    const ciphertexts = opts.values === false ? "none" : opts.secrets ? "all" : "standard";
    const { environmentId } = scope;
    return selectValueRows(
      db,
      this.provider,
      { environmentId, branchId: scope.branchId ?? null },
      ciphertexts,
      opts.layout,
      opts.references,
    );
  }

  /**
   * `read` by the names a request gives (NamedScope), to send before the lookup that resolves them has answered: the
   * rows with the ids of the environment and branch they were read for and the environment's revision they are, or
   * null when there are none (nothing then says which environment the names found). Use the rows only once that
   * lookup allowed the read and found those ids at that revision.
   */
  async readNamed(
    db: Client,
    scope: NamedScope,
    opts: ReadOptions & { references?: boolean },
  ): Promise<{ environmentId: string; branchId: string | null; revision: number; rows: ValueRows } | null> {
    const ciphertexts = opts.values === false ? "none" : opts.secrets ? "all" : "standard";
    const rows = await selectValueRows(db, this.provider, scope, ciphertexts, opts.layout, opts.references);
    const first = rows[0];
    if (!first) return null;
    return {
      environmentId: first.scopeEnvironmentId!,
      branchId: first.scopeBranchId ?? null,
      revision: Number(first.scopeRevision),
      rows,
    };
  }

  /** load's values from the rows `read` returned for the same scope and options. */
  async open(db: Client, scope: ValueScope, opts: ReadOptions, rows: ValueRows): Promise<StoredValue[]> {
    const { projectId, environmentId } = scope;
    const branchId = scope.branchId ?? null;
    const versions = new Set<number>();
    for (const r of rows) {
      if (r.ciphertext !== null) versions.add(Number(r.keyVersion));
      if (r.overrideCiphertext !== null && r.overrideKeyVersion !== null) versions.add(Number(r.overrideKeyVersion));
    }
    const decrypt = await this.keys.decryptor(projectId, versions, db);
    const out: StoredValue[] = [];
    const failures: { key: string; where: string; reason: string }[] = [];
    // Long reads and writes let other requests in between slices of decryption.
    const slice = timeSlice();
    for (const row of rows) {
      if (slice()) await nextTurn();
      const fromOverride = branchId !== null && row.overrideValueVersion !== null;
      const isSecret = Boolean(row.isSecret);
      let value: string | null = null;
      if (opts.values !== false && (!isSecret || opts.secrets)) {
        const id: ValueIdentity = fromOverride
          ? { projectId, environmentId, branchId, key: row.key, valueVersion: Number(row.overrideValueVersion) }
          : { projectId, environmentId, branchId: null, key: row.key, valueVersion: Number(row.valueVersion) };
        try {
          value = decrypt(id, Buffer.from((fromOverride ? row.overrideCiphertext : row.ciphertext)!, "hex"));
        } catch (error) {
          const where = fromOverride ? `override ${row.overrideId} (branch ${branchId})` : `variable ${row.id}`;
          failures.push({ key: row.key, where, reason: reason(error) });
        }
      }
      // With `layout` the row carries NoteRow's columns too (selectValueRows).
      out.push({ key: row.key, isSecret, value, fromOverride, layout: opts.layout ? (row as NoteRow) : undefined });
    }
    if (failures.length) {
      this.log(
        `Undecryptable values in environment ${environmentId} of project ${projectId}: ` +
          failures.map((f) => `${f.key} (${f.where}): ${f.reason}`).join("; "),
      );
      throw UndecryptableError.inEnvironment(
        scope.label,
        failures.map((f) => f.key),
      );
    }
    return out;
  }

  /** Decrypts one stored value (the GraphQL `value` fields); a failure is an UndecryptableError naming the key. */
  async decryptOne(
    id: ValueIdentity,
    blob: Uint8Array,
    label: { environment: string; rowId: string },
  ): Promise<string> {
    try {
      return await this.keys.decrypt(id, blob);
    } catch (error) {
      this.log(
        `Undecryptable value ${id.key} ` +
          `(${id.branchId ? `override ${label.rowId}, branch ${id.branchId}` : `variable ${label.rowId}`}) ` +
          `in environment ${id.environmentId} of project ${id.projectId}: ${reason(error)}`,
      );
      throw UndecryptableError.inEnvironment({ environment: label.environment }, [id.key], id.branchId !== null);
    }
  }

  /** Decrypts one stored value to compare it; null when it cannot be (the caller then overwrites it). */
  async tryDecryptOne(id: ValueIdentity, blob: Uint8Array): Promise<string | null> {
    try {
      return await this.keys.decrypt(id, blob);
    } catch {
      return null;
    }
  }

  /** Seals one value (a branch override) with the given data key version. */
  encryptOne(id: ValueIdentity, value: string, keyVersion: number, tx: Tx): Promise<Uint8Array<ArrayBuffer>> {
    return this.keys.encrypt(id, value, keyVersion, tx);
  }

  /**
   * Inserts or updates base values in bulk. An existing row keeps its type; its ciphertext and valueVersion are
   * replaced. References are checked only for user input (`check`); copies of stored values are carried over.
   */
  async upsert(
    tx: Tx,
    scope: { projectId: string; environmentId: string; keyVersion: number; valueVersion: number },
    values: readonly NewValue[],
    check: ReferenceCheck | "copy" = "copy",
  ): Promise<void> {
    const { projectId, environmentId, keyVersion, valueVersion } = scope;
    recordBaseWrites(
      tx,
      environmentId,
      valueVersion,
      values.map((v) => v.key),
    );
    const now = new Date();
    const encrypt = await this.keys.encryptor(projectId, keyVersion, tx);
    const references = await referenceColumns(tx, { projectId, environmentId }, values, check);
    const slice = timeSlice();
    for (let i = 0; i < values.length; i += UPSERT_CHUNK) {
      const rows: ValueInsert[] = [];
      for (let j = i; j < Math.min(i + UPSERT_CHUNK, values.length); j++) {
        if (slice()) await nextTurn(true); // inside the write transaction
        const v = values[j];
        const blob = encrypt({ projectId, environmentId, branchId: null, key: v.key, valueVersion }, v.value);
        const hex = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).toString("hex");
        rows.push([timeOrderedId(), v.key, v.isSecret, hex, references[j]]);
      }
      if (slice()) await nextTurn();
      await upsertValueRows(tx, this.provider, { environmentId, keyVersion, valueVersion, now }, rows);
    }
  }

  async remove(tx: Tx, environmentId: string, keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_CHUNK)
      await tx.variable.deleteMany({ where: { environmentId, key: { in: keys.slice(i, i + DELETE_CHUNK) } } });
  }
}
