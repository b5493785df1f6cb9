/**
 * Project data keys: created and wrapped with the root key, unwrapped once per process
 * and cached (a key version never changes once written). Values are sealed with the
 * project's active key version; any stored version still opens.
 */

import { valueAad } from "../crypto/aad.js";
import { CryptoError, open, readBlobHeader, seal, utf8 } from "../crypto/aead.js";
import { newDataKey, RootKeyError, unwrapDataKey, wrapDataKey } from "../crypto/root-key.js";
import type { Db, Tx } from "../db/client.js";

export interface RootKey {
  key: Uint8Array;
  fingerprint: string;
}

export interface ValueIdentity {
  projectId: string;
  environmentId: string;
  /** null for a base value, the project branch id for an override. */
  branchId: string | null;
  key: string;
  valueVersion: number;
}

export class KeyRing {
  private cache = new Map<string, Uint8Array>();

  /**
   * `root` wraps new data keys; `previous` root keys (ENVPLANE_PREVIOUS_ROOT_KEYS) still
   * unwrap the data keys they wrapped until those are re-wrapped (see key-rotation.ts).
   */
  constructor(
    readonly root: RootKey,
    private readonly db: Pick<Db, "projectKey">,
    readonly previous: RootKey[] = [],
  ) {}

  /** The root key with this fingerprint, if configured. */
  rootKey(fingerprint: string): Uint8Array | null {
    if (fingerprint === this.root.fingerprint) return this.root.key;
    return this.previous.find((k) => k.fingerprint === fingerprint)?.key ?? null;
  }

  /** Unwraps a stored data key with whichever configured root key wrapped it. */
  unwrap(row: { projectId: string; version: number; wrappedKey: Uint8Array; rootKeyFingerprint: string }): Uint8Array {
    const root = this.rootKey(row.rootKeyFingerprint);
    if (!root)
      throw new RootKeyError(
        `Data key ${row.version} of project ${row.projectId} is wrapped with root key ${row.rootKeyFingerprint}, ` +
          `which is not configured. Add that key to ENVPLANE_PREVIOUS_ROOT_KEYS.`,
      );
    return unwrapDataKey(root, row.projectId, row.version, row.wrappedKey);
  }

  /** A new wrapped data key for `projectId` at `version`, ready to insert. */
  newProjectKey(projectId: string, version: number) {
    const dataKey = newDataKey();
    this.cache.set(`${projectId}:${version}`, dataKey);
    return {
      projectId,
      version,
      wrappedKey: wrapDataKey(this.root.key, projectId, version, dataKey),
      rootKeyFingerprint: this.root.fingerprint,
    };
  }

  async dataKey(projectId: string, version: number, tx?: Pick<Tx, "projectKey">): Promise<Uint8Array> {
    const id = `${projectId}:${version}`;
    const cached = this.cache.get(id);
    if (cached) return cached;
    const row = await (tx ?? this.db).projectKey.findUnique({ where: { projectId_version: { projectId, version } } });
    if (!row) throw new Error(`Data key version ${version} of project ${projectId} is missing.`);
    const key = this.unwrap(row);
    this.cache.set(id, key);
    return key;
  }

  /** Seals `value` for the row identified by `id` with the given data key version. */
  async encrypt(
    id: ValueIdentity,
    value: string,
    keyVersion: number,
    tx?: Pick<Tx, "projectKey">,
  ): Promise<Uint8Array<ArrayBuffer>> {
    return (await this.encryptor(id.projectId, keyVersion, tx))(id, value);
  }

  /** A synchronous `encrypt` for many values under one data key version (bulk writes). */
  async encryptor(
    projectId: string,
    keyVersion: number,
    tx?: Pick<Tx, "projectKey">,
  ): Promise<(id: ValueIdentity, value: string) => Uint8Array<ArrayBuffer>> {
    const key = await this.dataKey(projectId, keyVersion, tx);
    return (id, value) => {
      if (id.projectId !== projectId)
        throw new Error(`encryptor for project ${projectId} used for project ${id.projectId}`);
      return seal(key, keyVersion, utf8.encode(value), valueAad(id)) as Uint8Array<ArrayBuffer>;
    };
  }

  async decrypt(id: ValueIdentity, blob: Uint8Array, tx?: Pick<Tx, "projectKey">): Promise<string> {
    const { keyVersion } = readBlobHeader(blob);
    return openValue(await this.dataKey(id.projectId, keyVersion, tx), id, blob);
  }

  /** A synchronous `decrypt` for many values of one project sealed with the given key versions (bulk reads). */
  async decryptor(
    projectId: string,
    keyVersions: Iterable<number>,
    tx?: Pick<Tx, "projectKey">,
  ): Promise<(id: ValueIdentity, blob: Uint8Array) => string> {
    const byVersion = new Map<number, Uint8Array>();
    for (const version of keyVersions) byVersion.set(version, await this.dataKey(projectId, version, tx));
    return (id, blob) => {
      const { keyVersion } = readBlobHeader(blob);
      const key = byVersion.get(keyVersion);
      if (!key || id.projectId !== projectId)
        throw new Error(
          `decryptor for project ${projectId} has no key version ${keyVersion} for project ${id.projectId}`,
        );
      return openValue(key, id, blob);
    };
  }
}

/** Opens a value; a failure names the row's ids (built only then), never a value. */
function openValue(key: Uint8Array, id: ValueIdentity, blob: Uint8Array): string {
  const aad = valueAad(id);
  try {
    return utf8.decode(open(key, blob, aad));
  } catch (error) {
    if (!(error instanceof CryptoError)) throw error;
    const where =
      `${id.branchId ? `override of branch ${id.branchId}` : "base value"} of ${id.key} in ` +
      `environment ${id.environmentId} (project ${id.projectId})`;
    return utf8.decode(open(key, blob, aad, where)); // throws the same failure, now naming the row
  }
}
