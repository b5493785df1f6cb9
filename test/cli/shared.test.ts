/**
 * `envplane shared list|set|unset` and ${{project.KEY}} references through the real CLI process:
 * a pulled file has resolved values and never a value that references a secret; pushing it back
 * reports nothing to push; `envplane run` gets everything resolved; errors name keys, never values.
 */
import { parse } from "dotenv";
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "../support/cli.js";
import { expectType } from "../support/expect.js";
import { createProject, readEnvironment, serviceToken, setVariable, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

const CANARY = "canary-cli-9fQx2-shared";
const NODE = process.execPath;

let server: TestServer;
useTestServer((s) => (server = s), { listen: true });

describe("envplane shared", () => {
  const slug = "cli-shared";
  let box: Sandbox;
  const outputs: string[] = [];
  const run = async (args: string[], input?: string) => {
    const r = await box.run(args, { input });
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  beforeAll(async () => {
    await createProject(server.owner, slug);
    box = await createSandbox(server, { link: slug });
  });

  it("sets standard and secret (from stdin) shared variables and lists them without the secret", async () => {
    expect(await run(["shared", "set", "DB_USER", "app"])).toMatchObject({ code: 0 });
    const secret = await run(["shared", "set", "DB_PASS", "-", "--secret"], `${CANARY}\n`);
    expect(secret).toMatchObject({ code: 0 });
    expect(secret.stdout + secret.stderr).toContain("Added shared variable DB_PASS (secret)");
    const list = await run(["shared", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/DB_PASS\s+\[secret\]/);
    expect(list.stdout).toMatch(/DB_USER\s+"app"/);
    const json = JSON.parse((await run(["shared", "list", "--json"])).stdout);
    expect(json.variables).toEqual([
      { key: "DB_PASS", isSecret: true, value: null, usedBy: [] },
      { key: "DB_USER", isSecret: false, value: "app", usedBy: [] },
    ]);
  });

  it("pulls resolved values, leaves out values referencing a secret, and the round trip pushes nothing", async () => {
    const set = await run([
      "env",
      "set",
      "DATABASE_URL=postgres://${{project.DB_USER}}:${{project.DB_PASS}}@db/app",
      "APP_USER=${{project.DB_USER}}",
      "HOST=db",
    ]);
    expect(set.code).toBe(0);
    const pull = await run(["env", "pull"]);
    expect(pull.code).toBe(0);
    const file = box.read("envplane/.env");
    expect(file).not.toContain(CANARY);
    const parsed = parse(file);
    expect(parsed).toMatchObject({ APP_USER: "app", HOST: "db" });
    expect(parsed.DATABASE_URL).toBeUndefined();
    expect(file).toContain("DATABASE_URL");
    const before = (await readEnvironment(server.owner, slug, "development")).revision;
    const push = await run(["env", "push", "--yes", "--prune"]);
    expect(push.code).toBe(0);
    expect(push.stdout + push.stderr).toMatch(/Nothing to push/);
    const after = await readEnvironment(server.owner, slug, "development");
    expect(after.revision).toBe(before);
    expect(after.variables.find((v) => v.key === "APP_USER")!.value).toBe("${{project.DB_USER}}");
    expect(after.variables.find((v) => v.key === "DATABASE_URL")!.value).toContain("${{project.DB_PASS}}");
  });

  it("env list shows the reference as written and what it resolves to (•••• for a secret)", async () => {
    const previews = await run(["env", "list"]);
    expect(previews.code).toBe(0);
    expect(previews.stdout).toContain('APP_USER = "${{project.D…"  → app');
    expect(previews.stdout).toContain("  → ••••");
    expect(previews.stdout).not.toContain(CANARY);
    const list = await run(["env", "list", "--values"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('APP_USER = "${{project.DB_USER}}"  → app');
    expect(list.stdout).toContain(
      'DATABASE_URL = "postgres://${{project.DB_USER}}:${{project.DB_PASS}}@db/app"  → ••••',
    );
    expect(list.stdout).not.toContain("_shared");
    const json = JSON.parse((await run(["env", "list", "--values", "--json"])).stdout) as Record<string, unknown>[];
    expect(json.find((v) => v.key === "APP_USER")).toMatchObject({ references: ["DB_USER"], resolvedPreview: "app" });
    expect(json.find((v) => v.key === "HOST")).toEqual({ key: "HOST", isSecret: false, value: "db", overrides: [] });
    // A standard value that references a secret project variable says it resolves as a secret (human and JSON).
    expect(previews.stdout).toMatch(/DATABASE_URL = .*→ •••• \(secret: references a secret project variable\)/);
    expect(previews.stdout).not.toMatch(/APP_USER = .*\(secret/);
    expect(list.stdout).toMatch(/DATABASE_URL = .*→ •••• \(secret: references a secret project variable\)/);
    for (const args of [
      ["env", "list", "--json"],
      ["env", "list", "--values", "--json"],
    ]) {
      const listed = JSON.parse((await run(args)).stdout) as Record<string, unknown>[];
      expect(listed.find((v) => v.key === "DATABASE_URL")).toMatchObject({
        isSecret: false,
        references: ["DB_PASS", "DB_USER"],
        resolvedPreview: "••••",
        resolvesAsSecret: true,
      });
      expect(listed.find((v) => v.key === "APP_USER")).toMatchObject({ resolvesAsSecret: false });
    }
    const envs = await run(["env", "list-environments"]);
    expect(envs.stdout).not.toContain("_shared");
    expect((await run(["env", "list", "--env", "_shared"])).code).toBe(1);
  });

  it("pushing a stale pulled file that would replace a reference asks first and says so (never silently)", async () => {
    expect(parse(box.read("envplane/.env")).APP_USER).toBe("app");
    expect((await run(["shared", "set", "DB_USER", "app2"])).code).toBe(0);
    const before = (await readEnvironment(server.owner, slug, "development")).revision;
    const dry = await run(["env", "push", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("APP_USER");
    expect(dry.stdout).toContain("replaces its ${{project.…}} reference with a literal value");
    const json = JSON.parse((await run(["env", "push", "--dry-run", "--json"])).stdout);
    expect(json.referencesReplaced).toEqual(["APP_USER"]);
    // No terminal and no --yes: refused, nothing written (a plain push applies otherwise).
    const refused = await run(["env", "push"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("APP_USER: the pushed value replaces its reference to a project variable");
    const kept = await readEnvironment(server.owner, slug, "development");
    expect(kept.revision).toBe(before);
    expect(kept.variables.find((v) => v.key === "APP_USER")!.value).toBe("${{project.DB_USER}}");
    const forced = await run(["env", "push", "--yes"]);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain("Warning: APP_USER: the pushed value replaces its reference");
    const after = await readEnvironment(server.owner, slug, "development");
    expect(after.variables.find((v) => v.key === "APP_USER")!.value).toBe("app");
    // Put things back for the next tests.
    expect((await run(["shared", "set", "DB_USER", "app"])).code).toBe(0);
    expect((await run(["env", "set", "APP_USER=${{project.DB_USER}}"])).code).toBe(0);
  });

  it("envplane run gets the resolved values, the secret included", async () => {
    await setVariable(server.owner, {
      project: slug,
      environment: "production",
      key: "DATABASE_URL",
      value: "postgres://${{project.DB_USER}}:${{project.DB_PASS}}@db/app",
    });
    const { token } = await serviceToken(server, slug, ["RUNTIME"]);
    const runtime = await createSandbox(server, { token });
    const script = "process.stdout.write(JSON.stringify({ url: process.env.DATABASE_URL }))";
    const r = await runtime.run(["run", "--branch", "main", "--", NODE, "-e", script]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ url: `postgres://app:${CANARY}@db/app` });
  });

  it("refuses a missing or malformed reference, naming the key; unset is refused while referenced, --force warns", async () => {
    const missing = await run(["env", "set", "X", "${{project.NOPE}}"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('"NOPE"');
    const malformed = await run(["env", "set", "X", "${{other.THING}}"]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain("${{project.KEY}}");
    const chain = await run(["shared", "set", "C", "${{project.DB_USER}}"]);
    expect(chain.code).toBe(1);
    expect(chain.stderr).toContain("cannot reference other project variables");
    const refused = await run(["shared", "unset", "DB_USER"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('"development", "production"');
    expect(refused.stderr).toContain("envplane shared unset DB_USER --force");
    expect(refused.stderr).not.toContain("force: true");
    const forced = await run(["shared", "unset", "DB_USER", "--force"]);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain("development, production still use ${{project.DB_USER}}");
    const pull = await run(["env", "pull"]);
    expect(pull.code).toBe(1);
    expect(pull.stderr).toContain("${{project.DB_USER}}");
    expect(pull.stderr).toContain("envplane shared set DB_USER <value>");
    const list = await run(["env", "list"]);
    expect(list.stdout).toContain("(a referenced shared variable is missing)");
  });

  it("a developer cannot change shared variables while production is protected", async () => {
    const dev = expectType(
      (await server.owner.createUser({ input: { name: "cli dev" } })).createUser,
      "CreateUserPayload",
    );
    await server.owner.setMember({ input: { project: slug, userId: dev.user.id, role: "DEVELOPER" } });
    const devBox = await createSandbox(server, { token: dev.plaintextToken, link: slug });
    const r = await devBox.run(["shared", "set", "K", "v"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("only admins and owners");
  });

  it("the canary never appears in any output", () => {
    expect(outputs.join("\n")).not.toContain(CANARY);
  });
});
