/**
 * Notes and .env layout (issue 10, feature 4): a note is sealed like a value under its own
 * associated data, survives merges that do not name its key, counts as a change on its own, and
 * is re-sealed by key rotation. The layout (order, blank lines) of a push survives.
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import type { EnvplaneClient, VariableInput } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import {
  createProject,
  readEnvironment,
  serviceToken,
  setVariable,
  userWithRole,
  useTestServer,
} from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
let sdk: EnvplaneClient;
useTestServer((started) => ([server, sdk] = [started, started.owner]));

type Options = { prune?: boolean; dryRun?: boolean; layout?: boolean };
async function push(project: string, variables: VariableInput[], options: Options = { layout: true }) {
  const r = await sdk.bulkUpsertVariables({ input: { project, environment: "preview", variables, ...options } });
  return expectType(r.bulkUpsertVariables, "BulkUpsertVariablesPayload");
}
async function notes(project: string) {
  const env = await readEnvironment(sdk, project, "preview");
  return Object.fromEntries(env.variables.map((v) => [v.key, v.note ?? null]));
}
async function pulled(project: string) {
  const r = await sdk.pullVariablesWithNotes({ project, environment: "preview" });
  const p = expectType(r.pullVariables, "PulledEnvironment");
  return p.variables.map((v) => ({ key: v.key, note: v.note, position: v.position, blank: v.blankLineBefore }));
}

const file: VariableInput[] = [
  { key: "APP_URL", value: "https://a.example", note: "Public URL\nno trailing slash" },
  { key: "PORT", value: "3000", note: "" },
  { key: "DB_URL", value: "postgres://db", note: "Primary database", blankLineBefore: true },
  { key: "DB_POOL", value: "10", note: "" },
];

describe("notes and layout through bulkUpsertVariables", () => {
  it("stores notes and layout; the same push again changes nothing; a note alone is a change", async () => {
    await createProject(sdk, "notes-a");
    const first = await push("notes-a", file);
    expect(first).toMatchObject({ applied: true, notesChanged: [], layoutChanged: false });
    expect(await notes("notes-a")).toEqual({
      APP_URL: "Public URL\nno trailing slash",
      DB_POOL: null,
      DB_URL: "Primary database",
      PORT: null,
    });
    expect(await pulled("notes-a")).toEqual([
      { key: "APP_URL", note: "Public URL\nno trailing slash", position: 0, blank: false },
      { key: "DB_POOL", note: null, position: 3, blank: false },
      { key: "DB_URL", note: "Primary database", position: 2, blank: true },
      { key: "PORT", note: null, position: 1, blank: false },
    ]);

    const again = await push("notes-a", file);
    expect(again).toMatchObject({ applied: false, revision: first.revision, notesChanged: [], layoutChanged: false });

    const edited = file.map((v) => (v.key === "DB_URL" ? { ...v, note: "Primary database (read-write)" } : v));
    const dry = await push("notes-a", edited, { layout: true, dryRun: true });
    expect(dry).toMatchObject({ applied: false, notesChanged: ["DB_URL"], changed: [], added: [] });
    const noteOnly = await push("notes-a", edited);
    expect(noteOnly).toMatchObject({ applied: true, revision: first.revision + 1, notesChanged: ["DB_URL"] });
    expect(noteOnly.changed).toEqual([]);
    expect((await notes("notes-a")).DB_URL).toBe("Primary database (read-write)");
    // The history has the revision; its event names the key and says a note changed.
    const project = await server.app.database.reader.project.findUniqueOrThrow({ where: { slug: "notes-a" } });
    const events = await server.app.database.reader.event.findMany({
      where: { projectId: project.id, revision: noteOnly.revision },
      select: { keys: true, metadata: true },
    });
    expect(events.map((e) => [JSON.parse(e.keys), JSON.parse(e.metadata).notesChanged])).toEqual([[["DB_URL"], 1]]);
  });

  it("a changed order or blank line is a change; keys a push does not name keep their place and notes", async () => {
    await createProject(sdk, "notes-b");
    await push("notes-b", file);
    const reordered = [file[1], file[0], file[2], file[3]];
    const r = await push("notes-b", reordered);
    expect(r).toMatchObject({ applied: true, layoutChanged: true, notesChanged: [], changed: [] });
    expect((await pulled("notes-b")).sort((a, b) => a.position! - b.position!).map((v) => v.key)).toEqual([
      "PORT",
      "APP_URL",
      "DB_URL",
      "DB_POOL",
    ]);

    // A merge of one key with a new value: other keys keep their notes and place.
    const merge = await push("notes-b", [{ key: "DB_URL", value: "postgres://db2", blankLineBefore: true }]);
    expect(merge).toMatchObject({ applied: true, changed: ["DB_URL"], notesChanged: [], layoutChanged: false });
    expect(await notes("notes-b")).toMatchObject({
      APP_URL: "Public URL\nno trailing slash",
      DB_URL: "Primary database",
    });
    // "" clears a note; a key sent without a note keeps its own.
    const cleared = await push("notes-b", [{ key: "APP_URL", value: "https://a.example", note: "" }], {});
    expect(cleared).toMatchObject({ applied: true, notesChanged: ["APP_URL"], changed: [] });
    expect(await notes("notes-b")).toMatchObject({ APP_URL: null, DB_URL: "Primary database" });
  });

  it("without layout, the stored order stays; new keys follow the placed ones", async () => {
    await createProject(sdk, "notes-c");
    await push("notes-c", file);
    const r = await push("notes-c", [{ key: "AAA", value: "1" }, file[3], file[0]], {});
    expect(r).toMatchObject({ added: ["AAA"], layoutChanged: false });
    const order = await pulled("notes-c");
    expect(order.find((v) => v.key === "AAA")).toMatchObject({ position: null });
  });

  it("refuses bad notes with field errors and changes nothing", async () => {
    await createProject(sdk, "notes-d");
    const r = await sdk.bulkUpsertVariables({
      input: {
        project: "notes-d",
        environment: "preview",
        variables: [
          { key: "A", value: "1", note: "x".repeat(2001) },
          { key: "B", value: "1", note: "line\r\nbreak" },
          { key: "C", value: "1", note: "@secret" },
        ],
      },
    });
    const error = expectType(r.bulkUpsertVariables, "ValidationError");
    expect(error.fieldErrors.map((f) => f.path.join("."))).toEqual([
      "variables.0.note",
      "variables.1.note",
      "variables.2.note",
    ]);
    expect(error.fieldErrors[0].message).toMatch(/at most 2000/);
    expect((await readEnvironment(sdk, "notes-d", "preview")).variables).toEqual([]);
  });
});

describe("setVariable with a note", () => {
  it("sets, keeps, edits alone (a revision) and clears a note; secrets have readable notes", async () => {
    await createProject(sdk, "notes-set");
    const set = (input: { key: string; value: string; note?: string | null; secret?: boolean }) =>
      setVariable(sdk, { project: "notes-set", environment: "preview", ...input });
    const created = await set({ key: "API", value: "v", note: "The API" });
    expect((await notes("notes-set")).API).toBe("The API");
    const kept = await set({ key: "API", value: "v2" });
    expect((await notes("notes-set")).API).toBe("The API");
    const same = await set({ key: "API", value: "v2", note: "The API" });
    expect(same).toMatchObject({ changed: false, revision: kept.revision });
    const noteOnly = await set({ key: "API", value: "v2", note: "The public API" });
    expect(noteOnly).toMatchObject({ changed: true, revision: kept.revision + 1 });
    expect(created.revision).toBe(kept.revision - 1);
    // The value was not rewritten by a note-only change: its history has no new entry.
    const variable = await server.app.database.reader.variable.findFirstOrThrow({
      where: { key: "API", environment: { project: { slug: "notes-set" } } },
    });
    expect(variable.valueVersion).toBe(kept.revision);
    await set({ key: "API", value: "v2", note: "" });
    expect((await notes("notes-set")).API).toBeNull();

    await set({ key: "STRIPE_KEY", value: "sk_live_canary", secret: true, note: "Live key, rotate yearly" });
    const env = await readEnvironment(sdk, "notes-set", "preview");
    expect(env.variables.find((v) => v.key === "STRIPE_KEY")).toMatchObject({
      value: null,
      note: "Live key, rotate yearly",
    });
  });

  it("refuses a note on a branch override", async () => {
    await createProject(sdk, "notes-branch", { branches: ["feature-x"] });
    await setVariable(sdk, { project: "notes-branch", environment: "preview", key: "A", value: "1" });
    const r = await sdk.setVariable({
      input: { project: "notes-branch", environment: "preview", key: "A", value: "2", branch: "feature-x", note: "n" },
    });
    const error = expectType(r.setVariable, "ValidationError");
    expect(error.fieldErrors).toEqual([{ path: ["note"], message: expect.stringMatching(/base values/) }]);
  });
});

describe("notes at rest", () => {
  it("are never stored in plaintext, and a note ciphertext cannot stand in for a value", async () => {
    await createProject(sdk, "notes-rest");
    const canary = "note-canary-7f3a9c";
    await push("notes-rest", [{ key: "A", value: "plain", note: `see ${canary}` }]);
    expect((await notes("notes-rest")).A).toBe(`see ${canary}`);
    const db = server.app.database.writer;
    if (server.database.provider === "sqlite") {
      const bytes = fs.readFileSync(server.database.file!);
      const wal = `${server.database.file}-wal`;
      const all = Buffer.concat([bytes, fs.existsSync(wal) ? fs.readFileSync(wal) : Buffer.alloc(0)]);
      expect(all.includes(Buffer.from(canary))).toBe(false);
    }
    const row = await db.variable.findFirstOrThrow({
      where: { key: "A", environment: { project: { slug: "notes-rest" } } },
    });
    expect(Buffer.from(row.noteCiphertext!).includes(Buffer.from(canary))).toBe(false);
    // Swap the note's ciphertext into the value: it does not open as a value (own associated data).
    await db.variable.update({
      where: { id: row.id },
      data: { ciphertext: row.noteCiphertext!, valueVersion: row.noteVersion! },
    });
    const read = sdk.environmentVariables({ project: "notes-rest", environment: "preview", first: 10 });
    await expect(read).rejects.toThrow(/cannot be decrypted \(damaged in the database\): A\./);
    await expect(read).rejects.not.toThrow(canary);
  });

  it("key rotation re-seals notes with the new key version; they still read", async () => {
    await createProject(sdk, "notes-rot");
    await push("notes-rot", file);
    const r = expectType(
      (await sdk.rotateProjectKey({ input: { project: "notes-rot" } })).rotateProjectKey,
      "RotateProjectKeyPayload",
    );
    expect(r).toMatchObject({ activeKeyVersion: 2, pending: 0 });
    const rows = await server.app.database.reader.variable.findMany({
      where: { environment: { project: { slug: "notes-rot" } }, noteCiphertext: { not: null } },
      select: { noteKeyVersion: true },
    });
    expect(rows.map((x) => x.noteKeyVersion)).toEqual([2, 2]);
    expect(await notes("notes-rot")).toMatchObject({
      APP_URL: "Public URL\nno trailing slash",
      DB_URL: "Primary database",
    });
  });

  it("an interrupted rotation resumes for notes too", async () => {
    await createProject(sdk, "notes-rot2");
    await push(
      "notes-rot2",
      Array.from({ length: 12 }, (_, i) => ({ key: `K_${i}`, value: `${i}`, note: `note ${i}` })),
    );
    const owner = await server.app.services.auth.authenticate(server.ownerToken);
    const partial = await server.app.services.keyRotation.rotateProjectKey(
      owner,
      { project: "notes-rot2" },
      { batchSize: 5, maxBatches: 1 },
    );
    expect(partial.pending).toBeGreaterThan(0);
    await server.app.services.keyRotation.resumeAll({ batchSize: 5 });
    const rows = await server.app.database.reader.variable.findMany({
      where: { environment: { project: { slug: "notes-rot2" } } },
      select: { noteKeyVersion: true },
    });
    expect(new Set(rows.map((x) => x.noteKeyVersion))).toEqual(new Set([2]));
    expect((await notes("notes-rot2")).K_11).toBe("note 11");
  });

  it("a write-only token's push counts every sent note as changed, so it learns nothing about stored notes", async () => {
    await createProject(sdk, "notes-wo");
    await push("notes-wo", file);
    const { client } = await serviceToken(server, "notes-wo", ["WRITE"], ["preview"]);
    const r = await client.bulkUpsertVariables({
      input: { project: "notes-wo", environment: "preview", variables: [file[0]], dryRun: true },
    });
    expect(expectType(r.bulkUpsertVariables, "BulkUpsertVariablesPayload").notesChanged).toEqual(["APP_URL"]);
  });
});

describe("setVariableNote", () => {
  it("sets a note alone (secrets too), reports no change for the same note, names a missing key", async () => {
    await createProject(sdk, "notes-only");
    const base = await setVariable(sdk, {
      project: "notes-only",
      environment: "preview",
      key: "TOKEN",
      value: "tok_canary_55",
      secret: true,
    });
    const input = { project: "notes-only", environment: "preview", key: "TOKEN", note: "From the vault" };
    const set = expectType((await sdk.setVariableNote({ input })).setVariableNote, "SetVariableNotePayload");
    expect(set).toMatchObject({ changed: true, note: "From the vault", revision: base.revision + 1 });
    const same = expectType((await sdk.setVariableNote({ input })).setVariableNote, "SetVariableNotePayload");
    expect(same).toMatchObject({ changed: false, revision: base.revision + 1 });
    expect((await notes("notes-only")).TOKEN).toBe("From the vault");
    const row = await server.app.database.reader.variable.findFirstOrThrow({
      where: { key: "TOKEN", environment: { project: { slug: "notes-only" } } },
    });
    expect(row.valueVersion).toBe(base.revision); // the secret was not rewritten

    const missing = await sdk.setVariableNote({ input: { ...input, key: "NOPE" } });
    expect(expectType(missing.setVariableNote, "NotFoundError").message).toMatch(/"NOPE" is not a variable/);
    const viewer = await userWithRole(server, "notes-only", "VIEWER");
    const denied = await viewer.client.setVariableNote({ input: { ...input, note: "x" } });
    expectType(denied.setVariableNote, "ForbiddenError");
    const cleared = await sdk.setVariableNote({ input: { ...input, note: "" } });
    expect(expectType(cleared.setVariableNote, "SetVariableNotePayload")).toMatchObject({ changed: true, note: null });
    expect((await notes("notes-only")).TOKEN).toBeNull();
  });
});
