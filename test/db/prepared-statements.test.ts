/**
 * On PostgreSQL a statement text run a second time becomes a named prepared statement on the connection that
 * runs it (server/db/direct.ts), so PostgreSQL parses it once instead of on every run. Behind a transaction-mode
 * pooler (`?pgbouncer=true` on DATABASE_URL) nothing is prepared; the number of texts named is bounded.
 */
import { describe, expect, it } from "vitest";
import { dbConfigFromEnv } from "../../server/db/client.js";
import { MAX_NAMED_STATEMENTS, querySql } from "../../server/db/direct.js";
import { Prisma } from "../../server/db/generated/sqlite/client.js";
import { testProvider } from "../support/database.js";
import { preparedStatements as prepared, usePostgresDatabase } from "../support/prepared-statements.js";

const open = usePostgresDatabase();

describe.skipIf(testProvider() === "sqlite")("named prepared statements on PostgreSQL", () => {
  it("prepares a statement text from its second run on, and runs it named after that", async () => {
    const d = await open();
    const read = (slug: string) =>
      querySql<{ n: bigint }>(d.reader, Prisma.sql`SELECT COUNT(*) AS "n" FROM "Project" WHERE "slug" = ${slug}`);
    await read("a");
    expect((await prepared(d)).filter((s) => s.includes('FROM "Project"'))).toEqual([]);
    await read("b");
    await read("c");
    expect(await read("d")).toEqual([{ n: 0n }]);
    expect((await prepared(d)).filter((s) => s.includes('FROM "Project"'))).toHaveLength(1);
  });

  it("prepares nothing with ?pgbouncer=true, and still answers", async () => {
    const d = await open("?pgbouncer=true");
    for (let i = 0; i < 4; i++)
      expect(await querySql(d.reader, Prisma.sql`SELECT ${i}::int AS "i" FROM "Project" LIMIT 1`)).toEqual([]);
    expect(await prepared(d)).toEqual([]);
  });

  it(`names at most ${MAX_NAMED_STATEMENTS} texts; later ones run unnamed`, async () => {
    const d = await open();
    for (let i = 0; i < MAX_NAMED_STATEMENTS + 40; i++)
      for (let run = 0; run < 2; run++)
        await querySql(d.reader, Prisma.sql`SELECT ${Prisma.raw(String(i))} AS "text_${Prisma.raw(String(i))}"`);
    const names = await prepared(d);
    expect(names.length).toBeGreaterThan(0);
    expect(names.length).toBeLessThanOrEqual(MAX_NAMED_STATEMENTS);
  });
});

describe("DATABASE_URL's pgbouncer parameter", () => {
  it("is taken off the URL pg connects with", () => {
    expect(dbConfigFromEnv("postgresql://u@127.0.0.1:5432/db?pgbouncer=true&sslmode=disable", "/d")).toEqual({
      provider: "postgresql",
      url: "postgresql://u@127.0.0.1:5432/db?sslmode=disable",
      pgbouncer: true,
    });
    expect(dbConfigFromEnv("postgresql://u@127.0.0.1:5432/db", "/d")).toEqual({
      provider: "postgresql",
      url: "postgresql://u@127.0.0.1:5432/db",
    });
  });

  it("is taken off wherever it stands, and leaves URLs without it alone (a socket URL too)", () => {
    const url = (u: string) => (dbConfigFromEnv(u, "/d") as { url: string }).url;
    expect(url("postgresql://u@h/db?pgbouncer=false")).toBe("postgresql://u@h/db");
    expect(url("postgresql://u@h/db?a=1&pgbouncer=true")).toBe("postgresql://u@h/db?a=1");
    expect(url("postgresql://u@h/db?a=1&pgbouncer=true&b=2")).toBe("postgresql://u@h/db?a=1&b=2");
    expect(url("postgresql://user:pw@/envplane?host=/var/run/postgresql")).toBe(
      "postgresql://user:pw@/envplane?host=/var/run/postgresql",
    );
  });

  it("must be true or false", () => {
    expect(() => dbConfigFromEnv("postgresql://u@h/db?pgbouncer=yes", "/d")).toThrow(
      'DATABASE_URL: pgbouncer must be "true" or "false", not "yes".',
    );
  });
});
