/**
 * The interactive flows of the CLI, driven through a real pseudo-terminal: interactive
 * seeding, push's secret questions and confirmation (and a concurrent change at the prompt),
 * link's push / conflict choices, and config enable's value prompts. Without a terminal (or
 * with CI set) nothing prompts and commands that need an answer name the flag to pass.
 */
import { describe, expect, it } from "vitest";
import { parseDotenv } from "../../core/dotenv.js";
import { createSandbox, type Sandbox } from "../support/cli.js";
import { expectType } from "../support/expect.js";
import {
  bulk,
  createProject,
  listValues,
  runtimeValues,
  serviceToken,
  setVariable,
  useTestServer,
} from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((started) => (server = started), { listen: true });

/** Inside a pseudo-terminal with CI=true: nothing may prompt. */
async function ptyWithCI(box: Sandbox, args: string[]): Promise<{ code: number; output: string }> {
  return box.pty(args, { env: { CI: "true" } }).exit();
}

describe("interactive seeding", () => {
  it("env seed production --from preview --interactive: keep, edit, skip, re-enter a secret hidden; stored as reviewed", async () => {
    const slug = "seed-tty";
    await createProject(server.owner, slug);
    await bulk(server.owner, {
      project: slug,
      environment: "preview",
      variables: [
        { key: "ANALYTICS_ID", value: "UA-12345" },
        { key: "DATABASE_URL", value: "postgres://preview-db:5432/app" },
        { key: "LOG_LEVEL", value: "debug" },
        { key: "SIGNING_SECRET", value: "whsec_preview", secret: true },
        { key: "STRIPE_API_KEY", value: "pk_preview_1" },
        { key: "STRIPE_KEY", value: "sk_test_preview", secret: true },
      ],
    });
    const box = await createSandbox(server, { link: slug });
    const s = box.pty(["env", "seed", "production", "--from", "preview", "--interactive"]);
    await s.expect('Seeding "production" from "preview" (6 variables):\n');

    // Variables come in key order. An invalid answer asks again.
    await s.expect('\nANALYTICS_ID = "UA-12345"\n[K]eep / [E]dit / [S]kip? ');
    s.send("x\r");
    await s.expect("Please answer k, e or s.\n[K]eep / [E]dit / [S]kip? ");
    s.send("k\r");

    await s.expect('\nDATABASE_URL = "postgres://preview-db:5432/app"\n[K]eep / [E]dit / [S]kip? ');
    s.send("e\r");
    await s.expect("New value: ");
    s.send("postgres://prod-db:5432/app\r");
    await s.expect("postgres://prod-db:5432/app ✓\nMark as secret? [y/N] ");
    s.send("n\r");

    await s.expect('\nLOG_LEVEL = "debug"\n[K]eep / [E]dit / [S]kip? ');
    s.send("s\r");

    await s.expect("\nSIGNING_SECRET = [secret]\n[E]nter new value / [S]kip? ");
    s.send("k\r"); // a secret cannot be kept
    await s.expect("Please answer e or s.\n[E]nter new value / [S]kip? ");
    s.send("s\r");

    // A name like API_KEY suggests a secret: the default is yes.
    await s.expect('\nSTRIPE_API_KEY = "pk_preview_1"\n[K]eep / [E]dit / [S]kip? ');
    s.send("e\r");
    await s.expect("New value: ");
    s.send("pk_live_prod_1\r");
    await s.expect("pk_live_prod_1 ✓\nMark as secret? [Y/n] ");
    s.send("\r");

    await s.expect("\nSTRIPE_KEY = [secret]\n[E]nter new value / [S]kip? ");
    s.send("e\r");
    await s.expect("New value (hidden): ");
    s.send("sk_live_prod_999\r");
    await s.expect(`${"•".repeat("sk_live_prod_999".length)} ✓\nMark as secret? [Y/n] `);
    s.send("y\r");

    await s.expect('✓ Seeded "production" with 4 variables (2 skipped).\n');
    const { code, output } = await s.exit();
    expect(code).toBe(0);
    // The spec's transcript: a kept variable and the secret answer end with ✓.
    expect(output).toContain(
      'ANALYTICS_ID = "UA-12345"\n[K]eep / [E]dit / [S]kip? x\nPlease answer k, e or s.\n[K]eep / [E]dit / [S]kip? k ✓\n',
    );
    expect(output).toContain(
      'DATABASE_URL = "postgres://preview-db:5432/app"\n[K]eep / [E]dit / [S]kip? e\n' +
        "New value: postgres://prod-db:5432/app ✓\nMark as secret? [y/N] n ✓\n",
    );
    expect(output).toContain(
      `STRIPE_KEY = [secret]\n[E]nter new value / [S]kip? e\nNew value (hidden): ${"•".repeat(16)} ✓\nMark as secret? [Y/n] y ✓\n`,
    );
    expect(output).not.toContain("sk_live_prod_999");
    expect(output).not.toContain("sk_test_preview");
    expect(output).not.toContain("whsec_preview");

    const prod = await runtimeValues(server, slug, "main");
    expect(prod.environment).toBe("production");
    expect(prod.values).toEqual({
      ANALYTICS_ID: { value: "UA-12345", isSecret: false },
      DATABASE_URL: { value: "postgres://prod-db:5432/app", isSecret: false },
      STRIPE_API_KEY: { value: "pk_live_prod_1", isSecret: true },
      STRIPE_KEY: { value: "sk_live_prod_999", isSecret: true },
    });
    // The source is untouched.
    expect((await runtimeValues(server, slug, "dev")).values.STRIPE_KEY).toEqual({
      value: "sk_test_preview",
      isSecret: true,
    });
  }, 60_000);

  it("env create qa --from preview --interactive creates the environment with the reviewed variables", async () => {
    const slug = "create-tty";
    await createProject(server.owner, slug);
    await bulk(server.owner, {
      project: slug,
      environment: "preview",
      variables: [
        { key: "API_URL", value: "https://api.preview.example.com" },
        { key: "DEBUG", value: "true" },
        { key: "PASSWORD", value: "hunter2", secret: true },
      ],
    });
    const box = await createSandbox(server, { link: slug });
    const s = box.pty(["env", "create", "qa", "--from", "preview", "--interactive"]);
    await s.expect('Seeding "qa" from "preview" (3 variables):\n');
    await s.expect('\nAPI_URL = "https://api.preview.example.com"\n[K]eep / [E]dit / [S]kip? ');
    s.send("e\r");
    await s.expect("New value: ");
    s.send("https://qa.example.com\r");
    await s.expect("Mark as secret? [y/N] ");
    s.send("\r");
    await s.expect('\nDEBUG = "true"\n[K]eep / [E]dit / [S]kip? ');
    s.send("s\r");
    await s.expect("\nPASSWORD = [secret]\n[E]nter new value / [S]kip? ");
    s.send("e\r");
    await s.expect("New value (hidden): ");
    s.send("qa-pass\r");
    await s.expect("Mark as secret? [Y/n] ");
    s.send("\r");
    await s.expect('✓ Created "qa" with 2 variables (1 skipped).\n');
    const { code, output } = await s.exit();
    expect(code).toBe(0);
    expect(output).not.toContain("qa-pass");
    expect(output).not.toContain("hunter2");

    const qa = await listValues(server.owner, slug, "qa");
    expect(qa.values).toEqual({
      API_URL: { value: "https://qa.example.com", isSecret: false },
      PASSWORD: { value: null, isSecret: true },
    });
    const { client } = await serviceToken(server, slug, ["RUNTIME"]);
    await server.owner.updateBranchMapping({
      input: {
        project: slug,
        entries: [
          { environment: "production", branch: "main" },
          { environment: "qa", branch: "dev" },
          { environment: "preview", branch: "*" },
        ],
      },
    });
    const r = expectType(
      (await client.runtimeVariables({ project: slug, branch: "dev" })).runtimeVariables,
      "RuntimeEnvironment",
    );
    expect(r.environmentName).toBe("qa");
    expect(r.variables.find((v) => v.key === "PASSWORD")).toMatchObject({ value: "qa-pass", isSecret: true });
  }, 60_000);
});

