import { describe, expect, it } from "vitest";
import { expectType } from "../support/expect.js";
import { createBranch, setVariable, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

describe("a project's lifecycle through the SDK", () => {
  let server: TestServer;
  useTestServer((started) => (server = started), { listen: true });

  it("creates the defaults, stores values and resolves them per branch", async () => {
    const sdk = server.owner;
    const created = expectType((await sdk.createProject({ input: { slug: "shop" } })).createProject, "ProjectPayload");
    expect(created.project.environments.map((e) => [e.name, e.isDefault, e.isProtected])).toEqual([
      ["development", true, false],
      ["preview", true, false],
      ["production", true, true],
    ]);
    expect(created.project.branches.map((b) => b.name)).toEqual(["dev", "main"]);
    expect(created.project.mapping.map((m) => [m.environment.name, m.branch])).toEqual([
      ["production", "main"],
      ["preview", "*"],
    ]);

    await setVariable(sdk, {
      project: "shop",
      environment: "preview",
      key: "API_URL",
      value: "https://preview.example.com",
    });
    await createBranch(sdk, "shop", "feature-x");
    await setVariable(sdk, {
      project: "shop",
      environment: "preview",
      key: "API_URL",
      value: "https://feature-x.example.com",
      branch: "feature-x",
    });
    const pulled = expectType(
      (await sdk.pullVariables({ project: "shop", environment: "preview", branch: "feature-x" })).pullVariables,
      "PulledEnvironment",
    );
    expect(pulled.variables).toEqual([{ key: "API_URL", value: "https://feature-x.example.com", fromOverride: true }]);
    const base = expectType(
      (await sdk.pullVariables({ project: "shop", environment: "preview", branch: "dev" })).pullVariables,
      "PulledEnvironment",
    );
    expect(base.variables[0].value).toBe("https://preview.example.com");
  });
});
