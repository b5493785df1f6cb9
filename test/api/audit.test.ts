/**
 * The audit log (issue 9): every event is a link of its project's hash chain; verifyAuditLog names rows edited,
 * deleted or reordered in the database; reads of values (pull, runtime) are audited with keys only, and a read
 * whose audit row cannot be written returns nothing; auditLog pages and filters; only admins and owners read it;
 * retention keeps the rest verifiable. SQLite and PostgreSQL (bash scripts/with-postgres.sh).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { createClient, type EnvplaneClient, SDK_VERSION } from "../../sdk/index.js";
import { configFromEnv } from "../../server/config.js";
import { type AuditRow, auditHash, pruneAuditLog, sealUnchainedEvents } from "../../server/events/audit.js";
import { verifyChain } from "../../server/services/audit.js";
import { expectType } from "../support/expect.js";
import {
  createBranch,
  createProject,
  rawGraphQL,
  serviceToken,
  setVariable,
  userWithRole,
  useTestServer,
} from "../support/fixtures.js";
import { withRawDb } from "../support/raw-db.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
let sdk: EnvplaneClient;
useTestServer((started) => ([server, sdk] = [started, started.owner]));

const canary = `canary-${randomBytes(12).toString("hex")}`;
const slug = () => `au-${randomBytes(4).toString("hex")}`;
const sqlite = () => server.database.provider === "sqlite";

async function verify(project: string, client = sdk) {
  return expectType((await client.verifyAuditLog({ project })).verifyAuditLog, "AuditVerification");
}

async function log(project: string, filter: Record<string, unknown> = {}, first = 100) {
  return (await sdk.auditLog({ project, filter, first })).auditLog.nodes;
}

async function projectId(project: string) {
  return (await sdk.project({ slug: project })).project!.id;
}

/** A project with a few writes (and their events): create, two sets, one secret. */
async function projectWithHistory() {
  const s = slug();
  await createProject(sdk, s);
  await setVariable(sdk, { project: s, environment: "development", key: "A", value: `${canary}-a` });
  await setVariable(sdk, { project: s, environment: "preview", key: "B", value: `${canary}-b` });
  await setVariable(sdk, { project: s, environment: "preview", key: "S", value: `${canary}-s`, secret: true });
  await setVariable(sdk, { project: s, environment: "development", key: "C", value: `${canary}-c` });
  return s;
}

