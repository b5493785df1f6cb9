import { describe, expect, it } from "vitest";
import type { EnvplaneClient } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import {
  createBranch,
  createEnvironment,
  createProject,
  serviceToken,
  setVariable,
  updateMapping,
  useTestServer,
} from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
let sdk: EnvplaneClient;
useTestServer((started) => ([server, sdk] = [started, started.owner]));

/** preview: base values, a secret and feature-x overrides; production: its own values and a main override. */
async function seedProject(slug: string) {
  await createProject(sdk, slug, { branches: ["feature-x"] });
  await setVariable(sdk, { project: slug, environment: "development", key: "API_URL", value: "http://localhost:3000" });
  await setVariable(sdk, {
    project: slug,
    environment: "development",
    key: "DEV_SECRET",
    value: "dev-secret-value",
    secret: true,
  });
  await setVariable(sdk, {
    project: slug,
    environment: "preview",
    key: "API_URL",
    value: "https://preview.example.com",
  });
  await setVariable(sdk, {
    project: slug,
    environment: "preview",
    key: "DATABASE_URL",
    value: "postgres://preview-db/app",
  });
  await setVariable(sdk, {
    project: slug,
    environment: "preview",
    key: "STRIPE_KEY",
    value: "sk_test_preview",
    secret: true,
  });
  await setVariable(sdk, {
    project: slug,
    environment: "preview",
    key: "API_URL",
    value: "https://feature-x.example.com",
    branch: "feature-x",
  });
  await setVariable(sdk, {
    project: slug,
    environment: "preview",
    key: "STRIPE_KEY",
    value: "sk_test_feature_x",
    branch: "feature-x",
  });
  await setVariable(sdk, { project: slug, environment: "production", key: "API_URL", value: "https://example.com" });
  await setVariable(sdk, {
    project: slug,
    environment: "production",
    key: "STRIPE_KEY",
    value: "sk_live_prod",
    secret: true,
  });
  await setVariable(sdk, {
    project: slug,
    environment: "production",
    key: "API_URL",
    value: "https://main.example.com",
    branch: "main",
  });
}

describe("pullVariables", () => {
  it("returns standard values sorted by key and lists secrets only by key", async () => {
    await seedProject("pull-basic");
    const dev = expectType(
      (await sdk.pullVariables({ project: "pull-basic", environment: "development" })).pullVariables,
      "PulledEnvironment",
    );
    expect(dev).toMatchObject({
      branch: null,
      revision: 2,
      environment: { name: "development" },
      excludedSecrets: ["DEV_SECRET"],
    });
    expect(dev.variables).toEqual([{ key: "API_URL", value: "http://localhost:3000", fromOverride: false }]);

    const preview = expectType(
      (await sdk.pullVariables({ project: "pull-basic", environment: "preview" })).pullVariables,
      "PulledEnvironment",
    );
    expect(preview.variables).toEqual([
      { key: "API_URL", value: "https://preview.example.com", fromOverride: false },
      { key: "DATABASE_URL", value: "postgres://preview-db/app", fromOverride: false },
    ]);
    expect(preview.excludedSecrets).toEqual(["STRIPE_KEY"]);
    expect(JSON.stringify([dev, preview])).not.toMatch(/dev-secret-value|sk_test/);
  });

  it("resolves a branch's overrides on deployed environments, and secrets stay excluded even when overridden", async () => {
    await seedProject("pull-branch");
    const featureX = expectType(
      (await sdk.pullVariables({ project: "pull-branch", environment: "preview", branch: "feature-x" })).pullVariables,
      "PulledEnvironment",
    );
    expect(featureX.branch).toBe("feature-x");
    expect(featureX.variables).toEqual([
      { key: "API_URL", value: "https://feature-x.example.com", fromOverride: true },
      { key: "DATABASE_URL", value: "postgres://preview-db/app", fromOverride: false },
    ]);
    expect(featureX.excludedSecrets).toEqual(["STRIPE_KEY"]);
    expect(JSON.stringify(featureX)).not.toContain("sk_test");

    const dev = expectType(
      (await sdk.pullVariables({ project: "pull-branch", environment: "preview", branch: "dev" })).pullVariables,
      "PulledEnvironment",
    );
    expect(dev.variables.map((v) => [v.key, v.value, v.fromOverride])).toEqual([
      ["API_URL", "https://preview.example.com", false],
      ["DATABASE_URL", "postgres://preview-db/app", false],
    ]);
    const prod = expectType(
      (await sdk.pullVariables({ project: "pull-branch", environment: "production", branch: "main" })).pullVariables,
      "PulledEnvironment",
    );
    expect(prod.variables).toEqual([{ key: "API_URL", value: "https://main.example.com", fromOverride: true }]);
    expect(prod.excludedSecrets).toEqual(["STRIPE_KEY"]);
  });

  it("rejects a branch on development with a ValidationError, and an unknown branch with a NotFoundError", async () => {
    await seedProject("pull-errors");
    const err = expectType(
      (await sdk.pullVariables({ project: "pull-errors", environment: "development", branch: "feature-x" }))
        .pullVariables,
      "ValidationError",
    );
    expect(err.message).toContain('"development"');
    expect(err.message).toMatch(/without a branch/);
    expect(err.fieldErrors.map((e) => e.path)).toEqual([["branch"]]);
    const unknown = expectType(
      (await sdk.pullVariables({ project: "pull-errors", environment: "preview", branch: "ghost" })).pullVariables,
      "NotFoundError",
    );
    expect(unknown.resource).toBe("ProjectBranch");
    const env = expectType(
      (await sdk.pullVariables({ project: "pull-errors", environment: "qa" })).pullVariables,
      "NotFoundError",
    );
    expect(env.resource).toBe("Environment");
  });
});

