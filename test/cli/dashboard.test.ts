/**
 * `envplane dashboard` as a real process against a real server: it prints a one-time sign-in
 * link whose code signs a browser in once (POST /auth/session) and never again; on a terminal
 * it opens the link with the desktop's opener (a stand-in xdg-open here), not with --no-open,
 * and a missing opener is no error. Service tokens get a clear refusal.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createSandbox } from "../support/cli.js";
import { createProject, serviceToken, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((started) => (server = started), { listen: true });

const signIn = (origin: string, code: string) =>
  fetch(`${origin}/auth/session`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-envplane-client": "test", origin },
    body: JSON.stringify({ code }),
  });

describe("envplane dashboard", () => {
  it("prints a link whose code signs in once", async () => {
    const box = await createSandbox(server, { auth: "login" });
    const r = await box.run(["dashboard"]);
    expect(r.code, r.stderr).toBe(0);
    const origin = new URL(server.url).origin;
    const match = /^(http:\/\/127\.0\.0\.1:\d+)\/sign-in#code=([\w-]{43})\n$/.exec(r.stdout);
    expect(match, r.stdout).not.toBeNull();
    expect(match![1]).toBe(origin);
    expect(r.stderr).toMatch(/within 2 minutes; it works once/);
    const first = await signIn(origin, match![2]);
    expect(first.status).toBe(200);
    expect(first.headers.get("set-cookie")).toMatch(/^envplane_session=envs_/);
    const second = await signIn(origin, match![2]);
    expect(second.status).toBe(401);
    expect((await second.json()).error.message).toMatch(/already used/);
  });

  it("opens the link on a terminal, not with --no-open, and a missing opener is no error", async () => {
    const box = await createSandbox(server);
    const bin = path.join(box.home, "bin");
    const opened = path.join(box.home, "opened.txt");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "xdg-open"), `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`, { mode: 0o755 });
    const env = { PATH: `${bin}:${process.env.PATH}` };

    const session = box.pty(["dashboard"], { env });
    const { code, output } = await session.exit();
    expect(code, output).toBe(0);
    const url = /(http:\/\/\S+\/sign-in#code=[\w-]{43})/.exec(output)![1];
    for (let i = 0; i < 50 && !fs.existsSync(opened); i++) await new Promise((r) => setTimeout(r, 100));
    expect(fs.readFileSync(opened, "utf8")).toBe(`${url}\n`);

    const noOpen = await box.pty(["dashboard", "--no-open"], { env }).exit();
    expect(noOpen.code, noOpen.output).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(fs.readFileSync(opened, "utf8").trim().split("\n")).toHaveLength(1);

    // A PATH with the terminal helper (util-linux script) but no xdg-open.
    const bare = path.join(box.home, "bare");
    fs.mkdirSync(bare);
    fs.symlinkSync(
      execFileSync("sh", ["-c", "command -v script"], { encoding: "utf8" }).trim(),
      path.join(bare, "script"),
    );
    const missing = await box.pty(["dashboard"], { env: { PATH: bare } }).exit();
    expect(missing.code, missing.output).toBe(0);
    expect(missing.output).toMatch(/sign-in#code=/);
  });

  it("refuses service tokens with a clear message", async () => {
    await createProject(server.owner, "dash-svc");
    const svc = await serviceToken(server, "dash-svc", ["READ"]);
    const box = await createSandbox(server, { token: svc.token });
    const r = await box.run(["dashboard"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Service tokens cannot create sign-in links/);
    expect(r.stdout).toBe("");
  });
});
