/**
 * Start-up: the first server to start on an empty database claims it, in one transaction,
 * by writing the root-key sentinel and creating the owner (whose token is printed once).
 * Several servers starting at once on one PostgreSQL: exactly one claims it (the sentinel
 * row's primary key decides). Every later start checks that the configured root keys
 * include the one the data was encrypted with.
 */
import { checkSentinel, makeSentinel, RootKeyError } from "../crypto/root-key.js";
import type { Database, Db } from "../db/client.js";
import { appendEvent, writePath } from "../events/index.js";
import type { KeyRing } from "./keyring.js";
import { generateToken, hashToken, tokenHint } from "./token-format.js";
import { inTransaction, isUniqueViolation } from "./transaction.js";

/** Returns the new owner's token when this start initialized the database, else null. */
export async function initializeOrVerify(writer: Db, keys: KeyRing): Promise<string | null> {
  const root = keys.root;
  if (!(await writer.keyCheck.findUnique({ where: { id: 1 } }))) {
    try {
      return await inTransaction(writer, async (tx) => {
        await tx.keyCheck.create({
          data: { id: 1, rootKeyFingerprint: root.fingerprint, sentinel: makeSentinel(root.key) },
        });
        const token = generateToken("personal");
        const user = await tx.user.create({ data: { name: "Owner", isInstanceAdmin: true } });
        const first = await tx.token.create({
          data: {
            kind: "personal",
            name: "bootstrap",
            hash: hashToken(token),
            hint: tokenHint(token),
            userId: user.id,
          },
        });
        await appendEvent(tx, { kind: "system" }, "instance.initialize", {
          metadata: { userId: user.id, token: first.id },
        });
        return token;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error; // another server initialized it first
    }
  }
  const row = await writer.keyCheck.findUniqueOrThrow({ where: { id: 1 } });
  const known = keys.rootKey(row.rootKeyFingerprint);
  if (!known || !checkSentinel(known, row.sentinel))
    throw new RootKeyError(
      `The root key in use (fingerprint ${root.fingerprint}) is not the key this database was encrypted with ` +
        `(fingerprint ${row.rootKeyFingerprint}). ` +
        `Set ENVPLANE_ROOT_KEY to the original key (or restore the data directory's root.key); ` +
        `to rotate, put the original key in ENVPLANE_PREVIOUS_ROOT_KEYS.`,
    );
  return null;
}

/**
 * Owner recovery from the machine that holds the data (`envplane serve --recover-owner`): a
 * new personal token for the first instance admin (one is created when none is left), recorded
 * as an event. Returns the token, to be shown once.
 */
export async function recoverOwner(db: Pick<Database, "provider" | "reader" | "writer">): Promise<string> {
  return writePath(db).run({ actor: { kind: "system" }, action: "instance.recover_owner" }, async ({ tx, record }) => {
    const admin =
      (await tx.user.findFirst({ where: { isInstanceAdmin: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] })) ??
      (await tx.user.create({ data: { name: "Owner", isInstanceAdmin: true } }));
    const token = generateToken("personal");
    const created = await tx.token.create({
      data: { kind: "personal", name: "recovered", hash: hashToken(token), hint: tokenHint(token), userId: admin.id },
    });
    record({ metadata: { userId: admin.id, token: created.id } });
    return token;
  });
}