describe("env push on a terminal", () => {
  const ENV_FILE = [
    "EXISTING=new",
    "STRIPE_SECRET_KEY=sk_live_abc123",
    "ANALYTICS_ID=UA-123",
    "# @secret",
    "SIGNING_SECRET=whsec_xyz",
    "",
  ].join("\n");

  async function pushProject(slug: string) {
    await createProject(server.owner, slug);
    await bulk(server.owner, {
      project: slug,
      environment: "development",
      variables: [
        { key: "EXISTING", value: "old" },
        { key: "REMOTE_ONLY", value: "r" },
      ],
    });
    const box = await createSandbox(server, { link: slug });
    box.write("envplane/.env", ENV_FILE);
    return box;
  }

  /** Answers the secret questions with the defaults, then waits at "Continue?". */
  async function untilContinue(s: ReturnType<Sandbox["pty"]>) {
    await s.expect("New variables detected:\n");
    await s.expect('STRIPE_SECRET_KEY = "sk_live_…" Mark as secret? [Y/n] ');
    s.send("\r");
    await s.expect('ANALYTICS_ID = "UA-123" Mark as secret? [y/N] ');
    s.send("\r");
    await s.expect(
      [
        'Pushing to "development" environment:',
        "",
        "+ STRIPE_SECRET_KEY = [secret] (add)",
        '+ ANALYTICS_ID = "UA-123" (add)',
        "+ SIGNING_SECRET = [secret] (add)",
        '~ EXISTING = "new" (changed)',
        "",
        '1 variable in "development" not in envplane/.env is left alone (--prune removes them).',
        "4 additions/changes, 0 removals. Continue? [y/N] ",
      ].join("\n"),
    );
  }

  it("asks about new unannotated keys ([Y/n] for sensitive names), shows the diff; n cancels, y applies with the chosen types", async () => {
    const slug = "push-tty";
    const box = await pushProject(slug);
    const before = await listValues(server.owner, slug, "development");

    const no = box.pty(["env", "push"]);
    await untilContinue(no);
    no.send("n\r");
    const cancelled = await no.exit();
    expect(cancelled.code).toBe(1);
    expect(cancelled.output).toContain("Continue? [y/N] n\nError: Cancelled: nothing was pushed.\n");
    expect(await listValues(server.owner, slug, "development")).toEqual(before);

    const yes = box.pty(["env", "push"]);
    await untilContinue(yes);
    yes.send("y\r");
    await yes.expect(/✓ Pushed to "development": 3 added, 1 changed, 0 removed \(revision \d+\)\.\n/);
    expect((await yes.exit()).code).toBe(0);
    const after = await listValues(server.owner, slug, "development");
    expect(after.values).toEqual({
      ANALYTICS_ID: { value: "UA-123", isSecret: false },
      EXISTING: { value: "new", isSecret: false },
      REMOTE_ONLY: { value: "r", isSecret: false },
      SIGNING_SECRET: { value: null, isSecret: true },
      STRIPE_SECRET_KEY: { value: null, isSecret: true },
    });
    const { client } = await serviceToken(server, slug, ["READ"]);
    const pulled = expectType(
      (await client.pullVariables({ project: slug, environment: "development" })).pullVariables,
      "PulledEnvironment",
    );
    expect(pulled.excludedSecrets.sort()).toEqual(["SIGNING_SECRET", "STRIPE_SECRET_KEY"]);
  }, 60_000);

  it("answering the opposite of the default flips the type", async () => {
    const slug = "push-flip";
    const box = await pushProject(slug);
    const s = box.pty(["env", "push"]);
    await s.expect('STRIPE_SECRET_KEY = "sk_live_…" Mark as secret? [Y/n] ');
    s.send("n\r");
    await s.expect('ANALYTICS_ID = "UA-123" Mark as secret? [y/N] ');
    s.send("maybe\r");
    await s.expect('Please answer y or n.\nANALYTICS_ID = "UA-123" Mark as secret? [y/N] ');
    s.send("y\r");
    await s.expect("Continue? [y/N] ");
    s.send("y\r");
    expect((await s.exit()).code).toBe(0);
    const after = await listValues(server.owner, slug, "development");
    expect(after.values.STRIPE_SECRET_KEY).toEqual({ value: "sk_live_abc123", isSecret: false });
    expect(after.values.ANALYTICS_ID).toEqual({ value: null, isSecret: true });
  }, 60_000);

  it("a change made by someone else at the Continue? prompt is not overwritten", async () => {
    const slug = "push-race";
    const box = await pushProject(slug);
    const s = box.pty(["env", "push"]);
    await untilContinue(s);
    const { revision } = await listValues(server.owner, slug, "development");
    await setVariable(server.owner, { project: slug, environment: "development", key: "EXISTING", value: "theirs" });
    s.send("y\r");
    const { code, output } = await s.exit();
    expect(code).toBe(1);
    expect(output).toContain(
      `Error: Someone else changed "development" while you were pushing (it was at revision ${revision}, ` +
        `it is now at ${revision + 1}). Nothing was pushed. Run the push again to see the new diff.\n`,
    );
    const after = await listValues(server.owner, slug, "development");
    expect(after.values).toEqual({
      EXISTING: { value: "theirs", isSecret: false },
      REMOTE_ONLY: { value: "r", isSecret: false },
    });
  }, 60_000);
});

