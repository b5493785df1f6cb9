/**
 * `envplane webhooks …` through the real CLI process against a real server whose webhook
 * worker runs, with a real receiver on 127.0.0.1 that verifies each delivery's signature.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "../support/cli.js";
import { createProject, setVariable, userWithRole, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((started) => (server = started), {
  listen: true,
  config: { webhookWorker: true, webhooks: { pollMs: 100, retryBaseMs: 150, maxAttempts: 2, timeoutMs: 5000 } },
});

const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
let receiver: Server;
let base = "";
beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ path: req.url ?? "/", headers: req.headers, body });
      res.writeHead(req.url?.startsWith("/down") ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const address = receiver.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      receiver.closeAllConnections();
      receiver.close(() => resolve());
    }),
);

async function waitFor<T>(what: string, check: () => Promise<T | false>, deadlineMs = 45_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== false) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let n = 0;
async function linkedProject(): Promise<{ slug: string; box: Sandbox }> {
  const slug = `cli-hooks-${++n}`;
  await createProject(server.owner, slug);
  return { slug, box: await createSandbox(server, { link: slug }) };
}

describe("envplane webhooks", () => {
  it("create prints the secret once with a warning; deliveries verify with it; list, deliveries, delete", async () => {
    const { slug, box } = await linkedProject();
    const created = await box.run([
      "webhooks",
      "create",
      `${base}/cli-${slug}`,
      "--env",
      "production",
      "--event",
      "environment.changed",
      "--description",
      "deploy hook",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^whsec_/);
    expect(created.stderr).toContain("shown once");
    expect(created.stderr).toContain("environment.changed of production");

    const list = await box.run(["webhooks", "list", "--json"]);
    expect(list.code).toBe(0);
    const [hook] = JSON.parse(list.stdout);
    expect(hook).toMatchObject({
      url: `${base}/cli-${slug}`,
      environments: ["production"],
      events: ["environment.changed"],
      description: "deploy hook",
    });
    expect(list.stdout).not.toContain(secret);
    const table = await box.run(["webhooks", "list"]);
    expect(table.stdout).toContain(hook.id);
    expect(table.stdout).toContain("environment.changed");

    await setVariable(server.owner, { project: slug, environment: "development", key: "IGNORED", value: "1" });
    await setVariable(server.owner, { project: slug, environment: "production", key: "DEPLOYED", value: "1" });
    const request = await waitFor("the delivery", async () => received.find((r) => r.path === `/cli-${slug}`) ?? false);
    const payload = new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    expect(payload).toMatchObject({ type: "environment.changed", data: { keys: ["DEPLOYED"] } });

    const deliveries = await waitFor("the delivery to be recorded as succeeded", async () => {
      const r = await box.run(["webhooks", "deliveries", hook.id, "--json"]);
      const rows = JSON.parse(r.stdout);
      return rows[0]?.status === "SUCCEEDED" && rows;
    });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({
      eventType: "environment.changed",
      attempts: 1,
      lastStatusCode: 204,
      payload: { data: { keys: ["DEPLOYED"] } },
    });
    const shown = await box.run(["webhooks", "deliveries", hook.id]);
    expect(shown.stdout).toMatch(/environment\.changed\s+succeeded\s+1\s+204/);
    // The id `webhooks redeliver` needs is in the table.
    expect(shown.stdout).toMatch(new RegExp(`^${deliveries[0].id}\\s+environment\\.changed`, "m"));

    const refused = await box.run(["webhooks", "delete", hook.id]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("--yes");
    expect((await server.owner.webhooks({ slug })).project!.webhooks).toHaveLength(1);
    const deleted = await box.run(["webhooks", "delete", hook.id, "--yes"]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain(`Deleted webhook ${hook.id}`);
    expect((await server.owner.webhooks({ slug })).project!.webhooks).toEqual([]);
  });

  it("takes the secret request events by their names, as sent, and lists every event by the name it is sent as", async () => {
    const { box } = await linkedProject();
    const created = await box.run([
      "webhooks",
      "create",
      `${base}/requests`,
      "--event",
      "secret_request.created",
      "--event",
      "SECRET_REQUEST_CANCELLED",
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toContain("secret_request.cancelled, secret_request.created of every environment");
    const all = await box.run(["webhooks", "create", `${base}/all`]);
    expect(all.code, all.stderr).toBe(0);
    const list = JSON.parse((await box.run(["webhooks", "list", "--json"])).stdout);
    expect(list.find((h: { url: string }) => h.url.endsWith("/requests")).events).toEqual([
      "secret_request.cancelled",
      "secret_request.created",
    ]);
    const every = list.find((h: { url: string }) => h.url.endsWith("/all")).events;
    expect(every).toContain("secret_request.created");
    for (const name of every) expect(name).toMatch(/^[a-z_]+\.[a-z]+$/);
    expect(JSON.stringify(list)).not.toContain("secret.request");
  });

  it("deliveries shows a failure's error; redeliver queues it again", async () => {
    const { slug, box } = await linkedProject();
    const created = await box.run(["webhooks", "create", `${base}/down-${slug}`, "--json"]);
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.stdout);
    await setVariable(server.owner, { project: slug, environment: "development", key: "A", value: "1" });
    const [failed] = await waitFor("the delivery to fail", async () => {
      const rows = JSON.parse((await box.run(["webhooks", "deliveries", id, "--json"])).stdout);
      return rows[0]?.status === "FAILED" && rows;
    });
    const shown = await box.run(["webhooks", "deliveries", id]);
    expect(shown.stdout).toMatch(/failed\s+2\s+503/);
    expect(shown.stdout).toContain("The endpoint answered HTTP 503.");

    const againJson = await box.run(["webhooks", "redeliver", failed.id, "--json"]);
    expect(JSON.parse(againJson.stdout)).toMatchObject({ eventType: "environment.changed", status: "PENDING" });
    const again = await box.run(["webhooks", "redeliver", failed.id]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Queued delivery");
    const rows = (await server.owner.webhookDeliveries({ slug })).project!.webhooks[0].deliveries.nodes;
    expect(rows).toHaveLength(3);
    expect(rows[0].id).not.toBe(failed.id);
    expect(JSON.parse(rows[0].payload)).toEqual(failed.payload);
  });

  it("bad input and missing rights get clear errors and change nothing", async () => {
    const { slug, box } = await linkedProject();
    const badEvent = await box.run(["webhooks", "create", `${base}/x`, "--event", "variable.set"]);
    expect(badEvent.code).not.toBe(0);
    expect(badEvent.stderr).toContain('--event "variable.set" is not an event type');
    const badUrl = await box.run(["webhooks", "create", "ftp://example.com/x"]);
    expect(badUrl.code).not.toBe(0);
    expect(badUrl.stderr).toContain("Only http:// and https://");
    const badEnv = await box.run(["webhooks", "create", `${base}/x`, "--env", "staging"]);
    expect(badEnv.code).not.toBe(0);
    expect(badEnv.stderr).toMatch(/^Error: --env staging: Environment "staging" not found/);
    const secondEnv = await box.run(["webhooks", "create", `${base}/x`, "--env", "production", "--env", "stage"]);
    expect(secondEnv.stderr).toMatch(/^Error: --env stage: Environment "stage" not found/);
    expect(secondEnv.stderr).not.toContain("environment 2");
    expect((await server.owner.webhooks({ slug })).project!.webhooks).toEqual([]);

    const developer = await userWithRole(server, slug, "DEVELOPER");
    const dev = await createSandbox(server, { link: slug, token: developer.token });
    const list = await dev.run(["webhooks", "list"]);
    expect(list.code).not.toBe(0);
    expect(list.stderr).toContain(`Only admins and owners of project "${slug}"`);
    expect(list.stderr).not.toContain("The server failed");
    const create = await dev.run(["webhooks", "create", `${base}/x`]);
    expect(create.code).not.toBe(0);
    expect(create.stderr).toContain("manage webhooks");
    const missing = await box.run(["webhooks", "deliveries", "nope"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('Webhook "nope" not found');
  });
});
