import { describe, expect, it } from "vitest";
import type { EnvplaneClient, VariableInput } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import { createProject, readEnvironment, serviceToken, setVariable, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
let sdk: EnvplaneClient;
useTestServer((started) => ([server, sdk] = [started, started.owner]));

type BulkOptions = { prune?: boolean; keep?: string[]; dryRun?: boolean; expectedRevision?: number };
async function bulk(project: string, environment: string, variables: VariableInput[], options: BulkOptions = {}) {
  return (await sdk.bulkUpsertVariables({ input: { project, environment, variables, ...options } }))
    .bulkUpsertVariables;
}

/** Every base value, secrets included, read through a runtime service token (branch "dev" deploys with preview). */
async function runtimeState(project: string, branch = "dev") {
  const { client } = await serviceToken(server, project, ["RUNTIME"]);
  const r = expectType((await client.runtimeVariables({ project, branch })).runtimeVariables, "RuntimeEnvironment");
  return {
    revision: r.revision,
    values: Object.fromEntries(
      r.variables.map((v) => [v.key, { value: v.value, secret: v.isSecret, override: v.fromOverride }]),
    ),
  };
}

const environment = (project: string, name: string) => readEnvironment(sdk, project, name);
const plain = (env: Awaited<ReturnType<typeof readEnvironment>>) =>
  env.variables.map((v) => [v.key, v.isSecret, v.value]);

describe("bulkUpsertVariables", () => {
  it("reports added, changed, unchanged, secretOverwritten and typeKept; existing keys keep their type", async () => {
    await createProject(sdk, "bulk-diff");
    await setVariable(sdk, { project: "bulk-diff", environment: "preview", key: "SAME", value: "1" });
    await setVariable(sdk, { project: "bulk-diff", environment: "preview", key: "EDITED", value: "old" });
    await setVariable(sdk, {
      project: "bulk-diff",
      environment: "preview",
      key: "STRIPE_KEY",
      value: "sk_old",
      secret: true,
    });
    await setVariable(sdk, { project: "bulk-diff", environment: "preview", key: "KEPT_REMOTE", value: "stays" });
    const res = expectType(
      await bulk("bulk-diff", "preview", [
        { key: "SAME", value: "1" },
        { key: "EDITED", value: "new", secret: false },
        { key: "STRIPE_KEY", value: "sk_new", secret: false },
        { key: "NEW_PLAIN", value: "hello" },
        { key: "NEW_SECRET", value: "whsec_1", secret: true },
      ]),
      "BulkUpsertVariablesPayload",
    );
    expect(res).toMatchObject({ applied: true, dryRun: false, revision: 5 });
    expect([...res.added].sort()).toEqual(["NEW_PLAIN", "NEW_SECRET"]);
    expect(res.changed).toEqual(["EDITED"]);
    expect(res.unchanged).toEqual(["SAME"]);
    expect(res.secretOverwritten).toEqual(["STRIPE_KEY"]);
    expect(res.typeKept).toEqual(["STRIPE_KEY"]); // secret: false on a secret: it stays a secret
    expect(res.removed).toEqual([]);

    const state = await runtimeState("bulk-diff");
    expect(state.revision).toBe(5);
    expect(state.values).toEqual({
      SAME: { value: "1", secret: false, override: false },
      EDITED: { value: "new", secret: false, override: false },
      STRIPE_KEY: { value: "sk_new", secret: true, override: false },
      NEW_PLAIN: { value: "hello", secret: false, override: false },
      NEW_SECRET: { value: "whsec_1", secret: true, override: false },
      KEPT_REMOTE: { value: "stays", secret: false, override: false },
    });
  });

  it("dryRun computes the diff and changes nothing", async () => {
    await createProject(sdk, "bulk-dry");
    await setVariable(sdk, { project: "bulk-dry", environment: "development", key: "A", value: "1" });
    await setVariable(sdk, { project: "bulk-dry", environment: "development", key: "B", value: "2" });
    await setVariable(sdk, { project: "bulk-dry", environment: "development", key: "S", value: "s", secret: true });
    const before = await environment("bulk-dry", "development");
    const res = expectType(
      await bulk(
        "bulk-dry",
        "development",
        [
          { key: "A", value: "1" },
          { key: "B", value: "changed" },
          { key: "S", value: "t" },
          { key: "C", value: "3" },
        ],
        { dryRun: true, prune: true },
      ),
      "BulkUpsertVariablesPayload",
    );
    expect(res).toMatchObject({
      applied: false,
      dryRun: true,
      revision: 3,
      added: ["C"],
      changed: ["B"],
      unchanged: ["A"],
      secretOverwritten: ["S"],
      removed: [],
    });
    const pruning = expectType(
      await bulk("bulk-dry", "development", [{ key: "A", value: "1" }], { dryRun: true, prune: true }),
      "BulkUpsertVariablesPayload",
    );
    expect([...pruning.removed].sort()).toEqual(["B", "S"]);
    const after = await environment("bulk-dry", "development");
    expect(after.revision).toBe(3);
    expect(plain(after)).toEqual(plain(before));
    expect(after.variables.map((v) => v.updatedAt)).toEqual(before.variables.map((v) => v.updatedAt));
  });

  it("a push that changes nothing is not applied and keeps the revision", async () => {
    await createProject(sdk, "bulk-noop");
    const first = expectType(
      await bulk("bulk-noop", "development", [
        { key: "A", value: "1" },
        { key: "B", value: "" },
      ]),
      "BulkUpsertVariablesPayload",
    );
    expect(first).toMatchObject({ applied: true, revision: 1 });
    const again = expectType(
      await bulk("bulk-noop", "development", [
        { key: "B", value: "" },
        { key: "A", value: "1" },
      ]),
      "BulkUpsertVariablesPayload",
    );
    expect(again).toMatchObject({
      applied: false,
      revision: 1,
      added: [],
      changed: [],
      secretOverwritten: [],
      removed: [],
    });
    expect([...again.unchanged].sort()).toEqual(["A", "B"]);
    const empty = expectType(await bulk("bulk-noop", "development", []), "BulkUpsertVariablesPayload");
    expect(empty).toMatchObject({ applied: false, revision: 1 });
    expect((await environment("bulk-noop", "development")).revision).toBe(1);
  });

  it("prune deletes exactly the keys missing from the payload, with their overrides, and only when asked", async () => {
    await createProject(sdk, "bulk-prune", { branches: ["feature-x"] });
    for (const key of ["KEEP", "GONE_1", "GONE_2"])
      await setVariable(sdk, { project: "bulk-prune", environment: "preview", key, value: `v-${key}` });
    await setVariable(sdk, {
      project: "bulk-prune",
      environment: "preview",
      key: "GONE_SECRET",
      value: "s",
      secret: true,
    });
    await setVariable(sdk, {
      project: "bulk-prune",
      environment: "preview",
      key: "GONE_1",
      value: "override",
      branch: "feature-x",
    });
    await setVariable(sdk, {
      project: "bulk-prune",
      environment: "preview",
      key: "KEEP",
      value: "keep-override",
      branch: "feature-x",
    });

    const noPrune = expectType(
      await bulk("bulk-prune", "preview", [{ key: "KEEP", value: "v-KEEP" }]),
      "BulkUpsertVariablesPayload",
    );
    expect(noPrune).toMatchObject({ applied: false, removed: [], revision: 6 });

    const res = expectType(
      await bulk(
        "bulk-prune",
        "preview",
        [
          { key: "KEEP", value: "v-KEEP" },
          { key: "ADDED", value: "a" },
        ],
        { prune: true },
      ),
      "BulkUpsertVariablesPayload",
    );
    expect(res).toMatchObject({ applied: true, revision: 7, added: ["ADDED"], unchanged: ["KEEP"] });
    expect([...res.removed].sort()).toEqual(["GONE_1", "GONE_2", "GONE_SECRET"]);
    const env = await environment("bulk-prune", "preview");
    expect(env.variables.map((v) => [v.key, v.overrides.map((o) => [o.branch.name, o.value])])).toEqual([
      ["ADDED", []],
      ["KEEP", [["feature-x", "keep-override"]]],
    ]);
    // Recreating a pruned key does not resurrect its override.
    await setVariable(sdk, { project: "bulk-prune", environment: "preview", key: "GONE_1", value: "back" });
    expect((await runtimeState("bulk-prune", "feature-x")).values.GONE_1).toEqual({
      value: "back",
      secret: false,
      override: false,
    });
  });

  it("prune spares the keys in `keep`, so a pulled file (secrets left out) pushed with prune loses no secret", async () => {
    await createProject(sdk, "bulk-keep");
    await setVariable(sdk, { project: "bulk-keep", environment: "preview", key: "PLAIN", value: "p" });
    await setVariable(sdk, {
      project: "bulk-keep",
      environment: "preview",
      key: "STRIPE_KEY",
      value: "s",
      secret: true,
    });
    await setVariable(sdk, { project: "bulk-keep", environment: "preview", key: "STALE", value: "x" });
    const res = expectType(
      await bulk("bulk-keep", "preview", [{ key: "PLAIN", value: "p" }], { prune: true, keep: ["STRIPE_KEY"] }),
      "BulkUpsertVariablesPayload",
    );
    expect(res).toMatchObject({ applied: true, removed: ["STALE"], unchanged: ["PLAIN"] });
    expect((await runtimeState("bulk-keep")).values).toEqual({
      PLAIN: { value: "p", secret: false, override: false },
      STRIPE_KEY: { value: "s", secret: true, override: false },
    });
  });

  it("a write-only service token learns nothing about stored values: every key it sends counts as changed", async () => {
    await createProject(sdk, "bulk-writeonly");
    expectType(
      await bulk("bulk-writeonly", "preview", [
        { key: "A", value: "same" },
        { key: "B", value: "other" },
      ]),
      "BulkUpsertVariablesPayload",
    );
    const { client } = await serviceToken(server, "bulk-writeonly", ["WRITE"]);
    // Its dry run (the plan a client shows before writing) compares the same way and writes nothing.
    const plan = expectType(
      (
        await client.bulkUpsertVariables({
          input: {
            project: "bulk-writeonly",
            environment: "preview",
            variables: [
              { key: "A", value: "same" },
              { key: "C", value: "new" },
            ],
            prune: true,
            dryRun: true,
          },
        })
      ).bulkUpsertVariables,
      "BulkUpsertVariablesPayload",
    );
    expect({
      unchanged: plan.unchanged,
      changed: plan.changed,
      added: plan.added,
      removed: plan.removed,
      applied: plan.applied,
    }).toEqual({
      unchanged: [],
      changed: ["A"],
      added: ["C"],
      removed: ["B"],
      applied: false,
    });
    const r = expectType(
      (
        await client.bulkUpsertVariables({
          input: {
            project: "bulk-writeonly",
            environment: "preview",
            variables: [
              { key: "A", value: "same" },
              { key: "B", value: "guess" },
            ],
          },
        })
      ).bulkUpsertVariables,
      "BulkUpsertVariablesPayload",
    );
    expect({ unchanged: r.unchanged, changed: r.changed, applied: r.applied }).toEqual({
      unchanged: [],
      changed: ["A", "B"],
      applied: true,
    });
    expect((await runtimeState("bulk-writeonly")).values).toMatchObject({
      A: { value: "same" },
      B: { value: "guess" },
    });
    // The owner (who can read) still sees an identical push as unchanged.
    const again = expectType(
      await bulk("bulk-writeonly", "preview", [{ key: "A", value: "same" }]),
      "BulkUpsertVariablesPayload",
    );
    expect(again.unchanged).toEqual(["A"]);
  });

  it("rejects a duplicate key with the path of the second occurrence", async () => {
    await createProject(sdk, "bulk-dup");
    const err = expectType(
      await bulk("bulk-dup", "development", [
        { key: "A", value: "1" },
        { key: "B", value: "2" },
        { key: "A", value: "3" },
      ]),
      "ValidationError",
    );
    expect(err.fieldErrors).toEqual([{ path: ["variables", "2", "key"], message: expect.stringContaining('"A"') }]);
    expect((await environment("bulk-dup", "development")).revision).toBe(0);
  });

  it("never touches branch overrides", async () => {
    await createProject(sdk, "bulk-overrides", { branches: ["feature-x"] });
    await setVariable(sdk, {
      project: "bulk-overrides",
      environment: "preview",
      key: "API_URL",
      value: "https://preview",
    });
    await setVariable(sdk, {
      project: "bulk-overrides",
      environment: "preview",
      key: "API_URL",
      value: "https://feature-x",
      branch: "feature-x",
    });
    const res = expectType(
      await bulk("bulk-overrides", "preview", [
        { key: "API_URL", value: "https://preview-2" },
        { key: "NEW", value: "n" },
      ]),
      "BulkUpsertVariablesPayload",
    );
    expect(res).toMatchObject({ applied: true, changed: ["API_URL"], added: ["NEW"] });
    const feature = await runtimeState("bulk-overrides", "feature-x");
    expect(feature.values.API_URL).toEqual({ value: "https://feature-x", secret: false, override: true });
    expect(feature.values.NEW).toEqual({ value: "n", secret: false, override: false });
    expect((await runtimeState("bulk-overrides", "dev")).values.API_URL.value).toBe("https://preview-2");
  });

  it("fails on a stale expectedRevision with a ConflictError naming the current revision, changing nothing", async () => {
    await createProject(sdk, "bulk-stale");
    await setVariable(sdk, { project: "bulk-stale", environment: "development", key: "A", value: "1" });
    await setVariable(sdk, { project: "bulk-stale", environment: "development", key: "A", value: "2" });
    const before = await environment("bulk-stale", "development");
    const err = expectType(
      await bulk(
        "bulk-stale",
        "development",
        [
          { key: "A", value: "3" },
          { key: "B", value: "b" },
        ],
        { expectedRevision: 1, prune: true },
      ),
      "ConflictError",
    );
    expect(err.currentRevision).toBe(2);
    expect(err.message).toContain("revision 2");
    const dry = expectType(
      await bulk("bulk-stale", "development", [{ key: "A", value: "3" }], { expectedRevision: 0, dryRun: true }),
      "ConflictError",
    );
    expect(dry.currentRevision).toBe(2);
    const after = await environment("bulk-stale", "development");
    expect(after.revision).toBe(2);
    expect(plain(after)).toEqual(plain(before));
    const ok = expectType(
      await bulk("bulk-stale", "development", [{ key: "A", value: "3" }], { expectedRevision: 2 }),
      "BulkUpsertVariablesPayload",
    );
    expect(ok).toMatchObject({ applied: true, revision: 3 });
  });

  describe("is all or nothing: item 4,999 of 5,000 invalid leaves the environment unchanged", () => {
    const payload = (bad: { key?: string; value?: string }) =>
      Array.from({ length: 5000 }, (_, i) =>
        i === 4998 ? { key: bad.key ?? `KEY_${i}`, value: bad.value ?? "v" } : { key: `KEY_${i}`, value: `new-${i}` },
      );

    for (const [name, bad, field] of [
      ["a bad key", { key: "4BAD-KEY" }, "key"],
      ["a 65 KiB value", { value: "z".repeat(65 * 1024) }, "value"],
    ] as const) {
      it(`with ${name}`, async () => {
        const slug = `bulk-atomic-${field}`;
        await createProject(sdk, slug);
        expectType(
          await bulk(
            slug,
            "development",
            Array.from({ length: 10 }, (_, i) => ({ key: `KEY_${i}`, value: `old-${i}` })),
          ),
          "BulkUpsertVariablesPayload",
        );
        const before = await environment(slug, "development");
        const err = expectType(await bulk(slug, "development", payload(bad), { prune: true }), "ValidationError");
        expect(err.fieldErrors.map((e) => e.path)).toEqual([["variables", "4998", field]]);
        const after = await environment(slug, "development");
        expect(after.revision).toBe(before.revision);
        expect(after.variableCount).toBe(10);
        expect(plain(after)).toEqual(plain(before));
      });
    }

    it("and the same payload without the bad item applies in one revision", async () => {
      await createProject(sdk, "bulk-atomic-ok");
      const res = expectType(await bulk("bulk-atomic-ok", "development", payload({})), "BulkUpsertVariablesPayload");
      expect(res).toMatchObject({ applied: true, revision: 1 });
      expect(res.added.length).toBe(5000);
      expect((await environment("bulk-atomic-ok", "development")).variableCount).toBe(5000);
    });
  });
});

describe("concurrent writes", () => {
  it("two pushes with the same expectedRevision: exactly one wins, the other gets a ConflictError", async () => {
    await createProject(sdk, "bulk-race");
    await setVariable(sdk, { project: "bulk-race", environment: "development", key: "A", value: "0" });
    const left = Array.from({ length: 300 }, (_, i) => ({ key: `LEFT_${i}`, value: `l${i}` }));
    const right = Array.from({ length: 300 }, (_, i) => ({ key: `RIGHT_${i}`, value: `r${i}` }));
    const results = await Promise.all([
      bulk("bulk-race", "development", left, { expectedRevision: 1 }),
      bulk("bulk-race", "development", right, { expectedRevision: 1 }),
    ]);
    const winners = results.filter((r) => r.__typename === "BulkUpsertVariablesPayload");
    const losers = results.filter((r) => r.__typename === "ConflictError");
    expect(winners.length).toBe(1);
    expect(losers.length).toBe(1);
    expect(expectType(winners[0], "BulkUpsertVariablesPayload").revision).toBe(2);
    const loser = expectType(losers[0], "ConflictError");
    expect(loser.currentRevision).toBe(2);
    expect(loser.message).toContain("revision 2");

    const env = await environment("bulk-race", "development");
    expect(env.revision).toBe(2);
    const prefix = results[0].__typename === "BulkUpsertVariablesPayload" ? "LEFT_" : "RIGHT_";
    expect(env.variableCount).toBe(301);
    expect(env.variables.filter((v) => v.key !== "A").every((v) => v.key.startsWith(prefix))).toBe(true);
  });

  it("20 concurrent writers without expectedRevision all succeed; the revision counts the writes that changed something", async () => {
    await createProject(sdk, "bulk-writers");
    await setVariable(sdk, { project: "bulk-writers", environment: "development", key: "BASE", value: "b" });
    const writes: Promise<{ kind: string; changed: boolean; revision: number } | { error: string }>[] = [];
    for (let i = 0; i < 20; i++) {
      const kind = i % 5 === 4 ? "noop" : i % 2 === 0 ? "set" : "bulk";
      writes.push(
        (async () => {
          try {
            if (kind === "set") {
              const r = (
                await sdk.setVariable({
                  input: { project: "bulk-writers", environment: "development", key: `SET_${i}`, value: `v${i}` },
                })
              ).setVariable;
              return r.__typename === "SetVariablePayload"
                ? { kind, changed: true, revision: r.revision }
                : { error: JSON.stringify(r) };
            }
            const variables =
              kind === "noop"
                ? [{ key: "BASE", value: "b" }]
                : Array.from({ length: 50 }, (_, j) => ({ key: `BULK_${i}_${j}`, value: `${i}-${j}` }));
            const r = await bulk("bulk-writers", "development", variables);
            return r.__typename === "BulkUpsertVariablesPayload"
              ? { kind, changed: r.applied, revision: r.revision }
              : { error: JSON.stringify(r) };
          } catch (error) {
            return { error: String(error) };
          }
        })(),
      );
    }
    const results = await Promise.all(writes);
    expect(results.filter((r) => "error" in r)).toEqual([]);
    const ok = results as { kind: string; changed: boolean; revision: number }[];
    const changing = ok.filter((r) => r.changed);
    expect(changing.length).toBe(16);
    expect(ok.filter((r) => r.kind === "noop").every((r) => !r.changed)).toBe(true);
    // Each changing write got its own revision: 2..17.
    expect(changing.map((r) => r.revision).sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i + 2));

    const env = await environment("bulk-writers", "development");
    expect(env.revision).toBe(1 + changing.length);
    expect(env.variableCount).toBe(1 + 8 + 8 * 50);
    expect(server.logs.join("\n")).not.toMatch(/SQLITE_BUSY|database is locked|timed? ?out|Unexpected error/i);
  });
});
