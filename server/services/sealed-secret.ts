/**
 * A project row's own secret sealed with the project's data key: a webhook's signing secret and a Git
 * connection's secret, which the server needs in clear (to sign, to verify a signature). The AAD binds
 * the ciphertext to its kind, project and row, so one row's secret never opens as another's.
 */
import type { Bytes } from "../crypto/aead.js";
import { open, readBlobHeader, seal, utf8 } from "../crypto/aead.js";
import type { Tx } from "../db/client.js";
import type { KeyRing } from "./keyring.js";

export interface SealedSecretRow {
  id: string;
  projectId: string;
  secretCiphertext: Uint8Array;
}

/** Seal and open for one kind of row: `aad` (its AAD function, never to change: stored data), `label` names it in errors. */
export function sealedSecrets(aad: (projectId: string, rowId: string) => Bytes, label: (rowId: string) => string) {
  return {
    async seal(keys: KeyRing, tx: Tx, projectId: string, rowId: string, secret: string, version: number) {
      const key = await keys.dataKey(projectId, version, tx);
      return seal(key, version, utf8.encode(secret), aad(projectId, rowId));
    },
    async open(keys: KeyRing, row: SealedSecretRow, tx?: Tx): Promise<string> {
      const { keyVersion } = readBlobHeader(row.secretCiphertext);
      const key = await keys.dataKey(row.projectId, keyVersion, tx);
      return utf8.decode(open(key, row.secretCiphertext, aad(row.projectId, row.id), label(row.id)));
    },
  };
}
