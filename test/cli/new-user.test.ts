/**
 * What a new user tripped on (issue 12), each as the real `envplane` process against a real
 * server: piped (no terminal) and in a pseudo-terminal. Where a message suggests a command,
 * the test runs that command as printed and checks that it fixes the problem.
 * (Item 1, a first start that cannot bind and owner recovery, is in test/server/start.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { createSandbox } from "../support/cli.js";
import {
  bulk,
  createProject,
  listValues,
  readEnvironment,
  runtimeValues,
  setVariable,
  userWithRole,
  useTestServer,
} from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((s) => (server = s), { listen: true });

const NODE = process.execPath;
const GOOGLE_ID = "ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID";
const GOOGLE_SECRET = "ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET";

const revision = async (slug: string, environment: string) =>
  (await readEnvironment(server.owner, slug, environment)).revision;

/** The commands a message suggests (quoted, starting with envplane), as arguments after "envplane". */
function suggested(text: string): string[][] {
  return [...text.matchAll(/"(envplane [^"]*)"/g)].map((m) => m[1].split(" ").slice(1));
}

describe("2. a new teammate pulls and runs dev", () => {
  it("dev names the fix that works for a secret pull left out (.env.local), and following it works", async () => {
    const slug = "nu-pull-dev";
    await createProject(server.owner, slug);
    await bulk(server.owner, {
      project: slug,
      environment: "development",
      variables: [
        { key: GOOGLE_ID, value: "1234.apps.googleusercontent.com" },
        { key: GOOGLE_SECRET, value: "GOCSPX-remote", secret: true },
      ],
    });
    const teammate = await userWithRole(server, slug, "DEVELOPER", "New teammate");
    const box = await createSandbox(server, { token: teammate.token, link: slug });
    const config = JSON.parse(box.read("envplane/config.json"));
    box.write(
      "envplane/config.json",
      JSON.stringify({ ...config, auth: { external: { google: { enabled: true } } } }, null, 2),
    );
    expect((await box.run(["env", "pull"])).code).toBe(0);
    expect(box.read("envplane/.env")).not.toContain("GOCSPX-remote");

    const failed = await box.run(["dev"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      [
        "Error: auth.external.google is enabled but missing a required variable:",
        GOOGLE_SECRET,
        "",
        "envplane dev reads the OS environment, envplane/.env.local and envplane/.env. Add it to envplane/.env.local (git-ignored):",
        `${GOOGLE_SECRET}=your-value`,
        "",
        `${GOOGLE_SECRET} is a secret: "envplane env pull" never writes secrets, so get the value from whoever manages it.`,
        "",
      ].join("\n"),
    );
    expect(failed.stderr).not.toContain("envplane env set");
    // The advice, followed: the line into .env.local, with the value they were given.
    box.write("envplane/.env.local", `${GOOGLE_SECRET}=GOCSPX-given\n`);
    const ok = await box.run(["dev", "--", NODE, "-e", `console.log(process.env.${GOOGLE_SECRET})`]);
    expect(ok).toMatchObject({ code: 0, stdout: "GOCSPX-given\n" });
  }, 60_000);
});

describe("3. interactive seed asks only what it can honour", () => {
  it("an existing key keeps its type without a question; a secret into a standard key is skipped with a fix that works", async () => {
    const slug = "nu-seed-types";
    await createProject(server.owner, slug);
    await bulk(server.owner, {
      project: slug,
      environment: "preview",
      variables: [
        { key: "API_KEY", value: "pk_preview" },
        { key: "STRIPE_KEY", value: "sk_preview", secret: true },
      ],
    });
    await bulk(server.owner, {
      project: slug,
      environment: "production",
      variables: [
        { key: "API_KEY", value: "pk_prod_old" },
        { key: "STRIPE_KEY", value: "sk_prod_visible" },
      ],
    });
    const before = await revision(slug, "production");
    const box = await createSandbox(server, { link: slug });
    const s = box.pty(["env", "seed", "production", "--from", "preview", "--interactive"]);
    await s.expect('API_KEY = "pk_preview"\n[K]eep / [E]dit / [S]kip? ');
    s.send("e\r");
    await s.expect("New value: ");
    s.send("pk_prod_new\r");
    // API_KEY suggests a secret, but it is standard in production: said, not asked.
    await s.expect('Stays standard: API_KEY already exists in "production" as a standard variable.\n');
    await s.expect("STRIPE_KEY = [secret]\n");
    await s.expect(
      'Skipped: STRIPE_KEY is a standard variable in "production", so a value entered here would be readable. To make it a secret there: envplane env unset STRIPE_KEY --env production, then envplane env set STRIPE_KEY - --secret --env production\n',
    );
    // Overwriting API_KEY is shown and confirmed.
    await s.expect('~ API_KEY = "pk_prod_new" (changed, was "pk_prod_old")');
    await s.expect('0 additions, 1 overwritten value. Overwrite 1 value in "production" (protected)? [y/N] ');
    s.send("y\r");
    await s.expect('✓ Seeded "production" with 1 variable (1 skipped).');
    const { code, output } = await s.exit();
    expect(code).toBe(0);
    expect(output).not.toContain("Mark as secret?");
    expect(await revision(slug, "production")).toBe(before + 1);
    expect((await listValues(server.owner, slug, "production")).values).toEqual({
      API_KEY: { value: "pk_prod_new", isSecret: false },
      STRIPE_KEY: { value: "sk_prod_visible", isSecret: false },
    });

    // The fix, run as printed: unset, then set it as a secret (the value from stdin).
    const [unset, set] = output
      .split("To make it a secret there: ")[1]
      .split("\n")[0]
      .split(", then ")
      .map((c) => c.trim().split(" ").slice(1));
    expect((await box.run(unset)).code).toBe(0);
    expect(await box.run(set, { input: "sk_prod_secret\n" })).toMatchObject({ code: 0 });
    expect((await listValues(server.owner, slug, "production")).values.STRIPE_KEY).toEqual({
      value: null,
      isSecret: true,
    });
    expect((await runtimeValues(server, slug, "main")).values.STRIPE_KEY).toEqual({
      value: "sk_prod_secret",
      isSecret: true,
    });
  }, 90_000);
});

describe("4. env seed into a populated environment", () => {
  it("shows the diff, needs --yes without a terminal, --dry-run writes nothing, then says Seeded", async () => {
    const slug = "nu-seed-diff";
    await createProject(server.owner, slug);
    await bulk(server.owner, {
      project: slug,
      environment: "preview",
      variables: [
        { key: "API_URL", value: "https://preview.example.com" },
        { key: "NEW_FLAG", value: "on" },
        { key: "SAME", value: "same" },
        { key: "TOKEN", value: "t_preview", secret: true },
      ],
    });
    await bulk(server.owner, {
      project: slug,
      environment: "production",
      variables: [
        { key: "API_URL", value: "https://edited.example.com" },
        { key: "ONLY_HERE", value: "kept" },
        { key: "SAME", value: "same" },
        { key: "TOKEN", value: "t_prod", secret: true },
      ],
    });
    const before = await revision(slug, "production");
    const valuesBefore = await listValues(server.owner, slug, "production");
    const box = await createSandbox(server, { link: slug });
    const diff = [
      'Seeding "production" from "preview":',
      "",
      '+ NEW_FLAG = "on" (add)',
      '~ API_URL = "https://preview.example.com" (changed, was "https://edited.example.com")',
      "~ TOKEN [secret, will be overwritten]",
      "= SAME (unchanged)",
      "",
    ].join("\n");

    const refused = await box.run(["env", "seed", "production", "--from", "preview"]);
    expect(refused).toEqual({
      code: 2,
      stdout: `${diff}\n`,
      stderr:
        '1 other variable in "production" is left alone.\n' +
        'Error: 1 addition, 2 overwritten values. Seeding overwrites 2 values in "production" (protected) and there is no terminal to confirm it; nothing was seeded. Re-run with --yes to apply it, or with --dry-run to only see the diff.\n',
    });
    const dry = await box.run(["env", "seed", "production", "--from", "preview", "--dry-run"]);
    expect(dry).toEqual({
      code: 0,
      stdout: `${diff}\n1 addition, 2 overwritten values. Dry run: nothing was seeded.\n`,
      stderr: '1 other variable in "production" is left alone.\n',
    });
    expect(await revision(slug, "production")).toBe(before);
    expect(await listValues(server.owner, slug, "production")).toEqual(valuesBefore);

    // On a terminal: asked, and "n" changes nothing.
    const s = box.pty(["env", "seed", "production", "--from", "preview"]);
    await s.expect('Overwrite 2 values in "production" (protected)? [y/N] ');
    s.send("n\r");
    await s.expect("Cancelled: nothing was seeded.");
    expect((await s.exit()).code).toBe(1);
    expect(await revision(slug, "production")).toBe(before);

    const applied = await box.run(["env", "seed", "production", "--from", "preview", "--yes"]);
    expect(applied).toMatchObject({ code: 0, stdout: `${diff}\n✓ Seeded "production" with 4 variables.\n` });
    expect(await revision(slug, "production")).toBe(before + 1);
    expect((await runtimeValues(server, slug, "main")).values).toEqual({
      API_URL: { value: "https://preview.example.com", isSecret: false },
      NEW_FLAG: { value: "on", isSecret: false },
      ONLY_HERE: { value: "kept", isSecret: false },
      SAME: { value: "same", isSecret: false },
      TOKEN: { value: "t_preview", isSecret: true },
    });
  }, 90_000);
});

describe("5. config enable / disable", () => {
  it("an unknown provider is refused with the known ones listed; disable turns a feature off", async () => {
    const box = await createSandbox(server, { auth: "none" });
    expect((await box.run(["init"])).code).toBe(0);
    const config = box.read("envplane/config.json");
    const typo = await box.run(["config", "enable", "auth.external.goggle"]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(
      /^Error: "goggle" is not a known provider, so auth.external.goggle cannot be enabled\. Known providers: apple, .*\bgithub\b.*\bgoogle\b.*, zoom\.\n$/,
    );
    expect(box.read("envplane/config.json")).toBe(config);

    box.write("envplane/.env.local", "");
    expect((await box.run(["config", "enable", "auth.external.google"])).code).toBe(0);
    expect((await box.run(["dev"])).code).toBe(1); // enabled, its variables empty
    const disabled = await box.run(["config", "disable", "auth.external.google"]);
    expect(disabled).toEqual({
      code: 0,
      stdout: "✓ Disabled auth.external.google in envplane/config.json. Its variables are left as they are.\n",
      stderr: "",
    });
    expect(JSON.parse(box.read("envplane/config.json")).auth.external.google.enabled).toBe(false);
    expect((await box.run(["dev"])).code).toBe(0);
    expect(await box.run(["config", "disable", "auth.external.google"])).toMatchObject({
      code: 0,
      stdout: "✓ auth.external.google is not enabled in envplane/config.json; nothing changed.\n",
    });
    expect((await box.run(["config", "disable", "auth.external.goggle"])).stderr).toContain(
      '"goggle" is not a known provider, so auth.external.goggle cannot be disabled.',
    );
  }, 60_000);
});

describe("6. every suggested fix works as printed", () => {
  it("the API's 401 names a way to get a token that works", async () => {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ viewer { user { id } } }" }),
    });
    expect(response.status).toBe(401);
    const { errors } = (await response.json()) as { errors: { message: string }[] };
    expect(errors[0].message).not.toContain("envplane login");
    const commands = suggested(errors[0].message);
    expect(commands).toEqual([
      ["serve", "--recover-owner"],
      ["tokens", "create", "--name", "ci"],
    ]);
    const slug = "nu-401";
    await createProject(server.owner, slug);
    const box = await createSandbox(server, { link: slug });
    const created = await box.run(commands[1]);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^envp_svc_\w+\n$/);
  }, 60_000);

  it("run with a personal token suggests a tokens create that works, and run then works with that token", async () => {
    const slug = "nu-run";
    await createProject(server.owner, slug);
    await setVariable(server.owner, { project: slug, environment: "production", key: "GREETING", value: "hello" });
    const box = await createSandbox(server, { link: slug });
    const show = ["--", NODE, "-e", "console.log(process.env.GREETING)"];
    const refused = await box.run(["run", "--branch", "main", ...show]);
    expect(refused.code).toBe(1);
    const [command] = suggested(refused.stderr);
    expect(command).toEqual(["tokens", "create", "--name", "runtime", "--permission", "runtime"]);
    const created = await box.run(command);
    expect(created.code).toBe(0);
    const ran = await box.run(["run", "--branch", "main", ...show], { env: { ENVPLANE_TOKEN: created.stdout.trim() } });
    expect(ran).toMatchObject({ code: 0, stdout: "hello\n" });
  }, 60_000);

  it("unlinked, dev never suggests env set (it needs a link); its advice works", async () => {
    const box = await createSandbox(server, { auth: "none" });
    box.write(
      "envplane/config.json",
      JSON.stringify({ auth: { external: { google: { enabled: true, client_id: "id", secret: "GOCSPX-hard" } } } }),
    );
    const hardcoded = await box.run(["dev"]);
    expect(hardcoded.code).toBe(1);
    expect(hardcoded.stderr).not.toContain("envplane env set");
    expect(hardcoded.stderr).toContain(`Add it to envplane/.env for local development:\n${GOOGLE_SECRET}=your-value\n`);
    // Followed: the value moves to envplane/.env.
    box.write(
      "envplane/config.json",
      JSON.stringify({ auth: { external: { google: { enabled: true, client_id: "id" } } } }),
    );
    box.write("envplane/.env", `${GOOGLE_SECRET}=GOCSPX-moved\n`);
    expect(await box.run(["dev", "--", NODE, "-e", `console.log(process.env.${GOOGLE_SECRET})`])).toMatchObject({
      code: 0,
      stdout: "GOCSPX-moved\n",
    });
  }, 60_000);
});

