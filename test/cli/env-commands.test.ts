/**
 * `envplane env …` with piped stdin (never a TTY) against a real server: what each command
 * prints, its exit code, the files it writes, and the server state read back through the SDK
 * (secrets through a runtime service token, the only way to see their values).
 */
import fs from "node:fs";
import path from "node:path";
import { parse } from "dotenv";
import { describe, expect, it } from "vitest";
import { createSandbox } from "../support/cli.js";
import { expectType } from "../support/expect.js";
import {
  bulk,
  createProject,
  listValues,
  readEnvironment,
  runtimeValues,
  serviceToken,
  setVariable,
  useTestServer,
} from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((s) => (server = s), { listen: true });

const NOT_LINKED = 'Error: No linked project. Run "envplane link" first.\n';

/** A sandbox whose envplane/config.json links `slug` (what `envplane link` writes). */
async function revision(slug: string, environment: string): Promise<number> {
  return (await readEnvironment(server.owner, slug, environment)).revision;
}

describe("an unlinked folder", () => {
  it("every platform command fails with the link hint and exit 1; link fixes it", async () => {
    await createProject(server.owner, "env-unlinked");
    const box = await createSandbox(server);
    expect((await box.run(["init"])).code).toBe(0);
    const commands = [
      ["env", "pull"],
      ["env", "push"],
      ["env", "set", "API_URL", "http://x"],
      ["env", "unset", "API_URL"],
      ["env", "list"],
      ["env", "list-environments"],
      ["env", "create", "qa"],
      ["env", "delete", "qa"],
      ["env", "seed", "preview", "--from", "development"],
    ];
    const results = await Promise.all(commands.map((args) => box.run(args)));
    // Without any envplane/ folder at all, pull names the link too (it comes first).
    const bare = await createSandbox(server);
    expect(await bare.run(["env", "pull"])).toEqual({ code: 1, stdout: "", stderr: NOT_LINKED });
    for (const [i, r] of results.entries())
      expect({ command: commands[i].join(" "), ...r }).toEqual({
        command: commands[i].join(" "),
        code: 1,
        stdout: "",
        stderr: NOT_LINKED,
      });
    expect(box.read("envplane/.env")).toBe("");
    expect(await revision("env-unlinked", "development")).toBe(0);

    const link = await box.run(["link", "env-unlinked", "--no-push"]);
    expect(link).toMatchObject({ code: 0, stdout: "✓ Linked to project env-unlinked.\n" });
    expect(JSON.parse(box.read("envplane/config.json"))).toMatchObject({ project: "env-unlinked" });
    const list = await box.run(["env", "list"]);
    expect(list).toEqual({ code: 0, stdout: "development environment:\n\n(no variables)\n", stderr: "" });
  });
});

describe("link --push", () => {
  it("keeps the file's key order, notes and blank lines, as env push does", async () => {
    const slug = "env-link-order";
    await createProject(server.owner, slug);
    const box = await createSandbox(server);
    const file = "ZED=1\nALPHA=2\n\n# the middle one\nMID=3\n";
    box.write("envplane/.env", file);
    const link = await box.run(["link", slug, "--push"]);
    expect(link.code, link.stderr).toBe(0);
    box.write("envplane/.env", "");
    const pull = await box.run(["env", "pull"]);
    expect(pull.code, pull.stderr).toBe(0);
    expect(box.read("envplane/.env")).toContain(file);
  });
});

