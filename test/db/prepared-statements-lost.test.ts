/**
 * Named prepared statements on PostgreSQL (server/db/direct.ts) that PostgreSQL cannot run: a plan whose result
 * type changed (another server migrated a column) or a session that lost them (a pooler in transaction mode). The
 * statement is run unnamed instead. (A file of its own: naming state is per process, and the last test ends it.)
 */
import { describe, expect, it } from "vitest";
import { querySql } from "../../server/db/direct.js";
import { Prisma } from "../../server/db/generated/sqlite/client.js";
import { testProvider } from "../support/database.js";
import { preparedStatements as prepared, usePostgresDatabase } from "../support/prepared-statements.js";

const open = usePostgresDatabase();

describe.skipIf(testProvider() === "sqlite")("a named statement PostgreSQL cannot run", () => {
  it("runs unnamed when its result type changed (another server migrated a column), and again after that", async () => {
    const d = await open();
    const read = () =>
      querySql<{ revision: unknown }>(d.reader, Prisma.sql`SELECT "revision" FROM "Environment" WHERE "id" = ${"x"}`);
    await read();
    await read();
    expect((await prepared(d)).filter((s) => s.includes('"revision" FROM "Environment"'))).toHaveLength(1);
    await querySql(d.reader, Prisma.sql`ALTER TABLE "Environment" ALTER COLUMN "revision" TYPE BIGINT`);
    expect(await read()).toEqual([]);
    expect(await read()).toEqual([]);
  });

  it("stops naming statements once the session lost one (a pooler in transaction mode), and still answers", async () => {
    const d = await open();
    const read = (i: number) => querySql<{ i: number }>(d.reader, Prisma.sql`SELECT ${i}::int AS "i"`);
    await read(1);
    expect(await read(2)).toEqual([{ i: 2 }]);
    // What a pooler does: the next statement runs on a session that never prepared it.
    await querySql(d.reader, Prisma.sql`DEALLOCATE ALL`);
    expect(await read(3)).toEqual([{ i: 3 }]);
    await querySql(d.reader, Prisma.sql`SELECT ${1}::int AS "other"`);
    await querySql(d.reader, Prisma.sql`SELECT ${2}::int AS "other"`);
    expect(await prepared(d)).toEqual([]);
  });
});
