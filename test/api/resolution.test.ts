import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EnvplaneClient, TokenPermission } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
let sdk: EnvplaneClient;
beforeAll(async () => {
  server = await startTestServer();
  sdk = server.owner;
});
afterAll(() => server.close());

async function createProject(slug: string, branches: string[] = []) {
  expectType((await sdk.createProject({ input: { slug } })).createProject, "ProjectPayload");
  for (const name of branches) expectType((await sdk.createBranch({ input: { project: slug, name } })).createBranch, "CreateBranchPayload");
}

async function set(project: string, environment: string, key: string, value: string, extra: { secret?: boolean; branch?: string } = {}) {
  return expectType((await sdk.setVariable({ input: { project, environment, key, value, ...extra } })).setVariable, "SetVariablePayload");
}

async function serviceClient(project: string, permissions: TokenPermission[], environments?: string[]) {
  const created = expectType((await sdk.createToken({ input: { kind: "SERVICE", name: `svc-${permissions.join("-")}`, project, permissions, environments } })).createToken, "CreateTokenPayload");
  expect(created.token.kind).toBe("SERVICE");
  return server.client(created.plaintextToken);
}

/** preview: base values, a secret and feature-x overrides; production: its own values and a main override. */
async function seedProject(slug: string) {
  await createProject(slug, ["feature-x"]);
  await set(slug, "development", "API_URL", "http://localhost:3000");
  await set(slug, "development", "DEV_SECRET", "dev-secret-value", { secret: true });
  await set(slug, "preview", "API_URL", "https://preview.example.com");
  await set(slug, "preview", "DATABASE_URL", "postgres://preview-db/app");
  await set(slug, "preview", "STRIPE_KEY", "sk_test_preview", { secret: true });
  await set(slug, "preview", "API_URL", "https://feature-x.example.com", { branch: "feature-x" });
  await set(slug, "preview", "STRIPE_KEY", "sk_test_feature_x", { branch: "feature-x" });
  await set(slug, "production", "API_URL", "https://example.com");
  await set(slug, "production", "STRIPE_KEY", "sk_live_prod", { secret: true });
  await set(slug, "production", "API_URL", "https://main.example.com", { branch: "main" });
}

describe("pullVariables", () => {
  it("returns standard values sorted by key and lists secrets only by key", async () => {
    await seedProject("pull-basic");
    const dev = expectType((await sdk.pullVariables({ project: "pull-basic", environment: "development" })).pullVariables, "PulledEnvironment");
    expect(dev).toMatchObject({ branch: null, revision: 2, environment: { name: "development" }, excludedSecrets: ["DEV_SECRET"] });
    expect(dev.variables).toEqual([{ key: "API_URL", value: "http://localhost:3000", fromOverride: false }]);

    const preview = expectType((await sdk.pullVariables({ project: "pull-basic", environment: "preview" })).pullVariables, "PulledEnvironment");
    expect(preview.variables).toEqual([
      { key: "API_URL", value: "https://preview.example.com", fromOverride: false },
      { key: "DATABASE_URL", value: "postgres://preview-db/app", fromOverride: false },
    ]);
    expect(preview.excludedSecrets).toEqual(["STRIPE_KEY"]);
    expect(JSON.stringify([dev, preview])).not.toMatch(/dev-secret-value|sk_test/);
  });

  it("resolves a branch's overrides on deployed environments, and secrets stay excluded even when overridden", async () => {
    await seedProject("pull-branch");
    const featureX = expectType((await sdk.pullVariables({ project: "pull-branch", environment: "preview", branch: "feature-x" })).pullVariables, "PulledEnvironment");
    expect(featureX.branch).toBe("feature-x");
    expect(featureX.variables).toEqual([
      { key: "API_URL", value: "https://feature-x.example.com", fromOverride: true },
      { key: "DATABASE_URL", value: "postgres://preview-db/app", fromOverride: false },
    ]);
    expect(featureX.excludedSecrets).toEqual(["STRIPE_KEY"]);
    expect(JSON.stringify(featureX)).not.toContain("sk_test");

    const dev = expectType((await sdk.pullVariables({ project: "pull-branch", environment: "preview", branch: "dev" })).pullVariables, "PulledEnvironment");
    expect(dev.variables.map((v) => [v.key, v.value, v.fromOverride])).toEqual([
      ["API_URL", "https://preview.example.com", false],
      ["DATABASE_URL", "postgres://preview-db/app", false],
    ]);
    const prod = expectType((await sdk.pullVariables({ project: "pull-branch", environment: "production", branch: "main" })).pullVariables, "PulledEnvironment");
    expect(prod.variables).toEqual([{ key: "API_URL", value: "https://main.example.com", fromOverride: true }]);
    expect(prod.excludedSecrets).toEqual(["STRIPE_KEY"]);
  });

  it("rejects a branch on development with a ValidationError, and an unknown branch with a NotFoundError", async () => {
    await seedProject("pull-errors");
    const err = expectType((await sdk.pullVariables({ project: "pull-errors", environment: "development", branch: "feature-x" })).pullVariables, "ValidationError");
    expect(err.message).toContain('"development"');
    expect(err.message).toMatch(/without a branch/);
    expect(err.fieldErrors.map((e) => e.path)).toEqual([["branch"]]);
    const unknown = expectType((await sdk.pullVariables({ project: "pull-errors", environment: "preview", branch: "ghost" })).pullVariables, "NotFoundError");
    expect(unknown.resource).toBe("ProjectBranch");
    const env = expectType((await sdk.pullVariables({ project: "pull-errors", environment: "qa" })).pullVariables, "NotFoundError");
    expect(env.resource).toBe("Environment");
  });
});

