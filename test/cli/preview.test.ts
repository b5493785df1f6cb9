/** `envplane preview create|list|delete` and `branch delete` through the real CLI process against a real server. */
import { describe, expect, it } from "vitest";
import { createSandbox } from "../support/cli.js";
import { createProject, runtimeValues, setVariable, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

const SECRET = "CANARY_CLI_PREVIEW_4e9b";
let server: TestServer;
useTestServer((started) => (server = started), { listen: true });

async function linkedProject(slug: string) {
  await createProject(server.owner, slug);
  await setVariable(server.owner, { project: slug, environment: "preview", key: "API_URL", value: "https://api" });
  await setVariable(server.owner, { project: slug, environment: "preview", key: "TOKEN", value: SECRET, secret: true });
  return createSandbox(server, { link: slug });
}

describe("envplane preview", () => {
  it("create (with --set and ${PREVIEW_URL}), list, env list of it, delete; nothing prints a secret", async () => {
    const box = await linkedProject("cli-pv");
    const created = await box.run([
      "preview",
      "create",
      "feature/Login",
      "--url",
      "https://pr-7.example.com",
      "--set",
      "APP_URL=${PREVIEW_URL}/app",
      "--set",
      "MODE=preview",
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr + created.stdout).toContain("Created preview/feature-login for project branch feature/Login");
    expect(created.stderr + created.stdout).toContain("2 variables cloned, 2 values set");

    const list = await box.run(["preview", "list", "--json"]);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({
        branch: "feature/Login",
        environment: "preview/feature-login",
        from: "preview",
        url: "https://pr-7.example.com",
        variables: 4,
      }),
    ]);
    const table = await box.run(["preview", "list"]);
    expect(table.stdout).toMatch(
      /feature\/Login\s+preview\/feature-login\s+preview\s+https:\/\/pr-7\.example\.com\s+4/,
    );

    const values = await box.run(["env", "list", "--env", "preview/feature-login", "--values", "--json"]);
    expect(values.code, values.stderr).toBe(0);
    expect(values.stdout).toContain('"key": "APP_URL"');
    const runtime = await runtimeValues(server, "cli-pv", "feature/Login");
    expect(runtime).toMatchObject({
      environment: "preview/feature-login",
      values: { TOKEN: { value: SECRET }, APP_URL: { value: "https://pr-7.example.com/app" } },
    });

    const deleted = await box.run(["preview", "delete", "feature/Login", "--yes"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stderr + deleted.stdout).toContain("Deleted preview/feature-login");
    expect((await box.run(["preview", "list", "--json"])).stdout.trim()).toBe("[]");
    for (const r of [created, list, table, values, deleted]) expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it("branch delete deletes the preview and says so; bad input is a clear error that changes nothing", async () => {
    const box = await linkedProject("cli-pv-del");
    expect((await box.run(["preview", "create", "feat", "--url", "https://feat.example.com"])).code).toBe(0);
    const noUrl = await box.run(["preview", "create", "other"]);
    expect(noUrl.code).not.toBe(0);
    expect(noUrl.stderr).toContain("--url is required");
    const badUrl = await box.run(["preview", "create", "other", "--url", "ftp://x"]);
    expect(badUrl.code).not.toBe(0);
    expect(badUrl.stderr).toContain("--url: url must start with http:// or https://");
    const badSet = await box.run(["preview", "create", "other", "--url", "https://x", "--set", "1X=2"]);
    expect(badSet.code).not.toBe(0);
    expect(badSet.stderr).toContain("--set 1X");
    const twice = await box.run(["preview", "create", "feat", "--url", "https://feat.example.com"]);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toContain('"feat" already has a preview environment');
    const branches = JSON.parse((await box.run(["branch", "list", "--json"])).stdout).map(
      (b: { name: string }) => b.name,
    );
    expect(branches).not.toContain("other");

    const deleted = await box.run(["branch", "delete", "feat", "--yes"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain("its preview environment preview/feat deleted too");
    expect((await box.run(["preview", "list", "--json"])).stdout.trim()).toBe("[]");
    const envs = await box.run(["env", "list-environments", "--json"]);
    expect(envs.stdout).not.toContain("preview/feat");
  });

  it("a source with binding credentials: --share-binding / --binding NAME=- choose per binding; no choice names the flags", async () => {
    const box = await linkedProject("cli-pv-bind");
    const parent = "postgres://u:CANARY_PARENT_91@db/app";
    const own = "postgres://u:CANARY_OWN_92@db/pr";
    for (const name of ["db", "cache"]) {
      const bound = await box.run(
        [
          "bindings",
          "set",
          name,
          "--service",
          name === "db" ? "postgres" : "redis",
          ...(name === "cache" ? ["--variable", "REDIS_URL"] : []),
          "--env",
          "preview",
          "--value",
          "-",
        ],
        {
          input: parent,
        },
      );
      expect(bound.code, bound.stderr).toBe(0);
    }
    const none = await box.run(["preview", "create", "feat/b", "--url", "https://b.example.com"]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain("--share-binding NAME or --binding NAME=VALUE");
    const made = await box.run(
      [
        "preview",
        "create",
        "feat/b",
        "--url",
        "https://b.example.com",
        "--share-binding",
        "db",
        "--binding",
        "cache=-",
      ],
      { input: own },
    );
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout + made.stderr).toContain("Binding db: shares the source's credential");
    expect(made.stdout + made.stderr).toContain("Binding cache: its own credential");
    const runtime = await runtimeValues(server, "cli-pv-bind", "feat/b");
    expect(runtime).toMatchObject({
      environment: "preview/feat-b",
      values: { DATABASE_URL: { value: parent }, REDIS_URL: { value: own } },
    });
    const bad = await box.run(["preview", "create", "feat/c", "--url", "https://c.example.com", "--binding", "db"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--binding takes NAME=VALUE");
    for (const r of [none, made, bad]) {
      expect(r.stdout + r.stderr).not.toContain("CANARY_PARENT_91");
      expect(r.stdout + r.stderr).not.toContain("CANARY_OWN_92");
    }
  });

  it("mapping show and mapping set --from-config leave the preview's server-managed mapping entry alone", async () => {
    const box = await linkedProject("cli-pv-map");
    expect((await box.run(["preview", "create", "feat", "--url", "https://feat.example.com"])).code).toBe(0);
    const shown = await box.run(["mapping", "show"]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stderr).not.toContain("differs");
    const set = await box.run(["mapping", "set", "--from-config"]);
    expect(set.code, set.stderr).toBe(0);
    const mapping = JSON.parse((await box.run(["mapping", "show", "--json"])).stdout);
    expect(mapping).toContainEqual(expect.objectContaining({ branch: "feat", environment: "preview/feat" }));
    expect((await runtimeValues(server, "cli-pv-map", "feat")).environment).toBe("preview/feat");
  });
});
