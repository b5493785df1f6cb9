/**
 * The CLI a team adopts (issue 12, "Missing"): teammates and access, --version, one value,
 * export, several keys in one write, shell completion, link --yes, the environment variables
 * in --help and --json on write commands. Each test runs the real `envplane` process against
 * a real server and reads the server back through the SDK.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parse as parseDotenv } from "dotenv";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { createSandbox, type Sandbox } from "../support/cli.js";
import { expectType } from "../support/expect.js";
import {
  createProject,
  listValues,
  newUser,
  readEnvironment,
  setVariable,
  userWithRole,
  useTestServer,
} from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((started) => (server = started), { listen: true });

const ROOT = path.resolve(import.meta.dirname, "../..");
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version as string;

async function linked(slug: string, token?: string): Promise<Sandbox> {
  return createSandbox(server, { token, link: slug });
}

async function revisionOf(slug: string, environment: string): Promise<number> {
  return (await server.owner.project({ slug })).project!.environments.find((e) => e.name === environment)!.revision;
}

async function members(slug: string) {
  const p = (await server.owner.projectMembers({ slug })).project!;
  return Object.fromEntries(p.members.nodes.map((m) => [m.user.email ?? m.user.id, m.role]));
}

/** Runs a bash script (not envplane) with `input` on stdin; envplane is on its PATH. */
function bash(script: string, box: Sandbox, input = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = path.join(box.home, "bin");
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(
    path.join(bin, "envplane"),
    `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, "bin/envplane.js")}" "$@"\n`,
    { mode: 0o755 },
  );
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script], {
      cwd: box.dir,
      env: { ...box.env, PATH: `${bin}:${box.env.PATH}` },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe("teammates and access", () => {
  it("users create prints the first token once (it works at once); users list is for instance admins", async () => {
    const box = await createSandbox(server);
    const created = await box.run(["users", "create", "Ada Lovelace", "--email", "ada@example.com"]);
    expect(created, created.stderr).toMatchObject({ code: 0 });
    const token = created.stdout.trim();
    expect(created.stdout).toBe(`${token}\n`);
    expect(created.stderr).toContain('Created user "Ada Lovelace" <ada@example.com>');
    expect(created.stderr).toContain("shown once");
    expect(created.stderr).toContain(`envplane login --server ${server.url} --token -`);
    const viewer = (await server.client(token).viewer()).viewer;
    expect(viewer.user).toMatchObject({ name: "Ada Lovelace", email: "ada@example.com", isInstanceAdmin: false });

    const list = await box.run(["users", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID +NAME +EMAIL +ADMIN +CREATED\n/);
    expect(list.stdout).toMatch(new RegExp(`${viewer.user!.id} +Ada Lovelace +ada@example.com +no `));
    expect(list.stdout).not.toContain(token);
    const json = JSON.parse((await box.run(["users", "list", "--json"])).stdout);
    expect(json.map((u: { email: string }) => u.email)).toContain("ada@example.com");

    const ada = await createSandbox(server, { token });
    const refused = await ada.run(["users", "list"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      "Error: Only instance admins can list users. Ask an instance admin, or name the user by id.\n",
    );
    const again = await box.run(["users", "create", "Ada Again", "--email", "ada@example.com"]);
    expect(again).toMatchObject({ code: 1, stdout: "" });
    expect(again.stderr).toContain('A user with e-mail "ada@example.com" already exists.');
  });

  it("members add|set|remove take an e-mail or an id; list shows roles; bad roles are usage errors", async () => {
    await createProject(server.owner, "team-members");
    const box = await linked("team-members");
    const grace = await createSandbox(server);
    const made = await grace.run(["users", "create", "Grace", "--email", "grace@example.com", "--json"]);
    const graceUser = JSON.parse(made.stdout) as { id: string; token: string };
    const bob = await newUser(server, "Bob");

    const added = await box.run(["members", "add", "grace@example.com", "--role", "viewer"]);
    expect(added).toMatchObject({ code: 0, stdout: "✓ Added Grace <grace@example.com> to team-members as viewer.\n" });
    const byId = await box.run(["members", "add", bob.id, "--json"]);
    expect(JSON.parse(byId.stdout)).toMatchObject({ project: "team-members", userId: bob.id, role: "developer" });
    expect(await members("team-members")).toMatchObject({ "grace@example.com": "VIEWER", [bob.id]: "DEVELOPER" });

    const twice = await box.run(["members", "add", "grace@example.com"]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain(
      'already a member of team-members (viewer). Change the role with "envplane members set',
    );
    const bad = await box.run(["members", "set", "grace@example.com", "--role", "superuser"]);
    expect(bad).toMatchObject({
      code: 2,
      stderr: 'Error: --role "superuser" is not a role. Use viewer, developer, admin or owner.\n',
    });
    const set = await box.run(["members", "set", "grace@example.com", "--role", "admin"]);
    expect(set).toMatchObject({
      code: 0,
      stdout: "✓ Grace <grace@example.com> is now admin in team-members (was viewer).\n",
    });
    expect((await members("team-members"))["grace@example.com"]).toBe("ADMIN");

    const list = await box.run(["members", "list"]);
    expect(list.stdout).toMatch(/^ID +NAME +EMAIL +ROLE\n/);
    expect(list.stdout).toMatch(new RegExp(`${graceUser.id} +Grace +grace@example.com +admin\n`));
    expect(list.stdout).toMatch(new RegExp(`${bob.id} +Bob +- +developer\n`));

    const unasked = await box.run(["members", "remove", "grace@example.com"]);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain("Re-run with --yes to confirm.");
    expect((await members("team-members"))["grace@example.com"]).toBe("ADMIN");
    const removed = await box.run(["members", "remove", "grace@example.com", "--yes"]);
    expect(removed).toMatchObject({ code: 0, stdout: "✓ Removed Grace <grace@example.com> from team-members.\n" });
    expect(await members("team-members")).not.toHaveProperty("grace@example.com");
    const unknown = await box.run(["members", "add", "nobody@example.com"]);
    expect(unknown).toMatchObject({ code: 1 });
    expect(unknown.stderr).toContain("No user with e-mail nobody@example.com.");
  });

  it("tokens create --personal makes a personal token; tokens list shows personal and service tokens", async () => {
    await createProject(server.owner, "team-tokens");
    const box = await linked("team-tokens");
    const personal = await box.run(["tokens", "create", "--personal", "--name", "laptop", "--expires-in", "30d"]);
    expect(personal, personal.stderr).toMatchObject({ code: 0 });
    const token = personal.stdout.trim();
    expect(personal.stderr).toContain('Created personal token "laptop"');
    const viewer = (await server.client(token).viewer()).viewer;
    expect(viewer.token).toMatchObject({ kind: "PERSONAL", name: "laptop" });
    expect(viewer.user!.id).toBe((await server.owner.viewer()).viewer.user!.id);
    const mixed = await box.run(["tokens", "create", "--personal", "--name", "x", "--permission", "write"]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain("drop --permission");

    expect((await box.run(["tokens", "create", "--name", "ci"])).code).toBe(0);
    const list = await box.run(["tokens", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/ +service \(team-tokens\) +ci +envp_svc_\S+ +read +all +never +active\n/);
    expect(list.stdout).toMatch(/ +personal +laptop +\S+ +your role +- +\S+ +expires \d{4}-\d\d-\d\d\n/);
    expect(list.stdout).not.toContain(token);
    const only = JSON.parse((await box.run(["tokens", "list", "--personal", "--json"])).stdout) as { kind: string }[];
    expect(only.length).toBeGreaterThan(0);
    expect(only.every((t) => t.kind === "PERSONAL")).toBe(true);

    // A developer sees their own tokens, and is told why the service tokens are not listed.
    const dev = await userWithRole(server, "team-tokens", "DEVELOPER");
    const devList = await (await linked("team-tokens", dev.token)).run(["tokens", "list"]);
    expect(devList.code).toBe(0);
    expect(devList.stderr).toContain("Service tokens of team-tokens are listed for its admins only.");
    expect(devList.stdout).not.toContain("service (team-tokens)");
  });

  it("projects delete: owners only, checked before asking; --yes without a terminal; y on a terminal", async () => {
    await createProject(server.owner, "team-doomed");
    await createProject(server.owner, "team-doomed-2");
    const admin = await userWithRole(server, "team-doomed", "ADMIN");
    const adminBox = await createSandbox(server, { token: admin.token });
    const refused = await adminBox.run(["projects", "delete", "team-doomed"]);
    expect(refused).toMatchObject({
      code: 1,
      stderr: "Error: Only owners can delete project team-doomed; your role is admin.\n",
    });

    const box = await createSandbox(server);
    const missing = await box.run(["projects", "delete", "no-such-project"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Project "no-such-project" not found');
    const unconfirmed = await box.run(["projects", "delete", "team-doomed"]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain("Re-run with --yes to confirm.");
    expect((await server.owner.project({ slug: "team-doomed" })).project).not.toBeNull();

    const deleted = await box.run(["projects", "delete", "team-doomed", "--yes", "--json"]);
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toEqual({ slug: "team-doomed", deleted: true });
    expect((await server.owner.project({ slug: "team-doomed" })).project).toBeNull();

    const tty = box.pty(["projects", "delete", "team-doomed-2"]);
    await tty.expect(
      "Delete project team-doomed-2 with its 3 environments and 0 variables? This cannot be undone. [y/N]",
    );
    tty.send("y\r");
    expect(await tty.exit()).toMatchObject({ code: 0 });
    expect(tty.output()).toContain("✓ Deleted project team-doomed-2.");
    expect((await server.owner.project({ slug: "team-doomed-2" })).project).toBeNull();
  });
});

describe("version, help and --json", () => {
  it("--version and -v print the package version; --help lists the environment variables the CLI reads", async () => {
    const box = await createSandbox(server, { auth: "none" });
    for (const flag of ["--version", "-v"])
      expect(await box.run([flag])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
    const help = await box.run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("-v, --version");
    const vars = help.stdout.slice(help.stdout.indexOf("Environment variables:"));
    for (const name of ["ENVPLANE_SERVER", "ENVPLANE_TOKEN", "ENVPLANE_BRANCH", "NO_COLOR", "CI"])
      expect(vars).toMatch(new RegExp(`\\n  ${name} +\\S`));
    for (const command of ["users create", "members add", "env get", "env export", "projects delete", "completion"])
      expect(help.stdout).toContain(`  ${command} `);
  });

  it("write commands print JSON with --json (the new revision where an environment changed)", async () => {
    await createProject(server.owner, "team-json", { branches: ["feature-x"] });
    const box = await linked("team-json");
    const run = async (args: string[]) => {
      const r = await box.run([...args, "--json"]);
      expect(r, `${args.join(" ")}: ${r.stderr}`).toMatchObject({ code: 0, stderr: "" });
      return JSON.parse(r.stdout);
    };
    expect(await run(["env", "set", "A", "1"])).toEqual({
      environment: "development",
      branch: null,
      key: "A",
      created: true,
      isSecret: false,
      revision: 1,
    });
    expect(await run(["env", "unset", "A"])).toMatchObject({ removed: ["A"], revision: 2 });
    expect(await run(["env", "create", "staging"])).toEqual({
      environment: "staging",
      isProtected: false,
      revision: 0,
    });
    await setVariable(server.owner, { project: "team-json", environment: "preview", key: "P", value: "p" });
    expect(await run(["env", "seed", "staging", "--from", "preview"])).toMatchObject({
      environment: "staging",
      revision: 1,
      copied: ["P"],
    });
    expect(await run(["mapping", "set", "staging", "feature-x"])).toMatchObject({
      project: "team-json",
      mapping: expect.arrayContaining([{ branch: "feature-x", environment: "staging" }]),
    });
    expect(await run(["mapping", "unset", "staging"])).not.toMatchObject({
      mapping: expect.arrayContaining([{ branch: "feature-x", environment: "staging" }]),
    });
    expect(await run(["env", "delete", "staging", "--yes"])).toMatchObject({ environment: "staging", deleted: true });
    expect(await run(["branch", "delete", "feature-x", "--yes"])).toMatchObject({ branch: "feature-x", deleted: true });
    const token = await run(["tokens", "create", "--name", "j"]);
    expect(await run(["tokens", "revoke", token.id, "--yes"])).toMatchObject({ id: token.id, name: "j" });
    expect((await run(["tokens", "revoke", token.id, "--yes"])).revokedAt).toEqual(expect.any(String));
  });
});

describe("one value and export", () => {
  it("env get prints the value exactly (a newline only on a terminal); a secret is refused with what gets it", async () => {
    await createProject(server.owner, "team-get", { branches: ["feature-x"] });
    const owner = server.owner;
    await setVariable(owner, { project: "team-get", environment: "preview", key: "MULTI", value: "line 1\nline 2\n" });
    await setVariable(owner, { project: "team-get", environment: "preview", key: "URL", value: "https://base" });
    await setVariable(owner, {
      project: "team-get",
      environment: "preview",
      key: "URL",
      value: "https://x",
      branch: "feature-x",
    });
    await setVariable(owner, { project: "team-get", environment: "preview", key: "TOKEN", value: "s3", secret: true });
    const box = await linked("team-get");
    expect(await box.run(["env", "get", "MULTI", "--env", "preview"])).toEqual({
      code: 0,
      stdout: "line 1\nline 2\n",
      stderr: "",
    });
    expect((await box.run(["env", "get", "URL", "--env", "preview"])).stdout).toBe("https://base");
    expect((await box.run(["env", "get", "URL", "--env", "preview", "--branch", "feature-x"])).stdout).toBe(
      "https://x",
    );
    const secret = await box.run(["env", "get", "TOKEN", "--env", "preview"]);
    expect(secret).toMatchObject({ code: 1, stdout: "" });
    expect(secret.stderr).toContain('TOKEN is a secret in "preview": secrets are write-only');
    // The suggested command works as printed: run needs the project branch.
    expect(secret.stderr).toContain('"envplane run --branch <branch> -- <command>" with a service token that has');
    const overridden = await box.run(["env", "get", "TOKEN", "--env", "preview", "--branch", "feature-x"]);
    expect(overridden.stderr).toContain('"envplane run --branch feature-x -- <command>"');
    expect(secret.stderr).not.toContain("s3");
    const missing = await box.run(["env", "get", "NOPE", "--env", "preview"]);
    expect(missing).toMatchObject({
      code: 1,
      stdout: "",
      stderr: expect.stringContaining('NOPE is not set in "preview"'),
    });

    const tty = box.pty(["env", "get", "URL", "--env", "preview"]);
    expect(await tty.exit()).toEqual({ code: 0, output: "https://base\n" });
  });

  it("env export: dotenv, json, yaml and shell read back exactly; docker refuses line breaks naming the keys", async () => {
    await createProject(server.owner, "team-export");
    const tricky = {
      PLAIN: "hello",
      QUOTES: `it's "quoted" \`tick\` $HOME $(echo no) \\n`,
      MULTI: "a\nb\n",
      EMPTY: "",
      SPACES: "  padded  ",
      UNICODE: "héllo \u2028 wörld #not-a-comment",
    };
    const variables = Object.entries(tricky).map(([key, value]) => ({ key, value }));
    variables.push({ key: "API_SECRET", value: "top-secret", secret: true } as (typeof variables)[number]);
    expectType(
      (await server.owner.bulkUpsertVariables({ input: { project: "team-export", environment: "preview", variables } }))
        .bulkUpsertVariables,
      "BulkUpsertVariablesPayload",
    );
    const box = await linked("team-export");
    const exported = async (format: string) => {
      const r = await box.run(["env", "export", "--format", format, "--env", "preview"]);
      expect(r, r.stderr).toMatchObject({ code: 0 });
      expect(r.stdout).not.toContain("top-secret");
      expect(r.stderr).toBe('Left out a secret (write-only; "envplane run" injects them): API_SECRET.\n');
      return r.stdout;
    };
    expect(JSON.parse(await exported("json"))).toEqual(tricky);
    expect(parseYaml(await exported("yaml"))).toEqual(tricky);
    const dotenv = await exported("dotenv");
    expect(parseDotenv(dotenv)).toEqual(tricky);

    const shell = await exported("shell");
    const keys = Object.keys(tricky);
    const evaluated = await bash(`eval "$(cat)"; printf '%s\\0' ${keys.map((k) => `"$${k}"`).join(" ")}`, box, shell);
    expect(evaluated.code).toBe(0);
    expect(evaluated.stdout.split("\0").slice(0, -1)).toEqual(Object.values(tricky));

    const docker = await box.run(["env", "export", "--format", "docker", "--env", "preview"]);
    expect(docker).toMatchObject({ code: 1, stdout: "" });
    expect(docker.stderr).toBe(
      'Error: Cannot export MULTI as docker: docker --env-file cannot hold line breaks in a value. Use another format (json, yaml, shell), or "envplane run" to inject them.\n',
    );
    await setVariable(server.owner, { project: "team-export", environment: "development", key: "A", value: ' "x" y ' });
    expect(await box.run(["env", "export", "--format", "docker"])).toEqual({
      code: 0,
      stdout: 'A= "x" y \n',
      stderr: "",
    });
    const unknown = await box.run(["env", "export", "--format", "toml"]);
    expect(unknown).toMatchObject({
      code: 2,
      stderr: 'Error: --format "toml" is not one of dotenv, json, yaml, shell, docker.\n',
    });
  });

  it("env pull --stdout prints the file; --file writes another file and leaves envplane/.env alone", async () => {
    await createProject(server.owner, "team-pull");
    await setVariable(server.owner, { project: "team-pull", environment: "preview", key: "A", value: "1" });
    const box = await linked("team-pull");
    box.write("envplane/.env", "LOCAL=1\n");
    const printed = await box.run(["env", "pull", "--env", "preview", "--stdout"]);
    expect(printed).toMatchObject({ code: 0, stderr: "" });
    expect(printed.stdout).toContain('# Pulled from "preview" environment\n');
    expect(printed.stdout).toContain("\nA=1\n");
    const written = await box.run(["env", "pull", "--env", "preview", "--file", "preview.env"]);
    expect(written).toMatchObject({ code: 0, stdout: '✓ Pulled 1 variable from "preview" into preview.env.\n' });
    expect(box.read("preview.env")).toBe(printed.stdout);
    expect(box.read("envplane/.env")).toBe("LOCAL=1\n");
    const both = await box.run(["env", "pull", "--file", "x.env", "--stdout"]);
    expect(both).toMatchObject({ code: 2, stderr: "Error: Give --file or --stdout, not both.\n" });
  });
});

describe("several keys in one write", () => {
  it("env set A=1 B=2 and env unset A B are one request and one revision each; KEY VALUE and KEY - still work", async () => {
    await createProject(server.owner, "team-many", { branches: ["feature-x"] });
    const box = await linked("team-many");
    const set = await box.run(["env", "set", "A=1", "B=two words", "C=x=y", "--env", "preview"]);
    expect(set).toMatchObject({
      code: 0,
      stdout: '✓ Set 3 variables in "preview" (revision 1): added A, B, C.\n',
    });
    expect(await listValues(server.owner, "team-many", "preview")).toEqual({
      revision: 1,
      values: {
        A: { value: "1", isSecret: false },
        B: { value: "two words", isSecret: false },
        C: { value: "x=y", isSecret: false },
      },
    });
    const overrides = await box.run(["env", "set", "A=10", "B=20", "--env", "preview", "--branch", "feature-x"]);
    expect(overrides).toMatchObject({
      code: 0,
      stdout: '✓ Set 2 overrides for project branch feature-x in "preview" (revision 2): added A, B.\n',
    });
    const preview = await readEnvironment(server.owner, "team-many", "preview");
    expect(preview.revision).toBe(2);
    expect(preview.variables.map((v) => [v.key, v.overrides.map((o) => `${o.branch.name}=${o.value}`)])).toEqual([
      ["A", ["feature-x=10"]],
      ["B", ["feature-x=20"]],
      ["C", []],
    ]);
    const noBase = await box.run(["env", "set", "A=11", "D=4", "--env", "preview", "--branch", "feature-x"]);
    expect(noBase).toMatchObject({ code: 1, stdout: "" });
    expect(noBase.stderr).toContain('"D" has no base value in "preview"');
    expect(await revisionOf("team-many", "preview")).toBe(2);
    const twice = await box.run(["env", "set", "A=1", "A=2"]);
    expect(twice).toMatchObject({ code: 2, stderr: "Error: A is given twice. Give each key once.\n" });
    const mixed = await box.run(["env", "set", "A=1", "hunter2"]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain("Argument 2 is not KEY=VALUE.");
    expect(mixed.stderr).not.toContain("hunter2");

    const unsetOverrides = await box.run(["env", "unset", "A", "C", "--env", "preview", "--branch", "feature-x"]);
    expect(unsetOverrides).toMatchObject({
      code: 0,
      stdout:
        '✓ Removed the overrides of A for project branch feature-x in "preview" (revision 3); the base values stay.\n',
      stderr: 'C has no override for project branch feature-x in "preview" (nothing to remove for it).\n',
    });
    const unset = await box.run(["env", "unset", "A", "B", "MISSING", "--env", "preview", "--json"]);
    expect(JSON.parse(unset.stdout)).toEqual({
      environment: "preview",
      branch: null,
      removed: ["A", "B"],
      missing: ["MISSING"],
      notFound: ["MISSING"],
      overridesRemoved: 1,
      revision: 4,
    });
    expect(Object.keys((await listValues(server.owner, "team-many", "preview")).values)).toEqual(["C"]);
    const nothing = await box.run(["env", "unset", "X", "Y", "--env", "preview"]);
    expect(nothing).toMatchObject({
      code: 0,
      stdout: "",
      stderr: 'X, Y were not set in "preview": nothing to remove.\n',
    });
    expect(await revisionOf("team-many", "preview")).toBe(4);

    expect((await box.run(["env", "set", "ONE", "a value"])).code).toBe(0);
    expect((await box.run(["env", "set", "PIPED", "-", "--secret"], { input: "from stdin\n" })).code).toBe(0);
    expect((await listValues(server.owner, "team-many", "development")).values).toEqual({
      ONE: { value: "a value", isSecret: false },
      PIPED: { value: null, isSecret: true },
    });
    const extra = await box.run(["env", "set", "PASSWORD", "correct", "horse"]);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain(
      'Too many arguments for one variable: quote a value with spaces (envplane env set PASSWORD "a b")',
    );
    expect(extra.stderr).not.toContain("horse");
  });
});

describe("completion and link --yes", () => {
  it("completion bash loads and completes commands, subcommands and options from the specs", async () => {
    const box = await createSandbox(server, { auth: "none" });
    const loaded = await bash("source <(envplane completion bash) && complete -p envplane", box);
    expect(loaded).toMatchObject({ code: 0, stdout: "complete -F _envplane envplane\n" });
    const words = async (...line: string[]) => {
      const script = `source <(envplane completion bash)
COMP_WORDS=(${line.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${line.length - 1}; _envplane
printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = await bash(script, box);
      expect(r.stderr).toBe("");
      return r.stdout.split("\n").filter(Boolean);
    };
    expect(await words("envplane", "env", "")).toEqual([
      "list",
      "get",
      "set",
      "unset",
      "pull",
      "export",
      "push",
      "list-environments",
      "create",
      "delete",
      "seed",
      "history",
      "diff",
      "restore",
      "promote",
    ]);
    expect(await words("envplane", "env", "se")).toEqual(["set", "seed"]);
    expect(await words("envplane", "")).toEqual(
      expect.arrayContaining(["env", "members", "users", "completion", "audit", "status", "webhooks"]),
    );
    expect(await words("envplane", "--")).toEqual(["--help", "--version"]);
    expect(await words("envplane", "env", "set", "--env", "preview", "--s")).toEqual(["--secret"]);
    expect(await words("envplane", "completion", "")).toEqual(["bash", "zsh", "fish", "--help"]);
    for (const shell of ["zsh", "fish"]) {
      const r = await box.run(["completion", shell]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("members");
    }
    expect((await box.run(["completion", "tcsh"])).code).toBe(2);
  });

  it("link --yes pushes the local .env into an empty development; on a conflict it still needs --push or --keep-remote", async () => {
    await createProject(server.owner, "team-link");
    const box = await createSandbox(server);
    expect((await box.run(["init"])).code).toBe(0);
    box.write("envplane/.env", "FROM_LOCAL=1\n");
    const pushed = await box.run(["link", "team-link", "--yes"]);
    expect(pushed, pushed.stderr).toMatchObject({ code: 0 });
    expect((await listValues(server.owner, "team-link", "development")).values).toEqual({
      FROM_LOCAL: { value: "1", isSecret: false },
    });

    await createProject(server.owner, "team-link-2");
    await setVariable(server.owner, { project: "team-link-2", environment: "development", key: "REMOTE", value: "r" });
    const conflict = await box.run(["link", "team-link-2", "--yes"]);
    expect(conflict).toMatchObject({ code: 2, stdout: "" });
    expect(conflict.stderr).toContain("--yes does not choose between them. Give --push");
    expect(conflict.stderr).toContain("--keep-remote");
    expect(JSON.parse(box.read("envplane/config.json")).project).toBe("team-link");
    expect((await listValues(server.owner, "team-link-2", "development")).values).toEqual({
      REMOTE: { value: "r", isSecret: false },
    });
  });
});
