import { describe, expect, it } from "vitest";
import type { EnvplaneClient, SeedDecisionInput } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import {
  createEnvironment,
  createProject,
  serviceToken,
  setVariable,
  updateMapping,
  userWithRole,
  useTestServer,
} from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

const SECRET = "CANARY_SECRET_5f1d";
const EDITED_SECRET = "CANARY_EDITED_9a2c";

describe("environments", () => {
  let server: TestServer;
  let sdk: EnvplaneClient;
  useTestServer((started) => ([server, sdk] = [started, started.owner]));

  /** The whole project as a personal token sees it: environments, mapping, every variable. */
  async function snapshot(slug: string) {
    const p = (await sdk.project({ slug })).project!;
    const variables: Record<string, unknown> = {};
    for (const e of p.environments)
      variables[e.name] = (await sdk.environmentVariables({ project: slug, environment: e.name })).project!
        .environment!.variables.nodes;
    return { project: p, variables };
  }
  const variables = async (slug: string, environment: string) =>
    (await sdk.environmentVariables({ project: slug, environment })).project!.environment!.variables.nodes.map((v) => [
      v.key,
      v.value,
      v.isSecret,
    ]);
  const envNames = async (slug: string) => (await sdk.project({ slug })).project!.environments.map((e) => e.name);
  const revision = async (slug: string, environment: string) =>
    (await sdk.environmentVariables({ project: slug, environment })).project!.environment!.revision;

  /** What a deployed app on `branch` gets: maps `branch` to `environment` and asks with a runtime token. */
  async function runtime(slug: string, environment: string, branch: string) {
    const current = (await sdk.project({ slug })).project!.mapping.map((m) => ({
      environment: m.environment.name,
      branch: m.branch,
    }));
    await updateMapping(sdk, slug, [{ environment, branch }, ...current.filter((m) => m.branch !== branch)]);
    const created = await sdk.createBranch({ input: { project: slug, name: branch } });
    if (created.createBranch.__typename !== "ConflictError") expectType(created.createBranch, "CreateBranchPayload");
    const { client } = await serviceToken(server, slug, ["RUNTIME"], [environment]);
    const result = expectType(
      (await client.runtimeVariables({ project: slug, branch })).runtimeVariables,
      "RuntimeEnvironment",
    );
    expect(result.environmentName).toBe(environment);
    return Object.fromEntries(result.variables.map((v) => [v.key, { value: v.value, isSecret: v.isSecret }]));
  }

  it("creates a custom environment after the defaults; custom ones are listed by name", async () => {
    await createProject(sdk, "e-create");
    const created = expectType(
      (await sdk.createEnvironment({ input: { project: "e-create", name: "staging" } })).createEnvironment,
      "EnvironmentPayload",
    );
    expect(created.environment).toMatchObject({
      name: "staging",
      isDefault: false,
      isProtected: false,
      variableCount: 0,
      viewerCanWrite: true,
    });
    expect(created.seed).toBeNull();
    const protectedEnv = expectType(
      (await sdk.createEnvironment({ input: { project: "e-create", name: "qa", isProtected: true } }))
        .createEnvironment,
      "EnvironmentPayload",
    );
    expect(protectedEnv.environment.isProtected).toBe(true);
    expectType(
      (await sdk.createEnvironment({ input: { project: "e-create", name: "alpha" } })).createEnvironment,
      "EnvironmentPayload",
    );
    expect(await envNames("e-create")).toEqual(["development", "preview", "production", "alpha", "qa", "staging"]);
  });

  it("rejects a duplicate or invalid name and changes nothing", async () => {
    await createProject(sdk, "e-dup");
    await createEnvironment(sdk, "e-dup", "staging");
    await setVariable(sdk, { project: "e-dup", environment: "staging", key: "A", value: "1" });
    const before = await snapshot("e-dup");
    for (const name of ["staging", "preview", "production"]) {
      const dup = expectType(
        (await sdk.createEnvironment({ input: { project: "e-dup", name, from: "development" } })).createEnvironment,
        "ConflictError",
      );
      expect(dup.message).toContain(`"${name}"`);
    }
    for (const name of ["Staging", "-qa", "has space", "", "a".repeat(64)]) {
      const bad = expectType(
        (await sdk.createEnvironment({ input: { project: "e-dup", name } })).createEnvironment,
        "ValidationError",
      );
      expect(bad.fieldErrors.map((e) => e.path)).toEqual([["name"]]);
    }
    const noFrom = expectType(
      (await sdk.createEnvironment({ input: { project: "e-dup", name: "qa", decisions: [] } })).createEnvironment,
      "ValidationError",
    );
    expect(noFrom.fieldErrors.map((e) => e.path)).toEqual([["from"]]);
    expect(await snapshot("e-dup")).toEqual(before);
  });

  it("creating with `from` copies everything, secrets included", async () => {
    await createProject(sdk, "e-from");
    await setVariable(sdk, {
      project: "e-from",
      environment: "preview",
      key: "API_URL",
      value: "https://preview.example.com",
    });
    await setVariable(sdk, {
      project: "e-from",
      environment: "preview",
      key: "STRIPE_KEY",
      value: SECRET,
      secret: true,
    });
    const previewBefore = await revision("e-from", "preview");
    const created = await sdk.createEnvironment({ input: { project: "e-from", name: "staging", from: "preview" } });
    expect(JSON.stringify(created)).not.toContain(SECRET);
    const payload = expectType(created.createEnvironment, "EnvironmentPayload");
    expect(payload.seed).toEqual({
      copied: ["API_URL", "STRIPE_KEY"],
      edited: [],
      skipped: [],
      skippedSecrets: [],
      typeKept: [],
    });
    expect(payload.environment.variableCount).toBe(2);
    expect(payload.environment.revision).toBeGreaterThan(0);
    expect(await variables("e-from", "staging")).toEqual([
      ["API_URL", "https://preview.example.com", false],
      ["STRIPE_KEY", null, true],
    ]);
    expect(await revision("e-from", "preview")).toBe(previewBefore);
    // only runtime resolution can show the copied secret
    expect(await runtime("e-from", "staging", "staging")).toEqual({
      API_URL: { value: "https://preview.example.com", isSecret: false },
      STRIPE_KEY: { value: SECRET, isSecret: true },
    });
    // a copy, not a link
    await setVariable(sdk, {
      project: "e-from",
      environment: "preview",
      key: "API_URL",
      value: "https://changed.example.com",
    });
    expect((await variables("e-from", "staging"))[0][1]).toBe("https://preview.example.com");
  });

  it("deletes a custom environment with its variables and mapping entries", async () => {
    await createProject(sdk, "e-delete");
    await createEnvironment(sdk, "e-delete", "staging");
    await setVariable(sdk, { project: "e-delete", environment: "staging", key: "A", value: "1" });
    await updateMapping(sdk, "e-delete", [
      { environment: "production", branch: "main" },
      { environment: "staging", branch: "staging" },
      { environment: "preview", branch: "*" },
    ]);
    const deleted = expectType(
      (await sdk.deleteEnvironment({ input: { project: "e-delete", name: "staging" } })).deleteEnvironment,
      "DeleteEnvironmentPayload",
    );
    expect(deleted).toEqual({ __typename: "DeleteEnvironmentPayload", name: "staging", unmappedBranches: ["staging"] });
    expect(await envNames("e-delete")).toEqual(["development", "preview", "production"]);
    expect((await sdk.project({ slug: "e-delete" })).project!.mapping.map((m) => m.branch)).toEqual(["main", "*"]);
    const resolved = expectType(
      (await sdk.resolveBranch({ project: "e-delete", branch: "staging" })).resolveBranch,
      "BranchResolution",
    );
    expect([resolved.environment.name, resolved.matchedBy]).toEqual(["preview", "WILDCARD"]);
    // a new environment of the same name starts empty
    expectType(
      (await sdk.createEnvironment({ input: { project: "e-delete", name: "staging" } })).createEnvironment,
      "EnvironmentPayload",
    );
    expect(await variables("e-delete", "staging")).toEqual([]);
  });

  it("refuses to delete a default environment and names it", async () => {
    await createProject(sdk, "e-defaults");
    await setVariable(sdk, { project: "e-defaults", environment: "preview", key: "A", value: "1" });
    const before = await snapshot("e-defaults");
    for (const name of ["development", "preview", "production"]) {
      const error = expectType(
        (await sdk.deleteEnvironment({ input: { project: "e-defaults", name } })).deleteEnvironment,
        "ValidationError",
      );
      expect(error.message).toContain(`"${name}"`);
      expect(error.message).toMatch(/default/);
      expect(error.fieldErrors.map((e) => e.path)).toEqual([["name"]]);
    }
    expect(await snapshot("e-defaults")).toEqual(before);
  });

  it("names an unknown environment in a NotFoundError and changes nothing", async () => {
    await createProject(sdk, "e-unknown");
    await setVariable(sdk, { project: "e-unknown", environment: "preview", key: "A", value: "1" });
    const before = await snapshot("e-unknown");
    const results = [
      (await sdk.deleteEnvironment({ input: { project: "e-unknown", name: "nope" } })).deleteEnvironment,
      (await sdk.updateEnvironment({ input: { project: "e-unknown", name: "nope", isProtected: true } }))
        .updateEnvironment,
      (await sdk.createEnvironment({ input: { project: "e-unknown", name: "qa", from: "nope" } })).createEnvironment,
      (await sdk.seedEnvironment({ input: { project: "e-unknown", target: "nope", from: "preview" } })).seedEnvironment,
      (await sdk.seedEnvironment({ input: { project: "e-unknown", target: "preview", from: "nope" } })).seedEnvironment,
    ];
    for (const r of results) {
      const error = expectType(r, "NotFoundError");
      expect(error.message).toContain('"nope"');
      expect(error.resource).toBe("Environment");
    }
    expect(await snapshot("e-unknown")).toEqual(before);
  });

  it("protects and unprotects environments; only admins may", async () => {
    await createProject(sdk, "e-protect");
    await createEnvironment(sdk, "e-protect", "staging");
    const { client: dev } = await userWithRole(server, "e-protect", "DEVELOPER");
    expectType(
      (await dev.setVariable({ input: { project: "e-protect", environment: "staging", key: "A", value: "1" } }))
        .setVariable,
      "SetVariablePayload",
    );

    const protectedEnv = expectType(
      (await sdk.updateEnvironment({ input: { project: "e-protect", name: "staging", isProtected: true } }))
        .updateEnvironment,
      "EnvironmentPayload",
    );
    expect(protectedEnv.environment.isProtected).toBe(true);
    const before = await snapshot("e-protect");
    const denied = expectType(
      (await dev.setVariable({ input: { project: "e-protect", environment: "staging", key: "A", value: "2" } }))
        .setVariable,
      "ForbiddenError",
    );
    expect(denied.message).toMatch(/protected/);
    expectType(
      (await dev.updateEnvironment({ input: { project: "e-protect", name: "staging", isProtected: false } }))
        .updateEnvironment,
      "ForbiddenError",
    );
    expectType(
      (await dev.updateEnvironment({ input: { project: "e-protect", name: "production", isProtected: false } }))
        .updateEnvironment,
      "ForbiddenError",
    );
    expect(await snapshot("e-protect")).toEqual(before);
    expect(
      (await dev.environmentVariables({ project: "e-protect", environment: "staging" })).project!.environment!
        .viewerCanWrite,
    ).toBe(false);

    expect(
      expectType(
        (await sdk.updateEnvironment({ input: { project: "e-protect", name: "staging", isProtected: false } }))
          .updateEnvironment,
        "EnvironmentPayload",
      ).environment.isProtected,
    ).toBe(false);
    expectType(
      (await dev.setVariable({ input: { project: "e-protect", environment: "staging", key: "A", value: "2" } }))
        .setVariable,
      "SetVariablePayload",
    );
    // production can be unprotected by an admin too
    expect(
      expectType(
        (await sdk.updateEnvironment({ input: { project: "e-protect", name: "production", isProtected: false } }))
          .updateEnvironment,
        "EnvironmentPayload",
      ).environment.isProtected,
    ).toBe(false);
    expectType(
      (await dev.setVariable({ input: { project: "e-protect", environment: "production", key: "P", value: "1" } }))
        .setVariable,
      "SetVariablePayload",
    );
  });

  describe("seeding with reviewed decisions", () => {
    /** preview: A, B, C standard; S and X secrets. staging: X standard, OLD standard. */
    async function seedProject(slug: string) {
      await createProject(sdk, slug);
      await setVariable(sdk, { project: slug, environment: "preview", key: "A", value: "a-value" });
      await setVariable(sdk, { project: slug, environment: "preview", key: "B", value: "b-value" });
      await setVariable(sdk, { project: slug, environment: "preview", key: "C", value: "c-value" });
      await setVariable(sdk, { project: slug, environment: "preview", key: "S", value: SECRET, secret: true });
      await setVariable(sdk, { project: slug, environment: "preview", key: "X", value: `${SECRET}-x`, secret: true });
      await createEnvironment(sdk, slug, "staging");
      await setVariable(sdk, { project: slug, environment: "staging", key: "OLD", value: "old-value" });
      await setVariable(sdk, { project: slug, environment: "staging", key: "X", value: "x-standard" });
    }
    const decisions: SeedDecisionInput[] = [
      { key: "A", action: "KEEP" },
      { key: "B", action: "EDIT", value: EDITED_SECRET, secret: true },
      { key: "C", action: "SKIP" },
      { key: "S", action: "EDIT", value: `${EDITED_SECRET}-s` },
      { key: "X", action: "EDIT", value: "x-edited", secret: true },
    ];

    it("applies KEEP, EDIT and SKIP, reports them, and never shows a secret during review", async () => {
      await seedProject("e-seed");
      const responses: unknown[] = [];
      const review = await sdk.environmentVariables({ project: "e-seed", environment: "preview" });
      responses.push(review);
      expect(review.project!.environment!.variables.nodes.map((v) => [v.key, v.value])).toEqual([
        ["A", "a-value"],
        ["B", "b-value"],
        ["C", "c-value"],
        ["S", null],
        ["X", null],
      ]);
      const sourceRevision = review.project!.environment!.revision;
      const targetRevision = await revision("e-seed", "staging");

      const seeded = await sdk.seedEnvironment({
        input: {
          project: "e-seed",
          target: "staging",
          from: "preview",
          decisions,
          expectedRevision: targetRevision,
          expectedSourceRevision: sourceRevision,
        },
      });
      responses.push(seeded);
      const payload = expectType(seeded.seedEnvironment, "EnvironmentPayload");
      expect(payload.seed).toEqual({
        copied: ["A"],
        edited: ["B", "S", "X"],
        skipped: ["C"],
        skippedSecrets: [],
        typeKept: ["X"],
      });
      expect(payload.environment.revision).toBe(targetRevision + 1);

      const after = await sdk.environmentVariables({ project: "e-seed", environment: "staging" });
      responses.push(after);
      expect(after.project!.environment!.variables.nodes.map((v) => [v.key, v.value, v.isSecret])).toEqual([
        ["A", "a-value", false],
        ["B", null, true],
        ["OLD", "old-value", false],
        ["S", null, true],
        ["X", "x-edited", false],
      ]);
      const pulled = await sdk.pullVariables({ project: "e-seed", environment: "staging" });
      responses.push(pulled);
      expect(expectType(pulled.pullVariables, "PulledEnvironment").excludedSecrets).toEqual(["B", "S"]);
      for (const r of responses) {
        expect(JSON.stringify(r)).not.toContain(SECRET);
        expect(JSON.stringify(r)).not.toContain(EDITED_SECRET);
      }
      // the source is untouched
      expect(await revision("e-seed", "preview")).toBe(sourceRevision);
      // the edited secrets were stored with their new values
      const values = await runtime("e-seed", "staging", "staging");
      expect(values.B).toEqual({ value: EDITED_SECRET, isSecret: true });
      expect(values.S).toEqual({ value: `${EDITED_SECRET}-s`, isSecret: true });
    });

    it("seeds without decisions: everything as-is, existing keys stay", async () => {
      await seedProject("e-seed-all");
      expectType(
        (await sdk.unsetVariable({ input: { project: "e-seed-all", environment: "staging", key: "X" } })).unsetVariable,
        "UnsetVariablePayload",
      );
      await setVariable(sdk, { project: "e-seed-all", environment: "staging", key: "B", value: "b-staging" });
      await setVariable(sdk, {
        project: "e-seed-all",
        environment: "staging",
        key: "C",
        value: "c-secret",
        secret: true,
      });
      const payload = expectType(
        (await sdk.seedEnvironment({ input: { project: "e-seed-all", target: "staging", from: "preview" } }))
          .seedEnvironment,
        "EnvironmentPayload",
      );
      // C was a secret in staging: it takes the value and stays a secret
      expect(payload.seed).toEqual({
        copied: ["A", "B", "C", "S", "X"],
        edited: [],
        skipped: [],
        skippedSecrets: [],
        typeKept: ["C"],
      });
      expect(await variables("e-seed-all", "staging")).toEqual([
        ["A", "a-value", false],
        ["B", "b-value", false],
        ["C", null, true],
        ["OLD", "old-value", false],
        ["S", null, true],
        ["X", null, true],
      ]);
    });

    it("refuses to copy a secret as-is into an existing standard variable (it would become readable)", async () => {
      await seedProject("e-seed-reveal");
      const before = await snapshot("e-seed-reveal");
      const seed = await sdk.seedEnvironment({
        input: { project: "e-seed-reveal", target: "staging", from: "preview" },
      });
      expect(JSON.stringify(seed)).not.toContain(SECRET);
      const error = expectType(seed.seedEnvironment, "ValidationError");
      expect(error.message).toContain('"X"');
      expect(await snapshot("e-seed-reveal")).toEqual(before);
      expect(JSON.stringify(await snapshot("e-seed-reveal"))).not.toContain(SECRET);
    });

    it("creates an environment from reviewed decisions", async () => {
      await seedProject("e-seed-create");
      const created = expectType(
        (await sdk.createEnvironment({ input: { project: "e-seed-create", name: "qa", from: "preview", decisions } }))
          .createEnvironment,
        "EnvironmentPayload",
      );
      expect(created.seed).toEqual({
        copied: ["A"],
        edited: ["B", "S", "X"],
        skipped: ["C"],
        skippedSecrets: [],
        typeKept: [],
      });
      expect(await variables("e-seed-create", "qa")).toEqual([
        ["A", "a-value", false],
        ["B", null, true],
        ["S", null, true],
        ["X", null, true],
      ]);
    });

    it.each<[string, SeedDecisionInput[], string[], RegExp]>([
      [
        "KEEP on a secret",
        decisions.map((d) => (d.key === "S" ? { key: "S", action: "KEEP" } : d)),
        ["decisions", "3", "action"],
        /secret/,
      ],
      ["a source key without a decision", decisions.filter((d) => d.key !== "C"), ["decisions"], /"C"/],
      ["an unknown key", [...decisions, { key: "NOPE", action: "SKIP" }], ["decisions", "5", "key"], /"NOPE"/],
      ["two decisions for one key", [...decisions, { key: "A", action: "SKIP" }], ["decisions", "5", "key"], /"A"/],
      [
        "EDIT without a value",
        decisions.map((d) => (d.key === "A" ? { key: "A", action: "EDIT" } : d)),
        ["decisions", "0", "value"],
        /"A"/,
      ],
      [
        "EDIT with a value over 64 KiB",
        decisions.map((d) => (d.key === "A" ? { key: "A", action: "EDIT", value: "x".repeat(65537) } : d)),
        ["decisions", "0", "value"],
        /KiB/,
      ],
    ])("rejects %s with a ValidationError and changes nothing", async (_what, bad, path, message) => {
      const slug = `e-seed-bad-${Math.random().toString(36).slice(2, 8)}`;
      await seedProject(slug);
      const before = await snapshot(slug);
      const seed = await sdk.seedEnvironment({
        input: { project: slug, target: "staging", from: "preview", decisions: bad },
      });
      const error = expectType(seed.seedEnvironment, "ValidationError");
      expect(error.fieldErrors.map((e) => e.path)).toContainEqual(path);
      expect(error.message).toMatch(message);
      expect(JSON.stringify(seed)).not.toContain(SECRET);
      // the same review through createEnvironment creates nothing
      const create = await sdk.createEnvironment({
        input: { project: slug, name: "qa", from: "preview", decisions: bad },
      });
      expectType(create.createEnvironment, "ValidationError");
      expect(await snapshot(slug)).toEqual(before);
    });

    it("rejects seeding an environment from itself", async () => {
      await seedProject("e-seed-self");
      const before = await snapshot("e-seed-self");
      const error = expectType(
        (await sdk.seedEnvironment({ input: { project: "e-seed-self", target: "staging", from: "staging" } }))
          .seedEnvironment,
        "ValidationError",
      );
      expect(error.message).toContain('"staging"');
      expect(error.fieldErrors.map((e) => e.path)).toEqual([["from"]]);
      expect(await snapshot("e-seed-self")).toEqual(before);
    });

    it("rejects a stale target or source revision with a ConflictError naming the current one", async () => {
      await seedProject("e-seed-stale");
      const target = await revision("e-seed-stale", "staging");
      const source = await revision("e-seed-stale", "preview");
      const before = await snapshot("e-seed-stale");

      const staleTarget = expectType(
        (
          await sdk.seedEnvironment({
            input: {
              project: "e-seed-stale",
              target: "staging",
              from: "preview",
              decisions,
              expectedRevision: target - 1,
              expectedSourceRevision: source,
            },
          })
        ).seedEnvironment,
        "ConflictError",
      );
      expect(staleTarget.currentRevision).toBe(target);
      expect(staleTarget.message).toContain('"staging"');
      expect(staleTarget.message).toContain(`revision ${target}`);

      const staleSource = expectType(
        (
          await sdk.seedEnvironment({
            input: {
              project: "e-seed-stale",
              target: "staging",
              from: "preview",
              decisions,
              expectedRevision: target,
              expectedSourceRevision: source - 1,
            },
          })
        ).seedEnvironment,
        "ConflictError",
      );
      expect(staleSource.currentRevision).toBe(source);
      expect(staleSource.message).toContain('"preview"');
      expect(staleSource.message).toContain(`revision ${source}`);
      expect(await snapshot("e-seed-stale")).toEqual(before);

      // the source changed after the review: the reviewed seed must not apply
      await setVariable(sdk, { project: "e-seed-stale", environment: "preview", key: "D", value: "new" });
      const changed = expectType(
        (
          await sdk.seedEnvironment({
            input: {
              project: "e-seed-stale",
              target: "staging",
              from: "preview",
              decisions,
              expectedRevision: target,
              expectedSourceRevision: source,
            },
          })
        ).seedEnvironment,
        "ConflictError",
      );
      expect(changed.currentRevision).toBe(source + 1);
      expect(
        (await sdk.environmentVariables({ project: "e-seed-stale", environment: "staging" })).project!.environment!
          .variables.nodes,
      ).toEqual(before.variables.staging);

      // with current revisions it applies
      expectType(
        (
          await sdk.seedEnvironment({
            input: {
              project: "e-seed-stale",
              target: "staging",
              from: "preview",
              decisions: [...decisions, { key: "D", action: "SKIP" }],
              expectedRevision: target,
              expectedSourceRevision: source + 1,
            },
          })
        ).seedEnvironment,
        "EnvironmentPayload",
      );
      expect(await revision("e-seed-stale", "staging")).toBe(target + 1);
    });
  });
});
