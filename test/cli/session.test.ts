import fs from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createSandbox, runCli } from "../support/cli.js";
import { createProject, serviceToken, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((started) => (server = started), { listen: true });

describe("envplane login / whoami / logout", () => {
  it("login checks the token, stores it 0600 in the config dir, and later commands use it", async () => {
    const box = await createSandbox(server, { auth: "none" });
    const login = await box.run([
      "login",
      "--server",
      server.url.replace("/graphql", ""),
      "--token",
      server.ownerToken,
    ]);
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(
      /^✓ Logged in to http:\/\/127\.0\.0\.1:\d+\/graphql as Owner with personal token envp_pat_…\w{4} \(instance admin\)\.\n$/,
    );
    expect(login.stdout + login.stderr).not.toContain(server.ownerToken);
    const file = path.join(box.home, ".config", "envplane", "credentials.json");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({
      server: server.url.replace("/graphql", ""),
      token: server.ownerToken,
    });

    const whoami = await box.run(["whoami", "--json"]);
    expect(whoami.code).toBe(0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({
      server: server.url,
      source: "file",
      user: { name: "Owner" },
      token: { kind: "PERSONAL" },
    });

    const logout = await box.run(["logout"]);
    expect(logout).toMatchObject({ code: 0 });
    expect(fs.existsSync(file)).toBe(false);
    const after = await box.run(["whoami"]);
    expect(after).toMatchObject({ code: 1, stdout: "" });
    expect(after.stderr).toBe(
      'Error: Not logged in. Run "envplane login --server URL --token TOKEN", or set ENVPLANE_SERVER and ENVPLANE_TOKEN.\n',
    );
  });

  it("a bad token is refused and nothing is stored; --token - reads it from stdin", async () => {
    const box = await createSandbox(server, { auth: "none" });
    const bad = await box.run(["login", "--server", server.url, "--token", "envp_pat_0000000000000000000000000000"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error: .*Run "envplane login" with a valid token, or check ENVPLANE_TOKEN\.\n$/);
    expect(fs.existsSync(path.join(box.home, ".config", "envplane", "credentials.json"))).toBe(false);
    const piped = await box.run(["login", "--server", server.url, "--token", "-"], { input: `${server.ownerToken}\n` });
    expect(piped.code).toBe(0);
  });

  it("ENVPLANE_SERVER / ENVPLANE_TOKEN override the stored credentials", async () => {
    const box = await createSandbox(server, { auth: "login" });
    await createProject(server.owner, "cli-override");
    const { token } = await serviceToken(server, "cli-override", ["READ"]);
    const r = await box.run(["whoami"], { env: { ENVPLANE_TOKEN: token } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('with service token "');
    expect(r.stdout).toContain("of project cli-override: read on every environment");
    expect(r.stderr).toBe("(from ENVPLANE_SERVER / ENVPLANE_TOKEN)\n");
  });

  it("an unreachable server is a clear error with exit code 1", async () => {
    const box = await createSandbox(server, { auth: "none" });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const r = await box.run(["whoami"], {
      env: { ENVPLANE_SERVER: `http://127.0.0.1:${port}`, ENVPLANE_TOKEN: server.ownerToken },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `Error: Cannot reach the envplane server at http://127.0.0.1:${port} (ECONNREFUSED). Is it running? ` +
        `Check the address given to "envplane login" or ENVPLANE_SERVER.\n`,
    );
  });
});

describe("help, usage errors and exit codes", () => {
  it("--help on every command comes from its definition; usage errors exit 2", async () => {
    const box = await createSandbox(server, { auth: "none" });
    const top = await box.run(["--help"]);
    expect(top.code).toBe(0);
    for (const command of [
      "env push",
      "env pull",
      "env seed",
      "branch create",
      "mapping set",
      "tokens create",
      "config enable",
      "dev",
      "run",
      "link",
      "init",
    ])
      expect(top.stdout).toContain(`  ${command} `);
    const push = await box.run(["env", "push", "--help"]);
    expect(push.code).toBe(0);
    expect(push.stdout).toMatch(/^Usage: envplane env push \[options\]\n/);
    for (const flag of ["--env <env>", "--file <path>", "-y, --yes", "--dry-run", "--prune", "--json", "-h, --help"])
      expect(push.stdout).toContain(flag);

    const group = await box.run(["env", "--help"]);
    expect(group.code).toBe(0);
    expect(group.stdout).toContain("env list-environments");
    expect(group.stdout).not.toContain("tokens create");

    const unknown = await box.run(["env", "push", "--force"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--force'");
    expect(unknown.stderr).toContain("Usage: envplane env push [options]");
    expect((await box.run(["nope"])).code).toBe(2);
    expect((await box.run(["env", "set", "ONLY_KEY"])).stderr).toContain("Missing <value>");
    expect((await box.run([])).code).toBe(2);
  });

  it("colour only on a TTY: piped output has no escape codes even without NO_COLOR", async () => {
    const box = await createSandbox(server, { auth: "none" });
    const r = await runCli(["whoami"], { cwd: box.dir, env: { ...box.env, NO_COLOR: undefined } });
    expect(r.stderr).not.toContain("\u001b[");
    const tty = box.pty(["whoami"], { env: { NO_COLOR: undefined } });
    expect(await tty.exit()).toMatchObject({ code: 1 });
    expect(tty.raw()).toContain("\u001b[31mError:\u001b[39m Not logged in");
    const plain = box.pty(["whoami"], { env: { NO_COLOR: "1" } });
    expect(await plain.exit()).toMatchObject({ code: 1 });
    expect(plain.raw()).toContain("Error: Not logged in");
    expect(plain.raw()).not.toContain("\u001b[");
  });
});

describe("credentials that do not fit together", () => {
  it("the stored token never goes to another server; a damaged file says so; login names the server it tried", async () => {
    const box = await createSandbox(server, { auth: "login" });
    const elsewhere = await box.run(["whoami"], { env: { ENVPLANE_SERVER: "http://127.0.0.1:1" } });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toBe(
      `Error: ENVPLANE_SERVER is http://127.0.0.1:1, but the stored login is for ${server.url}. ` +
        `Set ENVPLANE_TOKEN for that server too, or run "envplane login --server http://127.0.0.1:1".\n`,
    );
    const same = await box.run(["whoami"], { env: { ENVPLANE_SERVER: server.url.replace("/graphql", "/") } });
    expect(same.code).toBe(0);

    const file = path.join(box.home, ".config", "envplane", "credentials.json");
    fs.writeFileSync(file, "{not json");
    const damaged = await box.run(["whoami"]);
    expect(damaged).toMatchObject({
      code: 1,
      stderr:
        `Error: ${file} is damaged (it needs a server and a token). ` +
        `Run "envplane login --server URL --token TOKEN" again, or "envplane logout" to remove it.\n`,
    });
    expect((await box.run(["logout"])).code).toBe(0);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const login = await box.run(["login", "--server", `http://127.0.0.1:${port}`, "--token", server.ownerToken]);
    expect(login.code).toBe(1);
    expect(login.stderr).toContain(
      `Cannot reach the envplane server at http://127.0.0.1:${port}/graphql (ECONNREFUSED).`,
    );

    const bare = await box.run([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe("");
    expect(bare.stderr).toContain("Usage: envplane <command> [options]");
  });
});