describe("env list-environments / create / delete / seed", () => {
  it("lists, creates from another environment, refuses duplicates and default deletions, deletes with --yes", async () => {
    const slug = "env-envs";
    await createProject(server.owner, slug, { branches: ["feature-x"] });
    await bulk(server.owner, {
      project: slug,
      environment: "preview",
      variables: [
        { key: "API_URL", value: "https://preview.example.com" },
        { key: "STRIPE_KEY", value: "sk_preview_1", secret: true },
      ],
    });
    await setVariable(server.owner, { project: slug, environment: "development", key: "DEBUG", value: "1" });
    const box = await createSandbox(server, { link: slug });

    const table = await box.run(["env", "list-environments"]);
    expect(table).toEqual({
      code: 0,
      stderr: "",
      stdout: [
        "NAME         VARIABLES  BRANCHES               NOTES",
        "development  1          (local: envplane dev)  default",
        "preview      2          *                      default",
        "production   0          main                   default, protected",
        "",
      ].join("\n"),
    });

    const created = await box.run(["env", "create", "staging", "--from", "preview"]);
    expect(created).toEqual({ code: 0, stdout: '✓ Created "staging" with 2 variables.\n', stderr: "" });
    expect((await listValues(server.owner, slug, "staging")).values).toEqual({
      API_URL: { value: "https://preview.example.com", isSecret: false },
      STRIPE_KEY: { value: null, isSecret: true },
    });
    // The secret was copied with its value: a branch mapped to staging gets it at runtime.
    expectType(
      (
        await server.owner.updateBranchMapping({
          input: {
            project: slug,
            entries: [
              { environment: "staging", branch: "feature-x" },
              { environment: "production", branch: "main" },
              { environment: "preview", branch: "*" },
            ],
          },
        })
      ).updateBranchMapping,
      "UpdateBranchMappingPayload",
    );
    expect(await runtimeValues(server, slug, "feature-x")).toEqual({
      environment: "staging",
      values: {
        API_URL: { value: "https://preview.example.com", isSecret: false },
        STRIPE_KEY: { value: "sk_preview_1", isSecret: true },
      },
    });

    const json = await box.run(["env", "list-environments", "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      { name: "development", variables: 1, isDefault: true, isProtected: false, revision: 1, branches: [] },
      { name: "preview", variables: 2, isDefault: true, isProtected: false, revision: 1, branches: ["*"] },
      { name: "production", variables: 0, isDefault: true, isProtected: true, revision: 0, branches: ["main"] },
      {
        name: "staging",
        variables: 2,
        isDefault: false,
        isProtected: false,
        revision: expect.any(Number),
        branches: ["feature-x"],
      },
    ]);

    const duplicate = await box.run(["env", "create", "staging"]);
    expect(duplicate).toEqual({
      code: 1,
      stdout: "",
      stderr:
        `Error: Environment "staging" already exists in project "${slug}". ` +
        `Use "envplane env seed staging --from <env>" to fill it.\n`,
    });

    const unconfirmed = await box.run(["env", "delete", "staging"]);
    expect(unconfirmed).toEqual({
      code: 2,
      stdout: "",
      stderr: 'Error: Deleting environment "staging" deletes its variables. Re-run with --yes to confirm.\n',
    });
    expect((await listValues(server.owner, slug, "staging")).values).toHaveProperty("API_URL");

    const defaultEnv = await box.run(["env", "delete", "preview", "--yes"]);
    expect(defaultEnv.code).toBe(1);
    expect(defaultEnv.stdout).toBe("");
    expect(defaultEnv.stderr).toMatch(
      /^Error: "preview" is a default environment and cannot be deleted \(development, preview and production always exist\)\. Only custom environments can be deleted\.\n/,
    );
    expect((await listValues(server.owner, slug, "preview")).values).toHaveProperty("API_URL");

    const deleted = await box.run(["env", "delete", "staging", "--yes"]);
    expect(deleted).toEqual({
      code: 0,
      stdout: '✓ Deleted environment "staging".\n',
      stderr: "Branches no longer mapped to it: feature-x (they now follow the wildcard).\n",
    });
    const after = await server.owner.project({ slug });
    expect(after.project?.environments.map((e) => e.name)).toEqual(["development", "preview", "production"]);
  }, 60_000);

  it("env seed copies everything, secrets included; --interactive without a terminal is a usage error", async () => {
    const slug = "env-seed";
    await createProject(server.owner, slug);
    await bulk(server.owner, {
      project: slug,
      environment: "preview",
      variables: [
        { key: "API_URL", value: "https://preview.example.com" },
        { key: "STRIPE_KEY", value: "sk_preview_seed", secret: true },
      ],
    });
    const box = await createSandbox(server, { link: slug });

    const interactive = await box.run(["env", "seed", "production", "--from", "preview", "--interactive"]);
    expect(interactive).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "Error: --interactive needs a terminal to ask on. Without it, every variable is copied as-is (secrets " +
        "included) and you can change them afterwards with envplane env set.\n",
    });
    expect(await revision(slug, "production")).toBe(0);

    const seeded = await box.run(["env", "seed", "production", "--from", "preview"]);
    // Changed by design (issue 12): the diff against the target comes first, and a seed says "Seeded".
    expect(seeded).toEqual({
      code: 0,
      stdout: [
        'Seeding "production" from "preview":',
        "",
        '+ API_URL = "https://preview.example.com" (add)',
        "+ STRIPE_KEY = [secret] (add)",
        "",
        '✓ Seeded "production" with 2 variables.',
        "",
      ].join("\n"),
      stderr: "",
    });
    expect((await listValues(server.owner, slug, "production")).values).toEqual({
      API_URL: { value: "https://preview.example.com", isSecret: false },
      STRIPE_KEY: { value: null, isSecret: true },
    });
    expect(await runtimeValues(server, slug, "main")).toEqual({
      environment: "production",
      values: {
        API_URL: { value: "https://preview.example.com", isSecret: false },
        STRIPE_KEY: { value: "sk_preview_seed", isSecret: true },
      },
    });

    const missingFrom = await box.run(["env", "seed", "production"]);
    expect(missingFrom).toMatchObject({
      code: 2,
      stderr:
        'Error: Missing --from <env>: which environment to copy into "production", e.g. envplane env seed production --from preview.\n',
    });
  }, 60_000);
});

