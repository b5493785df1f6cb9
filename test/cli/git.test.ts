/**
 * `envplane git …` through the real CLI process against a real server: connect prints the URL and
 * the secret once, GitHub-shaped deliveries signed with that secret are accepted, status lists them,
 * rotate-secret replaces it, disconnect turns the URL off.
 */
import { execFile } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "../support/cli.js";
import { createProject, userWithRole, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((started) => (server = started), { listen: true });

async function push(url: string, secret: string, branch: string, extra: Record<string, unknown> = {}) {
  const body = JSON.stringify({
    ref: `refs/heads/${branch}`,
    created: true,
    deleted: false,
    repository: { full_name: "acme/cli", default_branch: "main" },
    nonce: randomUUID(),
    ...extra,
  });
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
    },
    body,
  });
  return response.status;
}

/** Each step runs several CLI processes (sources through tsx when dist/ is stale): room for a loaded machine. */
const STEP = 150_000;

describe("envplane git", () => {
  let box: Sandbox;
  let url = "";
  let secret = "";
  let next: { url: string; secret: string };

  it("connect prints URL and secret once; a signed push shows in status", { timeout: STEP }, async () => {
    await createProject(server.owner, "cli-git");
    box = await createSandbox(server, { link: "cli-git" });

    const none = await box.run(["git", "status"]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stderr).toContain("not connected");

    const connected = await box.run(["git", "connect"]);
    expect(connected.code, connected.stderr).toBe(0);
    url = /Payload URL:\s+(\S+)/.exec(connected.stdout)![1];
    secret = /Secret:\s+([0-9a-f]{64})/.exec(connected.stdout)![1];
    expect(url).toMatch(/\/hooks\/github\/[A-Za-z0-9_-]+$/);
    expect(connected.stdout).toContain("application/json");
    expect(connected.stdout).toContain("shown once");

    expect(await push(url, secret, "feature/cli")).toBe(200);
    const status = await box.run(["git", "status"]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(url);
    expect(status.stdout).not.toContain(secret);
    expect(status.stdout).toMatch(/push\s+feature\/cli\s+created/);
    const branches = await box.run(["branch", "list", "--json"]);
    expect(branches.stdout).toContain("feature/cli");
    // A reader that stops early (| head) is no crash (EPIPE); the setup steps are normal output, no warning.
    expect(connected.stdout).toContain("In GitHub:");
    expect(connected.stderr).not.toContain("Warning");
    const bin = path.resolve("bin/envplane.js");
    // Asynchronously: the test server answers from this process.
    const piped = await new Promise<{ stdout: string; stderr: string }>((resolve) =>
      execFile(
        "bash",
        ["-o", "pipefail", "-c", `"${process.execPath}" "${bin}" git status | head -1`],
        { cwd: box.dir, env: { ...box.env, PATH: process.env.PATH ?? "" }, encoding: "utf8" },
        (_error, stdout, stderr) => resolve({ stdout, stderr }),
      ),
    );
    expect(piped.stderr).not.toContain("EPIPE");
    expect(piped.stdout, piped.stderr).toContain("Payload URL:");
  });

  it("connecting again is refused; rotate-secret replaces the secret; previews need a URL", {
    timeout: STEP,
  }, async () => {
    const again = await box.run(["git", "connect"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already connected");
    expect(again.stderr).toContain('"envplane git disconnect --yes"');

    const rotated = await box.run(["git", "rotate-secret", "--json"]);
    expect(rotated.code, rotated.stderr).toBe(0);
    next = JSON.parse(rotated.stdout) as { url: string; secret: string };
    expect(next.url).toBe(url);
    expect(next.secret).not.toBe(secret);
    expect(await push(url, secret, "old-secret")).toBe(401);
    expect(await push(url, next.secret, "new-secret")).toBe(200);

    const noUrl = await box.run(["git", "previews", "on"]);
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toContain("{branch}");
    const previews = await box.run(["git", "previews", "on", "--url", "https://{branch}.preview.example.com"]);
    expect(previews.code, previews.stderr).toBe(0);
    const json = JSON.parse((await box.run(["git", "status", "--json"])).stdout);
    expect(json).toMatchObject({
      connected: true,
      createPreviews: true,
      previewUrl: "https://{branch}.preview.example.com",
      url,
    });
    expect(json.deliveries.map((d: { branch: string }) => d.branch)).toEqual(["new-secret", "feature/cli"]);

    const bad = await box.run(["git", "previews", "maybe"]);
    expect(bad.code).toBe(2);
  });

  it("disconnect turns the URL off", { timeout: STEP }, async () => {
    const off = await box.run(["git", "disconnect", "--yes"]);
    expect(off.code, off.stderr).toBe(0);
    expect(await push(url, next.secret, "after")).toBe(404);
    expect((await box.run(["git", "status"])).stderr).toContain("not connected");
  });

  it("a developer is told that only admins may connect", { timeout: STEP }, async () => {
    await createProject(server.owner, "cli-git-dev");
    const developer = await userWithRole(server, "cli-git-dev", "DEVELOPER");
    const dev = await createSandbox(server, { link: "cli-git-dev", token: developer.token });
    const connect = await dev.run(["git", "connect"]);
    expect(connect.code).toBe(1);
    expect(connect.stderr).toContain("connect GitHub");
    const status = await dev.run(["git", "status"]);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain("Only admins and owners");
  });
});
