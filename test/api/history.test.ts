/**
 * History (issue 9): every write that bumps a revision records exactly one Revision in its own
 * transaction with the right changes; none when nothing changed or the write failed. Restoring a
 * revision brings back its state (secrets and overrides included) as a new revision; a secret's
 * values never come back through any field; key rotation moves the history to the new key too.
 */
import { describe, expect, it } from "vitest";
import type { EnvplaneClient } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import {
  bulk,
  createProject,
  listValues,
  rawGraphQL,
  runtimeValues,
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

type Change = { key: string; branch: string | null; kind: string; isSecret: boolean; before: unknown; after: unknown };

async function revision(project: string, environment: string, number: number, client = sdk) {
  const r = await client.environmentRevision({ project, environment, number });
  return r.project?.environment?.revisionByNumber ?? null;
}

/** The changes of a revision as "KIND key[@branch]" strings, sorted. */
async function changesOf(project: string, environment: string, number: number) {
  const r = await revision(project, environment, number);
  if (!r) throw new Error(`no revision ${number} of ${project}/${environment}`);
  return (r.changes as Change[]).map((c) => `${c.kind.toLowerCase()} ${c.key}${c.branch ? `@${c.branch}` : ""}`).sort();
}

/** Revision rows of an environment, straight from the database: [number, action, added, changed, removed]. */
async function revisionRows(project: string, environment: string) {
  return withRawDb(server.database, (q) =>
    q(
      `SELECT r."number", r."action", r."added", r."changed", r."removed", r."message" FROM "Revision" r
        JOIN "Environment" e ON e."id" = r."environmentId" JOIN "Project" p ON p."id" = e."projectId"
       WHERE p."slug" = $1 AND e."name" = $2 ORDER BY r."number"`,
      [project, environment],
    ),
  ).then((rows) =>
    rows.map((r) => ({
      number: Number(r.number),
      action: r.action as string,
      added: Number(r.added),
      changed: Number(r.changed),
      removed: Number(r.removed),
      message: r.message as string | null,
    })),
  );
}

async function currentRevision(project: string, environment: string) {
  return (await listValues(sdk, project, environment)).revision;
}

/** Exactly one new Revision (numbered like the environment's revision) per write that bumps it. */
async function expectOneRevision(project: string, environment: string, write: () => Promise<unknown>) {
  const before = await revisionRows(project, environment);
  const beforeRevision = await currentRevision(project, environment);
  await write();
  const after = await revisionRows(project, environment);
  expect(after.length).toBe(before.length + 1);
  expect(after.at(-1)!.number).toBe(beforeRevision + 1);
  expect(await currentRevision(project, environment)).toBe(beforeRevision + 1);
  return after.at(-1)!;
}

async function expectNoRevision(project: string, environment: string, write: () => Promise<unknown>) {
  const before = await revisionRows(project, environment);
  const beforeRevision = await currentRevision(project, environment);
  await write();
  expect(await revisionRows(project, environment)).toEqual(before);
  expect(await currentRevision(project, environment)).toBe(beforeRevision);
}

describe("capture", () => {
  it("records one revision per write with its changes: set, override, unset, setVariables, unsetVariables", async () => {
    const p = "hist-capture";
    await createProject(sdk, p, { branches: ["feature-x"] });
    const env = "preview";
    let r = await expectOneRevision(p, env, () =>
      setVariable(sdk, { project: p, environment: env, key: "A", value: "1", message: "first one" }),
    );
    expect(r).toMatchObject({ action: "variable.set", added: 1, changed: 0, removed: 0, message: "first one" });
    expect(await changesOf(p, env, r.number)).toEqual(["added A"]);

    r = await expectOneRevision(p, env, () => setVariable(sdk, { project: p, environment: env, key: "A", value: "2" }));
    expect(await changesOf(p, env, r.number)).toEqual(["changed A"]);
    const changed = await revision(p, env, r.number);
    expect(changed!.changes).toEqual([
      { key: "A", branch: null, kind: "CHANGED", isSecret: false, before: "1", after: "2" },
    ]);
    expect(changed!.actor).toMatchObject({ type: "USER", name: expect.any(String), tokenId: expect.any(String) });

    r = await expectOneRevision(p, env, () =>
      setVariable(sdk, { project: p, environment: env, key: "A", value: "ax", branch: "feature-x" }),
    );
    expect(await changesOf(p, env, r.number)).toEqual(["added A@feature-x"]);

    r = await expectOneRevision(p, env, async () =>
      expectType(
        (
          await sdk.setVariables({
            input: {
              project: p,
              environment: env,
              variables: [
                { key: "B", value: "b" },
                { key: "S", value: "secret-one", secret: true },
                { key: "A", value: "3" },
              ],
              message: "several",
            },
          })
        ).setVariables,
        "SetVariablesPayload",
      ),
    );
    expect(r).toMatchObject({ action: "variables.set", added: 2, changed: 1, message: "several" });
    expect(await changesOf(p, env, r.number)).toEqual(["added B", "added S", "changed A"]);

    r = await expectOneRevision(p, env, async () =>
      expectType(
        (await sdk.unsetVariable({ input: { project: p, environment: env, key: "A", branch: "feature-x" } }))
          .unsetVariable,
        "UnsetVariablePayload",
      ),
    );
    expect(await changesOf(p, env, r.number)).toEqual(["removed A@feature-x"]);

    await setVariable(sdk, { project: p, environment: env, key: "B", value: "bx", branch: "feature-x" });
    // Removing a base value records the removal of its overrides too.
    r = await expectOneRevision(p, env, async () =>
      expectType(
        (await sdk.unsetVariables({ input: { project: p, environment: env, keys: ["B", "NOPE"], message: "bye" } }))
          .unsetVariables,
        "UnsetVariablesPayload",
      ),
    );
    expect(r).toMatchObject({ action: "variables.unset", removed: 2, message: "bye" });
    expect(await changesOf(p, env, r.number)).toEqual(["removed B", "removed B@feature-x"]);

    r = await expectOneRevision(p, env, async () =>
      expectType(
        (await sdk.unsetVariable({ input: { project: p, environment: env, key: "S" } })).unsetVariable,
        "UnsetVariablePayload",
      ),
    );
    expect(await changesOf(p, env, r.number)).toEqual(["removed S"]);
    // Added again after its removal: "added".
    r = await expectOneRevision(p, env, () => setVariable(sdk, { project: p, environment: env, key: "S", value: "x" }));
    expect(await changesOf(p, env, r.number)).toEqual(["added S"]);
  });

  it("bulk upsert with prune, seed, create from, protect and branch deletion each record one revision", async () => {
    const p = "hist-bulk";
    await createProject(sdk, p, { branches: ["feature-y"] });
    await bulk(sdk, {
      project: p,
      environment: "preview",
      variables: [
        { key: "K1", value: "1" },
        { key: "K2", value: "2" },
        { key: "K3", value: "3", secret: true },
      ],
    });
    await setVariable(sdk, { project: p, environment: "preview", key: "K2", value: "2y", branch: "feature-y" });
    let r = await expectOneRevision(p, "preview", () =>
      bulk(sdk, {
        project: p,
        environment: "preview",
        variables: [
          { key: "K1", value: "1" },
          { key: "K3", value: "3b" },
          { key: "K4", value: "4" },
        ],
        prune: true,
        message: "push with prune",
      }),
    );
    expect(r).toMatchObject({ action: "variables.bulk_upsert", added: 1, changed: 1, removed: 2 });
    expect(await changesOf(p, "preview", r.number)).toEqual([
      "added K4",
      "changed K3",
      "removed K2",
      "removed K2@feature-y",
    ]);

    r = await expectOneRevision(p, "development", async () =>
      expectType(
        (
          await sdk.seedEnvironment({
            input: { project: p, target: "development", from: "preview", message: "seeded" },
          })
        ).seedEnvironment,
        "EnvironmentPayload",
      ),
    );
    expect(r).toMatchObject({ action: "environment.seed", added: 3, message: "seeded" });
    expect(await changesOf(p, "development", r.number)).toEqual(["added K1", "added K3", "added K4"]);
    // Seeded again after one source change: only that key is a change, not every key copied (secrets compared too).
    await setVariable(sdk, { project: p, environment: "preview", key: "K4", value: "4b" });
    r = await expectOneRevision(p, "development", async () =>
      expectType(
        (await sdk.seedEnvironment({ input: { project: p, target: "development", from: "preview" } })).seedEnvironment,
        "EnvironmentPayload",
      ),
    );
    expect(r).toMatchObject({ action: "environment.seed", added: 0, changed: 1, removed: 0 });
    expect(await changesOf(p, "development", r.number)).toEqual(["changed K4"]);

    expectType(
      (await sdk.createEnvironment({ input: { project: p, name: "staging", from: "preview" } })).createEnvironment,
      "EnvironmentPayload",
    );
    expect(await revisionRows(p, "staging")).toMatchObject([{ number: 1, action: "environment.create", added: 3 }]);

    r = await expectOneRevision(p, "staging", async () =>
      expectType(
        (await sdk.updateEnvironment({ input: { project: p, name: "staging", isProtected: true } })).updateEnvironment,
        "EnvironmentPayload",
      ),
    );
    expect(r).toMatchObject({ action: "environment.update", added: 0, changed: 0, removed: 0 });

    await setVariable(sdk, { project: p, environment: "preview", key: "K4", value: "4y", branch: "feature-y" });
    r = await expectOneRevision(p, "preview", async () =>
      expectType(
        (await sdk.deleteBranch({ input: { project: p, name: "feature-y" } })).deleteBranch,
        "DeleteBranchPayload",
      ),
    );
    expect(r).toMatchObject({ action: "branch.delete", removed: 1 });
    expect(await changesOf(p, "preview", r.number)).toEqual(["removed K4@feature-y"]);
  });

  it("a bulk push of 1,000 records each key's kind from its previous change: added, changed, removed, added again", async () => {
    const p = "hist-bulk-kinds";
    await createProject(sdk, p);
    const env = "preview";
    const values = (tag: string, count = 1000) =>
      Array.from({ length: count }, (_, i) => ({ key: `K_${i}`, value: `${tag}-${i}`, secret: i % 100 === 0 }));
    // The history's ciphertext is the stored value's, byte for byte.
    const stored = () =>
      withRawDb(server.database, async (q) => {
        const rows = await q(
          `SELECT v."key", v."ciphertext" AS "value", c."ciphertext" AS "change", c."kind" FROM "Variable" v
            JOIN "RevisionChange" c ON c."environmentId" = v."environmentId" AND c."key" = v."key"
              AND c."branchId" = '' AND c."revision" = v."valueVersion"
            JOIN "Environment" e ON e."id" = v."environmentId" JOIN "Project" p ON p."id" = e."projectId"
           WHERE p."slug" = $1 AND e."name" = $2`,
          [p, env],
        );
        for (const r of rows) expect(Buffer.from(r.change as Uint8Array)).toEqual(Buffer.from(r.value as Uint8Array));
        return rows.length;
      });
    let r = await expectOneRevision(p, env, () => bulk(sdk, { project: p, environment: env, variables: values("a") }));
    expect(r).toMatchObject({ action: "variables.bulk_upsert", added: 1000, changed: 0, removed: 0 });
    expect(new Set(await changesOf(p, env, r.number)).size).toBe(1000);
    expect((await changesOf(p, env, r.number)).every((c) => c.startsWith("added "))).toBe(true);
    expect(await stored()).toBe(1000);

    r = await expectOneRevision(p, env, () => bulk(sdk, { project: p, environment: env, variables: values("b") }));
    expect(r).toMatchObject({ added: 0, changed: 1000, removed: 0 });
    expect((await changesOf(p, env, r.number)).every((c) => c.startsWith("changed "))).toBe(true);
    expect(await stored()).toBe(1000);

    // Prune the upper half away, change one that stays: removed ×500 and changed ×6 in one revision (a pushed
    // secret is always written again: K_0 … K_400).
    const kept = values("b", 500).map((v, i) => (i === 7 ? { ...v, value: "c-7" } : v));
    r = await expectOneRevision(p, env, () =>
      bulk(sdk, { project: p, environment: env, variables: kept, prune: true }),
    );
    expect(r).toMatchObject({ added: 0, changed: 6, removed: 500 });
    expect((await changesOf(p, env, r.number)).filter((c) => !c.startsWith("removed "))).toEqual(
      ["K_0", "K_100", "K_200", "K_300", "K_400", "K_7"].map((k) => `changed ${k}`),
    );

    // The removed half comes back: added (its previous change was a removal), the rest unchanged.
    r = await expectOneRevision(p, env, () => bulk(sdk, { project: p, environment: env, variables: values("d") }));
    expect(r).toMatchObject({ added: 500, changed: 500, removed: 0 });
    const changes = await changesOf(p, env, r.number);
    expect(changes).toContain("added K_999");
    expect(changes).toContain("changed K_0");
    expect(changes.filter((c) => c.startsWith("added ")).length).toBe(500);
    expect(await stored()).toBe(1000);
  });

  it("records nothing when nothing changed or the write failed", async () => {
    const p = "hist-none";
    await createProject(sdk, p);
    await setVariable(sdk, { project: p, environment: "preview", key: "A", value: "1", secret: false });
    await expectNoRevision(p, "preview", () =>
      setVariable(sdk, { project: p, environment: "preview", key: "A", value: "1" }),
    );
    await expectNoRevision(p, "preview", () =>
      bulk(sdk, { project: p, environment: "preview", variables: [{ key: "A", value: "1" }] }),
    );
    await expectNoRevision(p, "preview", async () =>
      expectType(
        (await sdk.unsetVariables({ input: { project: p, environment: "preview", keys: ["NOPE"] } })).unsetVariables,
        "UnsetVariablesPayload",
      ),
    );
    // A failing write (the secret flag cannot flip) rolls back its revision with everything else.
    await expectNoRevision(p, "preview", async () =>
      expectType(
        (await sdk.setVariable({ input: { project: p, environment: "preview", key: "A", value: "2", secret: true } }))
          .setVariable,
        "ValidationError",
      ),
    );
    // A message over 500 characters is refused before anything is written.
    await expectNoRevision(p, "preview", async () => {
      const e = expectType(
        (
          await sdk.setVariable({
            input: { project: p, environment: "preview", key: "A", value: "3", message: "m".repeat(501) },
          })
        ).setVariable,
        "ValidationError",
      );
      expect(e.message).toMatch(/501 characters; at most 500/);
      expect(e.fieldErrors).toEqual([{ path: ["message"], message: expect.stringContaining("at most 500") }]);
    });
    // Exactly 500 is fine.
    const r = await expectOneRevision(p, "preview", () =>
      setVariable(sdk, { project: p, environment: "preview", key: "A", value: "3", message: "m".repeat(500) }),
    );
    expect(r.message).toBe("m".repeat(500));
  });
});

describe("revisions", () => {
  it("lists revisions newest first, page by page, with actor and counts", async () => {
    const p = "hist-list";
    await createProject(sdk, p);
    for (let i = 1; i <= 5; i++)
      await setVariable(sdk, { project: p, environment: "preview", key: `K${i}`, value: `${i}`, message: `m${i}` });
    const { token, client: svc } = await serviceToken(server, p, ["READ", "WRITE"]);
    expect(token).toBeTruthy();
    await setVariable(svc, { project: p, environment: "preview", key: "K6", value: "6" });
    const first = await sdk.environmentHistory({ project: p, environment: "preview", first: 4 });
    const page1 = first.project!.environment!.revisions;
    expect(page1.totalCount).toBe(6);
    expect(page1.nodes.map((n) => n.number)).toEqual([6, 5, 4, 3]);
    expect(page1.nodes[0].actor).toMatchObject({ type: "SERVICE", tokenName: expect.stringContaining("svc") });
    expect(page1.nodes[1]).toMatchObject({ message: "m5", added: 1, action: "variable.set" });
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await sdk.environmentHistory({
      project: p,
      environment: "preview",
      first: 4,
      after: page1.pageInfo.endCursor,
    });
    expect(second.project!.environment!.revisions.nodes.map((n) => n.number)).toEqual([2, 1]);
    expect(second.project!.environment!.revisions.pageInfo.hasNextPage).toBe(false);
    expect(first.project!.environment!.historySince).toBe(0);
    const bad = await rawGraphQL(
      server,
      server.ownerToken,
      `{ project(slug: "${p}") { environment(name: "preview") { revisions(after: "nope") { totalCount } } } }`,
    );
    expect(bad).toContain("after is not a cursor of revisions");
  });

  it("never returns a secret's values; standard values only to callers who may read them", async () => {
    const p = "hist-secret";
    await createProject(sdk, p);
    await setVariable(sdk, { project: p, environment: "production", key: "PW", value: "hunter2-old", secret: true });
    await setVariable(sdk, { project: p, environment: "production", key: "PW", value: "hunter2-new" });
    await setVariable(sdk, { project: p, environment: "production", key: "URL", value: "https://a" });
    await setVariable(sdk, { project: p, environment: "production", key: "URL", value: "https://b" });
    const r2 = await revision(p, "production", 2);
    expect(r2!.changes).toEqual([
      { key: "PW", branch: null, kind: "CHANGED", isSecret: true, before: null, after: null },
    ]);
    const everything = await rawGraphQL(
      server,
      server.ownerToken,
      `{ project(slug: "${p}") { environment(name: "production") {
          revisions { nodes { number changes { key before after } } } } } }`,
    );
    expect(everything).toContain("https://a");
    expect(everything).not.toContain("hunter2");
    const dry = await rawGraphQL(
      server,
      server.ownerToken,
      `mutation { restoreEnvironment(input: { project: "${p}", environment: "production", revision: 1, dryRun: true }) {
          ... on RestoreEnvironmentPayload { entries { key status baseValue headValue } } } }`,
    );
    expect(dry).toContain('"PW"');
    expect(dry).not.toContain("hunter2");
    // A token that may write but not read values sees kinds, not values.
    const { client: writeOnly } = await serviceToken(server, p, ["WRITE"]);
    const forViewer = await revision(p, "production", 4, writeOnly);
    expect(forViewer?.changes).toEqual([
      { key: "URL", branch: null, kind: "CHANGED", isSecret: false, before: null, after: null },
    ]);
  });
});

describe("restoreEnvironment", () => {
  it("restores an earlier state as a new revision: runtime values equal, secrets and overrides included", async () => {
    const p = "hist-restore";
    await createProject(sdk, p, { branches: ["feature-r", "gone"] });
    await bulk(sdk, {
      project: p,
      environment: "preview",
      variables: [
        { key: "URL", value: "https://one" },
        { key: "TOKEN", value: "s3cret-one", secret: true },
        { key: "ONLY_THEN", value: "x" },
      ],
    });
    await setVariable(sdk, {
      project: p,
      environment: "preview",
      key: "URL",
      value: "https://one-r",
      branch: "feature-r",
    });
    await setVariable(sdk, { project: p, environment: "preview", key: "URL", value: "https://gone", branch: "gone" });
    const first = await runtimeValues(server, p, "feature-r");
    const firstRevision = await currentRevision(p, "preview");
    // Change everything: values, a secret, an override, a removal, a new key, a type change.
    await bulk(sdk, {
      project: p,
      environment: "preview",
      variables: [
        { key: "URL", value: "https://two" },
        { key: "TOKEN", value: "s3cret-two" },
        { key: "NEW", value: "n" },
      ],
      prune: true,
    });
    await setVariable(sdk, { project: p, environment: "preview", key: "NEW", value: "n-r", branch: "feature-r" });
    expectType((await sdk.deleteBranch({ input: { project: p, name: "gone" } })).deleteBranch, "DeleteBranchPayload");
    expect(await runtimeValues(server, p, "feature-r")).not.toEqual(first);
    const now = await currentRevision(p, "preview");

    const dry = expectType(
      (
        await sdk.restoreEnvironment({
          input: { project: p, environment: "preview", revision: firstRevision, dryRun: true },
        })
      ).restoreEnvironment,
      "RestoreEnvironmentPayload",
    );
    expect(dry).toMatchObject({ applied: false, dryRun: true, revision: now, skippedBranches: ["gone"] });
    expect(dry.entries).toEqual([
      { key: "NEW", status: "REMOVED", isSecret: false, baseValue: "n", headValue: null },
      { key: "ONLY_THEN", status: "ADDED", isSecret: false, baseValue: null, headValue: "x" },
      { key: "TOKEN", status: "CHANGED", isSecret: true, baseValue: null, headValue: null },
      { key: "URL", status: "CHANGED", isSecret: false, baseValue: "https://two", headValue: "https://one" },
    ]);
    expect(await currentRevision(p, "preview")).toBe(now);

    const stale = expectType(
      (
        await sdk.restoreEnvironment({
          input: { project: p, environment: "preview", revision: firstRevision, expectedRevision: now - 1 },
        })
      ).restoreEnvironment,
      "ConflictError",
    );
    expect(stale.currentRevision).toBe(now);

    const done = expectType(
      (
        await sdk.restoreEnvironment({
          input: {
            project: p,
            environment: "preview",
            revision: firstRevision,
            expectedRevision: now,
            message: "undo",
          },
        })
      ).restoreEnvironment,
      "RestoreEnvironmentPayload",
    );
    expect(done).toMatchObject({
      applied: true,
      revision: now + 1,
      restoredFrom: firstRevision,
      skippedBranches: ["gone"],
    });
    expect(done.overridesRestored).toBe(1);
    expect(await runtimeValues(server, p, "feature-r")).toEqual(first);
    expect((await listValues(sdk, p, "preview")).values.TOKEN).toEqual({ value: null, isSecret: true });
    const rows = await revisionRows(p, "preview");
    expect(rows.at(-1)).toMatchObject({ number: now + 1, action: "environment.restore", message: "undo" });

    // Restoring the state it already has changes nothing.
    const again = expectType(
      (await sdk.restoreEnvironment({ input: { project: p, environment: "preview", revision: now + 1 } }))
        .restoreEnvironment,
      "RestoreEnvironmentPayload",
    );
    expect(again).toMatchObject({ applied: false, revision: now + 1, entries: [] });
    expect(await currentRevision(p, "preview")).toBe(now + 1);
  });

  it("the dry run names the overrides that change, per branch; secret overrides by key only", async () => {
    const p = "hist-restore-overrides";
    const canary = `canary-${Date.now()}-override-secret`;
    await createProject(sdk, p, { branches: ["feature-x", "feature-y"] });
    await bulk(sdk, {
      project: p,
      environment: "preview",
      variables: [
        { key: "API_URL", value: "https://base" },
        { key: "OTHER", value: "o" },
        { key: "SECRET_KEY", value: "base-secret", secret: true },
      ],
    });
    const set = (key: string, value: string, branch: string) =>
      setVariable(sdk, { project: p, environment: "preview", key, value, branch });
    await set("API_URL", "https://x-one", "feature-x");
    await set("OTHER", "o-y", "feature-y");
    await set("SECRET_KEY", `${canary}-1`, "feature-x");
    await set("API_URL", "https://same", "feature-y");
    const target = await currentRevision(p, "preview");
    await set("API_URL", "https://x-two", "feature-x");
    await set("API_URL", "https://y", "feature-y");
    expectType(
      (await sdk.unsetVariable({ input: { project: p, environment: "preview", key: "OTHER", branch: "feature-y" } }))
        .unsetVariable,
      "UnsetVariablePayload",
    );
    await set("SECRET_KEY", `${canary}-2`, "feature-x");

    const dry = expectType(
      (await sdk.restoreEnvironment({ input: { project: p, environment: "preview", revision: target, dryRun: true } }))
        .restoreEnvironment,
      "RestoreEnvironmentPayload",
    );
    expect(dry.entries).toEqual([]);
    expect(dry.overrideEntries).toEqual([
      {
        key: "API_URL",
        branch: "feature-x",
        status: "CHANGED",
        isSecret: false,
        baseValue: "https://x-two",
        headValue: "https://x-one",
      },
      {
        key: "API_URL",
        branch: "feature-y",
        status: "CHANGED",
        isSecret: false,
        baseValue: "https://y",
        headValue: "https://same",
      },
      { key: "OTHER", branch: "feature-y", status: "ADDED", isSecret: false, baseValue: null, headValue: "o-y" },
      { key: "SECRET_KEY", branch: "feature-x", status: "CHANGED", isSecret: true, baseValue: null, headValue: null },
    ]);
    expect(dry.overridesRestored).toBe(4);
    expect(JSON.stringify(dry)).not.toContain(canary);

    // Back the other way: an override that restoring removes.
    const done = expectType(
      (await sdk.restoreEnvironment({ input: { project: p, environment: "preview", revision: target } }))
        .restoreEnvironment,
      "RestoreEnvironmentPayload",
    );
    expect(done.applied).toBe(true);
    expect(JSON.stringify(done)).not.toContain(canary);
    const back = expectType(
      (await sdk.restoreEnvironment({ input: { project: p, environment: "preview", revision: target, dryRun: true } }))
        .restoreEnvironment,
      "RestoreEnvironmentPayload",
    );
    expect(back.overrideEntries).toEqual([]);
    await set("OTHER", "o-y2", "feature-x");
    const removing = expectType(
      (await sdk.restoreEnvironment({ input: { project: p, environment: "preview", revision: target, dryRun: true } }))
        .restoreEnvironment,
      "RestoreEnvironmentPayload",
    );
    expect(removing.overrideEntries).toEqual([
      { key: "OTHER", branch: "feature-x", status: "REMOVED", isSecret: false, baseValue: "o-y2", headValue: null },
    ]);
  });

  it("refuses revisions before historySince or after the current one, and needs write access", async () => {
    const p = "hist-refuse";
    await createProject(sdk, p);
    for (const v of ["1", "2", "3"]) await setVariable(sdk, { project: p, environment: "preview", key: "A", value: v });
    const future = expectType(
      (await sdk.restoreEnvironment({ input: { project: p, environment: "preview", revision: 9 } })).restoreEnvironment,
      "ValidationError",
    );
    expect(future.message).toMatch(/is at revision 3; revision 9 does not exist yet.*revisions 0 to 3/);
    // As if the environment existed before history was recorded (the migration's baseline).
    await withRawDb(server.database, (q) =>
      q(
        `UPDATE "Environment" SET "historySince" = 2 WHERE "name" = 'preview' AND "projectId" = (SELECT "id" FROM "Project" WHERE "slug" = $1)`,
        [p],
      ),
    );
    const old = expectType(
      (await sdk.restoreEnvironment({ input: { project: p, environment: "preview", revision: 1 } })).restoreEnvironment,
      "ValidationError",
    );
    expect(old.message).toMatch(/history of "preview" starts at revision 2.*revision 1 is not known.*revisions 2 to 3/);
    expect(old.fieldErrors[0].path).toEqual(["revision"]);
    expect(await currentRevision(p, "preview")).toBe(3);
    const viewer = await userWithRole(server, p, "VIEWER");
    expectType(
      (await viewer.client.restoreEnvironment({ input: { project: p, environment: "preview", revision: 2 } }))
        .restoreEnvironment,
      "ForbiddenError",
    );
    expect((await listValues(sdk, p, "preview")).values.A.value).toBe("3");
  });
});

describe("key rotation", () => {
  it("re-encrypts the history too (resumable), and old revisions still restore", async () => {
    const p = "hist-rotate";
    await createProject(sdk, p, { branches: ["feature-k"] });
    await bulk(sdk, {
      project: p,
      environment: "preview",
      variables: Array.from({ length: 12 }, (_, i) => ({ key: `K${i}`, value: `v${i}`, secret: i % 3 === 0 })),
    });
    await setVariable(sdk, { project: p, environment: "preview", key: "K1", value: "o", branch: "feature-k" });
    const before = await runtimeValues(server, p, "feature-k");
    await bulk(sdk, { project: p, environment: "preview", variables: [{ key: "K1", value: "changed" }], prune: true });
    const historyVersions = () =>
      withRawDb(server.database, (q) =>
        q(
          `SELECT DISTINCT c."keyVersion" FROM "RevisionChange" c JOIN "Environment" e ON e."id" = c."environmentId"
            JOIN "Project" p ON p."id" = e."projectId" WHERE p."slug" = $1 AND c."keyVersion" IS NOT NULL`,
          [p],
        ),
      ).then((rows) => rows.map((r) => Number(r.keyVersion)).sort());
    expect(await historyVersions()).toEqual([1]);
    const owner = await server.app.services.auth.authenticate(server.ownerToken);
    const partial = await server.app.services.keyRotation.rotateProjectKey(
      owner,
      { project: p },
      { batchSize: 5, maxBatches: 1 },
    );
    expect(partial.pending).toBeGreaterThan(0);
    const resumed = await server.app.services.keyRotation.resumeAll({ batchSize: 5 });
    expect(resumed.find((x) => x.pending !== 0)).toBeUndefined();
    expect(await historyVersions()).toEqual([2]);
    expectType(
      (await sdk.restoreEnvironment({ input: { project: p, environment: "preview", revision: 2 } })).restoreEnvironment,
      "RestoreEnvironmentPayload",
    );
    expect(await runtimeValues(server, p, "feature-k")).toEqual(before);
    // History values decrypt with the new key: the standard "before" of revision 3 is readable.
    const r3 = await revision(p, "preview", 3);
    expect(r3!.changes.find((c) => c.key === "K1" && !c.branch)).toMatchObject({ before: "v1", after: "changed" });
  });
});