describe("env set / unset", () => {
  it("sets standard values, secrets, branch overrides and values from stdin; refuses type flips; unsets", async () => {
    const slug = "env-set";
    await createProject(server.owner, slug, { branches: ["feature-x"] });
    const box = await createSandbox(server, { link: slug });

    const plain = await box.run(["env", "set", "API_URL", "http://localhost:3000"]);
    expect(plain).toEqual({ code: 0, stdout: '✓ Added API_URL in "development" (revision 1).\n', stderr: "" });
    const secret = await box.run(["env", "set", "STRIPE_KEY", "sk_test_1", "--secret", "--env", "preview"]);
    expect(secret).toEqual({ code: 0, stdout: '✓ Added STRIPE_KEY in "preview" (secret) (revision 1).\n', stderr: "" });
    const base = await box.run(["env", "set", "API_URL", "https://preview.example.com", "--env", "preview"]);
    expect(base).toMatchObject({ code: 0, stdout: '✓ Added API_URL in "preview" (revision 2).\n' });
    const override = await box.run([
      "env",
      "set",
      "API_URL",
      "https://feature-x.example.com",
      "--env",
      "preview",
      "--branch",
      "feature-x",
    ]);
    expect(override).toEqual({
      code: 0,
      stdout: '✓ Added override of API_URL for project branch feature-x in "preview" (revision 3).\n',
      stderr: "",
    });
    const fromStdin = await box.run(["env", "set", "PRIVATE_KEY", "-", "--env", "preview"], {
      input: "-----BEGIN KEY-----\nabc\n-----END KEY-----\n",
    });
    expect(fromStdin).toMatchObject({ code: 0, stdout: '✓ Added PRIVATE_KEY in "preview" (revision 4).\n' });

    expect((await listValues(server.owner, slug, "development")).values).toEqual({
      API_URL: { value: "http://localhost:3000", isSecret: false },
    });
    expect((await listValues(server.owner, slug, "preview")).values).toEqual({
      API_URL: { value: "https://preview.example.com", isSecret: false },
      PRIVATE_KEY: { value: "-----BEGIN KEY-----\nabc\n-----END KEY-----", isSecret: false },
      STRIPE_KEY: { value: null, isSecret: true },
    });
    const rt = await runtimeValues(server, slug, "feature-x");
    expect(rt.values.API_URL).toEqual({ value: "https://feature-x.example.com", isSecret: false });
    expect(rt.values.STRIPE_KEY).toEqual({ value: "sk_test_1", isSecret: true });
    expect((await runtimeValues(server, slug, "dev")).values.API_URL.value).toBe("https://preview.example.com");

    // A standard variable cannot become a secret: the server refuses and nothing changes.
    const flip = await box.run(["env", "set", "API_URL", "https://other.example.com", "--env", "preview", "--secret"]);
    expect(flip).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'Error: "API_URL" is a standard variable; the secret flag is set at creation and cannot be changed. ' +
        'Delete it with "envplane env unset API_URL --env preview" and set it again with --secret.\n',
    });
    expect(await revision(slug, "preview")).toBe(4);
    // Without --secret an existing secret keeps its type (never turned readable) and says so.
    const rotate = await box.run(["env", "set", "STRIPE_KEY", "-", "--env", "preview"], { input: "sk_test_2\n" });
    expect(rotate).toEqual({
      code: 0,
      stdout: '✓ Updated STRIPE_KEY in "preview" (secret) (revision 5).\n',
      stderr: "",
    });
    expect((await runtimeValues(server, slug, "dev")).values.STRIPE_KEY).toEqual({
      value: "sk_test_2",
      isSecret: true,
    });

    const unsetOverride = await box.run(["env", "unset", "API_URL", "--env", "preview", "--branch", "feature-x"]);
    expect(unsetOverride).toEqual({
      code: 0,
      stdout:
        '✓ Removed the override of API_URL for project branch feature-x in "preview" (revision 6); the base value stays.\n',
      stderr: "",
    });
    expect(await revision(slug, "preview")).toBe(6);
    expect((await runtimeValues(server, slug, "feature-x")).values.API_URL.value).toBe("https://preview.example.com");

    const noOverride = await box.run(["env", "unset", "API_URL", "--env", "preview", "--branch", "feature-x"]);
    expect(noOverride).toEqual({
      code: 0,
      stdout: "",
      stderr: 'No override of API_URL for feature-x in "preview": nothing to remove.\n',
    });
    const unsetBase = await box.run(["env", "unset", "API_URL", "--env", "preview"]);
    expect(unsetBase).toEqual({ code: 0, stdout: '✓ Removed API_URL from "preview" (revision 7).\n', stderr: "" });
    expect(await revision(slug, "preview")).toBe(7);
    const missing = await box.run(["env", "unset", "NOPE"]);
    expect(missing).toEqual({ code: 0, stdout: "", stderr: 'NOPE is not set in "development": nothing to remove.\n' });
    const unknownEnv = await box.run(["env", "unset", "PRIVATE_KEY", "--env", "nope"]);
    expect(unknownEnv.code).toBe(1);
    expect(unknownEnv.stdout).toBe("");
    expect(unknownEnv.stderr).toMatch(/^Error: .*"nope".*\n$/);
    expect(Object.keys((await listValues(server.owner, slug, "preview")).values)).toEqual([
      "PRIVATE_KEY",
      "STRIPE_KEY",
    ]);
    expect(await revision(slug, "development")).toBe(1);
  }, 60_000);

  it("unsetting a base value removes its overrides too and says how many", async () => {
    const slug = "env-unset-all";
    await createProject(server.owner, slug, { branches: ["feature-x", "feature-y"] });
    await setVariable(server.owner, {
      project: slug,
      environment: "preview",
      key: "API_URL",
      value: "https://preview.example.com",
    });
    for (const branch of ["feature-x", "feature-y"])
      await setVariable(server.owner, {
        project: slug,
        environment: "preview",
        key: "API_URL",
        value: `https://${branch}.example.com`,
        branch,
      });
    const box = await createSandbox(server, { link: slug });
    const r = await box.run(["env", "unset", "API_URL", "--env", "preview"]);
    expect(r).toEqual({
      code: 0,
      stdout: '✓ Removed API_URL from "preview" with 2 overrides (revision 4).\n',
      stderr: "",
    });
    expect((await runtimeValues(server, slug, "feature-x")).values).toEqual({});
  });
});

