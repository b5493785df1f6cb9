/**
 * envplane env diff and env promote, through the real binary: the diff table and --json
 * (secrets as changed/unchanged, never a value), promote's plan → confirm → apply, --dry-run,
 * --prune, no prompt without a terminal, and the interactive review in a real pseudo-terminal.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSandbox } from "../support/cli.js";
import {
  createEnvironment,
  createProject,
  listValues,
  runtimeValues,
  setVariable,
  updateMapping,
  userWithRole,
  useTestServer,
} from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((started) => (server = started), { listen: true });

const canary = `CANARY_${randomBytes(8).toString("hex")}`;
let n = 0;

/** staging → production: NEW added, DIFF changed, SAME unchanged, API_KEY a changed secret, OLD only in production. */
async function project() {
  const s = `cp-${++n}-${randomBytes(2).toString("hex")}`;
  const sdk = server.owner;
  await createProject(sdk, s);
  await createEnvironment(sdk, s, "staging");
  const set = (environment: string, key: string, value: string, secret = false) =>
    setVariable(sdk, { project: s, environment, key, value, secret });
  await set("staging", "NEW", "n");
  await set("staging", "SAME", "1");
  await set("staging", "DIFF", "staging-value");
  await set("staging", "API_KEY", `${canary}-staging`, true);
  await set("production", "SAME", "1");
  await set("production", "DIFF", "prod-value");
  await set("production", "API_KEY", `${canary}-prod`, true);
  await set("production", "OLD", "o");
  return s;
}

async function productionAtRuntime(s: string) {
  await updateMapping(server.owner, s, [{ environment: "production", branch: "main" }]);
  return (await runtimeValues(server, s, "main")).values;
}

