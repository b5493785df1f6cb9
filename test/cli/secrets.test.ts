/**
 * `envplane secrets request|requests|cancel` through the real CLI process, as an agent's service token would use
 * them: the link and id printed (and as JSON), the status seen after a person fulfils it in a dashboard session,
 * cancelling, and usage and server errors that say what to do. The value never reaches the CLI's output.
 */
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "../support/cli.js";
import { expectType } from "../support/expect.js";
import { createProject, runtimeValues, serviceToken, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";
import { sessionClient } from "../support/session.js";

const canary = `canary-${randomBytes(12).toString("hex")}`;
let server: TestServer;
useTestServer((s) => (server = s), { listen: true });

describe("envplane secrets", () => {
  const slug = "cli-secreq";
  let box: Sandbox;
  const outputs: string[] = [];
  const run = async (args: string[]) => {
    const r = await box.run(args);
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  beforeAll(async () => {
    await createProject(server.owner, slug);
    const agent = await serviceToken(server, slug, ["READ", "WRITE"]);
    box = await createSandbox(server, { link: slug, token: agent.token });
  });

  it("request prints the link and id; a person fulfils it; requests shows fulfilled; the app gets the value", async () => {
    const asked = await run(["secrets", "request", "STRIPE_KEY", "--env", "preview", "--note", "Live key, please"]);
    expect(asked.code, asked.stderr).toBe(0);
    const url = asked.stdout.trim();
    expect(url).toMatch(new RegExp(`^${new URL(server.url).origin}/requests/[A-Za-z0-9_-]{22,}$`));
    const id = url.split("/").at(-1)!;
    expect(asked.stderr).toContain(`request ${id}`);

    const pending = await run(["secrets", "requests"]);
    expect(pending.code).toBe(0);
    expect(pending.stdout).toMatch(new RegExp(`${id}\\s+STRIPE_KEY\\s+preview\\s+pending\\s+service token`));

    const person = await sessionClient(server, server.ownerToken);
    expectType(
      (await person.FulfillSecretRequest({ input: { id, value: canary } })).fulfillSecretRequest,
      "FulfillSecretRequestPayload",
    );
    const listed = JSON.parse((await run(["secrets", "requests", "--json"])).stdout);
    expect(listed).toEqual([
      expect.objectContaining({ id, key: "STRIPE_KEY", environment: "preview", status: "fulfilled", url }),
    ]);
    expect(listed[0].fulfilledBy).toBeTruthy();
    expect((await runtimeValues(server, slug, "dev")).values.STRIPE_KEY).toEqual({ value: canary, isSecret: true });
    // The agent's own tools see it as a secret without a value.
    const list = await run(["env", "list", "--env", "preview"]);
    expect(list.stdout).toMatch(/STRIPE_KEY = ••••/);
  });

  it("--json, --status and --env filters; cancel stops the link", async () => {
    const made = await run(["secrets", "request", "SENTRY_DSN", "--env", "production", "--expires", "2", "--json"]);
    expect(made.code, made.stderr).toBe(0);
    const { id, url, status, expiresAt } = JSON.parse(made.stdout);
    expect(status).toBe("PENDING");
    expect(url).toContain(`/requests/${id}`);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(3600_000);
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(2 * 3600_000);

    const onlyPending = JSON.parse((await run(["secrets", "requests", "--status", "pending", "--json"])).stdout);
    expect(onlyPending.map((r: { id: string }) => r.id)).toEqual([id]);
    const preview = JSON.parse((await run(["secrets", "requests", "--env", "preview", "--json"])).stdout);
    expect(preview.map((r: { key: string }) => r.key)).toEqual(["STRIPE_KEY"]);

    const cancelled = await run(["secrets", "cancel", id]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain('Cancelled the request for SENTRY_DSN in "production"');
    const again = await run(["secrets", "cancel", id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/was cancelled/);
    const table = await run(["secrets", "requests", "--status", "cancelled"]);
    expect(table.stdout).toMatch(new RegExp(`${id}\\s+SENTRY_DSN\\s+production\\s+cancelled`));
  });

  it("usage and server errors say what is wrong and create nothing", async () => {
    const before = JSON.parse((await run(["secrets", "requests", "--json"])).stdout).length;
    const noEnv = await run(["secrets", "request", "API_KEY"]);
    expect(noEnv.code).toBe(2);
    expect(noEnv.stderr).toMatch(/--env is required/);
    const badExpiry = await run(["secrets", "request", "API_KEY", "--env", "preview", "--expires", "500"]);
    expect(badExpiry.code).toBe(2);
    expect(badExpiry.stderr).toMatch(/--expires takes whole hours from 1 to 168/);
    const badKey = await run(["secrets", "request", "1BAD", "--env", "preview"]);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/KEY: Variable key may contain only letters/);
    const noBranch = await run(["secrets", "request", "API_KEY", "--env", "preview", "--branch", "nope"]);
    expect(noBranch.code).toBe(1);
    expect(noBranch.stderr).toMatch(/Project branch "nope" not found/);
    const badStatus = await run(["secrets", "requests", "--status", "done"]);
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toMatch(/--status takes pending, fulfilled, expired, cancelled/);
    const unknown = await run(["secrets", "cancel", "no-such-request"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Secret request "no-such-request" not found/);
    expect(JSON.parse((await run(["secrets", "requests", "--json"])).stdout)).toHaveLength(before);
  });

  it("never prints the value", () => {
    expect(outputs.length).toBeGreaterThan(10);
    for (const text of outputs) expect(text).not.toContain(canary);
  });
});
