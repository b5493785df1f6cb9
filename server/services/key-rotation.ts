/**
 * Key rotation, online.
 *
 * Root key: start every server with the new ENVPLANE_ROOT_KEY and the old one in
 * ENVPLANE_PREVIOUS_ROOT_KEYS. At start each server re-wraps the data keys still wrapped
 * by another root key (one row per transaction) and moves the sentinel to the new key;
 * servers that know both keys read everything throughout.
 *
 * Project key: a new data key version becomes active at once (new writes use it); values
 * are then re-encrypted in batches, each batch its own transaction. A batch skips a row
 * written meanwhile (its valueVersion changed). Interrupted, it resumes where it stopped:
 * rows still on an older key version are found by their keyVersion column, and every
 * stored version keeps decrypting, so reads work throughout.
 */
import { makeSentinel, wrapDataKey } from "../crypto/root-key.js";
import type { Database, Db } from "../db/client.js";
import { projectsWithStaleValues } from "../db/project-sql.js";
import type { WritePath } from "../events/index.js";
import type { Actor } from "./actor.js";
import { reencryptGitSecret } from "./git.js";
import type { KeyRing } from "./keyring.js";
import { reencryptNotes } from "./notes.js";
import { inTransaction } from "./transaction.js";
import { reencryptWebhookSecrets } from "./webhooks.js";

/** Re-wraps every data key not wrapped by the current root key; returns how many. */
export async function rewrapDataKeys(writer: Db, keys: KeyRing): Promise<number> {
  const current = keys.root.fingerprint;
  const stale = await writer.projectKey.findMany({ where: { rootKeyFingerprint: { not: current } } });
  for (const row of stale) {
    const wrappedKey = wrapDataKey(keys.root.key, row.projectId, row.version, keys.unwrap(row));
    await inTransaction(writer, (tx) =>
      tx.projectKey.updateMany({
        where: { projectId: row.projectId, version: row.version, rootKeyFingerprint: row.rootKeyFingerprint },
        data: { wrappedKey, rootKeyFingerprint: current },
      }),
    );
  }
  const check = await writer.keyCheck.findUnique({ where: { id: 1 } });
  if (check && check.rootKeyFingerprint !== current)
    await inTransaction(writer, (tx) =>
      tx.keyCheck.update({
        where: { id: 1 },
        data: { rootKeyFingerprint: current, sentinel: makeSentinel(keys.root.key) },
      }),
    );
  return stale.length;
}

export interface ReencryptOptions {
  batchSize?: number;
  /** Stop after this many batches (to pause, or to simulate an interruption in tests). */
  maxBatches?: number;
  /** Stop between batches once aborted (the server is closing; the next start resumes). */
  signal?: AbortSignal;
}

