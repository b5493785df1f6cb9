/**
 * The webhooks screen in real Chromium against a real server whose webhook worker runs, with a
 * real receiver on 127.0.0.1: a webhook created in the UI shows its signing secret once (copy
 * button), the receiver verifies deliveries with that secret, the deliveries view shows status,
 * attempts and the last error, redeliver queues a new delivery, delete asks first; people who
 * may not manage webhooks see why.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { Browser } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";
import { expectType } from "../support/expect.js";
import { createProject, setVariable, userWithRole } from "../support/fixtures.js";

let server: DashboardServer;
let browser: Browser;
let receiver: Server;
let base = "";
const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = await startDashboardServer({
    config: { webhookWorker: true, webhooks: { pollMs: 100, retryBaseMs: 150, maxAttempts: 2, timeoutMs: 5000 } },
  });
  browser = await launchBrowser();
  await createProject(server.owner, "shop");
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ path: req.url ?? "/", headers: req.headers, body });
      res.writeHead(req.url?.startsWith("/down") ? 500 : 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const address = receiver.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

async function signedIn(path: string, token = server.ownerToken, options: { width?: number } = {}) {
  const session = await newContext(browser, server, options);
  session.page.setDefaultTimeout(20_000);
  await signIn(session.page, server, token);
  await session.page.goto(`${server.origin}${path}`);
  return session;
}

async function webhooksOf(slug: string) {
  return (await server.owner.webhooks({ slug })).project!.webhooks;
}

async function waitFor<T>(what: string, check: () => Promise<T | false> | T | false, deadlineMs = 45_000) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== false) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("webhooks screen", () => {
  it("creates a webhook (field errors first), shows its secret once, and deliveries verify with it", async () => {
    const { context, page, errors, foreignRequests } = await signedIn("/projects/shop/webhooks");
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.origin });
    await page.getByText("No webhooks yet").waitFor();
    await page.screenshot({ path: "/tmp/webhooks-empty.png" });

    await page.getByRole("button", { name: "New webhook" }).click();
    const form = page.getByRole("dialog", { name: "New webhook" });
    await form.getByLabel("Endpoint URL").fill("ftp://example.com/hook");
    await form.getByRole("button", { name: "Create webhook" }).click();
    await form.getByRole("alert").filter({ hasText: "Only http:// and https://" }).waitFor();
    expect(await webhooksOf("shop")).toEqual([]);

    await form.getByLabel("Endpoint URL").fill(`${base}/ui`);
    await form.getByLabel("Description (optional)").fill("Deploy on production changes");
    await form.getByLabel(/^Every environment/).uncheck();
    await form.getByRole("button", { name: "Create webhook" }).click();
    await form.getByRole("alert").filter({ hasText: "Pick at least one environment" }).waitFor();
    await form.getByLabel("production").check();
    await form.getByRole("button", { name: "Create webhook" }).click();

    const shown = page.getByRole("dialog", { name: "Webhook created: its signing secret" });
    await shown.getByText("you won't see it again").waitFor();
    const secret = await shown.getByLabel("Signing secret").inputValue();
    expect(secret).toMatch(/^whsec_/);
    await shown.getByRole("button", { name: "Copy" }).click();
    await shown.getByText("Copied to the clipboard.").waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await page.screenshot({ path: "/tmp/webhooks-secret.png" });
    await shown.getByRole("button", { name: "Done" }).click();
    await shown.waitFor({ state: "detached" });
    expect(await page.content()).not.toContain(secret);

    const [hook] = await webhooksOf("shop");
    expect(hook).toMatchObject({
      url: `${base}/ui`,
      environments: ["production"],
      description: "Deploy on production changes",
    });
    await page.getByText("environments: production").waitFor();

    await setVariable(server.owner, { project: "shop", environment: "production", key: "RELEASE", value: "v2" });
    const request = await waitFor("the delivery", () => received.find((r) => r.path === "/ui") ?? false);
    expect(new Webhook(secret).verify(request.body, request.headers as Record<string, string>)).toMatchObject({
      type: "environment.changed",
      data: { keys: ["RELEASE"], environment: { name: "production" } },
    });

    await page.getByRole("button", { name: `Deliveries of ${base}/ui` }).click();
    const table = page.getByRole("region", { name: `Deliveries of ${base}/ui` });
    await table.getByText("succeeded").waitFor();
    await expect.poll(async () => (await table.getByRole("row").allInnerTexts()).join("\n")).toContain("200");
    // The delivery's id (the webhook-id header, what `webhooks redeliver` takes) is shown.
    await table.getByText(request.headers["webhook-id"] as string, { exact: true }).waitFor();
    await page.screenshot({ path: "/tmp/webhooks-deliveries.png", fullPage: true });
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    await context.close();
  });

  it("shows a failed delivery's error; redeliver adds a new delivery; delete asks first", async () => {
    const created = expectType(
      (
        await server.owner.createWebhook({
          input: { project: "shop", url: `${base}/down`, events: ["BRANCH_CREATED"] },
        })
      ).createWebhook,
      "CreateWebhookPayload",
    );
    expectType(
      (await server.owner.createBranch({ input: { project: "shop", name: "feature-hooks" } })).createBranch,
      "CreateBranchPayload",
    );
    await waitFor("the delivery to fail", async () => {
      const hooks = (await server.owner.webhookDeliveries({ slug: "shop" })).project!.webhooks;
      return hooks.find((h) => h.id === created.webhook.id)!.deliveries.nodes[0]?.status === "FAILED";
    });
    const { context, page, errors } = await signedIn("/projects/shop/webhooks");
    await page.getByRole("button", { name: `Deliveries of ${base}/down` }).click();
    const table = page.getByRole("region", { name: `Deliveries of ${base}/down` });
    await table.getByText("failed", { exact: true }).waitFor();
    await table.getByText("The endpoint answered HTTP 500.").waitFor();
    await page.screenshot({ path: "/tmp/webhooks-failed.png", fullPage: true });

    await table.getByRole("button", { name: /^Redeliver branch\.created delivery/ }).click();
    await expect.poll(async () => table.getByRole("button", { name: /^Redeliver/ }).count()).toBe(2);
    const nodes = (await server.owner.webhookDeliveries({ slug: "shop" })).project!.webhooks.find(
      (h) => h.id === created.webhook.id,
    )!.deliveries.nodes;
    expect(nodes).toHaveLength(2);
    expect(nodes[0].payload).toBe(nodes[1].payload);

    await page.getByRole("button", { name: `Delete webhook ${base}/down` }).click();
    const confirm = page.getByRole("dialog", { name: "Delete this webhook?" });
    await confirm.getByRole("button", { name: "Cancel" }).click();
    expect((await webhooksOf("shop")).map((w) => w.id)).toContain(created.webhook.id);
    await page.getByRole("button", { name: `Delete webhook ${base}/down` }).click();
    await confirm.getByRole("button", { name: "Delete webhook" }).click();
    // Closed once the server deleted it (while open, the page behind it is hidden from role queries).
    await confirm.waitFor({ state: "detached" });
    await page.getByRole("button", { name: `Delete webhook ${base}/down` }).waitFor({ state: "detached" });
    expect((await webhooksOf("shop")).map((w) => w.id)).not.toContain(created.webhook.id);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("at 390 px the list and deliveries fit; a developer sees why they cannot manage webhooks", async () => {
    const narrow = await signedIn("/projects/shop/webhooks", server.ownerToken, { width: 390 });
    await narrow.page.getByRole("button", { name: `Deliveries of ${base}/ui` }).click();
    await narrow.page
      .getByRole("region", { name: `Deliveries of ${base}/ui` })
      .getByText("succeeded")
      .first()
      .waitFor();
    const overflow = await narrow.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await narrow.page.screenshot({ path: "/tmp/webhooks-390.png", fullPage: true });
    await narrow.context.close();

    const developer = await userWithRole(server, "shop", "DEVELOPER");
    const { context, page, errors } = await signedIn("/projects/shop/webhooks", developer.token);
    await page.getByText("Webhooks are managed by admins").waitFor();
    const button = page.getByRole("button", { name: "New webhook" });
    expect(await button.isDisabled()).toBe(true);
    expect(await button.getAttribute("title")).toBe("Only admins and owners of this project manage its webhooks.");
    expect(await page.content()).not.toContain(`${base}/ui`);
    expect(errors).toEqual([]);
    await context.close();
  });
});
