/**
 * Audited reads that arrive together: on PostgreSQL a server appends one statement at a time per chain, and the rows
 * that arrive meanwhile go in the next statement together (events/audit.ts, appendAuditRowAtHead). The chain stays
 * one unbroken sequence; a row the database refuses fails only its own read, not the others sent with it. SQLite
 * appends each row synchronously; the outcomes are the same.
 */
import { describe, expect, it } from "vitest";
import { expectType } from "../support/expect.js";
import { createProject, setVariable } from "../support/fixtures.js";
import { withRawDb } from "../support/raw-db.js";
import { startTestServer, type TestServer } from "../support/server.js";

const PROJECT = "grouped";
const PULLS = 24;

async function withProject(test: (server: TestServer) => Promise<void>) {
  const server = await startTestServer({ countQueries: true });
  try {
    await createProject(server.owner, PROJECT);
    await setVariable(server.owner, { project: PROJECT, environment: "development", key: "A", value: "dev" });
    await setVariable(server.owner, { project: PROJECT, environment: "preview", key: "A", value: "preview" });
    await test(server);
  } finally {
    await server.close();
  }
}

const pull = (server: TestServer, environment: string) =>
  server.owner.pullVariables({ project: PROJECT, environment }).then((r) => r.pullVariables);

/**
 * Sends the pulls together. On PostgreSQL another connection holds the chain's head locked until every pull has read
 * its values: the server's first append waits on the lock, and the other rows queue behind it, so they go as one
 * batch when the lock is released (a statement of several rows, always). SQLite appends each row as it comes.
 */
async function pullsTogether(server: TestServer, environments: string[]) {
  if (server.database.provider === "sqlite")
    return Promise.allSettled(environments.map((environment) => pull(server, environment)));
  const id = (await server.owner.project({ slug: PROJECT })).project!.id;
  const before = server.queries.length;
  type Pulled = Awaited<ReturnType<typeof pull>>;
  let sent: Promise<PromiseSettledResult<Pulled>[]> | undefined;
  const valuesRead = () => server.queries.slice(before).filter((sql) => /FROM "Variable" v/.test(sql)).length;
  await withRawDb(server.database, async (q) => {
    await q("BEGIN");
    await q(`SELECT 1 FROM "AuditChainHead" WHERE "chain" = $1 FOR UPDATE`, [id]);
    sent = Promise.allSettled(environments.map((environment) => pull(server, environment)));
    await expect.poll(valuesRead, { timeout: 30_000 }).toBeGreaterThanOrEqual(environments.length);
    await new Promise((r) => setTimeout(r, 300)); // the last values' answers, then their rows join the queue
    await q("COMMIT");
  });
  return sent!;
}

async function chain(server: TestServer) {
  const id = (await server.owner.project({ slug: PROJECT })).project!.id;
  const rows = await withRawDb(server.database, (q) =>
    q(`SELECT "seq", "action", "environmentId" FROM "Event" WHERE "chain" = $1 ORDER BY "seq"`, [id]),
  );
  const verified = expectType(
    (await server.owner.verifyAuditLog({ project: PROJECT })).verifyAuditLog,
    "AuditVerification",
  );
  return { rows, verified };
}

describe("audited reads sent together", () => {
  it("are all recorded, one unbroken chain, in fewer statements than rows on PostgreSQL", () =>
    withProject(async (server) => {
      const before = server.queries.length;
      const pulled = await pullsTogether(server, Array(PULLS).fill("development"));
      for (const p of pulled) {
        expect(p.status).toBe("fulfilled");
        const value = (p as PromiseFulfilledResult<Awaited<ReturnType<typeof pull>>>).value;
        expect(expectType(value, "PulledEnvironment").variables).toEqual([
          { key: "A", value: "dev", fromOverride: false },
        ]);
      }
      const { rows, verified } = await chain(server);
      expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i + 1));
      expect(rows.filter((r) => r.action === "variables.pull")).toHaveLength(PULLS);
      expect(verified).toMatchObject({ ok: true, checked: rows.length, problems: [] });
      const appends = server.queries.slice(before).filter((sql) => sql.includes('INSERT INTO "Event"')).length;
      if (server.database.provider === "postgresql") {
        // The first row alone (it waited on the lock), then the rest together.
        expect(appends).toBeGreaterThanOrEqual(2);
        expect(appends).toBeLessThanOrEqual(3);
      }
    }));

  it("a row the database refuses fails its own read only; the others sent with it are recorded", () =>
    withProject(async (server) => {
      const projectId = (await server.owner.project({ slug: PROJECT })).project!.id;
      const [{ id: previewId }] = await withRawDb(server.database, (q) =>
        q(`SELECT "id" FROM "Environment" WHERE "projectId" = $1 AND "name" = 'preview'`, [projectId]),
      );
      const sqlite = server.database.provider === "sqlite";
      await withRawDb(server.database, async (q) => {
        if (sqlite)
          await q(
            `CREATE TRIGGER refuse_preview BEFORE INSERT ON "Event" WHEN NEW."environmentId" = '${previewId}' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
          );
        else {
          await q(
            `CREATE FUNCTION refuse_preview() RETURNS trigger AS $$ BEGIN IF NEW."environmentId" = '${previewId}' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
          );
          await q(
            `CREATE TRIGGER refuse_preview BEFORE INSERT ON "Event" FOR EACH ROW EXECUTE FUNCTION refuse_preview()`,
          );
        }
      });
      const environments = Array.from({ length: PULLS }, (_, i) => (i % 3 === 1 ? "preview" : "development"));
      // On PostgreSQL the queued rows go as one batch with preview's rows in it: refused, then appended row by row.
      const pulled = await pullsTogether(server, environments);
      for (const [i, p] of pulled.entries()) {
        if (environments[i] === "preview") {
          expect(p.status).toBe("rejected");
          expect(String((p as PromiseRejectedResult).reason)).toMatch(/could not be recorded in the audit log/);
        } else {
          expect(p.status).toBe("fulfilled");
          const value = (p as PromiseFulfilledResult<Awaited<ReturnType<typeof pull>>>).value;
          expect(expectType(value, "PulledEnvironment").variables).toEqual([
            { key: "A", value: "dev", fromOverride: false },
          ]);
        }
      }
      const { rows, verified } = await chain(server);
      expect(rows.filter((r) => r.action === "variables.pull")).toHaveLength(
        environments.filter((e) => e === "development").length,
      );
      expect(rows.some((r) => r.action === "variables.pull" && r.environmentId === previewId)).toBe(false);
      expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i + 1));
      expect(verified).toMatchObject({ ok: true, checked: rows.length, problems: [] });
    }));
});