describe("runtimeVariables", () => {
  it("resolves branch → mapping → environment → override → base, secrets included, for a service token with RUNTIME", async () => {
    await seedProject("rt-basic");
    const runtime = await serviceClient("rt-basic", ["RUNTIME"]);

    const featureX = expectType((await runtime.runtimeVariables({ project: "rt-basic", branch: "feature-x" })).runtimeVariables, "RuntimeEnvironment");
    expect(featureX).toMatchObject({ environmentName: "preview", branch: "feature-x", revision: 5 });
    expect(featureX.variables).toEqual([
      { key: "API_URL", value: "https://feature-x.example.com", isSecret: false, fromOverride: true },
      { key: "DATABASE_URL", value: "postgres://preview-db/app", isSecret: false, fromOverride: false },
      { key: "STRIPE_KEY", value: "sk_test_feature_x", isSecret: true, fromOverride: true },
    ]);

    const dev = expectType((await runtime.runtimeVariables({ project: "rt-basic", branch: "dev" })).runtimeVariables, "RuntimeEnvironment");
    expect(dev.environmentName).toBe("preview");
    expect(dev.variables.map((v) => [v.key, v.value, v.fromOverride])).toEqual([
      ["API_URL", "https://preview.example.com", false],
      ["DATABASE_URL", "postgres://preview-db/app", false],
      ["STRIPE_KEY", "sk_test_preview", false],
    ]);

    const main = expectType((await runtime.runtimeVariables({ project: "rt-basic", branch: "main" })).runtimeVariables, "RuntimeEnvironment");
    expect(main).toMatchObject({ environmentName: "production", branch: "main", revision: 3 });
    expect(main.variables).toEqual([
      { key: "API_URL", value: "https://main.example.com", isSecret: false, fromOverride: true },
      { key: "STRIPE_KEY", value: "sk_live_prod", isSecret: true, fromOverride: false },
    ]);
  });

  it("is forbidden to a personal owner token and to a service token without RUNTIME, without leaking a secret", async () => {
    await seedProject("rt-forbidden");
    const owner = expectType((await sdk.runtimeVariables({ project: "rt-forbidden", branch: "main" })).runtimeVariables, "ForbiddenError");
    expect(owner.message).toMatch(/service token/);
    const reader = await serviceClient("rt-forbidden", ["READ"]);
    const readOnly = expectType((await reader.runtimeVariables({ project: "rt-forbidden", branch: "dev" })).runtimeVariables, "ForbiddenError");
    expect(readOnly.message).toMatch(/runtime permission/);
    const writer = await serviceClient("rt-forbidden", ["READ", "WRITE"]);
    expectType((await writer.runtimeVariables({ project: "rt-forbidden", branch: "main" })).runtimeVariables, "ForbiddenError");
    expect(JSON.stringify([owner, readOnly])).not.toMatch(/sk_live|sk_test/);
    // The read-only token can still pull standard values.
    const pulled = expectType((await reader.pullVariables({ project: "rt-forbidden", environment: "preview" })).pullVariables, "PulledEnvironment");
    expect(pulled.excludedSecrets).toEqual(["STRIPE_KEY"]);
  });

  it("a token scoped to [preview] resolves preview branches but not a branch mapped to production", async () => {
    await seedProject("rt-scoped");
    const scoped = await serviceClient("rt-scoped", ["RUNTIME"], ["preview"]);
    const main = (await scoped.runtimeVariables({ project: "rt-scoped", branch: "main" })).runtimeVariables;
    expect(main.__typename).not.toBe("RuntimeEnvironment");
    expectType(main, "ForbiddenError");
    expect(JSON.stringify(main)).not.toContain("sk_live");
    const feature = expectType((await scoped.runtimeVariables({ project: "rt-scoped", branch: "feature-x" })).runtimeVariables, "RuntimeEnvironment");
    expect(feature.environmentName).toBe("preview");
    expect(feature.variables.find((v) => v.key === "STRIPE_KEY")?.value).toBe("sk_test_feature_x");
  });

  it("honours a custom mapping staging → staging", async () => {
    await seedProject("rt-staging");
    expectType((await sdk.createEnvironment({ input: { project: "rt-staging", name: "staging" } })).createEnvironment, "EnvironmentPayload");
    expectType((await sdk.createBranch({ input: { project: "rt-staging", name: "staging" } })).createBranch, "CreateBranchPayload");
    expectType(
      (
        await sdk.updateBranchMapping({
          input: {
            project: "rt-staging",
            entries: [
              { environment: "production", branch: "main" },
              { environment: "staging", branch: "staging" },
              { environment: "preview", branch: "*" },
            ],
          },
        })
      ).updateBranchMapping,
      "UpdateBranchMappingPayload",
    );
    await set("rt-staging", "staging", "API_URL", "https://staging.example.com");
    await set("rt-staging", "staging", "STAGING_SECRET", "stg-secret", { secret: true });

    const runtime = await serviceClient("rt-staging", ["RUNTIME"]);
    const staging = expectType((await runtime.runtimeVariables({ project: "rt-staging", branch: "staging" })).runtimeVariables, "RuntimeEnvironment");
    expect(staging).toMatchObject({ environmentName: "staging", branch: "staging", revision: 2 });
    expect(staging.variables).toEqual([
      { key: "API_URL", value: "https://staging.example.com", isSecret: false, fromOverride: false },
      { key: "STAGING_SECRET", value: "stg-secret", isSecret: true, fromOverride: false },
    ]);
    // Other branches are unaffected by the new entry.
    expect(expectType((await runtime.runtimeVariables({ project: "rt-staging", branch: "feature-x" })).runtimeVariables, "RuntimeEnvironment").environmentName).toBe("preview");
    expect(expectType((await runtime.runtimeVariables({ project: "rt-staging", branch: "main" })).runtimeVariables, "RuntimeEnvironment").environmentName).toBe("production");
    const resolved = expectType((await sdk.resolveBranch({ project: "rt-staging", branch: "staging" })).resolveBranch, "BranchResolution");
    expect(resolved).toMatchObject({ matchedBy: "EXPLICIT", environment: { name: "staging" } });
  });

  it("reports an unknown branch as NotFoundError", async () => {
    await seedProject("rt-unknown");
    const runtime = await serviceClient("rt-unknown", ["RUNTIME"]);
    const err = expectType((await runtime.runtimeVariables({ project: "rt-unknown", branch: "no-such-branch" })).runtimeVariables, "NotFoundError");
    expect(err.resource).toBe("ProjectBranch");
    expect(err.message).toContain('"no-such-branch"');
  });
});
