import { describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "../support/cli.js";
import { createProject, setVariable, userWithRole, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((started) => (server = started), { listen: true });

/** A folder initialized and linked to `slug` (no local variables, so link asks nothing). */
async function linkedSandbox(slug: string, token?: string): Promise<Sandbox> {
  const box = await createSandbox(server, { token });
  expect((await box.run(["init"])).code).toBe(0);
  const linked = await box.run(["link", slug]);
  expect(linked, linked.stderr).toMatchObject({ code: 0 });
  return box;
}

describe("envplane init and link", () => {
  it("init creates envplane/config.json, an empty .env and a .gitignore covering .env*; a second run changes nothing", async () => {
    const box = await createSandbox(server, { auth: "none" });
    const r = await box.run(["init"]);
    expect(r).toMatchObject({
      code: 0,
      stdout: "✓ Created envplane/config.json, envplane/.env, envplane/.gitignore.\n",
    });
    expect(JSON.parse(box.read("envplane/config.json"))).toEqual({
      environments: { production: "main", preview: "*" },
    });
    expect(box.read("envplane/.env")).toBe("");
    expect(box.read("envplane/.gitignore")).toBe(".env*\n");
    box.write("envplane/.env", "KEEP=me\n");
    box.write("sub/.keep", "");
    const nested = await box.run(["init"], { cwd: `${box.dir}/sub` });
    expect(nested.code).toBe(1);
    expect(nested.stderr).toBe(
      `Error: This folder is inside the envplane project at ${box.dir}; its commands already work here. ` +
        `Pass --here to start a separate envplane/ in this folder anyway.\n`,
    );
    expect(box.exists("sub/envplane")).toBe(false);
    expect((await box.run(["init", "--here"], { cwd: `${box.dir}/sub` })).code).toBe(0);
    expect(box.exists("sub/envplane/config.json")).toBe(true);
    const again = await box.run(["init"]);
    expect(again).toMatchObject({
      code: 0,
      stdout: "",
      stderr: "envplane/ is already set up here: nothing changed.\n",
    });
    expect(box.read("envplane/.env")).toBe("KEEP=me\n");
  });

  it("link writes the project and the server's mapping into config.json; commands find it from subfolders", async () => {
    await createProject(server.owner, "cli-link");
    const box = await linkedSandbox("cli-link");
    expect(JSON.parse(box.read("envplane/config.json"))).toEqual({
      project: "cli-link",
      environments: { production: "main", preview: "*" },
    });
    box.write("src/deep/.keep", "");
    const list = await box.run(["branch", "list"], { cwd: `${box.dir}/src/deep` });
    expect(list.code).toBe(0);
    expect(list.stdout).toBe(
      "BRANCH  ENVIRONMENT  MATCHED BY\ndev     preview      wildcard\nmain    production   explicit\n",
    );

    await createProject(server.owner, "cli-link-2");
    const relinked = await box.run(["link", "cli-link-2"]);
    expect(relinked).toMatchObject({
      code: 0,
      stdout: "✓ Linked to project cli-link-2.\n",
      stderr: "This folder was linked to cli-link; it is now linked to cli-link-2.\n",
    });
    expect(JSON.parse(box.read("envplane/config.json")).project).toBe("cli-link-2");
  });

  it("link to a project the token cannot see fails and leaves config.json alone; a non-TTY link without <project> exits 2", async () => {
    const box = await createSandbox(server);
    await box.run(["init"]);
    const before = box.read("envplane/config.json");
    const r = await box.run(["link", "no-such-project"]);
    expect(r).toMatchObject({ code: 1 });
    expect(r.stderr).toBe(
      'Error: Project "no-such-project" not found, or your token cannot access it. Run "envplane projects list" to see yours.\n',
    );
    expect(box.read("envplane/config.json")).toBe(before);
    const missing = await box.run(["link"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Missing <project>");
  });
});

describe("envplane projects", () => {
  it("create and list, with --json; a taken slug and a bad slug are clear errors", async () => {
    const box = await createSandbox(server);
    const created = await box.run(["projects", "create", "cli-proj"]);
    expect(created.code).toBe(0);
    expect(created.stdout).toBe(
      "✓ Created project cli-proj: branches dev, main; environments development, preview, production.\n",
    );
    const list = await box.run(["projects", "list", "--json"]);
    expect(JSON.parse(list.stdout).map((p: { slug: string }) => p.slug)).toContain("cli-proj");
    const table = await box.run(["projects", "list"]);
    expect(table.stdout).toMatch(/^SLUG +NAME +ROLE +ENVIRONMENTS\n/);
    expect(table.stdout).toMatch(/\ncli-proj +cli-proj +owner +development, preview, production\n/);
    const taken = await box.run(["projects", "create", "cli-proj"]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/^Error: .*cli-proj.*\n$/);
    const bad = await box.run(["projects", "create", "Bad Slug"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Project slugs use lower-case letters, digits and -");
    // The error names what was typed, not only the field.
    expect(bad.stderr).toMatch(/^Error: slug "Bad Slug": /);
    const badKey = await (await linkedSandbox("cli-proj")).run(["env", "set", "1BAD", "x"]);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/^Error: key "1BAD": Variable key may contain only letters, digits and _/);
  });
});

describe("envplane branch", () => {
  it("create, list and delete; delete asks for --yes without a TTY; main cannot be deleted", async () => {
    await createProject(server.owner, "cli-branch");
    const box = await linkedSandbox("cli-branch");
    const created = await box.run(["branch", "create", "feature-x"]);
    expect(created).toMatchObject({
      code: 0,
      stdout: '✓ Created project branch feature-x in cli-branch; it deploys with "preview".\n',
    });
    const listed = JSON.parse((await box.run(["branch", "list", "--json"])).stdout);
    expect(listed.map((b: { name: string; environment: string }) => [b.name, b.environment])).toEqual([
      ["dev", "preview"],
      ["feature-x", "preview"],
      ["main", "production"],
    ]);
    await setVariable(server.owner, { project: "cli-branch", environment: "preview", key: "API_URL", value: "base" });
    await setVariable(server.owner, {
      project: "cli-branch",
      environment: "preview",
      key: "API_URL",
      value: "x",
      branch: "feature-x",
    });

    const unconfirmed = await box.run(["branch", "delete", "feature-x"]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toBe(
      'Error: Deleting project branch "feature-x" removes its overrides. Re-run with --yes to confirm.\n',
    );
    const deleted = await box.run(["branch", "delete", "feature-x", "--yes"]);
    expect(deleted).toMatchObject({ code: 0, stdout: "✓ Deleted project branch feature-x (1 override removed).\n" });
    const main = await box.run(["branch", "delete", "main", "--yes"]);
    expect(main.code).toBe(1);
    expect(main.stderr).toBe('Error: "main" is the production branch and cannot be deleted.\n');
    expect((await server.owner.project({ slug: "cli-branch" })).project!.branches.map((b) => b.name)).toEqual([
      "dev",
      "main",
    ]);
  });
});

describe("envplane mapping", () => {
  it("set edits config.json's environments block and the server's mapping together; show prints it; unset removes an entry", async () => {
    await createProject(server.owner, "cli-map");
    const box = await linkedSandbox("cli-map");
    expect((await box.run(["env", "create", "staging"])).code).toBe(0);
    const set = await box.run(["mapping", "set", "staging", "staging"]);
    expect(set.code).toBe(0);
    expect(set.stdout).toBe(
      "✓ Branch mapping of cli-map updated (server and envplane/config.json):\n  main → production\n" +
        '  staging → staging\n  "*" (every other branch) → preview\n',
    );
    expect(JSON.parse(box.read("envplane/config.json")).environments).toEqual({
      production: "main",
      staging: "staging",
      preview: "*",
    });
    const server_ = (await server.owner.project({ slug: "cli-map" })).project!.mapping.map((m) => [
      m.branch,
      m.environment.name,
    ]);
    expect(server_).toEqual([
      ["main", "production"],
      ["staging", "staging"],
      ["*", "preview"],
    ]);
    const shown = await box.run(["mapping", "show"]);
    expect(shown).toMatchObject({ code: 0, stderr: "" });
    expect(shown.stdout).toContain("  staging → staging\n");
    expect(JSON.parse((await box.run(["mapping", "show", "--json"])).stdout)).toEqual([
      { branch: "main", environment: "production" },
      { branch: "staging", environment: "staging" },
      { branch: "*", environment: "preview" },
    ]);

    const invalid = await box.run(["mapping", "set", "development", "dev"]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("development is for local execution only");
    expect(JSON.parse(box.read("envplane/config.json")).environments).toEqual({
      production: "main",
      staging: "staging",
      preview: "*",
    });

    const wildcard = await box.run(["mapping", "set", "staging", "*"]);
    expect(wildcard.code).toBe(0);
    expect(wildcard.stderr).toBe(
      'No longer in the mapping:\n  staging → staging\n  "*" (every other branch) → preview\n',
    );
    expect(JSON.parse(box.read("envplane/config.json")).environments).toEqual({ production: "main", staging: "*" });
    expect((await box.run(["mapping", "set", "preview", "*"])).code).toBe(0);
    expect((await box.run(["mapping", "set", "staging", "staging"])).code).toBe(0);

    const unset = await box.run(["mapping", "unset", "staging"]);
    expect(unset.code).toBe(0);
    expect(JSON.parse(box.read("envplane/config.json")).environments).toEqual({ production: "main", preview: "*" });
  });

  it("a hand-edited config.json block is reported by show and applied by set --from-config", async () => {
    await createProject(server.owner, "cli-map-file");
    const box = await linkedSandbox("cli-map-file");
    await box.run(["env", "create", "qa"]);
    const config = JSON.parse(box.read("envplane/config.json"));
    box.write(
      "envplane/config.json",
      JSON.stringify({ ...config, environments: { production: "main", qa: ["qa", "qa-2"], preview: "*" } }),
    );
    const shown = await box.run(["mapping", "show"]);
    expect(shown.stderr).toContain(
      'Warning: The "environments" block of envplane/config.json differs from the server\'s mapping.',
    );
    const applied = await box.run(["mapping", "set", "--from-config"]);
    expect(applied.code).toBe(0);
    const mapping = (await server.owner.project({ slug: "cli-map-file" })).project!.mapping.map((m) => [
      m.branch,
      m.environment.name,
    ]);
    expect(mapping).toEqual([
      ["main", "production"],
      ["qa", "qa"],
      ["qa-2", "qa"],
      ["*", "preview"],
    ]);
    expect((await box.run(["mapping", "show"])).stderr).toBe("");
  });
});

describe("envplane tokens", () => {
  it("create prints the token once on stdout (usable at once), list never shows it, revoke stops it", async () => {
    await createProject(server.owner, "cli-tokens");
    const box = await linkedSandbox("cli-tokens");
    const created = await box.run([
      "tokens",
      "create",
      "--name",
      "ci-preview",
      "--env",
      "preview",
      "--permission",
      "read",
      "--permission",
      "runtime",
    ]);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^envp_svc_[A-Za-z0-9]+$/);
    expect(created.stderr).toContain('Created service token "ci-preview"');
    expect(created.stderr).toContain("read, runtime on preview");
    const runtime = await server.client(token).runtimeVariables({ project: "cli-tokens", branch: "dev" });
    expect(runtime.runtimeVariables.__typename).toBe("RuntimeEnvironment");

    const list = await box.run(["tokens", "list"]);
    expect(list.stdout).not.toContain(token);
    expect(list.stdout).toMatch(/ci-preview +envp_svc_…\w{4} +read,runtime +preview +\S+ +active/);
    const [entry] = JSON.parse((await box.run(["tokens", "list", "--json"])).stdout);
    const revoked = await box.run(["tokens", "revoke", entry.id, "--yes"]);
    expect(revoked).toMatchObject({ code: 0 });
    expect(revoked.stdout).toContain('✓ Revoked token "ci-preview"');
    await expect(server.client(token).runtimeVariables({ project: "cli-tokens", branch: "dev" })).rejects.toThrow();

    for (const [duration, code] of [
      ["0m", 2],
      ["99999999999d", 2],
      ["soon", 2],
    ] as const) {
      const r = await box.run(["tokens", "create", "--name", "x", "--expires-in", duration]);
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toContain(`--expires-in "${duration}"`);
    }
    const bad = await box.run(["tokens", "create", "--name", "x", "--permission", "admin"]);
    expect(bad).toMatchObject({ code: 2, stderr: 'Error: --permission "admin" is not one of read, write, runtime.\n' });
    expect((await box.run(["tokens", "create"])).code).toBe(2);
  });

  it("a developer cannot create tokens: the server's refusal is shown, exit 1", async () => {
    await createProject(server.owner, "cli-tokens-dev");
    const { token } = await userWithRole(server, "cli-tokens-dev", "DEVELOPER");
    const box = await linkedSandbox("cli-tokens-dev", token);
    const r = await box.run(["tokens", "create", "--name", "nope"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: .+\n$/);
    expect((await server.owner.projectTokens({ slug: "cli-tokens-dev" })).project!.tokens.nodes).toEqual([]);
  });
});