describe("values that look like options", () => {
  it('a value starting with "-" goes after "--"; without it the error says so; --file "" is a usage error', async () => {
    const slug = "env-dash";
    await createProject(server.owner, slug);
    const box = await createSandbox(server, { link: slug });
    const refused = await box.run(["env", "set", "OFFSET", "-5"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'If it is a value, not an option, put "--" before it (e.g. envplane env set OFFSET -- -5).',
    );
    expect(await box.run(["env", "set", "OFFSET", "--", "-5"])).toMatchObject({ code: 0 });
    expect(await box.run(["env", "set", "PEM", "--env", "preview", "--", "-----BEGIN KEY-----"])).toMatchObject({
      code: 0,
    });
    expect((await listValues(server.owner, slug, "development")).values.OFFSET).toEqual({
      value: "-5",
      isSecret: false,
    });
    expect((await listValues(server.owner, slug, "preview")).values.PEM).toEqual({
      value: "-----BEGIN KEY-----",
      isSecret: false,
    });
    expect(await box.run(["env", "push", "--file", ""])).toEqual({
      code: 2,
      stdout: "",
      stderr: "Error: --file needs a path, e.g. --file .env.staging.\n",
    });
  });
});

describe("env list", () => {
  it("--values prints the spec's layout: base values, overrides nested under them, secrets as [secret]; --json", async () => {
    const slug = "env-list";
    await createProject(server.owner, slug, { branches: ["feature-x", "feature-y"] });
    await bulk(server.owner, {
      project: slug,
      environment: "preview",
      variables: [
        { key: "API_URL", value: "https://preview.example.com" },
        { key: "DATABASE_URL", value: "postgres://preview-db:5432/app" },
        { key: "MULTI", value: 'two\nlines "quoted"' },
        { key: "STRIPE_KEY", value: "sk_preview_list", secret: true },
      ],
    });
    await setVariable(server.owner, {
      project: slug,
      environment: "preview",
      key: "API_URL",
      value: "https://feature-x.example.com",
      branch: "feature-x",
    });
    await setVariable(server.owner, {
      project: slug,
      environment: "preview",
      key: "API_URL",
      value: "https://feature-y.example.com",
      branch: "feature-y",
    });
    await setVariable(server.owner, {
      project: slug,
      environment: "preview",
      key: "STRIPE_KEY",
      value: "sk_fx_list",
      branch: "feature-x",
    });
    const box = await createSandbox(server, { link: slug });

    const text = await box.run(["env", "list", "--env", "preview", "--values"]);
    expect(text).toEqual({
      code: 0,
      stderr: "",
      stdout: [
        "preview environment:",
        "",
        'API_URL = "https://preview.example.com"',
        '└─ feature-x = "https://feature-x.example.com"',
        '└─ feature-y = "https://feature-y.example.com"',
        'DATABASE_URL = "postgres://preview-db:5432/app"',
        'MULTI = "two\\nlines \\"quoted\\""',
        "STRIPE_KEY = [secret]",
        "└─ feature-x = [secret]",
        "",
      ].join("\n"),
    });
    expect(text.stdout).not.toContain("sk_");

    const json = await box.run(["env", "list", "--env", "preview", "--values", "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      {
        key: "API_URL",
        isSecret: false,
        value: "https://preview.example.com",
        overrides: [
          { branch: "feature-x", value: "https://feature-x.example.com" },
          { branch: "feature-y", value: "https://feature-y.example.com" },
        ],
      },
      { key: "DATABASE_URL", isSecret: false, value: "postgres://preview-db:5432/app", overrides: [] },
      { key: "MULTI", isSecret: false, value: 'two\nlines "quoted"', overrides: [] },
      { key: "STRIPE_KEY", isSecret: true, value: null, overrides: [{ branch: "feature-x", value: null }] },
    ]);
    expect(json.stdout).not.toContain("sk_");

    const unknown = await box.run(["env", "list", "--env", "nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^Error: .*"nope".*\n$/);
  });

  it("lists every variable of an environment larger than one page (the server gives at most 500)", async () => {
    const slug = "env-list-pages";
    await createProject(server.owner, slug);
    const keys = Array.from({ length: 1201 }, (_, i) => `K_${String(i).padStart(4, "0")}`);
    await bulk(server.owner, {
      project: slug,
      environment: "development",
      variables: keys.map((key) => ({ key, value: key.toLowerCase() })),
    });
    const box = await createSandbox(server, { link: slug });
    const json = await box.run(["env", "list", "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).map((v: { key: string }) => v.key)).toEqual(keys);
    // push compares against all of them: nothing to change
    box.write("envplane/.env", keys.map((key) => `${key}=${key.toLowerCase()}`).join("\n"));
    const push = await box.run(["env", "push", "--yes"]);
    expect(push.code).toBe(0);
    expect(push.stdout + push.stderr).toMatch(/Nothing to push: every value in .* already matches "development"/);
  });

  it("--env defaults to development; ENVPLANE_BRANCH picks the environment its project branch maps to", async () => {
    const slug = "env-default";
    await createProject(server.owner, slug, { branches: ["feature-x"] });
    await setVariable(server.owner, {
      project: slug,
      environment: "development",
      key: "API_URL",
      value: "http://localhost:3000",
    });
    await setVariable(server.owner, {
      project: slug,
      environment: "preview",
      key: "API_URL",
      value: "https://preview.example.com",
    });
    await setVariable(server.owner, {
      project: slug,
      environment: "preview",
      key: "API_URL",
      value: "https://feature-x.example.com",
      branch: "feature-x",
    });
    const box = await createSandbox(server, { link: slug });

    const [dev, deployed, unknown] = await Promise.all([
      box.run(["env", "list", "--values"]),
      box.run(["env", "list", "--values"], { env: { ENVPLANE_BRANCH: "feature-x" } }),
      box.run(["env", "list", "--values"], { env: { ENVPLANE_BRANCH: "no-such-branch" } }),
    ]);
    expect(dev).toEqual({
      code: 0,
      stdout: 'development environment:\n\nAPI_URL = "http://localhost:3000"\n',
      stderr: "",
    });
    expect(deployed).toEqual({
      code: 0,
      stdout:
        'preview environment:\n\nAPI_URL = "https://preview.example.com"\n└─ feature-x = "https://feature-x.example.com"\n',
      stderr: "",
    });
    // Changed by design (issue 12): a typo in ENVPLANE_BRANCH is an error, not a silent fall-back to development.
    expect(unknown).toEqual({
      code: 1,
      stdout: "",
      stderr: `Error: ENVPLANE_BRANCH is "no-such-branch", which is not a project branch of "${slug}", so there is no environment to use. Fix ENVPLANE_BRANCH (see "envplane branch list"), or pass --env to choose the environment.\n`,
    });

    // Writes follow the same default, and pull resolves that branch's overrides.
    const set = await box.run(["env", "set", "FLAG", "on"], { env: { ENVPLANE_BRANCH: "feature-x" } });
    expect(set).toMatchObject({ code: 0, stdout: '✓ Added FLAG in "preview" (revision 3).\n' });
    expect((await listValues(server.owner, slug, "preview")).values).toHaveProperty("FLAG", {
      value: "on",
      isSecret: false,
    });
    expect((await listValues(server.owner, slug, "development")).values).not.toHaveProperty("FLAG");
    const pull = await box.run(["env", "pull"], { env: { ENVPLANE_BRANCH: "feature-x" } });
    expect(pull).toEqual({
      code: 0,
      stdout: '✓ Pulled 2 variables from "preview" for project branch feature-x into envplane/.env.\n',
      stderr: "",
    });
    expect(box.read("envplane/.env")).toBe(
      '# Pulled from "preview" environment (project branch feature-x)\n\n# User variables\n' +
        "API_URL=https://feature-x.example.com\nFLAG=on\n",
    );
    // --env wins over ENVPLANE_BRANCH.
    const explicit = await box.run(["env", "list", "--env", "development", "--values"], {
      env: { ENVPLANE_BRANCH: "feature-x" },
    });
    expect(explicit.stdout).toBe('development environment:\n\nAPI_URL = "http://localhost:3000"\n');
  }, 60_000);
});

describe("env pull", () => {
  it("writes the spec's file format, replaces the file entirely with mode 0600, and reports on stdout", async () => {
    const slug = "env-pull";
    await createProject(server.owner, slug, { branches: ["feature-x"] });
    await bulk(server.owner, {
      project: slug,
      environment: "development",
      variables: [
        { key: "API_URL", value: "http://localhost:3000" },
        { key: "DATABASE_URL", value: "postgres://localhost:5432/app" },
        { key: "ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID", value: "1234567890.apps.googleusercontent.com" },
        { key: "ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET", value: "GOCSPX-pull", secret: true },
        { key: "FEATURE_FLAG_V2", value: "true" },
        { key: "STRIPE_KEY", value: "sk_live_pull", secret: true },
      ],
    });
    const box = await createSandbox(server, { link: slug });
    box.write("envplane/.env", "OLD_KEY=stale\n# a comment of mine\n");
    fs.chmodSync(path.join(box.dir, "envplane/.env"), 0o644);

    const r = await box.run(["env", "pull"]);
    expect(r).toEqual({
      code: 0,
      stdout: '✓ Pulled 4 variables from "development" into envplane/.env (2 secrets left out, listed in the file).\n',
      stderr: "",
    });
    expect(box.read("envplane/.env")).toBe(
      [
        '# Pulled from "development" environment',
        "#",
        "# Secrets excluded (add to .env.local if needed):",
        "# ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET",
        "# STRIPE_KEY",
        "",
        "# auth.external.google",
        "ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID=1234567890.apps.googleusercontent.com",
        "",
        "# User variables",
        "API_URL=http://localhost:3000",
        "DATABASE_URL=postgres://localhost:5432/app",
        "FEATURE_FLAG_V2=true",
        "",
      ].join("\n"),
    );
    expect(fs.statSync(path.join(box.dir, "envplane/.env")).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.join(box.dir, "envplane")).sort()).toEqual([".env", ".gitignore", "config.json"]);

    const json = await box.run(["env", "pull", "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      environment: "development",
      branch: null,
      file: "envplane/.env",
      revision: 1,
      variables: 4,
      excludedSecrets: ["ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET", "STRIPE_KEY"],
      unrepresentable: [],
    });
  });

  it("groups a variable named by an env() override in config.json under its feature", async () => {
    const slug = "env-pull-override";
    await createProject(server.owner, slug);
    await bulk(server.owner, {
      project: slug,
      environment: "development",
      variables: [
        { key: "MY_GH_ID", value: "gh-1" },
        { key: "OTHER", value: "x" },
      ],
    });
    const box = await createSandbox(server, { link: slug });
    box.write(
      "envplane/config.json",
      JSON.stringify({ project: slug, auth: { external: { github: { enabled: true, client_id: "env(MY_GH_ID)" } } } }),
    );
    expect((await box.run(["env", "pull"])).code).toBe(0);
    expect(box.read("envplane/.env")).toBe(
      '# Pulled from "development" environment\n\n# auth.external.github\nMY_GH_ID=gh-1\n\n# User variables\nOTHER=x\n',
    );
  });

  it("--env preview --branch feature-x pulls the override values and names the branch", async () => {
    const slug = "env-pull-branch";
    await createProject(server.owner, slug, { branches: ["feature-x"] });
    await bulk(server.owner, {
      project: slug,
      environment: "preview",
      variables: [
        { key: "API_URL", value: "https://preview.example.com" },
        { key: "DATABASE_URL", value: "postgres://preview-db:5432/app" },
        { key: "STRIPE_KEY", value: "sk_preview_pull", secret: true },
      ],
    });
    await setVariable(server.owner, {
      project: slug,
      environment: "preview",
      key: "API_URL",
      value: "https://feature-x.example.com",
      branch: "feature-x",
    });
    const box = await createSandbox(server, { link: slug });

    const r = await box.run(["env", "pull", "--env", "preview", "--branch", "feature-x"]);
    expect(r).toEqual({
      code: 0,
      stdout:
        '✓ Pulled 2 variables from "preview" for project branch feature-x into envplane/.env (1 secret left out, listed in the file).\n',
      stderr: "",
    });
    expect(box.read("envplane/.env")).toBe(
      [
        '# Pulled from "preview" environment (project branch feature-x)',
        "#",
        "# Secrets excluded (add to .env.local if needed):",
        "# STRIPE_KEY",
        "",
        "# User variables",
        "API_URL=https://feature-x.example.com",
        "DATABASE_URL=postgres://preview-db:5432/app",
        "",
      ].join("\n"),
    );
    const base = await box.run(["env", "pull", "--env", "preview", "--json"]);
    expect(JSON.parse(base.stdout)).toMatchObject({
      environment: "preview",
      branch: null,
      variables: 2,
      excludedSecrets: ["STRIPE_KEY"],
    });
    expect(parse(box.read("envplane/.env"))).toEqual({
      API_URL: "https://preview.example.com",
      DATABASE_URL: "postgres://preview-db:5432/app",
    });
  });
});

/** Values .env files are known to mangle; every one must survive pull → dotenv → push unchanged. */
const AWKWARD: Record<string, string> = {
  MULTILINE: "line one\nline two\n  indented three\n",
  CRLF: "a\r\nb",
  SINGLE_QUOTE: "it's",
  DOUBLE_QUOTE: 'say "hi"',
  BACKTICK: "run `ls`",
  ALL_QUOTES: 'it\'s "quoted" and `ticked`',
  QUOTES_AND_NEWLINE: 'it\'s\n"two"',
  WRAPPED_SINGLE: "'wrapped'",
  WRAPPED_DOUBLE: '"wrapped"',
  WRAPPED_BACKTICK: "`wrapped`",
  QUOTE_MIX_PADDED: " 'x' \"y\" ",
  HASH: "a #not-a-comment",
  HASH_START: "#start",
  DOLLAR: "$HOME and ${X} and $(whoami) and $",
  EQUALS: "a=b==c=",
  BACKSLASH: "C:\\path\\to\\file",
  BACKSLASH_N: "literal \\n not a newline",
  TRAILING_BACKSLASH: " ends with \\",
  SPACES: "  padded  ",
  ONLY_SPACES: "   ",
  TAB: "a\tb",
  UNICODE: "héllo wörld ✓ 日本語 🎉",
  EMPTY: "",
  JSON_VALUE: '{"a": [1, "two"], "b": null}',
};

describe("the pull → push round trip", () => {
  it("pulls awkward values exactly, and pushing the pulled file back changes nothing", async () => {
    const slug = "env-roundtrip";
    await createProject(server.owner, slug);
    await bulk(server.owner, {
      project: slug,
      environment: "development",
      variables: [
        ...Object.entries(AWKWARD).map(([key, value]) => ({ key, value })),
        { key: "ROUNDTRIP_SECRET", value: "s3cr3t\n'\"`", secret: true },
      ],
    });
    const before = await revision(slug, "development");
    const remote = (await listValues(server.owner, slug, "development")).values;
    for (const [key, value] of Object.entries(AWKWARD)) expect(remote[key]).toEqual({ value, isSecret: false });
    const box = await createSandbox(server, { link: slug });

    const pull = await box.run(["env", "pull"]);
    expect(pull).toEqual({
      code: 0,
      stdout:
        `✓ Pulled ${Object.keys(AWKWARD).length} variables from "development" into envplane/.env (1 secret ` +
        `left out, listed in the file).\n`,
      stderr: "",
    });
    const text = box.read("envplane/.env");
    expect(text).not.toContain("s3cr3t");
    // Any dotenv consumer reads exactly the server's values.
    expect(parse(text)).toEqual(AWKWARD);

    // --verbose: every unchanged key on its line (by default more than 10 are counted; issue 12).
    const diffLines = Object.keys(AWKWARD)
      .sort()
      .map((k) => `= ${k} (unchanged, skipped)`);
    const push = await box.run(["env", "push", "--yes", "--verbose"]);
    expect(push).toEqual({
      code: 0,
      stdout:
        `Pushing to "development" environment:\n\n${diffLines.join("\n")}\n\n` +
        `✓ Nothing to push: every value in envplane/.env already matches "development".\n`,
      stderr: '1 variable in "development" not in envplane/.env is left alone (--prune removes them).\n',
    });
    const dry = await box.run(["env", "push", "--dry-run", "--verbose"]);
    expect(dry).toEqual(push);
    const pruned = await box.run(["env", "push", "--prune", "--yes", "--verbose"]);
    expect(pruned).toEqual({
      code: 0,
      stdout:
        `Pushing to "development" environment:\n\n${diffLines.join("\n")}\n` +
        `  ROUNDTRIP_SECRET (secret left out by pull, kept)\n\n` +
        `✓ Nothing to push: every value in envplane/.env already matches "development".\n`,
      stderr: "",
    });
    expect(await revision(slug, "development")).toBe(before);
    expect((await listValues(server.owner, slug, "development")).values).toEqual(remote);
  }, 60_000);
});

describe("env push", () => {
  it("shows the exact diff, refuses without --yes in a pipe, --dry-run changes nothing, --yes applies in one revision", async () => {
    const slug = "env-push";
    await createProject(server.owner, slug);
    await bulk(server.owner, {
      project: slug,
      environment: "preview",
      variables: [
        { key: "CHANGED", value: "old" },
        { key: "GONE", value: "bye" },
        { key: "OVERWRITE", value: "sk_old", secret: true },
        { key: "SAME", value: "same" },
        { key: "TYPED", value: "std" },
      ],
    });
    const start = await revision(slug, "preview");
    const box = await createSandbox(server, { link: slug });
    box.write(
      "envplane/.env",
      [
        "CHANGED=new",
        "SAME=same",
        "TYPED=std2",
        "OVERWRITE=sk_new",
        "NEW_PLAIN=hello",
        "",
        "# @secret",
        "NEW_SECRET=s3cr3t",
        "",
      ].join("\n"),
    );
    const lines = [
      '+ NEW_PLAIN = "hello" (add)',
      "+ NEW_SECRET = [secret] (add)",
      '~ CHANGED = "new" (changed)',
      '~ TYPED = "std2" (changed)',
      "~ OVERWRITE [secret, will be overwritten]",
      "= SAME (unchanged, skipped)",
    ];

    const unconfirmed = await box.run(["env", "push", "--env", "preview"]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stdout).toBe(
      `Pushing to "preview" environment:\n\n${lines.join("\n")}\n\n5 additions/changes, 0 removals.\n`,
    );
    expect(unconfirmed.stderr).toBe(
      '1 variable in "preview" not in envplane/.env is left alone (--prune removes them).\n' +
        "Error: Pushing needs a confirmation and there is no terminal to ask on. " +
        "Re-run with --yes to apply it (new keys without a # @secret annotation are stored as standard " +
        "variables), or with --dry-run to only see the diff.\n",
    );
    expect(await revision(slug, "preview")).toBe(start);

    const dry = await box.run(["env", "push", "--env", "preview", "--prune", "--dry-run"]);
    expect(dry).toEqual({
      code: 0,
      stdout:
        `Pushing to "preview" environment:\n\n${lines.join("\n")}\n- GONE (remove)\n\n` +
        `5 additions/changes, 1 removal. Dry run: nothing was pushed.\n`,
      stderr: "",
    });
    expect(await revision(slug, "preview")).toBe(start);

    const applied = await box.run(["env", "push", "--env", "preview", "--prune", "--yes"]);
    expect(applied).toEqual({
      code: 0,
      stdout:
        `Pushing to "preview" environment:\n\n${lines.join("\n")}\n- GONE (remove)\n\n` +
        `✓ Pushed to "preview": 2 added, 3 changed (1 secret overwritten), 1 removed (revision ${start + 1}).\n`,
      stderr: "",
    });
    expect(await revision(slug, "preview")).toBe(start + 1);
    expect(await runtimeValues(server, slug, "dev")).toEqual({
      environment: "preview",
      values: {
        CHANGED: { value: "new", isSecret: false },
        NEW_PLAIN: { value: "hello", isSecret: false },
        NEW_SECRET: { value: "s3cr3t", isSecret: true },
        OVERWRITE: { value: "sk_new", isSecret: true },
        SAME: { value: "same", isSecret: false },
        TYPED: { value: "std2", isSecret: false },
      },
    });

    const again = await box.run(["env", "push", "--env", "preview", "--prune", "--yes"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe("");
    // A secret's value cannot be compared, so it is always sent again.
    expect(again.stdout).toContain(
      "~ OVERWRITE [secret, will be overwritten]\n~ NEW_SECRET [secret, will be overwritten]\n",
    );
    expect(again.stdout).toMatch(
      /✓ Pushed to "preview": 0 added, 2 changed \(2 secret overwritten\), 0 removed \(revision \d+\)\.\n$/,
    );

    // # @secret on an existing standard key: its value would stay readable, so nothing is pushed (nor printed).
    const before = await revision(slug, "preview");
    box.write("envplane/.env", "CHANGED=newer\n# @secret\nTYPED=std3-secret-ish\n");
    const refused = await box.run(["env", "push", "--env", "preview", "--yes"]);
    expect(refused).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'Error: TYPED is marked # @secret in envplane/.env but is a standard variable in "preview", ' +
        'so its value would stay readable. Run "envplane env unset TYPED --env preview" and push again to create ' +
        "it as a secret.\nNothing was pushed.\n",
    });
    expect(await revision(slug, "preview")).toBe(before);
  }, 60_000);

  it("push --prune after pull keeps the secrets pull left out (their values intact at runtime)", async () => {
    const slug = "env-prune";
    await createProject(server.owner, slug);
    await bulk(server.owner, {
      project: slug,
      environment: "preview",
      variables: [
        { key: "API_URL", value: "https://preview.example.com" },
        { key: "ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET", value: "GOCSPX-keep", secret: true },
        { key: "OLD_FLAG", value: "1" },
        { key: "STRIPE_KEY", value: "sk_live_keep", secret: true },
      ],
    });
    const box = await createSandbox(server, { link: slug });
    expect((await box.run(["env", "pull", "--env", "preview"])).code).toBe(0);
    const pulled = box.read("envplane/.env");
    expect(pulled).toContain(
      "# Secrets excluded (add to .env.local if needed):\n# ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET\n# STRIPE_KEY\n",
    );
    box.write("envplane/.env", pulled.replace("OLD_FLAG=1\n", "NEW_FLAG=2\n"));
    const start = await revision(slug, "preview");

    const r = await box.run(["env", "push", "--env", "preview", "--prune", "--yes"]);
    expect(r).toEqual({
      code: 0,
      stdout: [
        'Pushing to "preview" environment:',
        "",
        '+ NEW_FLAG = "2" (add)',
        "= API_URL (unchanged, skipped)",
        "- OLD_FLAG (remove)",
        "  ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET (secret left out by pull, kept)",
        "  STRIPE_KEY (secret left out by pull, kept)",
        "",
        `✓ Pushed to "preview": 1 added, 0 changed, 1 removed (revision ${start + 1}).`,
        "",
      ].join("\n"),
      stderr: "",
    });
    expect(await runtimeValues(server, slug, "dev")).toEqual({
      environment: "preview",
      values: {
        API_URL: { value: "https://preview.example.com", isSecret: false },
        ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET: { value: "GOCSPX-keep", isSecret: true },
        NEW_FLAG: { value: "2", isSecret: false },
        STRIPE_KEY: { value: "sk_live_keep", isSecret: true },
      },
    });
  }, 60_000);

  it("push --prune after pull keeps the values pull could not write either", async () => {
    const slug = "env-prune-odd";
    await createProject(server.owner, slug);
    // Every quote kind, a line break and a literal backslash-n: no dotenv quoting reads it back exactly.
    const odd = "a'b\"c`d\\n\n";
    await bulk(server.owner, {
      project: slug,
      environment: "development",
      variables: [
        { key: "ODD", value: odd },
        { key: "PLAIN", value: "1" },
      ],
    });
    const box = await createSandbox(server, { link: slug });
    const pull = await box.run(["env", "pull"]);
    expect(pull).toEqual({
      code: 0,
      stdout: '✓ Pulled 1 variable from "development" into envplane/.env.\n',
      stderr:
        'Warning: ODD was left out: no .env quoting can hold its value exactly. Use "envplane run" to inject it, or change the value.\n',
    });
    expect(box.read("envplane/.env")).toBe(
      '# Pulled from "development" environment\n#\n' +
        "# Left out, no .env quoting reads back their exact value (set them in your shell instead):\n# ODD\n\n" +
        "# User variables\nPLAIN=1\n",
    );
    const start = await revision(slug, "development");
    const push = await box.run(["env", "push", "--prune", "--yes"]);
    expect(push).toEqual({
      code: 0,
      stdout:
        'Pushing to "development" environment:\n\n= PLAIN (unchanged, skipped)\n  ODD (left out by pull, kept)\n\n' +
        '✓ Nothing to push: every value in envplane/.env already matches "development".\n',
      stderr: "",
    });
    expect(await revision(slug, "development")).toBe(start);
    expect((await listValues(server.owner, slug, "development")).values).toEqual({
      ODD: { value: odd, isSecret: false },
      PLAIN: { value: "1", isSecret: false },
    });
  });

  it("--file, --json, .env.local refused, an invalid key fails listing its line, and a missing file is an error", async () => {
    const slug = "env-push-file";
    await createProject(server.owner, slug);
    await setVariable(server.owner, { project: slug, environment: "development", key: "KEPT", value: "k" });
    const box = await createSandbox(server, { link: slug });
    const start = await revision(slug, "development");

    box.write("envplane/.env.local", "LOCAL_ONLY=1\n");
    const local = await box.run(["env", "push", "--file", "envplane/.env.local", "--yes"]);
    expect(local).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "Error: .env.local holds personal overrides and is never pushed. Push envplane/.env (or another file) instead.\n",
    });

    box.write("envplane/.env", "GOOD=1\nmy-key=1\nALSO_GOOD=2\n");
    const invalid = await box.run(["env", "push", "--yes"]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe("");
    expect(invalid.stderr).toMatch(
      /^Error: envplane\/\.env has 1 problem; nothing was pushed:\n {2}line 2: my-key: .+\n$/,
    );

    const missing = await box.run(["env", "push", "--file", "nope.env", "--yes"]);
    expect(missing).toEqual({
      code: 1,
      stdout: "",
      stderr: 'Error: nope.env does not exist. Create it, or pull one with "envplane env pull".\n',
    });
    expect(await revision(slug, "development")).toBe(start);

    box.write("other.env", "# @secret\nSTAGING_TOKEN=tok\nKEPT=k\nPLAIN=p\n");
    const json = await box.run(["env", "push", "--file", "other.env", "--yes", "--json"]);
    expect(json.code).toBe(0);
    expect(json.stderr).toBe("");
    expect(JSON.parse(json.stdout)).toEqual({
      environment: "development",
      revision: start + 1,
      applied: true,
      dryRun: false,
      added: ["STAGING_TOKEN", "PLAIN"],
      changed: [],
      secretOverwritten: [],
      unchanged: ["KEPT"],
      removed: [],
      kept: [],
    });
    expect((await listValues(server.owner, slug, "development")).values).toEqual({
      KEPT: { value: "k", isSecret: false },
      PLAIN: { value: "p", isSecret: false },
      STAGING_TOKEN: { value: null, isSecret: true },
    });
    // The file given with --file is the source even when envplane/.env (still invalid) exists.
    const dryJson = await box.run(["env", "push", "--file", "other.env", "--dry-run", "--json"]);
    expect(JSON.parse(dryJson.stdout)).toMatchObject({
      applied: false,
      dryRun: true,
      added: [],
      secretOverwritten: ["STAGING_TOKEN"],
      unchanged: ["KEPT", "PLAIN"],
    });
    expect(await revision(slug, "development")).toBe(start + 1);
  }, 60_000);
});

describe("read-only and write-only service tokens", () => {
  it("read-only lists and pulls, but env set and env push fail with the server's message and change nothing; write-only pushes", async () => {
    const slug = "env-readonly";
    await createProject(server.owner, slug);
    await bulk(server.owner, {
      project: slug,
      environment: "development",
      variables: [
        { key: "API_URL", value: "http://localhost:3000" },
        { key: "STRIPE_KEY", value: "sk_ro", secret: true },
      ],
    });
    const { token } = await serviceToken(server, slug, ["READ"]);
    const box = await createSandbox(server, { link: slug, token });
    const start = await revision(slug, "development");

    const list = await box.run(["env", "list"]);
    expect(list).toEqual({
      code: 0,
      stdout: 'development environment:\n\nAPI_URL = "http://local…"\nSTRIPE_KEY = ••••\n',
      stderr: "",
    });
    const pull = await box.run(["env", "pull"]);
    expect(pull).toMatchObject({
      code: 0,
      stdout: '✓ Pulled 1 variable from "development" into envplane/.env (1 secret left out, listed in the file).\n',
    });
    expect(parse(box.read("envplane/.env"))).toEqual({ API_URL: "http://localhost:3000" });

    const forbidden =
      `Error: This service token has no write permission on environment "development" of project ` +
      `"${slug}". Create a token with --permission write for it.\n`;
    const set = await box.run(["env", "set", "API_URL", "http://evil"]);
    expect(set).toEqual({ code: 1, stdout: "", stderr: forbidden });
    box.write("envplane/.env", "API_URL=http://evil\nNEW=1\n");
    const push = await box.run(["env", "push", "--yes"]);
    expect(push.code).toBe(1);
    expect(push.stderr.endsWith(forbidden)).toBe(true);
    expect(await revision(slug, "development")).toBe(start);
    expect((await listValues(server.owner, slug, "development")).values).toEqual({
      API_URL: { value: "http://localhost:3000", isSecret: false },
      STRIPE_KEY: { value: null, isSecret: true },
    });

    // push plans with the server's dry run: a write-only token gets it too (keys, never stored values) and pushes.
    const writer = await serviceToken(server, slug, ["WRITE"]);
    const writeOnly = await box.run(["env", "push", "--yes"], { env: { ENVPLANE_TOKEN: writer.token } });
    expect(writeOnly.code).toBe(0);
    expect(writeOnly.stderr).not.toContain("localhost:3000");
    expect((await listValues(server.owner, slug, "development")).values).toEqual({
      API_URL: { value: "http://evil", isSecret: false },
      NEW: { value: "1", isSecret: false },
      STRIPE_KEY: { value: null, isSecret: true },
    });
    expect(await revision(slug, "development")).toBe(start + 1);
  });
});

describe("env push over the bulk limit", () => {
  it("refuses a file with more than 10,000 variables before sending anything, saying what to do", async () => {
    const slug = "env-over-limit";
    await createProject(server.owner, slug);
    const box = await createSandbox(server, { link: slug });
    box.write("envplane/.env", `${Array.from({ length: 10_001 }, (_, i) => `K_${i}=v${i}`).join("\n")}\n`);
    const start = await revision(slug, "development");
    const push = await box.run(["env", "push", "--yes"]);
    expect(push).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "Error: envplane/.env has 10,001 variables; one push carries at most 10,000 (the server's limit per request), " +
        "so nothing was pushed. Split the variables across environments, or remove the ones no longer used.\n",
    });
    expect(await revision(slug, "development")).toBe(start);
  });
});