describe("link with a local envplane/.env", () => {
  const LOCAL = [
    "A=local-a",
    "B=local-b",
    "C=local-c",
    "D=local-d",
    "E=local-e",
    "F=local-f",
    "# @secret",
    "NEW_SECRET=s3cr3t",
    "NEW_PLAIN=plain",
    "",
  ].join("\n");

  async function unlinkedBox(envText: string) {
    const box = await createSandbox(server);
    box.write(
      "envplane/config.json",
      `${JSON.stringify({ environments: { production: "main", preview: "*" } }, null, 2)}\n`,
    );
    box.write("envplane/.env", envText);
    return box;
  }
  const linkedTo = (box: Sandbox) => JSON.parse(box.read("envplane/config.json")).project as string | undefined;

  it("empty remote development: asks to push, y pushes", async () => {
    const slug = "link-push";
    await createProject(server.owner, slug);
    const box = await unlinkedBox("DATABASE_URL=postgres://localhost:5432/app\n# @secret\nSTRIPE_KEY=sk_test_1\n");
    const s = box.pty(["link", slug]);
    await s.expect(
      'Found local environment variables in envplane/.env.\nPush them to the "development" environment? [y/N] ',
    );
    s.send("y\r");
    await s.expect(`✓ Linked to project ${slug}.\n`);
    // The annotated key is a secret; the other new key is asked about, as on push.
    await s.expect('New variables detected:\nDATABASE_URL = "postgres…" Mark as secret? [y/N] ');
    s.send("\r");
    await s.expect(/✓ Pushed to "development": 2 added, 0 changed, 0 removed \(revision \d+\)\.\n/);
    const { code, output } = await s.exit();
    expect(code).toBe(0);
    expect(output).not.toContain("Continue?");
    expect(linkedTo(box)).toBe(slug);
    expect((await listValues(server.owner, slug, "development")).values).toEqual({
      DATABASE_URL: { value: "postgres://localhost:5432/app", isSecret: false },
      STRIPE_KEY: { value: null, isSecret: true },
    });
  }, 60_000);

  it("empty remote development: n links without pushing", async () => {
    const slug = "link-nopush";
    await createProject(server.owner, slug);
    const box = await unlinkedBox("DATABASE_URL=postgres://localhost:5432/app\n");
    const s = box.pty(["link", slug]);
    await s.expect('Push them to the "development" environment? [y/N] ');
    s.send("\r");
    await s.expect(`✓ Linked to project ${slug}.\n`);
    expect((await s.exit()).code).toBe(0);
    expect(linkedTo(box)).toBe(slug);
    expect((await listValues(server.owner, slug, "development")).values).toEqual({});
  }, 60_000);

  it("remote already has variables: the conflict choice; C cancels, K keeps remote, O overwrites remote", async () => {
    const slug = "link-conflict";
    await createProject(server.owner, slug);
    const remote: { key: string; value: string; secret?: boolean }[] = [
      ..."ABCDEF".split("").map((k) => ({ key: k, value: `remote-${k.toLowerCase()}` })),
      ...["R1", "R2", "R3", "R4", "R5"].map((k) => ({ key: k, value: `remote-${k}` })),
      { key: "REMOTE_SECRET", value: "remote-s", secret: true },
    ];
    await bulk(server.owner, { project: slug, environment: "development", variables: remote });
    const conflict = [
      'The "development" environment already has 12 variables on the platform.',
      "Your local .env has 8 variables.",
      "",
      "[O]verwrite remote with local",
      "[K]eep remote (discard local .env)",
      "[C]ancel",
      "",
      "Choose: ",
    ].join("\n");

    // C: nothing linked, nothing changed on either side.
    const before = await listValues(server.owner, slug, "development");
    const cancelBox = await unlinkedBox(LOCAL);
    const c = cancelBox.pty(["link", slug]);
    await c.expect(conflict);
    c.send("x\r");
    await c.expect("Please answer o, k or c.\nChoose: ");
    c.send("c\r");
    const cancelled = await c.exit();
    expect(cancelled.code).toBe(1);
    expect(cancelled.output).toContain("Error: Cancelled: nothing was linked or changed.\n");
    expect(linkedTo(cancelBox)).toBeUndefined();
    expect(cancelBox.read("envplane/.env")).toBe(LOCAL);
    expect(await listValues(server.owner, slug, "development")).toEqual(before);

    // K: envplane/.env becomes the remote's standard values; the remote is untouched.
    const keepBox = await unlinkedBox(LOCAL);
    const k = keepBox.pty(["link", slug]);
    await k.expect(conflict);
    k.send("k\r");
    await k.expect('✓ Replaced envplane/.env with 11 variables from "development".\n');
    expect((await k.exit()).code).toBe(0);
    expect(linkedTo(keepBox)).toBe(slug);
    const pulled = parseDotenv(keepBox.read("envplane/.env"));
    expect(Object.fromEntries(pulled.entries.map((e) => [e.key, e.value]))).toEqual(
      Object.fromEntries(remote.filter((v) => !v.secret).map((v) => [v.key, v.value])),
    );
    expect(pulled.excludedSecrets).toEqual(["REMOTE_SECRET"]);
    expect(await listValues(server.owner, slug, "development")).toEqual(before);

    // O: the remote becomes exactly the local file (keys missing locally are removed).
    const overwriteBox = await unlinkedBox(LOCAL);
    const o = overwriteBox.pty(["link", slug]);
    await o.expect(conflict);
    o.send("o\r");
    await o.expect('NEW_PLAIN = "plain" Mark as secret? [y/N] ');
    o.send("\r");
    // Changed by design (issue 12): removals and overwrites are confirmed after the diff.
    await o.expect("- REMOTE_SECRET (remove)");
    await o.expect("8 additions/changes, 6 removals. Continue? [y/N] ");
    o.send("y\r");
    await o.expect(/✓ Pushed to "development": 2 added, 6 changed, 6 removed \(revision \d+\)\.\n/);
    const overwritten = await o.exit();
    expect(overwritten.code).toBe(0);
    expect(overwritten.output).not.toContain("s3cr3t");
    expect(linkedTo(overwriteBox)).toBe(slug);
    expect((await listValues(server.owner, slug, "development")).values).toEqual({
      ...Object.fromEntries("ABCDEF".split("").map((k) => [k, { value: `local-${k.toLowerCase()}`, isSecret: false }])),
      NEW_PLAIN: { value: "plain", isSecret: false },
      NEW_SECRET: { value: null, isSecret: true },
    });
  }, 90_000);
});

