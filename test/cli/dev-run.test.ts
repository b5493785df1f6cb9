/**
 * `envplane dev` (local resolution of envplane/config.json, running a command with it,
 * restarting it on a git branch switch) and `envplane run` (a project branch's runtime
 * variables through a RUNTIME service token).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "../support/cli.js";
import { bulk, createProject, serviceToken, setVariable, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((started) => (server = started), { listen: true });

const NODE = process.execPath;
/** A node -e script printing the given variables as one JSON line (absent ones as null), then exiting with `code`. */
const printEnv = (keys: string[], code = 0) =>
  `const k=${JSON.stringify(keys)};console.log("ENV:"+JSON.stringify(Object.fromEntries(k.map(n=>[n,process.env[n]??null]))));process.exit(${code})`;
const envLine = (stdout: string) => JSON.parse(/^ENV:(.*)$/m.exec(stdout)![1]) as Record<string, string | null>;

const config = (box: Sandbox, value: unknown) =>
  box.write("envplane/config.json", `${JSON.stringify(value, null, 2)}\n`);

/**
 * Whether the process runs. A zombie does not: an orphaned grandchild (its sh ended first) is
 * re-parented to init, which in some containers never reaps it, so kill(pid, 0) alone would
 * call it alive for good.
 */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    // gone, or no /proc
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Deadlines for what these tests wait on: on a loaded 2-core machine starting the CLI (from
 * sources through tsx), a reload and a restart can take seconds. Tests wait for what they
 * observe (output, processes ending), so the deadlines only matter when something is wrong.
 */
const SHOW = 60_000;
const PTY = { timeoutMs: 150_000 };
const TEST = 180_000;

async function waitUntil(check: () => boolean, timeoutMs = SHOW) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

