/**
 * A secret request end to end in real Chromium: an agent's service token asks through the SDK; the link sends a
 * signed-out person to sign-in and back to the request; they type the value into a hidden field; the page says
 * fulfilled; the asker sees only the status; a runtime token gets the value. The value is in no DOM attribute, text
 * or storage afterwards. A read-only member sees the request but no form; the project's Requests tab lists and cancels.
 */
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";
import { expectType } from "../support/expect.js";
import { runtimeValues, serviceToken, setVariable, userWithRole } from "../support/fixtures.js";

const P = "shop";
const canary = `canary-${randomBytes(12).toString("hex")}`;

let server: DashboardServer;
let browser: Browser;
let agent: Awaited<ReturnType<typeof serviceToken>>;

async function ask(key: string, input: { environment?: string; note?: string; branch?: string } = {}) {
  const r = await agent.client.CreateSecretRequest({
    input: { project: P, environment: input.environment ?? "preview", key, note: input.note, branch: input.branch },
  });
  return expectType(r.createSecretRequest, "CreateSecretRequestPayload");
}

/** Everything the page holds that a value could hide in: text, every attribute, input values, both storages. */
function pageState(page: Page) {
  return page.evaluate(() => {
    const attributes = [...document.querySelectorAll("*")].flatMap((el) =>
      [...el.attributes].map((a) => `${a.name}=${a.value}`),
    );
    const inputs = [...document.querySelectorAll("input, textarea")].map((el) => (el as HTMLInputElement).value);
    const storage = (s: Storage) => [...Array(s.length).keys()].map((i) => `${s.key(i)}=${s.getItem(s.key(i)!)}`);
    return [
      document.documentElement.outerHTML,
      ...attributes,
      ...inputs,
      ...storage(localStorage),
      ...storage(sessionStorage),
    ].join("\n");
  });
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startDashboardServer(), launchBrowser()]);
  expectType((await server.owner.createProject({ input: { slug: P, name: "Shop" } })).createProject, "ProjectPayload");
  agent = await serviceToken(server, P, ["READ", "WRITE"]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("secret request page", () => {
  it("signed out → sign-in → back to the request → hidden input → fulfilled; the runtime gets the value", async () => {
    const { request, url } = await ask("STRIPE_KEY", { note: "Live key from the Stripe dashboard" });
    const responses: string[] = [];
    {
      const { context, page, errors, foreignRequests } = await newContext(browser, server);
      page.setDefaultTimeout(20_000);
      page.on("response", async (response) => {
        if (response.url().includes("/graphql")) responses.push(await response.text().catch(() => ""));
      });
      await page.goto(url);
      await page.getByLabel("Personal token").waitFor();
      expect(new URL(page.url()).pathname).toBe("/sign-in");
      await page.getByLabel("Personal token").fill(server.ownerToken);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: /Secret requested: STRIPE_KEY/ }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/requests/${request.id}`);
      await expect.poll(() => page.getByText("Live key from the Stripe dashboard").count()).toBe(1);
      await expect.poll(() => page.getByText("service token svc READ+WRITE").count()).toBeGreaterThan(0);
      await page.screenshot({ path: "/tmp/secret-request-form.png" });

      const input = page.getByLabel("Value of STRIPE_KEY");
      expect(await input.getAttribute("type")).toBe("password");
      expect(await input.getAttribute("autocomplete")).toBe("off");
      await input.fill(canary);
      // Typed, never echoed: no attribute carries it, only the input's live value.
      expect(await page.evaluate(() => document.documentElement.outerHTML)).not.toContain(canary);
      await page.getByRole("button", { name: "Store secret" }).click();
      await page.getByText("Thank you: STRIPE_KEY is stored as a secret.").waitFor();
      await expect.poll(() => page.getByLabel("Value of STRIPE_KEY").count()).toBe(0);
      expect(await pageState(page)).not.toContain(canary);
      await page.screenshot({ path: "/tmp/secret-request-done.png" });
      expect(errors).toEqual([]);
      expect(foreignRequests).toEqual([]);
      await context.close();
    }
    expect(responses.length).toBeGreaterThan(0);
    for (const text of responses) expect(text).not.toContain(canary);
    // The asker sees the status only; the deployment gets the value.
    const seen = (await agent.client.SecretRequest({ id: request.id })).secretRequest!;
    expect(seen.status).toBe("FULFILLED");
    expect(JSON.stringify(seen)).not.toContain(canary);
    expect((await runtimeValues(server, P, "dev")).values.STRIPE_KEY).toEqual({ value: canary, isSecret: true });
    expect(server.logs.join("\n")).not.toContain(canary);
  });

  it("at 390 px: the form fits; a fulfilled link says so and shows no form", async () => {
    await setVariable(server.owner, { project: P, environment: "preview", key: "WEBHOOK_SECRET", value: "old" });
    const { url } = await ask("WEBHOOK_SECRET", { note: "A much longer note, to see how it wraps on a phone screen." });
    const { context, page, errors } = await newContext(browser, server, {
      width: 390,
      height: 844,
      colorScheme: "dark",
    });
    page.setDefaultTimeout(20_000);
    await signIn(page, server);
    await page.goto(url);
    await page.getByLabel("Value of WEBHOOK_SECRET").waitFor();
    await page.getByText(/replaces the current value/).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: "/tmp/secret-request-390.png", fullPage: true });
    // Fulfilled elsewhere in the meantime: the page, reloaded, says so and offers no form.
    await page.getByLabel("Value of WEBHOOK_SECRET").fill(`${canary}-2`);
    await page.getByRole("button", { name: "Store secret" }).click();
    await page.getByText("Thank you: WEBHOOK_SECRET is stored as a secret.").waitFor();
    await page.reload();
    await page.getByText(/This link no longer works/).waitFor();
    expect(await page.getByLabel("Value of WEBHOOK_SECRET").count()).toBe(0);
    expect(await pageState(page)).not.toContain(canary);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a read-only member sees the request and a clear message, no form; a stranger sees nothing", async () => {
    const { url, request } = await ask("SENTRY_DSN");
    const viewer = await userWithRole(server, P, "VIEWER", "Vic Viewer");
    const { context, page, errors } = await newContext(browser, server);
    page.setDefaultTimeout(20_000);
    await signIn(page, server, viewer.token);
    await page.goto(url);
    await page.getByText("You cannot store this secret").waitFor();
    expect(await page.getByLabel("Value of SENTRY_DSN").count()).toBe(0);
    expect(await page.locator("input[type=password]").count()).toBe(0);
    await context.close();

    const stranger = expectType(
      (await server.owner.createUser({ input: { name: "Sam Stranger" } })).createUser,
      "CreateUserPayload",
    );
    const other = await newContext(browser, server);
    other.page.setDefaultTimeout(20_000);
    await signIn(other.page, server, stranger.plaintextToken);
    await other.page.goto(url);
    await other.page.getByText("This link does not work for you").waitFor();
    expect(await other.page.getByText("SENTRY_DSN").count()).toBe(0);
    await other.context.close();
    expect((await server.owner.SecretRequest({ id: request.id })).secretRequest!.status).toBe("PENDING");
    expect([...errors, ...other.errors]).toEqual([]);
  });

  it("the Requests tab lists pending first and cancels; a viewer's Cancel is disabled with the reason", async () => {
    const { request } = await ask("TO_CANCEL", { note: "no longer needed" });
    const { context, page, errors } = await newContext(browser, server);
    page.setDefaultTimeout(20_000);
    await signIn(page, server);
    await page.goto(`${server.origin}/projects/${P}/requests`);
    await page.getByRole("heading", { name: "Secret requests" }).waitFor();
    const rows = page.getByRole("row");
    await expect.poll(() => rows.count()).toBeGreaterThan(3);
    // Pending ones (TO_CANCEL, SENTRY_DSN) come before the fulfilled ones.
    const keys = (await page.locator("tbody tr td:first-child a").allTextContents()).map((t) => t.trim());
    expect(keys.slice(0, 2).sort()).toEqual(["SENTRY_DSN", "TO_CANCEL"]);
    await page.screenshot({ path: "/tmp/secret-requests-tab.png" });
    await page.getByRole("button", { name: "Cancel the request for TO_CANCEL in preview" }).click();
    await expect
      .poll(async () => (await server.owner.SecretRequest({ id: request.id })).secretRequest!.status)
      .toBe("CANCELLED");
    await expect
      .poll(() => page.getByRole("button", { name: "Cancel the request for TO_CANCEL in preview" }).count())
      .toBe(0);
    expect(errors).toEqual([]);
    await context.close();

    const viewer = await userWithRole(server, P, "VIEWER", "Vera Viewer");
    const view = await newContext(browser, server);
    view.page.setDefaultTimeout(20_000);
    await signIn(view.page, server, viewer.token);
    await view.page.goto(`${server.origin}/projects/${P}/requests`);
    const cancel = view.page.getByRole("button", { name: "Cancel the request for SENTRY_DSN in preview" });
    await cancel.waitFor();
    expect(await cancel.isDisabled()).toBe(true);
    expect(await cancel.getAttribute("title")).toMatch(/Only the asker or someone who may change "preview"/);
    await view.context.close();
  });
});