/** Makes every insert into "Event" with `action` fail, for the duration of `fn`. */
async function withFailingAudit<T>(action: string, fn: () => Promise<T>): Promise<T> {
  await withRawDb(server.database, async (q) => {
    if (sqlite())
      await q(
        `CREATE TRIGGER audit_down BEFORE INSERT ON "Event" WHEN NEW."action" = '${action}' BEGIN SELECT RAISE(ABORT, 'audit down'); END`,
      );
    else {
      await q(
        `CREATE OR REPLACE FUNCTION audit_down() RETURNS trigger AS $$ BEGIN IF NEW."action" = '${action}' THEN RAISE EXCEPTION 'audit down'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
      );
      await q(`CREATE TRIGGER audit_down BEFORE INSERT ON "Event" FOR EACH ROW EXECUTE FUNCTION audit_down()`);
    }
  });
  try {
    return await fn();
  } finally {
    await withRawDb(server.database, (q) =>
      q(sqlite() ? `DROP TRIGGER audit_down` : `DROP TRIGGER audit_down ON "Event"`),
    );
  }
}

describe("the hash chain", () => {
  it("numbers a project's events 1, 2, 3 … each naming the previous hash, and verifies", async () => {
    const s = await projectWithHistory();
    const events = await log(s);
    expect(events.map((e) => e.sequence)).toEqual([5, 4, 3, 2, 1]);
    expect(events.map((e) => e.action)).toEqual([
      "variable.set",
      "variable.set",
      "variable.set",
      "variable.set",
      "project.create",
    ]);
    const chain = await withRawDb(server.database, async (q) =>
      q(`SELECT "seq", "prevHash", "hash" FROM "Event" WHERE "chain" = $1 ORDER BY "seq"`, [await projectId(s)]),
    );
    expect(chain.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
    expect(chain[0].prevHash).toBe("");
    for (let i = 1; i < chain.length; i++) expect(chain[i].prevHash).toBe(chain[i - 1].hash);
    expect(await verify(s)).toEqual({ __typename: "AuditVerification", ok: true, checked: 5, problems: [] });
    expect(JSON.stringify(events)).not.toContain(canary);
  });

  it("names a row edited in the database (content changed, hash kept)", async () => {
    const s = await projectWithHistory();
    const id = await projectId(s);
    await withRawDb(server.database, (q) =>
      q(`UPDATE "Event" SET "keys" = '["X"]' WHERE "chain" = $1 AND "seq" = 3`, [id]),
    );
    const result = await verify(s);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.sequence)).toEqual([3]);
    expect(result.problems[0].message).toMatch(/#3 was changed/);
  });

  it("names a row edited with its hash recomputed: the next row no longer follows it", async () => {
    const s = await projectWithHistory();
    const id = await projectId(s);
    await withRawDb(server.database, async (q) => {
      const [row] = await q(`SELECT * FROM "Event" WHERE "chain" = $1 AND "seq" = 2`, [id]);
      const edited = { ...row, keys: '["X"]' } as unknown as AuditRow;
      const createdAt = new Date(row.createdAt as string | number | Date);
      const hash = auditHash({ ...edited, seq: 2, revision: Number(row.revision), createdAt });
      await q(`UPDATE "Event" SET "keys" = '["X"]', "hash" = $1 WHERE "chain" = $2 AND "seq" = 2`, [hash, id]);
    });
    const result = await verify(s);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.sequence)).toEqual([3]);
    expect(result.problems[0].message).toMatch(/#3 does not follow #2/);
  });

  it("names a deleted row, and rows deleted at the end", async () => {
    const s = await projectWithHistory();
    const id = await projectId(s);
    await withRawDb(server.database, (q) => q(`DELETE FROM "Event" WHERE "chain" = $1 AND "seq" = 2`, [id]));
    let result = await verify(s);
    expect(result.problems).toEqual([{ sequence: 2, eventId: null, message: "Event #2 is missing: deleted." }]);
    await withRawDb(server.database, (q) => q(`DELETE FROM "Event" WHERE "chain" = $1 AND "seq" >= 4`, [id]));
    result = await verify(s);
    expect(result.problems.map((p) => [p.sequence, p.message])).toEqual([
      [2, "Event #2 is missing: deleted."],
      [4, "Event #4–#5 are missing: deleted."],
    ]);
  });

  it("names reordered rows (two rows' sequence numbers swapped)", async () => {
    const s = await projectWithHistory();
    const id = await projectId(s);
    await withRawDb(server.database, async (q) => {
      await q(`UPDATE "Event" SET "seq" = -1 WHERE "chain" = $1 AND "seq" = 2`, [id]);
      await q(`UPDATE "Event" SET "seq" = 2 WHERE "chain" = $1 AND "seq" = 3`, [id]);
      await q(`UPDATE "Event" SET "seq" = 3 WHERE "chain" = $1 AND "seq" = -1`, [id]);
    });
    const result = await verify(s);
    expect(result.ok).toBe(false);
    expect(new Set(result.problems.map((p) => p.sequence))).toEqual(new Set([2, 3, 4]));
  });

  it("events written before the audit log existed are chained at start", async () => {
    const s = await projectWithHistory();
    const id = await projectId(s);
    // As migration 0006_audit leaves them: numbered, not yet hashed.
    await withRawDb(server.database, async (q) => {
      await q(`UPDATE "Event" SET "prevHash" = '', "hash" = '' WHERE "chain" = $1`, [id]);
      await q(`UPDATE "AuditChainHead" SET "hash" = '' WHERE "chain" = $1`, [id]);
    });
    expect((await verify(s)).ok).toBe(false);
    expect(await sealUnchainedEvents(server.app.database)).toBe(5);
    expect(await verify(s)).toMatchObject({ ok: true, checked: 5 });
    await setVariable(sdk, { project: s, environment: "development", key: "D", value: "d" });
    expect(await verify(s)).toMatchObject({ ok: true, checked: 6 });
  });

  it("a row edited and unhashed in the database later is not sealed anew at start", async () => {
    const s = await projectWithHistory();
    const id = await projectId(s);
    // The newest row edited and its hash blanked, as if it predated the audit log.
    await withRawDb(server.database, (q) =>
      q(`UPDATE "Event" SET "keys" = '["X"]', "prevHash" = '', "hash" = '' WHERE "chain" = $1 AND "seq" = 5`, [id]),
    );
    await sealUnchainedEvents(server.app.database);
    const result = await verify(s);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.sequence)).toContain(5);
  });

  it("concurrent writers on one project produce one unbroken chain", async () => {
    const s = slug();
    await createProject(sdk, s);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sdk.setVariable({
          input: { project: s, environment: i % 2 ? "preview" : "development", key: `K${i}`, value: "v" },
        }),
      ),
    );
    for (const r of results) expectType(r.setVariable, "SetVariablePayload");
    const id = await projectId(s);
    const seqs = await withRawDb(server.database, (q) =>
      q(`SELECT "seq" FROM "Event" WHERE "chain" = $1 ORDER BY "seq"`, [id]),
    );
    expect(seqs.map((r) => Number(r.seq))).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(await verify(s)).toMatchObject({ ok: true, checked: 21, problems: [] });
  });

  it("concurrent audited reads and writes on one project produce one unbroken chain", async () => {
    const s = slug();
    await createProject(sdk, s);
    const runtime = await serviceToken(server, s, ["RUNTIME"]);
    const reads = Array.from({ length: 16 }, (_, i) =>
      i % 2
        ? sdk.pullVariables({ project: s, environment: "development" })
        : runtime.client.runtimeVariables({ project: s, branch: "dev" }),
    );
    const writes = Array.from({ length: 4 }, (_, i) =>
      setVariable(sdk, { project: s, environment: "development", key: `K${i}`, value: "v" }),
    );
    await Promise.all([...reads, ...writes]);
    const id = await projectId(s);
    const rows = await withRawDb(server.database, (q) =>
      q(`SELECT "seq", "action" FROM "Event" WHERE "chain" = $1 ORDER BY "seq"`, [id]),
    );
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    expect(rows.filter((r) => String(r.action).startsWith("variables.")).length).toBe(16);
    expect(await verify(s)).toMatchObject({ ok: true, checked: rows.length, problems: [] });
  });

  it("a write committed while verifying is not mistaken for tampering", async () => {
    const s = await projectWithHistory();
    const id = await projectId(s);
    const reader = server.app.database.reader;
    // The real database; a write lands between reading the chain's head and reading its rows.
    const interleaved = {
      event: reader.event,
      auditChainHead: {
        findUnique: async (args: Parameters<typeof reader.auditChainHead.findUnique>[0]) => {
          const head = await reader.auditChainHead.findUnique(args);
          await setVariable(sdk, { project: s, environment: "development", key: "LATE", value: "v" });
          return head;
        },
      },
    } as unknown as Parameters<typeof verifyChain>[0];
    expect(await verifyChain(interleaved, id)).toEqual({ ok: true, checked: 5, problems: [] });
    expect(await verify(s)).toMatchObject({ ok: true, checked: 6 });
  });

  it("names a chain whose head was deleted", async () => {
    const s = await projectWithHistory();
    const id = await projectId(s);
    const [head] = await withRawDb(server.database, async (q) => {
      const saved = await q(`SELECT "seq", "hash" FROM "AuditChainHead" WHERE "chain" = $1`, [id]);
      await q(`DELETE FROM "AuditChainHead" WHERE "chain" = $1`, [id]);
      return saved;
    });
    const result = await verify(s);
    expect(result.ok).toBe(false);
    expect(result.problems[0].message).toMatch(/newest event is missing/);
    // Put it back (retention, in a later test, walks every chain).
    await withRawDb(server.database, (q) =>
      q(`INSERT INTO "AuditChainHead" ("chain", "seq", "hash") VALUES ($1, $2, $3)`, [id, head.seq, head.hash]),
    );
    expect((await verify(s)).ok).toBe(true);
  });

  it("retention deletes old rows and moves the anchor: the rest still verifies, and tampering still shows", async () => {
    const s = await projectWithHistory();
    const id = await projectId(s);
    // Rows older than one day, seen from two days ahead: every row so far.
    const deleted = await pruneAuditLog(server.app.database, 1, new Date(Date.now() + 2 * 86_400_000));
    expect(deleted).toBeGreaterThanOrEqual(5);
    expect(await log(s)).toEqual([]);
    await setVariable(sdk, { project: s, environment: "development", key: "E", value: "e" });
    await setVariable(sdk, { project: s, environment: "development", key: "F", value: "f" });
    expect((await log(s)).map((e) => e.sequence)).toEqual([7, 6]);
    expect(await verify(s)).toMatchObject({ ok: true, checked: 2 });
    await withRawDb(server.database, (q) => q(`DELETE FROM "Event" WHERE "chain" = $1 AND "seq" = 6`, [id]));
    expect((await verify(s)).problems.map((p) => p.sequence)).toEqual([6]);
  });
});

it("ENVPLANE_AUDIT_RETENTION_DAYS: unset keeps everything; a bad value is refused with a clear message", () => {
  expect(configFromEnv({}).auditRetentionDays).toBeUndefined();
  expect(configFromEnv({ ENVPLANE_AUDIT_RETENTION_DAYS: "90" }).auditRetentionDays).toBe(90);
  for (const bad of ["0", "-1", "1.5", "forever"])
    expect(() => configFromEnv({ ENVPLANE_AUDIT_RETENTION_DAYS: bad })).toThrow(
      /ENVPLANE_AUDIT_RETENTION_DAYS must be a whole number of at least 1/,
    );
});

describe("audited reads", () => {
  it("pullVariables and runtimeVariables each write one row with the keys returned, never a value", async () => {
    const s = await projectWithHistory();
    const runtime = await serviceToken(server, s, ["RUNTIME"]);
    const pulled = expectType(
      (await sdk.pullVariables({ project: s, environment: "preview" })).pullVariables,
      "PulledEnvironment",
    );
    expect(pulled.variables.map((v) => v.key)).toEqual(["B"]);
    const resolved = expectType(
      (await runtime.client.runtimeVariables({ project: s, branch: "dev" })).runtimeVariables,
      "RuntimeEnvironment",
    );
    expect(resolved.variables.map((v) => v.value)).toEqual([`${canary}-b`, `${canary}-s`]);
    const [resolve, pull] = await log(s, { action: "variables." });
    expect(pull).toMatchObject({ action: "variables.pull", environment: "preview", keys: ["B"], revision: 2 });
    expect(resolve).toMatchObject({
      action: "variables.resolve",
      environment: "preview",
      branch: "dev",
      keys: ["B", "S"],
      actor: { type: "SERVICE", tokenId: runtime.id, name: `service token ${runtime.created.token.name}` },
    });
    const all = await withRawDb(server.database, (q) => q(`SELECT * FROM "Event"`));
    expect(JSON.stringify(all)).not.toContain(canary);
    expect((await verify(s)).ok).toBe(true);
  });

  it("a pull records the keys it returned when a reference withholds a value, and a pull that fails to decrypt as attempted", async () => {
    const s = slug();
    await createProject(sdk, s);
    await sdk.setSharedVariable({ input: { project: s, key: "TOKEN", value: `${canary}-t`, secret: true } });
    await setVariable(sdk, { project: s, environment: "development", key: "PLAIN", value: "p" });
    await setVariable(sdk, { project: s, environment: "development", key: "REF", value: "x-${{project.TOKEN}}" });
    await setVariable(sdk, {
      project: s,
      environment: "development",
      key: "SECRET",
      value: `${canary}-s`,
      secret: true,
    });
    const pulled = expectType(
      (await sdk.pullVariables({ project: s, environment: "development" })).pullVariables,
      "PulledEnvironment",
    );
    // REF references a secret project variable: it is withheld like a secret, and the row says so.
    expect(pulled.variables.map((v) => v.key)).toEqual(["PLAIN"]);
    expect(pulled.excludedSecrets).toEqual(["REF", "SECRET"]);
    const [withheld] = await log(s, { action: "variables.pull" });
    expect(withheld).toMatchObject({ keys: ["PLAIN"] });
    const [stored] = await withRawDb(server.database, (q) =>
      q(`SELECT "metadata" FROM "Event" WHERE "id" = $1`, [withheld.id]),
    );
    expect(JSON.parse(String(stored.metadata))).toMatchObject({ excludedSecrets: 2 });

    // A value stored before references were tracked (its column "[]") is read as plain at first: the row of the keys
    // read, then the row of the keys returned, and the server log says why.
    await withRawDb(server.database, (q) => q(`UPDATE "Variable" SET "references" = '[]' WHERE "key" = 'REF'`));
    const again = expectType(
      (await sdk.pullVariables({ project: s, environment: "development" })).pullVariables,
      "PulledEnvironment",
    );
    expect(again.variables.map((v) => v.key)).toEqual(["PLAIN"]);
    const [exact, read] = await log(s, { action: "variables.pull" });
    expect([exact.keys, read.keys, exact.sequence - read.sequence]).toEqual([["PLAIN"], ["PLAIN", "REF"], 1]);
    expect(server.logs.join("\n")).toContain("their references column does not list");

    // Without references the row is written while the values are decrypted: a value that then fails to decrypt
    // leaves the pull recorded (it was attempted), and nothing is returned.
    await setVariable(sdk, { project: s, environment: "development", key: "REF", value: "plain again" });
    const id = await projectId(s);
    await withRawDb(server.database, (q) =>
      q(
        `UPDATE "Variable" SET "ciphertext" = $1 WHERE "key" = 'PLAIN' AND "environmentId" IN
          (SELECT "id" FROM "Environment" WHERE "name" = 'development' AND "projectId" = $2)`,
        [Buffer.from("not a sealed value"), id],
      ),
    );
    const failed = (await sdk.pullVariables({ project: s, environment: "development" })).pullVariables;
    expect(failed).toMatchObject({ __typename: "UndecryptableError", keys: ["PLAIN"] });
    expect(JSON.stringify(failed)).not.toContain("plain again");
    const [attempted] = await log(s, { action: "variables.pull" });
    expect(attempted.sequence).toBe(exact.sequence + 2); // the set of REF in between
    expect(attempted).toMatchObject({ keys: ["PLAIN", "REF"] });
    expect((await verify(s)).ok).toBe(true);
  });

  it("a branch pull's row lists the keys returned whether the base value or the override references a secret", async () => {
    const s = slug();
    await createProject(sdk, s);
    await createBranch(sdk, s, "feat");
    await sdk.setSharedVariable({ input: { project: s, key: "TOKEN", value: `${canary}-t`, secret: true } });
    const set = (environment: string, key: string, value: string, extra: { branch?: string; secret?: boolean } = {}) =>
      setVariable(sdk, { project: s, environment, key, value, ...extra });
    // preview: a plain base value whose override references the secret (withheld on the branch).
    await set("preview", "OVR", "plain");
    await set("preview", "OVR", "o-${{project.TOKEN}}", { branch: "feat" });
    await set("preview", "KEEP", "k");
    // production: a base value referencing the secret, overridden by a plain value (returned), and a secret.
    await set("production", "REV", "b-${{project.TOKEN}}");
    await set("production", "REV", "plain override", { branch: "feat" });
    await set("production", "PSEC", `${canary}-p`, { secret: true });
    const pull = async (environment: string) =>
      expectType(
        (await sdk.pullVariables({ project: s, environment, branch: "feat" })).pullVariables,
        "PulledEnvironment",
      );
    const metadata = async (id: string) =>
      JSON.parse(
        String(
          (await withRawDb(server.database, (q) => q(`SELECT "metadata" FROM "Event" WHERE "id" = $1`, [id])))[0]
            .metadata,
        ),
      );

    const preview = await pull("preview");
    expect(preview.variables.map((v) => v.key)).toEqual(["KEEP"]);
    expect(preview.excludedSecrets).toEqual(["OVR"]);
    const rows = () => log(s, { action: "variables.pull" });
    expect(await rows()).toHaveLength(1); // one row per pull: no correcting row was needed
    const [previewRow] = await rows();
    expect(previewRow).toMatchObject({ environment: "preview", branch: "feat", keys: ["KEEP"] });
    expect(await metadata(previewRow.id)).toMatchObject({ excludedSecrets: 1 });

    const production = await pull("production");
    expect(production.variables.map((v) => [v.key, v.value])).toEqual([["REV", "plain override"]]);
    expect(production.excludedSecrets).toEqual(["PSEC"]);
    expect(await rows()).toHaveLength(2);
    const [productionRow] = await rows();
    expect(productionRow).toMatchObject({ environment: "production", branch: "feat", keys: ["REV"] });
    expect(productionRow.sequence).toBe(previewRow.sequence + 1);
    expect(await metadata(productionRow.id)).toMatchObject({ excludedSecrets: 1 });
    expect((await verify(s)).ok).toBe(true);
  });

  it("when the read's audit row cannot be written, the read fails with a clear error and returns no value", async () => {
    const s = await projectWithHistory();
    const runtime = await serviceToken(server, s, ["RUNTIME"]);
    const before = (await log(s)).length;
    const [runtimeBody, pullBody] = await withFailingAudit("variables.resolve", async () => [
      await rawGraphQL(
        server,
        runtime.token,
        `{ runtimeVariables(project: "${s}", branch: "dev") { __typename ... on RuntimeEnvironment { variables { key value } } } }`,
      ),
      "",
    ]);
    expect(runtimeBody).not.toContain(canary);
    const parsed = JSON.parse(runtimeBody);
    expect(parsed.data).toBeNull();
    expect(parsed.errors[0]).toMatchObject({
      message: expect.stringContaining("could not be recorded in the audit log, so no values were returned"),
      extensions: { code: "AUDIT_UNAVAILABLE" },
    });
    expect(pullBody).toBe("");
    const pull = await withFailingAudit("variables.pull", () =>
      rawGraphQL(
        server,
        server.ownerToken,
        `{ pullVariables(project: "${s}", environment: "development") { __typename ... on PulledEnvironment { variables { key value } } } }`,
      ),
    );
    expect(pull).not.toContain(canary);
    expect(JSON.parse(pull).errors[0].extensions.code).toBe("AUDIT_UNAVAILABLE");
    expect(server.logs.join("\n")).toContain("Audit log write failed for variables.resolve");
    // Nothing was recorded, not even the branch's live revision.
    expect((await log(s)).length).toBe(before);
    const live = (await sdk.branchStatus({ project: s })).project!.branches.find((b) => b.name === "dev")!;
    expect(live.live).toBeNull();
  });

  it("a failing audit write fails the mutation too: nothing changes", async () => {
    const s = await projectWithHistory();
    const failed = await withFailingAudit("variable.set", () =>
      sdk.setVariable({ input: { project: s, environment: "development", key: "Z", value: canary } }).catch((e) => e),
    );
    expect(failed).toBeInstanceOf(Error);
    expect((await sdk.pullVariables({ project: s, environment: "development" })).pullVariables).toMatchObject({
      variables: [{ key: "A" }, { key: "C" }],
    });
    expect((await verify(s)).ok).toBe(true);
  });
});

describe("auditLog", () => {
  it("filters by environment, actor (e-mail, name, token name), action (exact or prefix), since and until", async () => {
    const s = await projectWithHistory();
    const dev = await userWithRole(server, s, "DEVELOPER", `Dev ${s}`);
    const writer = await serviceToken(server, s, ["WRITE"]);
    await setVariable(dev.client, { project: s, environment: "development", key: "BY_DEV", value: "1" });
    await setVariable(writer.client, { project: s, environment: "preview", key: "BY_TOKEN", value: "1" });
    const actions = (events: { action: string; keys: string[] }[]) => events.map((e) => `${e.action}:${e.keys}`);
    expect(actions(await log(s, { environment: "preview" }))).toEqual([
      "variable.set:BY_TOKEN",
      "variable.set:S",
      "variable.set:B",
    ]);
    expect(actions(await log(s, { actor: `Dev ${s}` }))).toEqual(["variable.set:BY_DEV"]);
    expect(actions(await log(s, { actor: writer.created.token.name }))).toEqual(["variable.set:BY_TOKEN"]);
    expect(actions(await log(s, { action: "project.create" }))).toEqual(["project.create:"]);
    expect(actions(await log(s, { action: "project." }))).toEqual(["project.create:"]);
    expect(await log(s, { action: "project" })).toEqual([]);
    // An environment that does not exist is named in an error, not answered with an empty log.
    await expect(log(s, { environment: "nope" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining(`Environment "nope" not found in project "${s}"`),
    });
    const all = await log(s);
    const middle = all[3].createdAt;
    expect((await log(s, { until: middle })).every((e) => e.createdAt <= middle)).toBe(true);
    expect((await log(s, { since: middle })).every((e) => e.createdAt >= middle)).toBe(true);
    expect((await log(s, { since: "2999-01-01T00:00:00Z" })).length).toBe(0);
  });

  it("pages newest first with cursors, and refuses bad arguments with a clear error", async () => {
    const s = await projectWithHistory();
    const first = (await sdk.auditLog({ project: s, first: 2 })).auditLog;
    expect(first.nodes.map((e) => e.sequence)).toEqual([5, 4]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await sdk.auditLog({ project: s, first: 2, after: first.pageInfo.endCursor })).auditLog;
    expect(second.nodes.map((e) => e.sequence)).toEqual([3, 2]);
    const third = (await sdk.auditLog({ project: s, first: 2, after: second.pageInfo.endCursor })).auditLog;
    expect(third.nodes.map((e) => e.sequence)).toEqual([1]);
    expect(third.pageInfo.hasNextPage).toBe(false);
    const bad = JSON.parse(
      await rawGraphQL(
        server,
        server.ownerToken,
        `{ auditLog(project: "${s}", after: "junk", first: 9999) { nodes { id } } }`,
      ),
    );
    expect(bad.errors[0].message).toMatch(/first must be between 0 and/);
    expect(bad.errors[0].extensions.code).toBe("VALIDATION");
    const blank = JSON.parse(
      await rawGraphQL(
        server,
        server.ownerToken,
        `{ auditLog(project: "${s}", filter: { actor: " " }) { nodes { id } } }`,
      ),
    );
    expect(blank.errors[0].message).toMatch(/actor must name someone/);
  });

  it("records the client's address and user agent of HTTP requests", async () => {
    const s = slug();
    await createProject(sdk, s);
    const http = createServer(server.app.handle);
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const port = (http.address() as { port: number }).port;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-envplane-client": "test",
          "user-agent": "audit-test/1.0",
          authorization: `Bearer ${server.ownerToken}`,
        },
        body: JSON.stringify({
          query: `mutation { setVariable(input: { project: "${s}", environment: "development", key: "UA", value: "1" }) { __typename } }`,
        }),
      });
      expect(response.status).toBe(200);
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
    const [event] = await log(s);
    expect(event).toMatchObject({ action: "variable.set", clientAddress: "127.0.0.1", userAgent: "audit-test/1.0" });
    expect((await verify(s)).ok).toBe(true);
  });

  it("the SDK names itself in Node: envplane-sdk/<package version>", async () => {
    const s = slug();
    await createProject(sdk, s);
    const http = createServer(server.app.handle);
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const port = (http.address() as { port: number }).port;
    try {
      // The global fetch over real HTTP, as a user's program would.
      const client = createClient({ url: `http://127.0.0.1:${port}/graphql`, token: server.ownerToken });
      await setVariable(client, { project: s, environment: "development", key: "BY_SDK", value: "1" });
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(SDK_VERSION).toBe(version);
    const [event] = await log(s);
    expect(event).toMatchObject({ action: "variable.set", keys: ["BY_SDK"], userAgent: `envplane-sdk/${version}` });
  });
});

describe("permissions", () => {
  it("admins and owners read and verify the log; developers, viewers and service tokens do not", async () => {
    const s = await projectWithHistory();
    const admin = await userWithRole(server, s, "ADMIN");
    const developer = await userWithRole(server, s, "DEVELOPER");
    const viewer = await userWithRole(server, s, "VIEWER");
    const token = await serviceToken(server, s, ["READ", "WRITE", "RUNTIME"]);
    expect((await admin.client.auditLog({ project: s })).auditLog.nodes.length).toBeGreaterThan(0);
    expect((await verify(s, admin.client)).ok).toBe(true);
    expect((await admin.client.branchStatus({ project: s })).project!.viewerCanReadAuditLog).toBe(true);
    for (const client of [developer.client, viewer.client, token.client]) {
      const refused = await client.auditLog({ project: s }).catch((e: Error) => e);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toMatch(/may not read the audit log|read the audit log/);
      expect((await client.verifyAuditLog({ project: s })).verifyAuditLog.__typename).toBe("ForbiddenError");
      expect((await client.branchStatus({ project: s })).project!.viewerCanReadAuditLog).toBe(false);
    }
  });
});
