/**
 * `envplane env history` and `envplane env restore` through the real CLI process against a real
 * server (piped stdin: never a TTY), and `--message/-m` on the writing commands.
 */
import { describe, expect, it } from "vitest";
import { createSandbox } from "../support/cli.js";
import { bulk, createProject, listValues, runtimeValues, setVariable, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((s) => (server = s), { listen: true });

describe("env history / env restore", () => {
  it("lists revisions with messages; restore plans, needs --yes without a terminal, then applies", async () => {
    const slug = "cli-history";
    await createProject(server.owner, slug);
    const box = await createSandbox(server, { link: slug });
    expect((await box.run(["env", "set", "API_URL", "https://one", "--env", "preview", "-m", "first url"])).code).toBe(
      0,
    );
    expect(
      (
        await box.run(["env", "set", "TOKEN", "-", "--secret", "--env", "preview", "--message", "the token"], {
          input: "tok-one",
        })
      ).code,
    ).toBe(0);
    const before = await runtimeValues(server, slug, "dev");
    box.write("envplane/.env", "API_URL=https://two\nNEW=1\n");
    const push = await box.run(["env", "push", "--env", "preview", "--yes", "-m", "pushed two"]);
    expect(push.code).toBe(0);
    expect((await box.run(["env", "set", "TOKEN", "-", "--env", "preview"], { input: "tok-two" })).code).toBe(0);
    expect((await box.run(["env", "unset", "NEW", "--env", "preview", "-m", "no more NEW"])).code).toBe(0);

    const history = await box.run(["env", "history", "--env", "preview"]);
    expect(history.code).toBe(0);
    const lines = history.stdout.split("\n");
    expect(lines[0]).toBe("preview, revision 5:");
    expect(lines[2]).toMatch(/^REV\s+TIME \(UTC\)\s+BY\s+CHANGES\s+MESSAGE$/);
    expect(lines[3]).toMatch(/^5\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+.+\s+\+0 ~0 -1\s+no more NEW$/);
    expect(lines[5]).toMatch(/^3\s.*\+1 ~1 -0\s+pushed two$/);
    expect(lines[7]).toMatch(/^1\s.*\+1 ~0 -0\s+first url$/);
    expect(history.stdout).not.toContain("tok-");

    const json = JSON.parse((await box.run(["env", "history", "--env", "preview", "--json"])).stdout);
    expect(json).toMatchObject({ environment: "preview", revision: 5, historySince: 0, total: 5 });
    expect(json.revisions.map((r: { number: number }) => r.number)).toEqual([5, 4, 3, 2, 1]);
    expect(json.revisions[3]).toMatchObject({ message: "the token", added: 1, actor: { type: "USER" } });

    const dry = await box.run(["env", "restore", "2", "--env", "preview", "--dry-run"]);
    expect(dry).toMatchObject({ code: 0, stderr: "" });
    expect(dry.stdout).toBe(
      'Restoring revision 2 of "preview" (now at revision 5): 2 variables and 0 branch overrides change.\n' +
        '~ API_URL: "https://two" → "https://one"\n' +
        "~ TOKEN: [secret]\n" +
        "Dry run: nothing was restored.\n",
    );
    const refused = await box.run(["env", "restore", "2", "--env", "preview"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "Restoring needs a confirmation and there is no terminal to ask on. Re-run with --yes",
    );
    expect((await listValues(server.owner, slug, "preview")).revision).toBe(5);

    const applied = await box.run(["env", "restore", "2", "--env", "preview", "--yes", "-m", "back to one"]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Restored revision 2 of "preview" as revision 6.');
    expect(await runtimeValues(server, slug, "dev")).toEqual(before);
    const last = JSON.parse((await box.run(["env", "history", "--env", "preview", "--json", "--limit", "1"])).stdout);
    expect(last.revisions).toMatchObject([{ number: 6, action: "environment.restore", message: "back to one" }]);

    const again = await box.run(["env", "restore", "6", "--env", "preview", "--yes"]);
    expect(again.stdout).toContain("already has the state of revision 6: nothing to restore.");

    const future = await box.run(["env", "restore", "60", "--env", "preview", "--yes"]);
    expect(future.code).toBe(1);
    expect(future.stderr).toContain('"preview" is at revision 6; revision 60 does not exist yet.');
    const bad = await box.run(["env", "restore", "two", "--env", "preview"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('<revision> must be a revision number, e.g. 12 (got "two").');
    const long = await box.run(["env", "set", "X", "1", "--env", "preview", "-m", "m".repeat(501)]);
    expect(long.code).toBe(1);
    expect(long.stderr).toContain("at most 500");
    expect((await listValues(server.owner, slug, "preview")).revision).toBe(6);
  }, 240_000);

  it("seed takes a message too", async () => {
    const slug = "cli-history-seed";
    await createProject(server.owner, slug);
    await bulk(server.owner, { project: slug, environment: "preview", variables: [{ key: "A", value: "1" }] });
    await setVariable(server.owner, { project: slug, environment: "development", key: "B", value: "2" });
    const box = await createSandbox(server, { link: slug });
    const seed = await box.run(["env", "seed", "development", "--from", "preview", "--yes", "-m", "from preview"]);
    expect(seed.code).toBe(0);
    const json = JSON.parse((await box.run(["env", "history", "--env", "development", "--json"])).stdout);
    expect(json.revisions[0]).toMatchObject({
      number: 2,
      action: "environment.seed",
      message: "from preview",
      added: 1,
    });
  }, 120_000);

  it("restore --dry-run names the branch overrides that change (text and --json), never a secret's value", async () => {
    const slug = "cli-history-overrides";
    const canary = `canary-${Date.now()}-cli-override`;
    await createProject(server.owner, slug, { branches: ["feature-x"] });
    await bulk(server.owner, {
      project: slug,
      environment: "preview",
      variables: [
        { key: "API_URL", value: "https://base" },
        { key: "TOKEN", value: "base-token", secret: true },
      ],
    });
    const set = (key: string, value: string) =>
      setVariable(server.owner, { project: slug, environment: "preview", key, value, branch: "feature-x" });
    await set("API_URL", "https://x-one");
    await set("TOKEN", `${canary}-1`);
    const target = (await listValues(server.owner, slug, "preview")).revision;
    await set("API_URL", "https://x-two");
    await set("TOKEN", `${canary}-2`);
    const box = await createSandbox(server, { link: slug });
    const dry = await box.run(["env", "restore", String(target), "--env", "preview", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("0 variables and 2 branch overrides change.");
    expect(dry.stdout).toContain('~ API_URL [feature-x]: "https://x-two" → "https://x-one"\n');
    expect(dry.stdout).toContain("~ TOKEN [feature-x]: [secret]\n");
    const json = await box.run(["env", "restore", String(target), "--env", "preview", "--dry-run", "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).overrideEntries).toEqual([
      {
        key: "API_URL",
        branch: "feature-x",
        status: "CHANGED",
        isSecret: false,
        baseValue: "https://x-two",
        headValue: "https://x-one",
      },
      { key: "TOKEN", branch: "feature-x", status: "CHANGED", isSecret: true, baseValue: null, headValue: null },
    ]);
    for (const out of [dry.stdout, dry.stderr, json.stdout, json.stderr]) expect(out).not.toContain(canary);
  }, 120_000);
});