describe("7. login --token - on a terminal", () => {
  it("prompts hidden and finishes on Enter", async () => {
    const box = await createSandbox(server, { auth: "none" });
    const s = box.pty(["login", "--server", server.url, "--token", "-"]);
    await s.expect("Token (hidden): ");
    s.send(`${server.ownerToken}\r`);
    await s.expect("✓ Logged in to");
    const { code, output } = await s.exit();
    expect(code).toBe(0);
    expect(output).not.toContain(server.ownerToken);
    expect(output).toContain("•".repeat(server.ownerToken.length));
    expect((await box.run(["whoami"])).code).toBe(0);
  }, 60_000);
});

describe("8. env delete validates before asking", () => {
  it("a default or unknown environment is refused without asking for --yes", async () => {
    const slug = "nu-delete";
    await createProject(server.owner, slug);
    const box = await createSandbox(server, { link: slug });
    expect(await box.run(["env", "delete", "production"])).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'Error: "production" is a default environment and cannot be deleted (development, preview and production always exist). Only custom environments can be deleted.\n',
    });
    expect(await box.run(["env", "delete", "nope"])).toEqual({
      code: 1,
      stdout: "",
      stderr: `Error: Environment "nope" not found in project "${slug}". Run "envplane env list-environments" to see them.\n`,
    });
    // A custom one still needs the confirmation.
    expect((await box.run(["env", "create", "qa"])).code).toBe(0);
    expect((await box.run(["env", "delete", "qa"])).stderr).toContain("Re-run with --yes to confirm.");
  }, 60_000);
});