describe("env diff", () => {
  it("prints a table of what differs, secrets as [secret] changed, and counts the rest", async () => {
    const s = await project();
    const box = await createSandbox(server, { link: s });
    const r = await box.run(["env", "diff", "staging", "production"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(canary);
    const lines = r.stdout.split("\n").map((l) => l.replace(/\s+/g, " ").trim());
    expect(lines[0]).toBe("staging@4 → production@4");
    expect(lines).toContain("~ API_KEY [secret] [secret] changed");
    expect(lines).toContain('~ DIFF "staging-value" "prod-value"');
    expect(lines).toContain('- NEW "n"');
    expect(lines).toContain('+ OLD "o"');
    expect(lines.some((l) => l.includes("SAME"))).toBe(false);
    expect(lines.at(-2)).toBe("5 keys: 1 added, 1 removed, 2 changed, 1 unchanged.");
  });

  it("--json gives every entry with status; name@revision compares a past or current revision", async () => {
    const s = await project();
    const box = await createSandbox(server, { link: s });
    const r = await box.run(["env", "diff", "production@4", "staging", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(canary);
    const out = JSON.parse(r.stdout);
    expect(out.base).toEqual({ environment: "production", revision: 4 });
    expect(out.entries).toContainEqual({
      key: "API_KEY",
      status: "CHANGED",
      isSecret: true,
      baseValue: null,
      headValue: null,
    });
    expect(out.entries).toContainEqual({
      key: "SAME",
      status: "UNCHANGED",
      isSecret: false,
      baseValue: "1",
      headValue: "1",
    });
    expect(out).toMatchObject({ added: 1, removed: 1, changed: 2, unchanged: 1 });
  });

  it("long values are cut, but two that differ only after the cut are shown whole (diff and promote)", async () => {
    const s = `cp-${++n}-${randomBytes(2).toString("hex")}`;
    await createProject(server.owner, s);
    await createEnvironment(server.owner, s, "staging");
    const url = (db: string) => `postgres://user@db.internal.example.com:5432/${db}`;
    const set = (environment: string, key: string, value: string) =>
      setVariable(server.owner, { project: s, environment, key, value });
    await set("staging", "DATABASE_URL", url("app_staging"));
    await set("production", "DATABASE_URL", url("app_production"));
    await set("staging", "LONG", `${"a".repeat(40)}-staging`);
    await set("production", "LONG", `${"b".repeat(40)}-production`);
    const box = await createSandbox(server, { link: s });
    for (const args of [
      ["env", "diff", "staging", "production"],
      ["env", "promote", "production", "staging", "--dry-run"],
    ]) {
      const r = await box.run(args);
      expect(r.code, r.stderr).toBe(0);
      const row = r.stdout.split("\n").find((l) => l.includes("DATABASE_URL"))!;
      expect(row).toContain(`"${url("app_staging")}"`);
      expect(row).toContain(`"${url("app_production")}"`);
      // Values that already differ within the first 30 characters stay cut.
      const long = r.stdout.split("\n").find((l) => l.includes("LONG"))!;
      expect(long).toContain(`"${"a".repeat(30)}…"`);
      expect(long).toContain(`"${"b".repeat(30)}…"`);
    }
  });

  it("a secret in both is ? not compared for who may not write both sides (table, summary and --json)", async () => {
    const s = await project();
    const developer = await userWithRole(server, s, "DEVELOPER"); // may write staging, not protected production
    const box = await createSandbox(server, { link: s, token: developer.token });
    const r = await box.run(["env", "diff", "staging", "production"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(canary);
    const lines = r.stdout.split("\n").map((l) => l.replace(/\s+/g, " ").trim());
    expect(lines).toContain("? API_KEY [secret] [secret] secret, not compared: needs write on both");
    expect(lines.at(-2)).toBe(
      "5 keys: 1 added, 1 removed, 1 changed, 1 unchanged, 1 not compared (a secret in both; comparing them needs " +
        "write on both environments).",
    );
    const json = JSON.parse((await box.run(["env", "diff", "staging", "production", "--json"])).stdout);
    expect(json).toMatchObject({ changed: 1, notCompared: 1 });
    expect(json.entries).toContainEqual({
      key: "API_KEY",
      status: "SECRET_NOT_COMPARED",
      isSecret: true,
      baseValue: null,
      headValue: null,
    });
  });

  it("bad references are usage errors that say the form; an unknown revision is the server's message", async () => {
    const s = await project();
    const box = await createSandbox(server, { link: s });
    const bad = await box.run(["env", "diff", "staging@x", "production"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"staging@x" is not an environment or environment@revision');
    const missing = await box.run(["env", "diff", "staging@99", "production"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('"staging" has no revision 99');
  });
});

describe("env promote", () => {
  it("--dry-run shows the plan and changes nothing", async () => {
    const s = await project();
    const before = await listValues(server.owner, s, "production");
    const box = await createSandbox(server, { link: s });
    const r = await box.run(["env", "promote", "staging", "production", "--dry-run", "--prune"]);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(canary);
    const lines = r.stdout.split("\n").map((l) => l.replace(/\s+/g, " ").trim());
    expect(lines).toContain('+ NEW "n"');
    expect(lines).toContain('- OLD "o"');
    expect(lines).toContain("~ API_KEY [secret] [secret]");
    expect(r.stdout).toContain("1 added, 2 changed, 1 removed. Dry run: nothing was promoted.");
    expect(await listValues(server.owner, s, "production")).toEqual(before);
  });

  it("--dry-run without --prune names the target's keys that stay", async () => {
    const s = await project();
    await setVariable(server.owner, { project: s, environment: "production", key: "EXTRA", value: "x" });
    const box = await createSandbox(server, { link: s });
    const r = await box.run(["env", "promote", "staging", "production", "--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("2 keys only in production stay (--prune removes them): EXTRA, OLD");
    expect(r.stdout).toContain("1 added, 2 changed, 0 removed. Dry run: nothing was promoted.");
    const pruned = await box.run(["env", "promote", "staging", "production", "--dry-run", "--prune"]);
    expect(pruned.stdout).not.toContain("only in production stay");
  });

  it("without a terminal it asks for --yes and changes nothing; with --yes it applies (secrets carried)", async () => {
    const s = await project();
    const before = await listValues(server.owner, s, "production");
    const box = await createSandbox(server, { link: s });
    const refused = await box.run(["env", "promote", "staging", "production"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("Re-run with --yes");
    expect(await listValues(server.owner, s, "production")).toEqual(before);

    const r = await box.run(["env", "promote", "staging", "production", "--yes", "-m", "release 1"]);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(canary);
    expect(r.stdout).toContain('Promoted "staging@4" to "production": 1 added, 2 changed, 0 removed (revision 5).');
    const prod = await productionAtRuntime(s);
    expect(prod.API_KEY).toEqual({ value: `${canary}-staging`, isSecret: true });
    expect(prod.DIFF.value).toBe("staging-value");
    expect(prod.OLD.value).toBe("o"); // no --prune: left alone

    const again = await box.run(["env", "promote", "staging", "production", "--yes"]);
    expect(again.code).toBe(0);
    expect(again.stderr + again.stdout).toContain('"production" already matches; nothing to do.');
  });

  it("--json with --yes --prune prints the result", async () => {
    const s = await project();
    const box = await createSandbox(server, { link: s });
    const r = await box.run(["env", "promote", "staging", "production", "--yes", "--prune", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(canary);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ environment: "production", applied: true, revision: 5, removed: ["OLD"] });
    expect(Object.keys((await listValues(server.owner, s, "production")).values)).not.toContain("OLD");
  });

  it("--interactive needs a terminal", async () => {
    const s = await project();
    const box = await createSandbox(server, { link: s });
    const r = await box.run(["env", "promote", "staging", "production", "--interactive"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--interactive needs a terminal");
  });

  it("--interactive reviews the changed keys only: keep, skip, carry a secret; then confirms", async () => {
    const s = await project();
    const box = await createSandbox(server, { link: s });
    const t = box.pty(["env", "promote", "staging", "production", "--interactive"]);
    await t.expect('Promoting "staging@4" to "production": 3 keys to review (1 unchanged key kept as they are).');
    await t.expect("\nAPI_KEY = [secret]\n[C]arry as-is / [E]nter new value / [S]kip? ");
    t.send("c\r");
    await t.expect('\nDIFF = "staging-value"\n[K]eep / [E]dit / [S]kip? ');
    t.send("s\r");
    await t.expect('\nNEW = "n"\n[K]eep / [E]dit / [S]kip? ');
    t.send("e\r");
    await t.expect("New value: ");
    t.send("edited\r");
    await t.expect("Mark as secret? [y/N] ");
    t.send("n\r");
    await t.expect('1 added, 1 changed, 0 removed. Apply to "production" (protected)? [y/N] ');
    t.send("y\r");
    const { code, output } = await t.exit();
    expect(code).toBe(0);
    expect(output).not.toContain(canary);
    const prod = await productionAtRuntime(s);
    expect(prod.API_KEY.value).toBe(`${canary}-staging`);
    expect(prod.DIFF.value).toBe("prod-value");
    expect(prod.NEW.value).toBe("edited");
  });
});