describe("envplane dev: configuration checks", () => {
  it("an enabled feature without its variables fails with the commands to set them", async () => {
    const box = await createSandbox(server, { auth: "none" });
    config(box, { auth: { external: { google: { enabled: true } } } });
    const r = await box.run(["dev"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      [
        "Error: auth.external.google is enabled but missing required variables:",
        "ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID",
        "ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET",
        "",
        // Changed by design (issue 12): dev reads local files only, so env set was no fix; .env.local is.
        "envplane dev reads the OS environment, envplane/.env.local and envplane/.env. Add them to envplane/.env.local (git-ignored):",
        "ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID=your-value",
        "ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET=your-value",
        "",
        'ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET is a secret: "envplane env pull" never writes secrets, so get the value from whoever manages it.',
        "",
      ].join("\n"),
    );
    // The command is not started either.
    const withCommand = await box.run(["dev", "--", NODE, "-e", "console.log('STARTED')"]);
    expect(withCommand.code).toBe(1);
    expect(withCommand.stdout).not.toContain("STARTED");

    // Once the values are there (here .env.local), it passes.
    box.write(
      "envplane/.env.local",
      "ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID=id\nENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET=s\n",
    );
    const ok = await box.run(["dev"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET");
    expect(ok.stdout).not.toMatch(/=\s*s\b/);
  });

  it("a hardcoded secret fails with the sensitive-field error and is never printed", async () => {
    const box = await createSandbox(server, { auth: "none" });
    config(box, {
      auth: {
        external: {
          google: { enabled: true, client_id: "1234567890.apps.googleusercontent.com", secret: "GOCSPX-hardcoded-42" },
        },
      },
    });
    const r = await box.run(["dev", "--", NODE, "-e", "console.log('STARTED')"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      [
        "Error: auth.external.google.secret is a sensitive field and cannot be hardcoded in config.json.",
        "",
        // Changed by design (issue 12): unlinked, envplane env set would fail ("No linked project").
        "Add it to envplane/.env for local development:",
        "ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET=your-value",
        "",
      ].join("\n"),
    );
    expect(r.stdout + r.stderr).not.toContain("GOCSPX-hardcoded-42");
    expect(r.stdout).not.toContain("STARTED");
  });

  it("a missing env() user variable only warns", async () => {
    const box = await createSandbox(server, { auth: "none" });
    config(box, { functions: { hello: { env: { ANALYTICS_KEY: "env(ANALYTICS_KEY)", GREETING: "env(GREETING)" } } } });
    box.write("envplane/.env", "GREETING=hi\n");
    const r = await box.run(["dev", "--", NODE, "-e", printEnv(["ANALYTICS_KEY", "GREETING"])]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      "Warning: env(ANALYTICS_KEY) is referenced in config.json (functions.hello.env.ANALYTICS_KEY) " +
        "but is not set in the OS environment, envplane/.env.local or envplane/.env.\n",
    );
    expect(envLine(r.stdout)).toEqual({ ANALYTICS_KEY: null, GREETING: "hi" });
  });
});

describe("envplane dev -- <command>", () => {
  it("resolves OS env → envplane/.env.local → envplane/.env, in an unlinked folder, with no login", async () => {
    const box = await createSandbox(server, { auth: "none" });
    config(box, {
      environments: { production: "main", preview: "*" },
      auth: { external: { google: { enabled: true, client_id: "env(MY_GOOGLE_ID)" } } },
      db: { pooler: { default_pool_size: 10 } },
      functions: { hello: { env: { OPENAI_API_KEY: "env(OPENAI_API_KEY)", FEATURE_FLAG: "env(FLAG_V2)" } } },
    });
    box.write(
      "envplane/.env",
      [
        "MY_GOOGLE_ID=id-from-env",
        "ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET=secret-from-env",
        "OPENAI_API_KEY=sk-from-env",
        "FLAG_V2=flag-from-env",
        "DATABASE_URL=postgres://localhost:5432/app",
        "ONLY_IN_ENV=env",
        "",
      ].join("\n"),
    );
    box.write(
      "envplane/.env.local",
      [
        "ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET=secret-from-local",
        "OPENAI_API_KEY=sk-from-local",
        "FLAG_V2=flag-from-local",
        "",
      ].join("\n"),
    );
    const keys = [
      "ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID",
      "MY_GOOGLE_ID",
      "ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET",
      "ENVPLANE_DB_POOLER_DEFAULT_POOL_SIZE",
      "OPENAI_API_KEY",
      "FEATURE_FLAG",
      "FLAG_V2",
      "DATABASE_URL",
      "ONLY_IN_ENV",
      "FROM_SHELL",
    ];
    const r = await box.run(["dev", "--", NODE, "-e", printEnv(keys)], {
      env: { FLAG_V2: "flag-from-os", FROM_SHELL: "shell" },
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(envLine(r.stdout)).toEqual({
      // the env() override names the variable; the canonical name carries the value too
      ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID: "id-from-env",
      MY_GOOGLE_ID: "id-from-env",
      ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET: "secret-from-local",
      // a hardcoded non-sensitive value
      ENVPLANE_DB_POOLER_DEFAULT_POOL_SIZE: "10",
      OPENAI_API_KEY: "sk-from-local",
      FEATURE_FLAG: "flag-from-os",
      FLAG_V2: "flag-from-os",
      // plain .env variables that config.json does not mention
      DATABASE_URL: "postgres://localhost:5432/app",
      ONLY_IN_ENV: "env",
      FROM_SHELL: "shell",
    });

    // The canonical variable wins over the env() override.
    const canonical = await box.run(["dev", "--", NODE, "-e", printEnv(["ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID"])], {
      env: { ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID: "canonical-from-os" },
    });
    expect(envLine(canonical.stdout)).toEqual({ ENVPLANE_AUTH_EXTERNAL_GOOGLE_CLIENT_ID: "canonical-from-os" });

    // Without a command: the variables and where they came from, never their values.
    const summary = await box.run(["dev", "--json"]);
    expect(summary.code).toBe(0);
    expect(JSON.parse(summary.stdout).variables).toMatchObject({
      ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET: ".env.local",
      ENVPLANE_DB_POOLER_DEFAULT_POOL_SIZE: "config",
      MY_GOOGLE_ID: ".env",
    });
    expect(summary.stdout).not.toContain("secret-from-local");
  });

  it("passes the exit code on; a missing command is a clear error", async () => {
    const box = await createSandbox(server, { auth: "none" });
    config(box, {});
    const seven = await box.run(["dev", "--", NODE, "-e", "process.exit(7)"]);
    expect(seven.code).toBe(7);
    const missing = await box.run(["dev", "--", "envplane-no-such-command-xyz", "--flag"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error: Cannot run "envplane-no-such-command-xyz": command not found.\n');
  });

  it(
    "restarts the command when the git branch changes, creating the project branch and re-reading config.json",
    async () => {
      const slug = "dev-git";
      await createProject(server.owner, slug);
      const box = await createSandbox(server);
      const git = (...args: string[]) =>
        execFileSync("git", ["-c", "user.email=a@b", "-c", "user.name=t", ...args], { cwd: box.dir, stdio: "pipe" });
      git("init", "-q", "-b", "main");
      box.write("envplane/.gitignore", ".env*\n");
      box.write("envplane/.env", "FLAG_A=value-a\nFLAG_B=value-b\n");
      config(box, {
        project: slug,
        environments: { production: "main", preview: "*" },
        functions: { app: { env: { FEATURE_FLAG: "env(FLAG_A)" } } },
      });
      git("add", "-A");
      git("commit", "-q", "-m", "main");
      git("checkout", "-q", "-b", "feature-y");
      config(box, {
        project: slug,
        environments: { production: "main", preview: "*" },
        functions: { app: { env: { FEATURE_FLAG: "env(FLAG_B)" } } },
      });
      git("commit", "-q", "-am", "feature-y");
      git("checkout", "-q", "main");

      const script = `console.log("MARKER pid="+process.pid+" flag="+process.env.FEATURE_FLAG);setInterval(()=>{},1000)`;
      const s = box.pty(["dev", "--", NODE, "-e", script], PTY);
      const first = /MARKER pid=(\d+) flag=(\S+)\n/;
      await s.expect(first, SHOW);
      const [, pid1, flag1] = first.exec(s.output())!;
      expect(flag1).toBe("value-a");

      git("checkout", "-q", "feature-y");
      await s.expect("Git branch changed: main → feature-y. Reloading the environment and restarting.\n", SHOW);
      await s.expect('Created project branch feature-y (deploys with "preview").\n', SHOW);
      await s.expect(/MARKER pid=\d+ flag=value-b\n/, SHOW);
      const markers = [...s.output().matchAll(/MARKER pid=(\d+) flag=(\S+)/g)];
      expect(markers).toHaveLength(2);
      const pid2 = markers[1][1];
      expect(pid2).not.toBe(pid1);
      expect(alive(Number(pid1))).toBe(false);
      expect(alive(Number(pid2))).toBe(true);
      const { project } = await server.owner.project({ slug });
      expect(project?.branches.map((b) => b.name)).toContain("feature-y");

      // Back to main: the branch exists already, config.json is read again.
      git("checkout", "-q", "main");
      await s.expect("Git branch changed: feature-y → main.", SHOW);
      await s.expect('Project branch main is active (deploys with "production").\n', SHOW);
      await s.expect(/MARKER pid=\d+ flag=value-a\n/, SHOW);
      const pid3 = Number([...s.output().matchAll(/MARKER pid=(\d+)/g)][2][1]);
      expect(alive(Number(pid2))).toBe(false);

      s.send("\u0003");
      const { code } = await s.exit();
      expect(code).toBe(130);
      expect(await waitUntil(() => !alive(pid3))).toBe(true);
      expect((await server.owner.project({ slug })).project?.branches.map((b) => b.name).sort()).toEqual([
        "dev",
        "feature-y",
        "main",
      ]);
    },
    TEST,
  );

  it(
    "a restart stops the command's whole process tree (a dev server under sh keeps no port)",
    async () => {
      const box = await createSandbox(server, { auth: "none" });
      config(box, {});
      box.write("envplane/.env", "FLAG=one\n");
      const s = box.pty(["dev", "--", "sh", "-c", 'sleep 300 & echo "GRANDCHILD $! $FLAG"; wait'], PTY);
      await s.expect(/GRANDCHILD \d+ one\n/, SHOW);
      box.write("envplane/.env", "FLAG=two\n");
      await s.expect(/GRANDCHILD \d+ two\n/, SHOW);
      const [first, second] = [...s.output().matchAll(/GRANDCHILD (\d+)/g)].map((m) => Number(m[1]));
      expect(await waitUntil(() => !alive(first))).toBe(true);
      expect(alive(second)).toBe(true);
      s.send("\u0003");
      await s.exit();
      if (alive(second)) process.kill(second, "SIGKILL"); // sh's background job ignores Ctrl-C, as it would without envplane
    },
    TEST,
  );

  it(
    "a config.json that stops resolving is reported and the command keeps running until it is fixed",
    async () => {
      const box = await createSandbox(server, { auth: "none" });
      config(box, {});
      box.write("envplane/.env", "FLAG=one\n");
      const s = box.pty(
        [
          "dev",
          "--",
          NODE,
          "-e",
          `console.log("MARKER pid="+process.pid+" flag="+process.env.FLAG);setInterval(()=>{},1000)`,
        ],
        PTY,
      );
      await s.expect(/MARKER pid=\d+ flag=one\n/, SHOW);
      box.write("envplane/config.json", "{ half-saved");
      await s.expect("envplane/config.json is not valid JSON", SHOW);
      await s.expect(
        "The command keeps running with the previous environment; fix the problem and save to restart it.\n",
        SHOW,
      );
      const [first] = [...s.output().matchAll(/MARKER pid=(\d+)/g)].map((m) => Number(m[1]));
      expect(alive(first)).toBe(true);
      box.write("envplane/.env", "FLAG=two\n");
      config(box, {});
      await s.expect(/MARKER pid=\d+ flag=two\n/, SHOW);
      expect(await waitUntil(() => !alive(first))).toBe(true);
      s.send("\u0003");
      expect((await s.exit()).code).toBe(130);
    },
    TEST,
  );

  it(
    "restarts the command once when envplane/.env changes, with the new value",
    async () => {
      const box = await createSandbox(server, { auth: "none" });
      config(box, {});
      box.write("envplane/.env", "FLAG=one\n");
      const s = box.pty(
        [
          "dev",
          "--",
          NODE,
          "-e",
          `console.log("MARKER pid="+process.pid+" flag="+process.env.FLAG);setInterval(()=>{},1000)`,
        ],
        PTY,
      );
      await s.expect(/MARKER pid=\d+ flag=one\n/, SHOW);
      box.write("envplane/.env", "FLAG=two\n");
      await s.expect("envplane/.env changed. Reloading the environment and restarting.\n", SHOW);
      await s.expect(/MARKER pid=\d+ flag=two\n/, SHOW);
      // No second restart follows: a later change, seen by the same poller after any echo of the
      // first, restarts it exactly once more, and .env's change was reported once.
      box.write("envplane/.env.local", "OTHER=1\n");
      await s.expect("envplane/.env.local changed. Reloading the environment and restarting.\n", SHOW);
      await s.expect(/MARKER pid=\d+ flag=two\n/, SHOW);
      const markers = [...s.output().matchAll(/MARKER pid=(\d+) flag=(\S+)/g)];
      expect(markers.map((m) => m[2])).toEqual(["one", "two", "two"]);
      expect(s.output().split("envplane/.env changed.")).toHaveLength(2);
      const pids = markers.map((m) => Number(m[1]));
      // Each was stopped (and reaped) before the next one started.
      expect(alive(pids[0])).toBe(false);
      expect(alive(pids[1])).toBe(false);
      s.send("\u0003");
      expect((await s.exit()).code).toBe(130);
      expect(await waitUntil(() => !alive(pids[2]))).toBe(true);
    },
    TEST,
  );
});

describe("envplane run", () => {
  async function runProject(slug: string) {
    await createProject(server.owner, slug, { branches: ["feature-x"] });
    await bulk(server.owner, {
      project: slug,
      environment: "preview",
      variables: [
        { key: "API_URL", value: "https://preview.example.com" },
        { key: "DATABASE_URL", value: "postgres://preview-db:5432/app" },
        { key: "STRIPE_KEY", value: "sk_test_preview", secret: true },
      ],
    });
    await setVariable(server.owner, {
      project: slug,
      environment: "preview",
      key: "API_URL",
      value: "https://feature-x.example.com",
      branch: "feature-x",
    });
    await setVariable(server.owner, {
      project: slug,
      environment: "production",
      key: "API_URL",
      value: "https://example.com",
    });
  }
  const KEYS = ["API_URL", "DATABASE_URL", "STRIPE_KEY", "ENVPLANE_TOKEN", "ENVPLANE_SERVER", "FROM_SHELL"];

  it("gives the command the branch's values (override, base, secrets), never ENVPLANE_TOKEN, and passes its exit code on", async () => {
    const slug = "run-cmd";
    await runProject(slug);
    const { token } = await serviceToken(server, slug, ["RUNTIME"]);
    const box = await createSandbox(server, { token }); // unlinked: the project comes from the token
    const r = await box.run(["run", "--branch", "feature-x", "--", NODE, "-e", printEnv(KEYS, 3)], {
      env: { API_URL: "from-shell", FROM_SHELL: "shell" },
    });
    expect(r.code).toBe(3);
    expect(envLine(r.stdout)).toEqual({
      API_URL: "https://feature-x.example.com",
      DATABASE_URL: "postgres://preview-db:5432/app",
      STRIPE_KEY: "sk_test_preview",
      ENVPLANE_TOKEN: null,
      ENVPLANE_SERVER: server.url,
      FROM_SHELL: "shell",
    });
    expect(r.stdout + r.stderr).not.toContain(token);

    // ENVPLANE_BRANCH instead of --branch; main maps to production.
    const viaEnv = await box.run(["run", "--", NODE, "-e", printEnv(KEYS)], { env: { ENVPLANE_BRANCH: "main" } });
    expect(viaEnv.code).toBe(0);
    expect(envLine(viaEnv.stdout)).toMatchObject({
      API_URL: "https://example.com",
      DATABASE_URL: null,
      STRIPE_KEY: null,
      ENVPLANE_TOKEN: null,
    });
    const featureX = await box.run(["run", "--", NODE, "-e", printEnv(KEYS)], {
      env: { ENVPLANE_BRANCH: "feature-x" },
    });
    expect(envLine(featureX.stdout)).toMatchObject({
      API_URL: "https://feature-x.example.com",
      STRIPE_KEY: "sk_test_preview",
    });
    // Another branch of preview gets the base value.
    const dev = await box.run(["run", "--branch", "dev", "--", NODE, "-e", printEnv(KEYS)]);
    expect(envLine(dev.stdout)).toMatchObject({ API_URL: "https://preview.example.com" });
  }, 60_000);

  it("a READ token is refused naming --permission runtime; no branch is a usage error", async () => {
    const slug = "run-refused";
    await runProject(slug);
    const read = await serviceToken(server, slug, ["READ"]);
    const box = await createSandbox(server, { token: read.token });
    const refused = await box.run(["run", "--branch", "feature-x", "--", NODE, "-e", "console.log('STARTED')"]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).not.toContain("STARTED");
    expect(refused.stderr).toMatch(
      /^Error: .*envplane run needs a service token with the runtime permission: envplane tokens create --name <name> --permission runtime\.\n$/,
    );
    expect(refused.stderr).not.toContain("sk_test_preview");

    const runtime = await serviceToken(server, slug, ["RUNTIME"]);
    const noBranch = await box.run(["run", "--", NODE, "-e", "console.log('STARTED')"], {
      env: { ENVPLANE_TOKEN: runtime.token, ENVPLANE_BRANCH: undefined },
    });
    expect(noBranch.code).toBe(2);
    expect(noBranch.stdout).not.toContain("STARTED");
    expect(noBranch.stderr).toContain("Pass --branch <name> or set ENVPLANE_BRANCH.");

    // A linked folder takes the project from config.json.
    const linked = await createSandbox(server, { token: runtime.token });
    config(linked, { project: slug });
    const owner = await linked.run(["run", "--branch", "feature-x", "--", NODE, "-e", printEnv(["API_URL"])]);
    expect(owner.code).toBe(0);
    expect(envLine(owner.stdout)).toEqual({ API_URL: "https://feature-x.example.com" });
  }, 60_000);
});
