/**
 * Start-up checks and first-start setup: the root key must be the one the data was
 * encrypted with (a sentinel proves it), and an empty instance gets an owner whose token
 * is printed once.
 */
import { checkSentinel, makeSentinel, RootKeyError } from "../crypto/root-key.js";
import type { Db } from "../db/client.js";
import { generateToken, hashToken, tokenHint } from "../domain/token-format.js";
import type { KeyRing } from "./keyring.js";
import { inTransaction } from "./transaction.js";

export async function verifyRootKey(writer: Db, keys: KeyRing): Promise<void> {
  const root = keys.root;
  const row = await writer.keyCheck.findUnique({ where: { id: 1 } });
  if (!row) {
    await inTransaction(writer, (tx) => tx.keyCheck.upsert({ where: { id: 1 }, create: { id: 1, rootKeyFingerprint: root.fingerprint, sentinel: makeSentinel(root.key) }, update: {} }));
    return;
  }
  const known = keys.rootKey(row.rootKeyFingerprint);
  if (!known || !checkSentinel(known, row.sentinel))
    throw new RootKeyError(
      `The root key in use (fingerprint ${root.fingerprint}) is not the key this database was encrypted with (fingerprint ${row.rootKeyFingerprint}). ` +
        `Set ENVPLANE_ROOT_KEY to the original key (or restore the data directory's root.key); to rotate, put the original key in ENVPLANE_PREVIOUS_ROOT_KEYS.`,
    );
}

/** Creates the first user (owner, instance admin) when there is none; returns its token, or null. */
export async function bootstrapOwner(writer: Db): Promise<string | null> {
  return inTransaction(writer, async (tx) => {
    if ((await tx.user.count()) > 0) return null;
    const token = generateToken("personal");
    const user = await tx.user.create({ data: { name: "Owner", isInstanceAdmin: true } });
    await tx.token.create({ data: { kind: "personal", name: "bootstrap", hash: hashToken(token), hint: tokenHint(token), userId: user.id } });
    return token;
  });
}
