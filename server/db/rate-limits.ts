/**
 * Shared fixed-window counters in PostgreSQL ("RateLimitWindow"): every server on the
 * database counts into the same row, atomically, so a limit holds across servers.
 */
import type { Db } from "./client.js";

/** Adds one to `key`'s counter for the window starting at `windowStart` (ms) and returns the new count. */
export async function incrementWindow(db: Db, key: string, windowStart: number): Promise<number> {
  const rows = await db.$queryRawUnsafe<{ count: number }[]>(
    `INSERT INTO "RateLimitWindow" ("key", "windowStart", "count") VALUES ($1, $2, 1)
     ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "RateLimitWindow"."count" + 1
     RETURNING "count"`,
    key,
    BigInt(windowStart),
  );
  return Number(rows[0].count);
}

/** Deletes the windows that started before `before` (ms). */
export async function deleteWindowsBefore(db: Db, before: number): Promise<void> {
  await db.$executeRawUnsafe(`DELETE FROM "RateLimitWindow" WHERE "windowStart" < $1`, BigInt(before));
}
