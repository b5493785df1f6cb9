/**
 * `envplane audit`, `envplane audit verify` and `envplane status` as a user runs them: the real binary against a
 * real server, its output and exit codes, and tampering done directly in the database.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSandbox } from "../support/cli.js";
import { expectType } from "../support/expect.js";
import { createProject, serviceToken, setVariable, userWithRole, useTestServer } from "../support/fixtures.js";
import { withRawDb } from "../support/raw-db.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((s) => (server = s), { listen: true });

const canary = `canary-${randomBytes(8).toString("hex")}`;

async function project(options: { branches?: string[] } = {}) {
  const slug = `cli-au-${randomBytes(4).toString("hex")}`;
  await createProject(server.owner, slug, options);
  await setVariable(server.owner, { project: slug, environment: "preview", key: "API_URL", value: `${canary}-1` });
  await setVariable(server.owner, { project: slug, environment: "preview", key: "TOKEN", value: canary, secret: true });
  return slug;
}

describe("envplane audit", () => {
  it("lists the log newest first with filters, as a table and as JSON, never a value", async () => {
    const slug = await project();
    const box = await createSandbox(server, { link: slug });
    expect((await box.run(["env", "pull", "--env", "preview"])).code).toBe(0);
    const all = await box.run(["audit"]);
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^#\s+TIME \(UTC\)\s+ACTION\s+ACTOR\s+ENVIRONMENT\s+REV\s+KEYS\s+FROM/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/)[0])).toEqual(["4", "3", "2", "1"]);
    expect(lines[1]).toMatch(/variables\.pull\s+Owner\s+preview\s+2\s+API_URL\s+127\.0\.0\.1/);
    expect(all.stdout + all.stderr).not.toContain(canary);

    const pulls = await box.run(["audit", "--action", "variables.", "--json"]);
    expect(pulls.code).toBe(0);
    const events = JSON.parse(pulls.stdout);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: "variables.pull", keys: ["API_URL"], environment: "preview" });
    expect(events[0].userAgent).toMatch(/^envplane-cli\/\d/);

    const byEnv = JSON.parse((await box.run(["audit", "--env", "preview", "--since", "1h", "--json"])).stdout);
    expect(byEnv.map((e: { action: string }) => e.action)).toEqual(["variables.pull", "variable.set", "variable.set"]);
    const typo = await box.run(["audit", "--env", "prevew"]);
    expect(typo).toMatchObject({ code: 1, stdout: "" });
    expect(typo.stderr).toContain('Environment "prevew" not found');
    expect(typo.stderr).toContain("envplane env list-environments");
    expect(typo.stderr).not.toContain("No audit events");
    const none = await box.run(["audit", "--actor", "nobody"]);
    expect(none).toMatchObject({ code: 0, stdout: "" });
    expect(none.stderr).toContain("No audit events");
    // An action without "." matches only that exact action: the CLI says how to ask for the prefix.
    const noDot = await box.run(["audit", "--action", "variables"]);
    expect(noDot).toMatchObject({ code: 0, stdout: "" });
    expect(noDot.stderr).toContain('prefix ending in "."; did you mean --action variables.?');
    const prefixed = JSON.parse((await box.run(["audit", "--action", "variables.", "--json"])).stdout);
    expect(prefixed).toHaveLength(1);
  });

  it("refuses bad options and callers who may not read the log, with a clear message and exit code", async () => {
    const slug = await project();
    const box = await createSandbox(server, { link: slug });
    const since = await box.run(["audit", "--since", "yesterday"]);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain("--since must be a duration back from now");
    const developer = await userWithRole(server, slug, "DEVELOPER");
    const dev = await createSandbox(server, { link: slug, token: developer.token });
    const refused = await dev.run(["audit"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/read the audit log/);
    expect(refused.stderr).not.toMatch(/Unexpected/);
  });

  it("audit verify: exit 0 when intact, exit 1 naming the rows edited or deleted in the database", async () => {
    const slug = await project();
    const box = await createSandbox(server, { link: slug });
    const ok = await box.run(["audit", "verify"]);
    expect(ok).toEqual({ code: 0, stdout: `The audit log of ${slug} is intact: 3 events checked.\n`, stderr: "" });
    const id = (await server.owner.project({ slug })).project!.id;
    await withRawDb(server.database, async (q) => {
      await q(`UPDATE "Event" SET "action" = 'variable.unset' WHERE "chain" = $1 AND "seq" = 2`, [id]);
      await q(`DELETE FROM "Event" WHERE "chain" = $1 AND "seq" = 3`, [id]);
    });
    const broken = await box.run(["audit", "verify"]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`The audit log of ${slug} has 2 problems`);
    expect(broken.stderr).toContain("\n  Event #2 was changed after it was written");
    expect(broken.stderr).toContain("\n  Event #3 is missing: deleted.");
    const asJson = await box.run(["audit", "verify", "--json"]);
    expect(asJson.code).toBe(1);
    const verified = JSON.parse(asJson.stdout);
    expect(verified).toMatchObject({ ok: false, checked: 2, problems: [{ sequence: 2 }, { sequence: 3 }] });
    // The CLI's JSON is its own shape: no GraphQL __typename.
    expect(Object.keys(verified).sort()).toEqual(["checked", "ok", "problems"]);
    expect(Object.keys(verified.problems[0]).sort()).toEqual(["eventId", "message", "sequence"]);
  });
});

describe("envplane status", () => {
  it("shows each branch's environment, current and live revision, and the changes not yet live", async () => {
    const slug = await project({ branches: ["feature-x"] });
    const runtime = await serviceToken(server, slug, ["RUNTIME"]);
    expectType(
      (await runtime.client.runtimeVariables({ project: slug, branch: "feature-x" })).runtimeVariables,
      "RuntimeEnvironment",
    );
    await setVariable(server.owner, { project: slug, environment: "preview", key: "NEW_KEY", value: "1" });
    const box = await createSandbox(server, { link: slug });
    const r = await box.run(["status"]);
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split("\n")
      .map((l) => l.split(/\s{2,}/));
    expect(rows[0]).toEqual(["BRANCH", "ENVIRONMENT", "CURRENT", "LIVE", "SERVED (UTC)", "STATUS"]);
    const byBranch = Object.fromEntries(rows.slice(1).map((row) => [row[0], row]));
    expect(byBranch["feature-x"]).toEqual([
      "feature-x",
      "preview",
      "3",
      "2",
      expect.any(String),
      "1 change not yet live",
    ]);
    expect(byBranch.main).toEqual(["main", "production", "0", "-", "-", "never served"]);

    const one = await box.run(["status", "--branch", "feature-x"]);
    expect(one.stdout).toContain("Not yet live on feature-x: NEW_KEY");
    const asJson = JSON.parse((await box.run(["status", "--branch", "feature-x", "--json"])).stdout);
    expect(asJson).toMatchObject({
      branch: "feature-x",
      environment: "preview",
      currentRevision: 3,
      live: { revision: 2, environmentName: "preview" },
      pendingChanges: 1,
      pendingKeys: ["NEW_KEY"],
      redeployNeeded: true,
    });
    const missing = await box.run(["status", "--branch", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('has no branch "nope"');
  });
});