export function keyRotationService({
  db,
  keys,
  writes,
}: {
  db: Pick<Database, "reader" | "writer">;
  keys: KeyRing;
  writes: WritePath;
}) {
  /** Values of the project still sealed with an older data key version. */
  async function pending(projectId: string, active: number): Promise<number> {
    const [vars, overrides, history, notes] = await Promise.all([
      db.reader.variable.count({ where: { environment: { projectId }, keyVersion: { lt: active } } }),
      db.reader.branchOverride.count({
        where: { variable: { environment: { projectId } }, keyVersion: { lt: active } },
      }),
      db.reader.revisionChange.count({ where: { environment: { projectId }, keyVersion: { lt: active } } }),
      db.reader.variable.count({ where: { environment: { projectId }, noteKeyVersion: { lt: active } } }),
    ]);
    return vars + overrides + history + notes;
  }

  /** Re-encrypts up to one batch of base values and one of overrides; returns how many rows were rewritten. */
  async function reencryptBatch(
    projectId: string,
    active: number,
    batchSize: number,
  ): Promise<{ rewritten: number; seen: number }> {
    return inTransaction(db.writer, async (tx) => {
      const older = { lt: active };
      const vars = await tx.variable.findMany({
        where: { environment: { projectId }, keyVersion: older },
        take: batchSize,
        select: { id: true, key: true, environmentId: true, valueVersion: true, keyVersion: true, ciphertext: true },
      });
      const overrides = await tx.branchOverride.findMany({
        where: { variable: { environment: { projectId } }, keyVersion: older },
        take: batchSize,
        select: {
          id: true,
          branchId: true,
          valueVersion: true,
          keyVersion: true,
          ciphertext: true,
          variable: { select: { key: true, environmentId: true } },
        },
      });
      // The history keeps each value's ciphertext as it was stored: it moves to the active key the same way.
      const changes = await tx.revisionChange.findMany({
        where: { environment: { projectId }, keyVersion: older },
        take: batchSize,
        select: {
          environmentId: true,
          key: true,
          branchId: true,
          revision: true,
          valueVersion: true,
          keyVersion: true,
          ciphertext: true,
        },
      });
      // Every row the same way: open with its old key, seal with the active one, write only if unchanged meanwhile.
      const rows = [
        ...vars.map((v) => ({
          ...v,
          identity: {
            projectId,
            environmentId: v.environmentId,
            branchId: null,
            key: v.key,
            valueVersion: v.valueVersion,
          },
          table: tx.variable,
        })),
        ...overrides.map((o) => ({
          ...o,
          identity: {
            projectId,
            environmentId: o.variable.environmentId,
            branchId: o.branchId,
            key: o.variable.key,
            valueVersion: o.valueVersion,
          },
          table: tx.branchOverride,
        })),
      ];
      const versions = new Set([...rows.map((r) => r.keyVersion), ...changes.map((c) => c.keyVersion!)]);
      const decrypt = await keys.decryptor(projectId, versions, tx);
      const encrypt = await keys.encryptor(projectId, active, tx);
      let rewritten = 0;
      for (const row of rows) {
        const ciphertext = Buffer.from(encrypt(row.identity, decrypt(row.identity, row.ciphertext)));
        const update = {
          where: { id: row.id, valueVersion: row.valueVersion },
          data: { ciphertext, keyVersion: active },
        };
        rewritten += (await (row.table as typeof tx.variable).updateMany(update)).count;
      }
      for (const c of changes) {
        const identity = {
          projectId,
          environmentId: c.environmentId,
          branchId: c.branchId === "" ? null : c.branchId,
          key: c.key,
          valueVersion: c.valueVersion!,
        };
        const ciphertext = Buffer.from(encrypt(identity, decrypt(identity, c.ciphertext!)));
        const { environmentId, key, branchId, revision, keyVersion } = c;
        // (Counted in `pending` until done, not in `reencrypted`: that stays the number of current values.)
        await tx.revisionChange.updateMany({
          where: { environmentId, key, branchId, revision, keyVersion },
          data: { ciphertext, keyVersion: active },
        });
      }
      const notes = await reencryptNotes(tx, keys, projectId, active, batchSize); // notes: their own columns
      return { rewritten, seen: rows.length + changes.length + notes };
    });
  }

  async function reencrypt(projectId: string, options: ReencryptOptions = {}) {
    const batchSize = options.batchSize ?? 200;
    const { activeKeyVersion } = await db.reader.project.findUniqueOrThrow({
      where: { id: projectId },
      select: { activeKeyVersion: true },
    });
    let reencrypted = 0;
    for (
      let batch = 0;
      (options.maxBatches === undefined || batch < options.maxBatches) && !options.signal?.aborted;
      batch++
    ) {
      const { rewritten, seen } = await reencryptBatch(projectId, activeKeyVersion, batchSize);
      reencrypted += rewritten;
      if (seen === 0) break;
    }
    return { activeKeyVersion, reencrypted, pending: await pending(projectId, activeKeyVersion) };
  }

  return {
    reencrypt,

    /** Makes a new data key version active and re-encrypts the project's values with it. */
    async rotateProjectKey(actor: Actor, input: { project: string }, options: ReencryptOptions = {}) {
      // The event is the new key version; the re-encryption batches that follow are maintenance.
      const projectId = await writes.run(
        { actor, action: "project.key_rotate", project: input.project, permission: "key:rotate" },
        async ({ tx, access, record }) => {
          const id = access.project.id;
          const { activeKeyVersion } = await tx.project.findUniqueOrThrow({
            where: { id },
            select: { activeKeyVersion: true },
          });
          await tx.projectKey.create({ data: keys.newProjectKey(id, activeKeyVersion + 1) });
          await tx.project.update({ where: { id }, data: { activeKeyVersion: activeKeyVersion + 1 } });
          await reencryptWebhookSecrets(tx, keys, id, activeKeyVersion + 1); // a few rows: in this transaction
          await reencryptGitSecret(tx, keys, id, activeKeyVersion + 1);
          record({ metadata: { keyVersion: activeKeyVersion + 1 } });
          return id;
        },
      );
      return reencrypt(projectId, options);
    },

    /** Finishes re-encryptions that were interrupted (run at start): one statement finds the projects concerned. */
    async resumeAll(options: ReencryptOptions = {}) {
      const results = [];
      for (const projectId of await projectsWithStaleValues(db.reader))
        if (!options.signal?.aborted) results.push({ projectId, ...(await reencrypt(projectId, options)) });
      return results;
    },
  };
}