describe("config enable on a terminal", () => {
  it("linked: asks for each value (the secret hidden) and stores them in development with the right types", async () => {
    const slug = "enable-tty";
    await createProject(server.owner, slug);
    const box = await createSandbox(server, { link: slug });
    const s = box.pty(["config", "enable", "auth.external.google"]);
    await s.expect(
      "✓ Enabled auth.external.google in envplane/config.json.\nGoogle OAuth requires 2 variables:\n\n" +
        "ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID\nValue: ",
    );
    s.send("1234567890.apps.googleusercontent.com\r");
    await s.expect("1234567890.apps.googleusercontent.com ✓\n\nENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET\nValue (hidden): ");
    s.send("GOCSPX-hidden-1\r");
    await s.expect(
      `${"•".repeat("GOCSPX-hidden-1".length)} ✓\nStored as secret.\n\n✓ Added to "development" environment.\n`,
    );
    const { code, output } = await s.exit();
    expect(code).toBe(0);
    expect(output).not.toContain("GOCSPX-hidden-1");

    expect(JSON.parse(box.read("envplane/config.json"))).toMatchObject({
      project: slug,
      auth: { external: { google: { enabled: true } } },
    });
    const { client } = await serviceToken(server, slug, ["RUNTIME"]);
    // development is mapped to no branch, so the runtime token cannot read it: the types here…
    expect((await listValues(server.owner, slug, "development")).values).toEqual({
      ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID: { value: "1234567890.apps.googleusercontent.com", isSecret: false },
      ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET: { value: null, isSecret: true },
    });
    // …and the secret's value by seeding it (as-is, secrets included) into an environment the runtime token can read.
    expectType(
      (await server.owner.seedEnvironment({ input: { project: slug, target: "production", from: "development" } }))
        .seedEnvironment,
      "EnvironmentPayload",
    );
    const r = expectType(
      (await client.runtimeVariables({ project: slug, branch: "main" })).runtimeVariables,
      "RuntimeEnvironment",
    );
    expect(Object.fromEntries(r.variables.map((v) => [v.key, v.value]))).toEqual({
      ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID: "1234567890.apps.googleusercontent.com",
      ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET: "GOCSPX-hidden-1",
    });
  }, 60_000);

  it("linked: checks before writing — a sensitive field existing as standard, or an unknown environment, changes nothing; a second enable only reports", async () => {
    const slug = "enable-checks";
    await createProject(server.owner, slug);
    await setVariable(server.owner, {
      project: slug,
      environment: "development",
      key: "ENVPLANE_AUTH_EXTERNAL_ZOOM_SECRET",
      value: "readable",
    });
    const box = await createSandbox(server, { link: slug });
    const before = box.read("envplane/config.json");
    const exposed = await box.run(["config", "enable", "auth.external.zoom"]);
    expect(exposed).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'Error: ENVPLANE_AUTH_EXTERNAL_ZOOM_SECRET exists in "development" as a standard variable, ' +
        'but it holds a secret. Run "envplane env unset ENVPLANE_AUTH_EXTERNAL_ZOOM_SECRET --env development" ' +
        "first; nothing was changed.\n",
    });
    const unknown = await box.run(["config", "enable", "auth.external.gitlab", "--env", "nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Environment "nope" not found');
    expect(box.read("envplane/config.json")).toBe(before);
    expect(Object.keys((await listValues(server.owner, slug, "development")).values)).toEqual([
      "ENVPLANE_AUTH_EXTERNAL_ZOOM_SECRET",
    ]);

    const first = await box.run(["config", "enable", "auth.external.github"]);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(
      'Still empty; fill them with:\nenvplane env set ENVPLANE_AUTH_EXTERNAL_GITHUB_CLIENT_ID "your-value" --env development\n',
    );
    await setVariable(server.owner, {
      project: slug,
      environment: "development",
      key: "ENVPLANE_AUTH_EXTERNAL_GITHUB_CLIENT_ID",
      value: "gh-id",
    });
    const second = await box.run(["config", "enable", "auth.external.github"]);
    expect(second).toEqual({
      code: 0,
      stdout: "✓ Enabled auth.external.github in envplane/config.json.\n",
      stderr: "Already set as secrets, left alone: ENVPLANE_AUTH_EXTERNAL_GITHUB_SECRET.\n",
    });
    expect(
      (await listValues(server.owner, slug, "development")).values.ENVPLANE_AUTH_EXTERNAL_GITHUB_CLIENT_ID,
    ).toEqual({ value: "gh-id", isSecret: false });
  }, 60_000);

  it("not linked and no terminal: empty entries appended to envplane/.env, # @secret above the secret", async () => {
    const box = await createSandbox(server, { auth: "none" });
    box.write("envplane/config.json", "{}\n");
    box.write("envplane/.env", "DATABASE_URL=postgres://localhost:5432/app\n");
    const r = await box.run(["config", "enable", "auth.external.google"]);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain("Value");
    expect(box.read("envplane/.env")).toBe(
      "DATABASE_URL=postgres://localhost:5432/app\nENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID=\n# @secret\n" +
        "ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET=\n",
    );
    expect(JSON.parse(box.read("envplane/config.json"))).toEqual({ auth: { external: { google: { enabled: true } } } });
  });
});