describe("runtimeVariables", () => {
  it("resolves branch → mapping → environment → override → base, secrets included, for a service token with RUNTIME", async () => {
    await seedProject("rt-basic");
    const { client: runtime } = await serviceToken(server, "rt-basic", ["RUNTIME"]);

    const featureX = expectType(
      (await runtime.runtimeVariables({ project: "rt-basic", branch: "feature-x" })).runtimeVariables,
      "RuntimeEnvironment",
    );
    expect(featureX).toMatchObject({ environmentName: "preview", branch: "feature-x", revision: 5 });
    expect(featureX.variables).toEqual([
      { key: "API_URL", value: "https://feature-x.example.com", isSecret: false, fromOverride: true },
      { key: "DATABASE_URL", value: "postgres://preview-db/app", isSecret: false, fromOverride: false },
      { key: "STRIPE_KEY", value: "sk_test_feature_x", isSecret: true, fromOverride: true },
    ]);

    const dev = expectType(
      (await runtime.runtimeVariables({ project: "rt-basic", branch: "dev" })).runtimeVariables,
      "RuntimeEnvironment",
    );
    expect(dev.environmentName).toBe("preview");
    expect(dev.variables.map((v) => [v.key, v.value, v.fromOverride])).toEqual([
      ["API_URL", "https://preview.example.com", false],
      ["DATABASE_URL", "postgres://preview-db/app", false],
      ["STRIPE_KEY", "sk_test_preview", false],
    ]);

    const main = expectType(
      (await runtime.runtimeVariables({ project: "rt-basic", branch: "main" })).runtimeVariables,
      "RuntimeEnvironment",
    );
    expect(main).toMatchObject({ environmentName: "production", branch: "main", revision: 3 });
    expect(main.variables).toEqual([
      { key: "API_URL", value: "https://main.example.com", isSecret: false, fromOverride: true },
      { key: "STRIPE_KEY", value: "sk_live_prod", isSecret: true, fromOverride: false },
    ]);
  });

  it("is forbidden to a personal owner token and to a service token without RUNTIME, without leaking a secret", async () => {
    await seedProject("rt-forbidden");
    const owner = expectType(
      (await sdk.runtimeVariables({ project: "rt-forbidden", branch: "main" })).runtimeVariables,
      "ForbiddenError",
    );
    expect(owner.message).toMatch(/service token/);
    const { client: reader } = await serviceToken(server, "rt-forbidden", ["READ"]);
    const readOnly = expectType(
      (await reader.runtimeVariables({ project: "rt-forbidden", branch: "dev" })).runtimeVariables,
      "ForbiddenError",
    );
    expect(readOnly.message).toMatch(/runtime permission/);
    const { client: writer } = await serviceToken(server, "rt-forbidden", ["READ", "WRITE"]);
    expectType(
      (await writer.runtimeVariables({ project: "rt-forbidden", branch: "main" })).runtimeVariables,
      "ForbiddenError",
    );
    expect(JSON.stringify([owner, readOnly])).not.toMatch(/sk_live|sk_test/);
    // The read-only token can still pull standard values.
    const pulled = expectType(
      (await reader.pullVariables({ project: "rt-forbidden", environment: "preview" })).pullVariables,
      "PulledEnvironment",
    );
    expect(pulled.excludedSecrets).toEqual(["STRIPE_KEY"]);
  });

  it("a token scoped to [preview] resolves preview branches but not a branch mapped to production", async () => {
    await seedProject("rt-scoped");
    const { client: scoped } = await serviceToken(server, "rt-scoped", ["RUNTIME"], ["preview"]);
    const main = (await scoped.runtimeVariables({ project: "rt-scoped", branch: "main" })).runtimeVariables;
    expect(main.__typename).not.toBe("RuntimeEnvironment");
    expectType(main, "ForbiddenError");
    expect(JSON.stringify(main)).not.toContain("sk_live");
    const feature = expectType(
      (await scoped.runtimeVariables({ project: "rt-scoped", branch: "feature-x" })).runtimeVariables,
      "RuntimeEnvironment",
    );
    expect(feature.environmentName).toBe("preview");
    expect(feature.variables.find((v) => v.key === "STRIPE_KEY")?.value).toBe("sk_test_feature_x");
  });

  it("honours a custom mapping staging → staging", async () => {
    await seedProject("rt-staging");
    await createEnvironment(sdk, "rt-staging", "staging");
    await createBranch(sdk, "rt-staging", "staging");
    await updateMapping(sdk, "rt-staging", [
      { environment: "production", branch: "main" },
      { environment: "staging", branch: "staging" },
      { environment: "preview", branch: "*" },
    ]);
    await setVariable(sdk, {
      project: "rt-staging",
      environment: "staging",
      key: "API_URL",
      value: "https://staging.example.com",
    });
    await setVariable(sdk, {
      project: "rt-staging",
      environment: "staging",
      key: "STAGING_SECRET",
      value: "stg-secret",
      secret: true,
    });

    const { client: runtime } = await serviceToken(server, "rt-staging", ["RUNTIME"]);
    const staging = expectType(
      (await runtime.runtimeVariables({ project: "rt-staging", branch: "staging" })).runtimeVariables,
      "RuntimeEnvironment",
    );
    expect(staging).toMatchObject({ environmentName: "staging", branch: "staging", revision: 2 });
    expect(staging.variables).toEqual([
      { key: "API_URL", value: "https://staging.example.com", isSecret: false, fromOverride: false },
      { key: "STAGING_SECRET", value: "stg-secret", isSecret: true, fromOverride: false },
    ]);
    // Other branches are unaffected by the new entry.
    expect(
      expectType(
        (await runtime.runtimeVariables({ project: "rt-staging", branch: "feature-x" })).runtimeVariables,
        "RuntimeEnvironment",
      ).environmentName,
    ).toBe("preview");
    expect(
      expectType(
        (await runtime.runtimeVariables({ project: "rt-staging", branch: "main" })).runtimeVariables,
        "RuntimeEnvironment",
      ).environmentName,
    ).toBe("production");
    const resolved = expectType(
      (await sdk.resolveBranch({ project: "rt-staging", branch: "staging" })).resolveBranch,
      "BranchResolution",
    );
    expect(resolved).toMatchObject({ matchedBy: "EXPLICIT", environment: { name: "staging" } });
  });

  it("reports an unknown branch as NotFoundError", async () => {
    await seedProject("rt-unknown");
    const { client: runtime } = await serviceToken(server, "rt-unknown", ["RUNTIME"]);
    const err = expectType(
      (await runtime.runtimeVariables({ project: "rt-unknown", branch: "no-such-branch" })).runtimeVariables,
      "NotFoundError",
    );
    expect(err.resource).toBe("ProjectBranch");
    expect(err.message).toContain('"no-such-branch"');
  });
});
