/**
 * `envplane env list` (issue 10) through the real CLI process: previews by default (12 characters and
 * "…", secrets ••••), full values with --values, names and their count with --names-only (also for a
 * token that may only write), --json for each; `env get` stays the full read; `env unset A B C` and
 * `env set A=1 B=2` are one write each, with notFound. A canary secret never appears in any output.
 */
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "../support/cli.js";
import { bulk, createProject, readEnvironment, serviceToken, setVariable, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((s) => (server = s), { listen: true });

const canary = `cli-listing-canary-${randomBytes(12).toString("hex")}`;
const LONG = "postgres://app:pw@db.internal.example.com:5432/app";
const slug = "cli-listing";
let box: Sandbox;

beforeAll(async () => {
  await createProject(server.owner, slug, { branches: ["feature-x"] });
  await bulk(server.owner, {
    project: slug,
    environment: "preview",
    variables: [
      { key: "DATABASE_URL", value: LONG },
      { key: "EMOJI", value: "🚀".repeat(14) },
      { key: "SHORT", value: "on" },
      { key: "STRIPE_KEY", value: canary, secret: true },
    ],
  });
  await setVariable(server.owner, {
    project: slug,
    environment: "preview",
    key: "DATABASE_URL",
    value: `${LONG}-feature`,
    branch: "feature-x",
  });
  box = await createSandbox(server, { link: slug });
});

describe("env list", () => {
  it("prints previews by default, full values with --values; --json for both; secrets never", async () => {
    const text = await box.run(["env", "list", "--env", "preview"]);
    expect(text).toEqual({
      code: 0,
      stderr: "",
      stdout: [
        "preview environment:",
        "",
        'DATABASE_URL = "postgres://a…"',
        '└─ feature-x = "postgres://a…"',
        `EMOJI = "${"🚀".repeat(12)}…"`,
        'SHORT = "on"',
        "STRIPE_KEY = ••••",
        "",
      ].join("\n"),
    });

    const json = await box.run(["env", "list", "--env", "preview", "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      {
        key: "DATABASE_URL",
        isSecret: false,
        preview: "postgres://a…",
        overrides: [{ branch: "feature-x", preview: "postgres://a…" }],
      },
      { key: "EMOJI", isSecret: false, preview: `${"🚀".repeat(12)}…`, overrides: [] },
      { key: "SHORT", isSecret: false, preview: "on", overrides: [] },
      { key: "STRIPE_KEY", isSecret: true, preview: "••••", overrides: [] },
    ]);

    const values = await box.run(["env", "list", "--env", "preview", "--values"]);
    expect(values.code).toBe(0);
    expect(values.stdout).toContain(`DATABASE_URL = "${LONG}"\n└─ feature-x = "${LONG}-feature"\n`);
    expect(values.stdout).toContain("STRIPE_KEY = [secret]\n");
    const valuesJson = JSON.parse((await box.run(["env", "list", "--env", "preview", "--values", "--json"])).stdout);
    expect(valuesJson[0]).toEqual({
      key: "DATABASE_URL",
      isSecret: false,
      value: LONG,
      overrides: [{ branch: "feature-x", value: `${LONG}-feature` }],
    });
    expect(valuesJson[3]).toEqual({ key: "STRIPE_KEY", isSecret: true, value: null, overrides: [] });

    for (const r of [text, json, values]) expect(r.stdout + r.stderr).not.toContain(canary);
    expect(text.stdout + json.stdout).not.toContain(LONG);
  });

  it("--names-only prints the keys and their count, also for a token that may only write", async () => {
    const names = await box.run(["env", "list", "--env", "preview", "--names-only"]);
    expect(names).toEqual({
      code: 0,
      stdout: "DATABASE_URL\nEMOJI\nSHORT\nSTRIPE_KEY\n",
      stderr: '4 variables in "preview".\n',
    });
    const json = await box.run(["env", "list", "--env", "preview", "--names-only", "--json"]);
    expect(JSON.parse(json.stdout)).toEqual({
      environment: "preview",
      count: 4,
      keys: ["DATABASE_URL", "EMOJI", "SHORT", "STRIPE_KEY"],
    });

    const writer = await serviceToken(server, slug, ["WRITE"], ["preview"]);
    const env = { ENVPLANE_TOKEN: writer.token };
    const writeOnly = await box.run(["env", "list", "--env", "preview", "--names-only"], { env });
    expect(writeOnly).toEqual(names);
    // Previews and values need the read permission: the error says how to get the names.
    for (const args of [[], ["--values"], ["--json"]]) {
      const refused = await box.run(["env", "list", "--env", "preview", ...args], { env });
      expect(refused).toEqual({
        code: 1,
        stdout: "",
        stderr:
          `Error: Your token may not read the values of "preview" in project "${slug}". ` +
          `"envplane env list --names-only --env preview" lists its keys.\n`,
      });
    }
    const empty = await box.run(["env", "list", "--names-only", "--json"]);
    expect(JSON.parse(empty.stdout)).toEqual({ environment: "development", count: 0, keys: [] });
    const both = await box.run(["env", "list", "--names-only", "--values"]);
    expect(both).toEqual({
      code: 2,
      stdout: "",
      stderr: expect.stringContaining("--names-only and --values exclude each other"),
    });
    const unknown = await box.run(["env", "list", "--env", "nope", "--names-only"]);
    expect(unknown).toMatchObject({ code: 1, stdout: "" });
    expect(unknown.stderr).toContain('Environment "nope" not found');
  });

  it("env get KEY is the explicit read: the full value, byte for byte; a secret is refused", async () => {
    const get = await box.run(["env", "get", "DATABASE_URL", "--env", "preview"]);
    expect(get).toEqual({ code: 0, stdout: LONG, stderr: "" });
    const emoji = await box.run(["env", "get", "EMOJI", "--env", "preview"]);
    expect(emoji.stdout).toBe("🚀".repeat(14));
    const secret = await box.run(["env", "get", "STRIPE_KEY", "--env", "preview"]);
    expect(secret.code).toBe(1);
    expect(secret.stdout + secret.stderr).not.toContain(canary);
  });
});