describe("no prompts without a terminal or with CI set", () => {
  it("piped stdin: push needs --yes, link needs --push/--keep-remote/--no-push, seed --interactive refuses (exit 2)", async () => {
    const slug = "no-tty";
    await createProject(server.owner, slug);
    await bulk(server.owner, { project: slug, environment: "preview", variables: [{ key: "X", value: "1" }] });
    const box = await createSandbox(server, { link: slug });
    box.write("envplane/.env", "STRIPE_SECRET_KEY=sk_live_abc123\n");
    const push = await box.run(["env", "push"]);
    expect(push.code).toBe(2);
    expect(push.stderr).toContain("--yes");
    expect(push.stdout + push.stderr).not.toMatch(/Mark as secret|Continue\?|\[y\/N\]|\[Y\/n\]/);
    expect((await listValues(server.owner, slug, "development")).values).toEqual({});

    const seed = await box.run(["env", "seed", "production", "--from", "preview", "--interactive"]);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toContain("--interactive needs a terminal");
    expect((await listValues(server.owner, slug, "production")).values).toEqual({});

    const fresh = await createSandbox(server);
    fresh.write("envplane/config.json", "{}\n");
    fresh.write("envplane/.env", "A=1\n");
    const link = await fresh.run(["link", slug]);
    expect(link.code).toBe(2);
    expect(link.stderr).toContain("--push");
    expect(link.stderr).toContain("--no-push");
    expect(link.stdout + link.stderr).not.toContain("[y/N]");
    expect(JSON.parse(fresh.read("envplane/config.json")).project).toBeUndefined();

    await setVariable(server.owner, { project: slug, environment: "development", key: "R", value: "r" });
    const conflict = await fresh.run(["link", slug]);
    expect(conflict.code).toBe(2);
    for (const flag of ["--push", "--keep-remote", "--no-push"]) expect(conflict.stderr).toContain(flag);
    expect(conflict.stdout + conflict.stderr).not.toContain("[O]verwrite");

    // With the flag, it just does it.
    const yes = await box.run(["env", "push", "--yes"]);
    expect(yes.code).toBe(0);
    expect((await listValues(server.owner, slug, "development")).values).toEqual({
      R: { value: "r", isSecret: false },
      STRIPE_SECRET_KEY: { value: "sk_live_abc123", isSecret: false },
    });
  }, 60_000);

  it("CI=true inside a terminal: the same usage errors, no prompt", async () => {
    const slug = "ci-tty";
    await createProject(server.owner, slug);
    const box = await createSandbox(server, { link: slug });
    box.write("envplane/.env", "STRIPE_SECRET_KEY=sk_live_abc123\n");
    const push = await ptyWithCI(box, ["env", "push"]);
    expect(push.code).toBe(2);
    expect(push.output).toContain("--yes");
    expect(push.output).not.toMatch(/Mark as secret|Continue\?/);

    const fresh = await createSandbox(server);
    fresh.write("envplane/config.json", "{}\n");
    fresh.write("envplane/.env", "A=1\n");
    const link = await ptyWithCI(fresh, ["link", slug]);
    expect(link.code).toBe(2);
    expect(link.output).toContain("--push");
    expect(link.output).toContain("--no-push");
    expect(link.output).not.toContain("[y/N]");

    const enable = await ptyWithCI(box, ["config", "enable", "auth.external.google"]);
    expect(enable.code).toBe(0);
    expect(enable.output).not.toContain("Value");
    expect((await listValues(server.owner, slug, "development")).values).toEqual({
      ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID: { value: "", isSecret: false },
      ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET: { value: null, isSecret: true },
    });
  }, 60_000);
});
