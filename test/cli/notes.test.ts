/**
 * Notes that survive, through the real CLI process: a comment block directly above a key in a
 * pushed .env becomes its note, pull writes it back above the key with the pushed order and
 * blank lines, and the pull → push round trip has nothing to push.
 */
import { describe, expect, it } from "vitest";
import { createSandbox } from "../support/cli.js";
import { createProject, readEnvironment, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((s) => (server = s), { listen: true });

async function notes(slug: string) {
  const env = await readEnvironment(server.owner, slug, "development");
  return Object.fromEntries(env.variables.map((v) => [v.key, [v.value, v.note ?? null]]));
}

const handwritten = `# My app settings (a free comment: not directly above a key)

# Public URL of the app
# (no trailing slash)
APP_URL=https://app.example
PORT=3000

# Primary database
DATABASE_URL=postgres://db/app
DB_POOL=10
# Webhook signing secret, from the Stripe dashboard
# @secret
STRIPE_WEBHOOK_SECRET=whsec_canary_123
`;

describe("notes and layout through env push and env pull", () => {
  it("round trip: push, pull writes notes and grouping back, pushing the pulled file has nothing to push", async () => {
    const slug = "cli-notes";
    await createProject(server.owner, slug);
    const box = await createSandbox(server, { link: slug });
    box.write("envplane/.env", handwritten);
    const first = await box.run(["env", "push", "--yes"]);
    expect(first.code).toBe(0);
    expect(await notes(slug)).toEqual({
      APP_URL: ["https://app.example", "Public URL of the app\n(no trailing slash)"],
      DATABASE_URL: ["postgres://db/app", "Primary database"],
      DB_POOL: ["10", null],
      PORT: ["3000", null],
      STRIPE_WEBHOOK_SECRET: [null, "Webhook signing secret, from the Stripe dashboard"],
    });

    expect((await box.run(["env", "pull"])).code).toBe(0);
    expect(box.read("envplane/.env")).toBe(
      '# Pulled from "development" environment\n' +
        "#\n# Secrets excluded (add to .env.local if needed):\n# STRIPE_WEBHOOK_SECRET\n\n" +
        "# User variables\n" +
        "# Public URL of the app\n# (no trailing slash)\nAPP_URL=https://app.example\nPORT=3000\n\n" +
        "# Primary database\nDATABASE_URL=postgres://db/app\nDB_POOL=10\n",
    );
    const again = await box.run(["env", "push", "--yes"]);
    expect(again.code).toBe(0);
    expect(again.stdout + again.stderr).toMatch(/Nothing to push/);
    const prune = await box.run(["env", "push", "--yes", "--prune"]);
    expect(prune.stdout + prune.stderr).toMatch(/Nothing to push/);
    const revision = (await readEnvironment(server.owner, slug, "development")).revision;

    // Edit one note: the push changes only it (one revision, values untouched).
    box.write("envplane/.env", box.read("envplane/.env").replace("# Primary database", "# Primary database (rw)"));
    const edited = await box.run(["env", "push", "--yes"]);
    expect(edited.code).toBe(0);
    expect(edited.stdout).toContain("~ DATABASE_URL (note changed)");
    expect(edited.stdout).not.toMatch(/\(changed\)|\(add\)|\(remove\)/);
    expect(edited.stdout + edited.stderr).toMatch(/0 added, 0 changed, 0 removed, 1 note changed \(revision \d+\)/);
    const after = await readEnvironment(server.owner, slug, "development");
    expect(after.revision).toBe(revision + 1);
    expect((await notes(slug)).DATABASE_URL).toEqual(["postgres://db/app", "Primary database (rw)"]);
    expect(edited.stdout + edited.stderr).not.toContain("whsec_canary");

    // A merge push of a partial file keeps the notes (and places) of the keys it does not name.
    box.write("partial.env", "PORT=4000\n");
    const partial = await box.run(["env", "push", "--yes", "--file", "partial.env"]);
    expect(partial.code).toBe(0);
    expect(await notes(slug)).toMatchObject({
      APP_URL: ["https://app.example", "Public URL of the app\n(no trailing slash)"],
      DATABASE_URL: ["postgres://db/app", "Primary database (rw)"],
      PORT: ["4000", null],
      STRIPE_WEBHOOK_SECRET: [null, "Webhook signing secret, from the Stripe dashboard"],
    });
    await box.run(["env", "pull"]);
    expect(box.read("envplane/.env")).toContain(
      "# Public URL of the app\n# (no trailing slash)\nAPP_URL=https://app.example\nPORT=4000\n\n# Primary database (rw)\n",
    );

    // Reordering keys in the file is a change; deleting a comment removes that note.
    box.write(
      "envplane/.env",
      "DB_POOL=10\nDATABASE_URL=postgres://db/app\n\nAPP_URL=https://app.example\nPORT=4000\n",
    );
    const reordered = await box.run(["env", "push", "--yes"]);
    expect(reordered.stdout).toContain("~ key order or blank lines changed");
    expect(reordered.stdout).toContain("~ APP_URL (note removed)");
    expect(reordered.stdout.match(/APP_URL/g)).toHaveLength(1);
    expect(reordered.stdout.match(/DATABASE_URL/g)).toHaveLength(1);
    await box.run(["env", "pull"]);
    expect(box.read("envplane/.env")).toMatch(
      /# User variables\nDB_POOL=10\nDATABASE_URL=postgres:\/\/db\/app\n\nAPP_URL=https:\/\/app.example\nPORT=4000\n$/,
    );
    expect((await notes(slug)).STRIPE_WEBHOOK_SECRET[1]).toBe("Webhook signing secret, from the Stripe dashboard");
  });

  it("env set --note sets a note, env list shows it; --note with pairs or a branch is refused", async () => {
    const slug = "cli-notes-set";
    await createProject(server.owner, slug, { branches: ["feature-x"] });
    const box = await createSandbox(server, { link: slug });
    const set = await box.run(["env", "set", "SMTP_HOST", "smtp.example", "--note", "Outgoing mail\nask ops first"]);
    expect(set.code).toBe(0);
    const list = await box.run(["env", "list"]);
    expect(list.stdout).toContain("# Outgoing mail\n# ask ops first\nSMTP_HOST = ");
    const json = JSON.parse((await box.run(["env", "list", "--values", "--json"])).stdout);
    expect(json).toEqual([
      {
        key: "SMTP_HOST",
        isSecret: false,
        value: "smtp.example",
        note: "Outgoing mail\nask ops first",
        overrides: [],
      },
    ]);
    const noteOnly = await box.run(["env", "set", "SMTP_HOST", "smtp.example", "--note", "Outgoing mail"]);
    expect(noteOnly).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^✓ Note of SMTP_HOST updated in "development"/),
    });
    expect(noteOnly.stdout).not.toMatch(/Updated SMTP_HOST/);
    expect((await notes(slug)).SMTP_HOST).toEqual(["smtp.example", "Outgoing mail"]);

    const pairs = await box.run(["env", "set", "A=1", "B=2", "--note", "x"]);
    expect(pairs.code).toBe(2);
    expect(pairs.stderr).toMatch(/--note sets the note of one variable/);
    const branch = await box.run([
      "env",
      "set",
      "SMTP_HOST",
      "x",
      "--env",
      "preview",
      "--branch",
      "feature-x",
      "--note",
      "n",
    ]);
    expect(branch.code).toBe(1);
    expect(branch.stderr).toMatch(/Notes belong to base values/);
  });
  it("push diff names each key once: a value and note change on one line, a note-only change not also as unchanged", async () => {
    const slug = "cli-notes-diff";
    await createProject(server.owner, slug);
    const box = await createSandbox(server, { link: slug });
    box.write("envplane/.env", "# Primary\nDATABASE_URL=postgres://a\n# Mail\nSMTP_HOST=smtp.a\nPORT=1\n");
    expect((await box.run(["env", "push", "--yes"])).code).toBe(0);
    box.write("envplane/.env", "# Replica\nDATABASE_URL=postgres://b\nSMTP_HOST=smtp.a\nPORT=1\n");
    const r = await box.run(["env", "push", "--yes"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('~ DATABASE_URL = "postgres://b" (changed, note changed)\n');
    expect(r.stdout).toContain("~ SMTP_HOST (note removed)\n");
    expect(r.stdout).toContain("= PORT (unchanged, skipped)\n");
    for (const key of ["DATABASE_URL", "SMTP_HOST", "PORT"]) expect(r.stdout.split(key)).toHaveLength(2);
  });

  it("env set with KEY=VALUE pairs equal to the stored values writes nothing and says so", async () => {
    const slug = "cli-notes-same";
    await createProject(server.owner, slug);
    const box = await createSandbox(server, { link: slug });
    const pairs = ["LOG_LEVEL=debug", "API_URL=http://localhost:3000"];
    expect((await box.run(["env", "set", ...pairs])).code).toBe(0);
    const revision = (await readEnvironment(server.owner, slug, "development")).revision;
    const same = await box.run(["env", "set", ...pairs]);
    expect(same).toEqual({
      code: 0,
      stdout: `✓ LOG_LEVEL, API_URL in "development" already have these values: nothing changed (revision ${revision}).\n`,
      stderr: "",
    });
    const mixed = await box.run(["env", "set", "LOG_LEVEL=info", "API_URL=http://localhost:3000"]);
    expect(mixed.stdout).toBe(
      `✓ Set 2 variables in "development" (revision ${revision + 1}): updated LOG_LEVEL; unchanged API_URL.\n`,
    );
    expect((await readEnvironment(server.owner, slug, "development")).revision).toBe(revision + 1);
  });
});
