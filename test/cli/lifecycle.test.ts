/**
 * The spec's "End-to-End Example: New Project Lifecycle", steps 1–9, with `envplane` for
 * `cli`, envplane/ for supabase/ and ENVPLANE_ names, run as real processes against a real
 * server; the prompting steps (5, 7, 8) in a real pseudo-terminal.
 */
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { createSandbox } from "../support/cli.js";
import { createProject, readEnvironment, userWithRole, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((started) => (server = started), { listen: true });

const GOOGLE_ID = "ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID";
const GOOGLE_SECRET = "ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET";

it("runs the new-project lifecycle from init to a branch override", { timeout: 180_000 }, async () => {
  await createProject(server.owner, "lifecycle");
  const me = await createSandbox(server, { auth: "login" });

  // 1. envplane init — creates envplane/config.json and an empty envplane/.env
  expect((await me.run(["init"])).code).toBe(0);
  expect(me.read("envplane/.env")).toBe("");

  // 2. The user edits config.json and enables Google auth.
  const config = JSON.parse(me.read("envplane/config.json"));
  me.write(
    "envplane/config.json",
    JSON.stringify({ ...config, auth: { external: { google: { enabled: true } } } }, null, 2),
  );

  // 3. envplane dev fails: missing required variables, with the fix that works for dev.
  // Changed by design (issue 12): the spec's "envplane env set" lines fail here (the folder is not
  // linked yet) and would not reach dev anyway (it reads local files only).
  const failing = await me.run(["dev"]);
  expect(failing.code).toBe(1);
  expect(failing.stderr).toBe(
    [
      "Error: auth.external.google is enabled but missing required variables:",
      GOOGLE_ID,
      GOOGLE_SECRET,
      "",
      "envplane dev reads the OS environment, envplane/.env.local and envplane/.env. Add them to envplane/.env.local (git-ignored):",
      `${GOOGLE_ID}=your-value`,
      `${GOOGLE_SECRET}=your-value`,
      "",
      `${GOOGLE_SECRET} is a secret: "envplane env pull" never writes secrets, so get the value from whoever manages it.`,
      "",
    ].join("\n"),
  );

  // 4. The user adds the variables to envplane/.env.
  me.write(
    "envplane/.env",
    `${GOOGLE_ID}=1234.apps.googleusercontent.com\n${GOOGLE_SECRET}=GOCSPX-local\nDATABASE_URL=postgres://localhost:5432/app\n`,
  );
  expect((await me.run(["dev"])).code).toBe(0);

  // 5. envplane link: picks the project, asks to push .env to development → yes. The team
  // shares development values, so the Google secret stays readable there (answered n).
  const link = me.pty(["link"]);
  await link.expect("Link which project?");
  link.send("lifecycle\r");
  await link.expect(
    'Found local environment variables in envplane/.env.\nPush them to the "development" environment? [y/N] ',
  );
  link.send("y\r");
  await link.expect(`${GOOGLE_ID} = "1234.app…" Mark as secret? [y/N] `);
  link.send("\r");
  await link.expect(`${GOOGLE_SECRET} = "GOCSPX-l…" Mark as secret? [Y/n] `);
  link.send("n\r");
  await link.expect('DATABASE_URL = "postgres…" Mark as secret? [y/N] ');
  link.send("\r");
  await link.expect('✓ Pushed to "development": 3 added, 0 changed, 0 removed (revision 1).');
  expect((await link.exit()).code).toBe(0);
  expect(JSON.parse(me.read("envplane/config.json")).project).toBe("lifecycle");
  const development = await readEnvironment(server.owner, "lifecycle", "development");
  expect(development.variables.map((v) => [v.key, v.value, v.isSecret])).toEqual([
    ["DATABASE_URL", "postgres://localhost:5432/app", false],
    [GOOGLE_ID, "1234.apps.googleusercontent.com", false],
    [GOOGLE_SECRET, "GOCSPX-local", false],
  ]);

  // 6. A new teammate joins: clones the repository (config.json, not the gitignored .env),
  // pulls, and envplane dev works at once.
  const teammate = await userWithRole(server, "lifecycle", "DEVELOPER", "Teammate");
  const them = await createSandbox(server, { token: teammate.token, auth: "login" });
  them.write("envplane/config.json", me.read("envplane/config.json"));
  them.write("envplane/.gitignore", me.read("envplane/.gitignore"));
  const pulled = await them.run(["env", "pull"]);
  expect(pulled).toMatchObject({ code: 0, stdout: '✓ Pulled 3 variables from "development" into envplane/.env.\n' });
  expect(them.read("envplane/.env")).toBe(
    [
      '# Pulled from "development" environment',
      "",
      "# auth.external.google",
      `${GOOGLE_ID}=1234.apps.googleusercontent.com`,
      `${GOOGLE_SECRET}=GOCSPX-local`,
      "",
      "# User variables",
      "DATABASE_URL=postgres://localhost:5432/app",
      "",
    ].join("\n"),
  );
  expect(fs.statSync(path.join(them.dir, "envplane/.env")).mode & 0o777).toBe(0o600);
  const dev = await them.run([
    "dev",
    "--",
    process.execPath,
    "-e",
    `console.log(process.env.${GOOGLE_SECRET}, process.env.DATABASE_URL)`,
  ]);
  expect(dev).toMatchObject({ code: 0, stdout: "GOCSPX-local postgres://localhost:5432/app\n" });

  // 7. Ready for deployed previews: seed preview from development, replacing localhost URLs
  // and marking sensitive values as secrets.
  const preview = me.pty(["env", "seed", "preview", "--from", "development", "--interactive"]);
  await preview.expect('Seeding "preview" from "development" (3 variables):');
  await preview.expect('DATABASE_URL = "postgres://localhost:5432/app"\n[K]eep / [E]dit / [S]kip? ');
  preview.send("e\r");
  await preview.expect("New value: ");
  preview.send("postgres://preview-db:5432/app\r");
  await preview.expect("postgres://preview-db:5432/app ✓\nMark as secret? [y/N] ");
  preview.send("\r");
  await preview.expect(`${GOOGLE_ID} = "1234.apps.googleusercontent.com"\n[K]eep / [E]dit / [S]kip? `);
  preview.send("k\r");
  await preview.expect(`${GOOGLE_SECRET} = "GOCSPX-local"\n[K]eep / [E]dit / [S]kip? `);
  preview.send("e\r");
  await preview.expect("New value: ");
  preview.send("GOCSPX-preview\r");
  await preview.expect("Mark as secret? [Y/n] ");
  preview.send("\r");
  await preview.expect('✓ Seeded "preview" with 3 variables.');
  expect((await preview.exit()).code).toBe(0);

  // 8. Ready for production: seed production from preview; the secret must be re-entered.
  const production = me.pty(["env", "seed", "production", "--from", "preview", "--interactive"]);
  await production.expect('DATABASE_URL = "postgres://preview-db:5432/app"\n[K]eep / [E]dit / [S]kip? ');
  production.send("e\r");
  await production.expect("New value: ");
  production.send("postgres://prod-db:5432/app\r");
  await production.expect("Mark as secret? [y/N] ");
  production.send("n\r");
  await production.expect("[K]eep / [E]dit / [S]kip? ");
  production.send("k\r");
  await production.expect(`${GOOGLE_SECRET} = [secret]\n[E]nter new value / [S]kip? `);
  production.send("e\r");
  await production.expect("New value (hidden): ");
  production.send("GOCSPX-prod\r");
  await production.expect("Mark as secret? [Y/n] ");
  production.send("y\r");
  await production.expect('✓ Seeded "production" with 3 variables.');
  const seeded = await production.exit();
  expect(seeded.code).toBe(0);
  expect(seeded.output).not.toContain("GOCSPX-prod");
  expect(seeded.output).toContain("•••••••••••");

  // 9. A feature branch needs a different API: a project branch override, no new environment.
  expect((await me.run(["branch", "create", "feature-x"])).code).toBe(0);
  expect((await me.run(["env", "set", "API_URL", "https://preview.example.com", "--env", "preview"])).code).toBe(0);
  const override = await me.run([
    "env",
    "set",
    "API_URL",
    "https://feature-x.example.com",
    "--env",
    "preview",
    "--branch",
    "feature-x",
  ]);
  expect(override).toMatchObject({
    code: 0,
    stdout: '✓ Added override of API_URL for project branch feature-x in "preview" (revision 3).\n',
  });

  const listed = await me.run(["env", "list", "--env", "preview", "--values"]);
  expect(listed.stdout).toBe(
    [
      "preview environment:",
      "",
      'API_URL = "https://preview.example.com"',
      '└─ feature-x = "https://feature-x.example.com"',
      'DATABASE_URL = "postgres://preview-db:5432/app"',
      `${GOOGLE_ID} = "1234.apps.googleusercontent.com"`,
      `${GOOGLE_SECRET} = [secret]`,
      "",
    ].join("\n"),
  );

  // What the deployments get at runtime (secrets included), through a runtime token.
  const token = (await me.run(["tokens", "create", "--name", "deploy", "--permission", "runtime"])).stdout.trim();
  const show = [
    "--",
    process.execPath,
    "-e",
    `console.log([process.env.API_URL, process.env.DATABASE_URL, process.env.${GOOGLE_SECRET}].join(" "))`,
  ];
  const deployed = { ENVPLANE_TOKEN: token };
  expect((await me.run(["run", "--branch", "feature-x", ...show], { env: deployed })).stdout).toBe(
    "https://feature-x.example.com postgres://preview-db:5432/app GOCSPX-preview\n",
  );
  expect((await me.run(["run", "--branch", "dev", ...show], { env: deployed })).stdout).toBe(
    "https://preview.example.com postgres://preview-db:5432/app GOCSPX-preview\n",
  );
  expect((await me.run(["run", "--branch", "main", ...show], { env: deployed })).stdout).toBe(
    " postgres://prod-db:5432/app GOCSPX-prod\n",
  );
});