describe("several keys at once", () => {
  it("env set A=1 B=2 and env unset A B C are one revision each; keys not there are notFound", async () => {
    const start = (await readEnvironment(server.owner, slug, "development")).revision;
    const set = await box.run(["env", "set", "A=1", "B=2", "C=3"]);
    expect(set).toEqual({
      code: 0,
      stdout: `✓ Set 3 variables in "development" (revision ${start + 1}): added A, B, C.\n`,
      stderr: "",
    });
    const unset = await box.run(["env", "unset", "A", "B", "NOPE", "--json"]);
    expect(unset.code).toBe(0);
    expect(JSON.parse(unset.stdout)).toEqual({
      environment: "development",
      branch: null,
      removed: ["A", "B"],
      notFound: ["NOPE"],
      missing: ["NOPE"],
      overridesRemoved: 0,
      revision: start + 2,
    });
    const env = await readEnvironment(server.owner, slug, "development");
    expect(env.revision).toBe(start + 2);
    expect(env.variables.map((v) => [v.key, v.value])).toEqual([["C", "3"]]);

    const text = await box.run(["env", "unset", "C", "X", "Y"]);
    expect(text).toEqual({
      code: 0,
      stdout: `✓ Removed C from "development" (revision ${start + 3}).\n`,
      stderr: 'X, Y were not set in "development" (nothing to remove for them).\n',
    });
    const nothing = await box.run(["env", "unset", "X", "Y", "--json"]);
    expect(JSON.parse(nothing.stdout)).toMatchObject({ removed: [], notFound: ["X", "Y"], revision: start + 3 });
    expect((await readEnvironment(server.owner, slug, "development")).revision).toBe(start + 3);
    expect((await box.run(["env", "set", "A=1", "B=2"])).code).toBe(0);
    expect(await box.run(["env", "unset", "A", "B", "Z"])).toEqual({
      code: 0,
      stdout: `✓ Removed A, B from "development" (revision ${start + 5}).\n`,
      stderr: 'Z was not set in "development" (nothing to remove for it).\n',
    });
  });
});
