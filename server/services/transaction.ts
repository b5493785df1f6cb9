/**
 * Write transactions. Every multi-row write runs in one transaction whose first statement
 * bumps the environment's revision (write-first: the database serializes concurrent
 * writers right there, and a stale expectedRevision fails before anything else happens).
 */
import type { Db, Tx } from "../db/client.js";
import { bindTransaction, startingTransaction } from "../db/direct.js";
import { incrementRevision } from "../db/project-sql.js";
import { ConflictError, NotFoundError } from "./errors.js";

/** Thrown inside a transaction to roll it back and return `result` (e.g. nothing changed). */
export class Rollback<T> extends Error {
  constructor(readonly result: T) {
    super("rollback");
  }
}

export async function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await startingTransaction(db, () =>
      db.$transaction(
        (tx) => {
          bindTransaction(db, tx);
          return fn(tx);
        },
        { maxWait: 60_000, timeout: 120_000 },
      ),
    );
  } catch (error) {
    if (error instanceof Rollback) return error.result as T;
    throw error;
  }
}

/** Increments the environment's revision, checking `expectedRevision` if given; returns the new revision. */
export async function bumpRevision(
  tx: Tx,
  env: { id: string; name: string },
  expectedRevision?: number | null,
): Promise<number> {
  const conditional = expectedRevision != null;
  if (!conditional) {
    const revision = await incrementRevision(tx, env.id);
    if (revision === null)
      throw new NotFoundError(`Environment "${env.name}" was deleted while this write was in progress.`, "Environment");
    return revision;
  }
  const { count } = await tx.environment.updateMany({
    where: { id: env.id, ...(conditional ? { revision: expectedRevision } : {}) },
    data: { revision: { increment: 1 }, updatedAt: new Date() },
  });
  if (count === 1 && conditional) return expectedRevision + 1;
  const current = await tx.environment.findUnique({ where: { id: env.id }, select: { revision: true } });
  if (!current)
    throw new NotFoundError(`Environment "${env.name}" was deleted while this write was in progress.`, "Environment");
  if (count === 0) throw staleRevision(env.name, expectedRevision!, current.revision);
  return current.revision;
}

export function staleRevision(name: string, expected: number, current: number): ConflictError {
  return new ConflictError(
    `Environment "${name}" is at revision ${current}, not ${expected}: someone else changed it since you read it. ` +
      `Fetch it again (envplane env pull / env list) and retry.`,
    current,
  );
}

/** Whether a Prisma error is a unique-constraint violation (a concurrent create won the race). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}