describe("9. link --push onto a project with variables", () => {
  it("shows the diff and confirms removals: refused without a terminal (with a fix that works), asked on one", async () => {
    const slug = "nu-link-push";
    await createProject(server.owner, slug);
    await bulk(server.owner, {
      project: slug,
      environment: "development",
      variables: [
        { key: "KEEP", value: "remote" },
        { key: "REMOTE_ONLY", value: "r" },
        { key: "REMOTE_SECRET", value: "s3cr3t", secret: true },
      ],
    });
    const before = await listValues(server.owner, slug, "development");
    const piped = await createSandbox(server);
    piped.write("envplane/.env", "KEEP=local\n");
    const refused = await piped.run(["link", slug, "--push"]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('~ KEEP = "local" (changed)\n- REMOTE_ONLY (remove)\n- REMOTE_SECRET (remove)\n');
    expect(await listValues(server.owner, slug, "development")).toEqual(before);
    const [fix] = suggested(refused.stderr);
    expect(fix).toEqual(["env", "push", "--prune", "--yes"]);

    const tty = await createSandbox(server);
    tty.write("envplane/.env", "KEEP=local\n");
    const s = tty.pty(["link", slug, "--push"]);
    await s.expect("- REMOTE_SECRET (remove)");
    await s.expect("1 addition/change, 2 removals. Continue? [y/N] ");
    s.send("n\r");
    await s.expect("Cancelled: nothing was pushed.");
    expect((await s.exit()).code).toBe(1);
    expect(await listValues(server.owner, slug, "development")).toEqual(before);

    // The printed fix, run in the (now linked) folder, applies the diff.
    expect((await piped.run(fix)).code).toBe(0);
    expect((await listValues(server.owner, slug, "development")).values).toEqual({
      KEEP: { value: "local", isSecret: false },
    });
  }, 90_000);
});

describe("11. smaller surprises", () => {
  it("an unknown ENVPLANE_BRANCH is an error; the same value again is no write; a secret always is", async () => {
    const slug = "nu-branch";
    await createProject(server.owner, slug);
    const box = await createSandbox(server, { link: slug });
    const typo = await box.run(["env", "set", "FLAG", "on"], { env: { ENVPLANE_BRANCH: "mian" } });
    expect(typo).toEqual({
      code: 1,
      stdout: "",
      stderr: `Error: ENVPLANE_BRANCH is "mian", which is not a project branch of "${slug}", so there is no environment to use. Fix ENVPLANE_BRANCH (see "envplane branch list"), or pass --env to choose the environment.\n`,
    });
    expect(await revision(slug, "development")).toBe(0);

    expect((await box.run(["env", "set", "FLAG", "on"])).stdout).toBe('✓ Added FLAG in "development" (revision 1).\n');
    expect(await box.run(["env", "set", "FLAG", "on"])).toEqual({
      code: 0,
      stdout: '✓ FLAG in "development" already has this value: nothing changed (revision 1).\n',
      stderr: "",
    });
    expect(await revision(slug, "development")).toBe(1);
    // The API says so too, and no event is recorded: the next write is revision 2.
    const again = await server.owner.setVariable({
      input: { project: slug, environment: "development", key: "FLAG", value: "on" },
    });
    expect(again.setVariable).toMatchObject({ changed: false, created: false, revision: 1 });
    expect((await box.run(["env", "set", "FLAG", "off"])).stdout).toBe(
      '✓ Updated FLAG in "development" (revision 2).\n',
    );
    // A secret cannot be compared without telling a writer whether a guess matched: always written.
    await box.run(["env", "set", "KEY", "-", "--secret"], { input: "k1" });
    const secretAgain = await box.run(["env", "set", "KEY", "-", "--secret"], { input: "k1" });
    expect(secretAgain.stdout).toBe('✓ Updated KEY in "development" (secret) (revision 4).\n');
  }, 60_000);

  it("field errors name what the user gave, not API paths", async () => {
    const slug = "nu-paths";
    await createProject(server.owner, slug);
    const box = await createSandbox(server, { link: slug });
    const config = JSON.parse(box.read("envplane/config.json"));
    box.write(
      "envplane/config.json",
      JSON.stringify({ ...config, environments: { production: "main", staging: "stage", qa: "qa" } }),
    );
    const r = await box.run(["mapping", "set", "--from-config"]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/entries\.\d/);
    expect(r.stderr).toMatch(/^Error: stage → staging: Environment "staging" does not exist\./);
    expect(r.stderr).toContain('  stage → staging: Environment "staging" does not exist.');
    expect(r.stderr).toContain('  qa → qa: Environment "qa" does not exist.');
  }, 60_000);

  it("a push that changes one key of 2,000 counts the unchanged ones; --verbose lists them", async () => {
    const slug = "nu-big-push";
    await createProject(server.owner, slug);
    const keys = Array.from({ length: 2000 }, (_, i) => `KEY_${String(i).padStart(4, "0")}`);
    await bulk(server.owner, {
      project: slug,
      environment: "development",
      variables: keys.map((key) => ({ key, value: "v" })),
    });
    const box = await createSandbox(server, { link: slug });
    box.write("envplane/.env", keys.map((k, i) => `${k}=${i === 7 ? "changed" : "v"}\n`).join(""));
    const dry = await box.run(["env", "push", "--dry-run"]);
    expect(dry).toEqual({
      code: 0,
      stdout: [
        'Pushing to "development" environment:',
        "",
        '~ KEY_0007 = "changed" (changed)',
        "= 1999 unchanged variables, skipped (--verbose lists them)",
        "",
        "1 addition/change, 0 removals. Dry run: nothing was pushed.",
        "",
      ].join("\n"),
      stderr: "",
    });
    const verbose = await box.run(["env", "push", "--dry-run", "--verbose"]);
    expect(verbose.stdout.split("\n").filter((l) => l.startsWith("= "))).toHaveLength(1999);
  }, 60_000);

  it("env seed without --from says which way it copies", async () => {
    const box = await createSandbox(server, { link: "nu-anything" });
    const r = await box.run(["env", "seed", "production"]);
    expect(r).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'Error: Missing --from <env>: which environment to copy into "production", e.g. envplane env seed production --from preview.\n',
    });
    expect((await box.run(["env", "seed", "--help"])).stdout).toContain(
      "envplane env seed production --from preview   (copies preview's variables into production)",
    );
  });
});

describe("1. owner recovery is documented", () => {
  it("envplane serve --help names --recover-owner", async () => {
    const box = await createSandbox(server, { auth: "none" });
    const help = await box.run(["serve", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--recover-owner");
    expect(help.stdout).toContain('run "envplane serve --recover-owner"');
  });
});
