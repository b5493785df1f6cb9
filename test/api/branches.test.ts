import { describe, expect, it } from "vitest";
import type { EnvplaneClient } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import {
  createEnvironment,
  createProject,
  readEnvironment,
  setVariable,
  updateMapping,
  userWithRole,
  useTestServer,
} from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

describe("project branches and the branch mapping", () => {
  let server: TestServer;
  let sdk: EnvplaneClient;
  useTestServer((started) => ([server, sdk] = [started, started.owner]));

  const branches = async (slug: string) => (await sdk.project({ slug })).project!.branches.map((b) => b.name);
  const mapping = async (slug: string) =>
    (await sdk.project({ slug })).project!.mapping.map((m) => [m.position, m.environment.name, m.branch]);
  const listing = (slug: string, environment: string) => readEnvironment(sdk, slug, environment);
  async function resolve(slug: string, branch: string) {
    const r = expectType((await sdk.resolveBranch({ project: slug, branch })).resolveBranch, "BranchResolution");
    return [r.environment.name, r.matchedBy];
  }

  it("creates and lists branches", async () => {
    await createProject(sdk, "b-create");
    const created = expectType(
      (await sdk.createBranch({ input: { project: "b-create", name: "feature/x-1" } })).createBranch,
      "CreateBranchPayload",
    );
    expect(created.branch.name).toBe("feature/x-1");
    expectType(
      (await sdk.createBranch({ input: { project: "b-create", name: "alpha" } })).createBranch,
      "CreateBranchPayload",
    );
    expect(await branches("b-create")).toEqual(["alpha", "dev", "feature/x-1", "main"]);
  });

  it("rejects a duplicate branch with a ConflictError and a bad name with a ValidationError", async () => {
    await createProject(sdk, "b-reject");
    const before = await branches("b-reject");
    const dup = expectType(
      (await sdk.createBranch({ input: { project: "b-reject", name: "dev" } })).createBranch,
      "ConflictError",
    );
    expect(dup.message).toContain('"dev"');
    for (const name of ["bad name", "-x", "a..b", "*", ""]) {
      const bad = expectType(
        (await sdk.createBranch({ input: { project: "b-reject", name } })).createBranch,
        "ValidationError",
      );
      expect(bad.fieldErrors.length).toBeGreaterThan(0);
      for (const e of bad.fieldErrors) expect(e.path).toEqual(["name"]);
    }
    expect(await branches("b-reject")).toEqual(before);
  });

  it("deleting a branch removes its overrides and only its overrides", async () => {
    await createProject(sdk, "b-delete", { branches: ["feature-x", "feature-y"] });
    await setVariable(sdk, {
      project: "b-delete",
      environment: "preview",
      key: "API_URL",
      value: "https://preview.example.com",
    });
    await setVariable(sdk, {
      project: "b-delete",
      environment: "preview",
      key: "API_URL",
      value: "https://x.example.com",
      branch: "feature-x",
    });
    await setVariable(sdk, {
      project: "b-delete",
      environment: "preview",
      key: "API_URL",
      value: "https://y.example.com",
      branch: "feature-y",
    });
    await setVariable(sdk, { project: "b-delete", environment: "preview", key: "DB_URL", value: "postgres://preview" });
    await setVariable(sdk, {
      project: "b-delete",
      environment: "preview",
      key: "DB_URL",
      value: "postgres://x",
      branch: "feature-x",
    });
    await setVariable(sdk, {
      project: "b-delete",
      environment: "production",
      key: "API_URL",
      value: "https://prod.example.com",
    });
    await setVariable(sdk, {
      project: "b-delete",
      environment: "production",
      key: "API_URL",
      value: "https://prod-x.example.com",
      branch: "feature-x",
    });
    const pulledBefore = expectType(
      (await sdk.pullVariables({ project: "b-delete", environment: "preview", branch: "feature-x" })).pullVariables,
      "PulledEnvironment",
    );
    expect(pulledBefore.variables.map((v) => [v.key, v.value, v.fromOverride])).toEqual([
      ["API_URL", "https://x.example.com", true],
      ["DB_URL", "postgres://x", true],
    ]);
    const revisionsBefore = Object.fromEntries(
      (await sdk.project({ slug: "b-delete" })).project!.environments.map((e) => [e.name, e.revision]),
    );

    const deleted = expectType(
      (await sdk.deleteBranch({ input: { project: "b-delete", name: "feature-x" } })).deleteBranch,
      "DeleteBranchPayload",
    );
    expect(deleted).toEqual({
      __typename: "DeleteBranchPayload",
      name: "feature-x",
      overridesRemoved: 3,
      previewDeleted: null,
    });
    expect(await branches("b-delete")).toEqual(["dev", "feature-y", "main"]);

    const preview = await listing("b-delete", "preview");
    expect(preview.variables.map((v) => [v.key, v.value, v.overrides.map((o) => [o.branch.name, o.value])])).toEqual([
      ["API_URL", "https://preview.example.com", [["feature-y", "https://y.example.com"]]],
      ["DB_URL", "postgres://preview", []],
    ]);
    const production = await listing("b-delete", "production");
    expect(production.variables.map((v) => [v.key, v.value, v.overrides.length])).toEqual([
      ["API_URL", "https://prod.example.com", 0],
    ]);
    // the environments whose overrides went away moved on; the others did not
    const revisionsAfter = Object.fromEntries(
      (await sdk.project({ slug: "b-delete" })).project!.environments.map((e) => [e.name, e.revision]),
    );
    expect(revisionsAfter).toEqual({
      ...revisionsBefore,
      preview: revisionsBefore.preview + 1,
      production: revisionsBefore.production + 1,
    });

    // the branch is gone for pulls, and re-creating it does not bring the overrides back
    const gone = expectType(
      (await sdk.pullVariables({ project: "b-delete", environment: "preview", branch: "feature-x" })).pullVariables,
      "NotFoundError",
    );
    expect(gone.message).toContain('"feature-x"');
    expectType(
      (await sdk.createBranch({ input: { project: "b-delete", name: "feature-x" } })).createBranch,
      "CreateBranchPayload",
    );
    const pulledAfter = expectType(
      (await sdk.pullVariables({ project: "b-delete", environment: "preview", branch: "feature-x" })).pullVariables,
      "PulledEnvironment",
    );
    expect(pulledAfter.variables.map((v) => [v.key, v.value, v.fromOverride])).toEqual([
      ["API_URL", "https://preview.example.com", false],
      ["DB_URL", "postgres://preview", false],
    ]);
    const y = expectType(
      (await sdk.pullVariables({ project: "b-delete", environment: "preview", branch: "feature-y" })).pullVariables,
      "PulledEnvironment",
    );
    expect(y.variables[0]).toEqual({ key: "API_URL", value: "https://y.example.com", fromOverride: true });
  });

  it("deleting a branch without overrides reports 0 and changes no revision", async () => {
    await createProject(sdk, "b-delete-empty");
    const revisions = async () =>
      (await sdk.project({ slug: "b-delete-empty" })).project!.environments.map((e) => e.revision);
    const before = await revisions();
    const deleted = expectType(
      (await sdk.deleteBranch({ input: { project: "b-delete-empty", name: "dev" } })).deleteBranch,
      "DeleteBranchPayload",
    );
    expect(deleted.overridesRemoved).toBe(0);
    expect(await revisions()).toEqual(before);
    expect(await branches("b-delete-empty")).toEqual(["main"]);
  });

  it("refuses to delete main, and names an unknown branch", async () => {
    await createProject(sdk, "b-delete-main");
    await setVariable(sdk, { project: "b-delete-main", environment: "production", key: "K", value: "base" });
    await setVariable(sdk, {
      project: "b-delete-main",
      environment: "production",
      key: "K",
      value: "main-only",
      branch: "main",
    });
    const before = await sdk.project({ slug: "b-delete-main" });
    const main = expectType(
      (await sdk.deleteBranch({ input: { project: "b-delete-main", name: "main" } })).deleteBranch,
      "ValidationError",
    );
    expect(main.message).toContain('"main"');
    expect(main.fieldErrors.map((e) => e.path)).toEqual([["name"]]);
    const unknown = expectType(
      (await sdk.deleteBranch({ input: { project: "b-delete-main", name: "nope" } })).deleteBranch,
      "NotFoundError",
    );
    expect(unknown.message).toContain('"nope"');
    expect(unknown.resource).toBe("ProjectBranch");
    expect(await sdk.project({ slug: "b-delete-main" })).toEqual(before);
    expect((await listing("b-delete-main", "production")).variables[0].overrides.map((o) => o.value)).toEqual([
      "main-only",
    ]);
  });

  it("only admins delete branches; developers create branches that map to environments they may write", async () => {
    await createProject(sdk, "b-roles");
    const dev = await userWithRole(server, "b-roles", "DEVELOPER");
    await updateMapping(sdk, "b-roles", [
      { environment: "production", branch: "main" },
      { environment: "production", branch: "release" },
      { environment: "preview", branch: "*" },
    ]);
    expectType(
      (await dev.client.createBranch({ input: { project: "b-roles", name: "feature-z" } })).createBranch,
      "CreateBranchPayload",
    );
    const before = await branches("b-roles");
    const release = expectType(
      (await dev.client.createBranch({ input: { project: "b-roles", name: "release" } })).createBranch,
      "ForbiddenError",
    );
    expect(release.message).toContain("production");
    expectType(
      (await dev.client.deleteBranch({ input: { project: "b-roles", name: "feature-z" } })).deleteBranch,
      "ForbiddenError",
    );
    expect(await branches("b-roles")).toEqual(before);
  });

  it("updates the mapping: custom environments, order kept, the wildcard moved last", async () => {
    await createProject(sdk, "b-map");
    await createEnvironment(sdk, "b-map", "staging");
    const updated = expectType(
      (
        await sdk.updateBranchMapping({
          input: {
            project: "b-map",
            entries: [
              { environment: "preview", branch: "*" },
              { environment: "staging", branch: "staging" },
              { environment: "production", branch: "main" },
              { environment: "staging", branch: "qa" },
            ],
          },
        })
      ).updateBranchMapping,
      "UpdateBranchMappingPayload",
    );
    const expected = [
      [0, "staging", "staging"],
      [1, "production", "main"],
      [2, "staging", "qa"],
      [3, "preview", "*"],
    ];
    expect(updated.mapping.map((m) => [m.position, m.environment.name, m.branch])).toEqual(expected);
    expect(await mapping("b-map")).toEqual(expected);
    expect(await resolve("b-map", "staging")).toEqual(["staging", "EXPLICIT"]);
    expect(await resolve("b-map", "qa")).toEqual(["staging", "EXPLICIT"]);
    expect(await resolve("b-map", "main")).toEqual(["production", "EXPLICIT"]);
    expect(await resolve("b-map", "feature-q")).toEqual(["preview", "WILDCARD"]);
    const staging = await readEnvironment(sdk, "b-map", "staging");
    expect(staging.name).toBe("staging");
  });

  it("rejects bad mappings with a clear message and changes nothing", async () => {
    await createProject(sdk, "b-map-bad");
    const before = await mapping("b-map-bad");
    const update = async (entries: { environment: string; branch: string }[]) =>
      expectType(
        (await sdk.updateBranchMapping({ input: { project: "b-map-bad", entries } })).updateBranchMapping,
        "ValidationError",
      );

    const dev = await update([
      { environment: "production", branch: "main" },
      { environment: "development", branch: "dev" },
    ]);
    expect(dev.message).toMatch(/development/);
    expect(dev.message).toMatch(/local/);
    expect(dev.fieldErrors.map((e) => e.path)).toEqual([["entries", "1", "environment"]]);

    const dup = await update([
      { environment: "production", branch: "main" },
      { environment: "preview", branch: "main" },
    ]);
    expect(dup.message).toContain('"main"');
    expect(dup.fieldErrors.map((e) => e.path)).toEqual([["entries", "1", "branch"]]);

    const wildcards = await update([
      { environment: "preview", branch: "*" },
      { environment: "production", branch: "*" },
    ]);
    expect(wildcards.message).toMatch(/wildcard/i);

    const unknown = await update([{ environment: "staging", branch: "staging" }]);
    expect(unknown.message).toContain('"staging"');
    expect(unknown.fieldErrors.map((e) => e.path)).toEqual([["entries", "0", "environment"]]);

    const badBranch = await update([{ environment: "preview", branch: "bad branch" }]);
    expect(badBranch.fieldErrors.map((e) => e.path)).toEqual([["entries", "0", "branch"]]);

    expect(await mapping("b-map-bad")).toEqual(before);
    expect(await resolve("b-map-bad", "dev")).toEqual(["preview", "WILDCARD"]);
  });

  it("only admins change the mapping", async () => {
    await createProject(sdk, "b-map-roles");
    const dev = await userWithRole(server, "b-map-roles", "DEVELOPER");
    const before = await mapping("b-map-roles");
    expectType(
      (
        await dev.client.updateBranchMapping({
          input: { project: "b-map-roles", entries: [{ environment: "preview", branch: "main" }] },
        })
      ).updateBranchMapping,
      "ForbiddenError",
    );
    expect(await mapping("b-map-roles")).toEqual(before);
  });

  it("resolves branches: explicit, wildcard, and preview when there is no wildcard", async () => {
    await createProject(sdk, "b-resolve");
    expect(await resolve("b-resolve", "main")).toEqual(["production", "EXPLICIT"]);
    expect(await resolve("b-resolve", "dev")).toEqual(["preview", "WILDCARD"]);
    // a branch that does not exist (yet) resolves too: GitHub pushes ask before creating it
    expect(await resolve("b-resolve", "not-created")).toEqual(["preview", "WILDCARD"]);

    await createEnvironment(sdk, "b-resolve", "qa");
    expectType(
      (
        await sdk.updateBranchMapping({
          input: {
            project: "b-resolve",
            entries: [
              { environment: "qa", branch: "*" },
              { environment: "production", branch: "main" },
            ],
          },
        })
      ).updateBranchMapping,
      "UpdateBranchMappingPayload",
    );
    expect(await resolve("b-resolve", "dev")).toEqual(["qa", "WILDCARD"]);
    expect(await resolve("b-resolve", "main")).toEqual(["production", "EXPLICIT"]);

    expectType(
      (
        await sdk.updateBranchMapping({
          input: { project: "b-resolve", entries: [{ environment: "production", branch: "main" }] },
        })
      ).updateBranchMapping,
      "UpdateBranchMappingPayload",
    );
    expect(await resolve("b-resolve", "dev")).toEqual(["preview", "FALLBACK"]);
    expect(await resolve("b-resolve", "main")).toEqual(["production", "EXPLICIT"]);

    expectType(
      (await sdk.updateBranchMapping({ input: { project: "b-resolve", entries: [] } })).updateBranchMapping,
      "UpdateBranchMappingPayload",
    );
    expect(await mapping("b-resolve")).toEqual([]);
    expect(await resolve("b-resolve", "main")).toEqual(["preview", "FALLBACK"]);

    const bad = expectType(
      (await sdk.resolveBranch({ project: "b-resolve", branch: "bad branch" })).resolveBranch,
      "ValidationError",
    );
    expect(bad.fieldErrors.map((e) => e.path)).toEqual([["branch"]]);
    expectType((await sdk.resolveBranch({ project: "b-nowhere", branch: "main" })).resolveBranch, "NotFoundError");
  });
});
