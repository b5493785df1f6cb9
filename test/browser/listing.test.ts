/**
 * Value previews in the dashboard (issue 10), in real Chromium against a real server: the grid and the
 * environment screen show a value's first 12 characters and "…", never the full long value until the
 * viewer asks (edit, show); the full value then comes from the server and an edit saves it whole. A
 * canary secret is never in the DOM nor in any response the page receives.
 */
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";
import { bulk, createProject, listValues, setVariable } from "../support/fixtures.js";

const P = "listing-shop";
const canary = `listing-canary-${randomBytes(12).toString("hex")}`;
const LONG = "https://payments.internal.example.com/v2/callback?tenant=shop-eu-1";
const EMOJI = `${"🚀".repeat(12)}launch`;

let server: DashboardServer;
let browser: Browser;

beforeAll(async () => {
  server = await startDashboardServer();
  browser = await launchBrowser();
  await createProject(server.owner, P, { branches: ["feature-x"] });
  await bulk(server.owner, {
    project: P,
    environment: "development",
    variables: [
      { key: "CALLBACK_URL", value: LONG },
      { key: "EMOJI", value: EMOJI },
      { key: "SHORT", value: "on" },
      { key: "STRIPE_KEY", value: canary, secret: true },
    ],
  });
  await setVariable(server.owner, {
    project: P,
    environment: "development",
    key: "STRIPE_KEY",
    value: `${canary}-old`,
  });
  await bulk(server.owner, {
    project: P,
    environment: "preview",
    variables: [{ key: "CALLBACK_URL", value: `${LONG}&preview` }],
  });
  await setVariable(server.owner, {
    project: P,
    environment: "preview",
    key: "CALLBACK_URL",
    value: `${LONG}&feature`,
    branch: "feature-x",
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A signed-in page that records every response body it receives. */
async function open(path: string, width = 1280) {
  const context = await newContext(browser, server, { width, height: 800 });
  const { page } = context;
  page.setDefaultTimeout(20_000);
  const pending: Promise<string>[] = [];
  page.on("response", (response) => {
    if (response.url().includes("/graphql")) pending.push(response.text().catch(() => ""));
  });
  /** Every GraphQL response body received so far, in full. */
  const bodies = async () => (await Promise.all(pending)).join("\n");
  await signIn(page, server);
  await page.goto(`${server.origin}${path}`);
  return { ...context, bodies };
}

const html = (page: Page) => page.evaluate(() => document.documentElement.outerHTML);

describe("previews in the dashboard", () => {
  it("the grid shows previews; the editor reads the full value and saves it whole; the secret never arrives", async () => {
    const { page, errors, bodies } = await open(`/projects/${P}`);
    await page.getByRole("table", { name: "Variables by environment" }).waitFor();
    const cell = (name: string) => page.getByRole("button", { name, exact: true });
    await expect.poll(() => cell("Edit CALLBACK_URL in development").textContent()).toBe("https://paym…");
    expect(await cell("Edit EMOJI in development").textContent()).toBe(`${"🚀".repeat(12)}…`);
    expect(await cell("Edit SHORT in development").textContent()).toBe("on");
    expect(await cell("Overwrite secret STRIPE_KEY in development").textContent()).toContain("••••");
    expect(await cell("Edit CALLBACK_URL in preview").textContent()).toContain("https://paym…");
    let dom = await html(page);
    expect(dom).not.toContain(LONG);
    expect(dom).not.toContain(EMOJI);
    expect(await bodies()).not.toContain(LONG);
    await page.screenshot({ path: "/tmp/listing-grid.png" });

    // Edit: the full value is read from the server into the editor; a change saves the whole new value.
    await cell("Edit CALLBACK_URL in development").click();
    const input = page.getByRole("textbox", { name: "CALLBACK_URL in development" });
    await expect.poll(() => input.inputValue()).toBe(LONG);
    await input.fill(`${LONG}&v=2`);
    await input.press("Enter");
    await expect.poll(() => input.count()).toBe(0);
    expect((await listValues(server.owner, P, "development")).values.CALLBACK_URL.value).toBe(`${LONG}&v=2`);
    await expect.poll(() => cell("Edit CALLBACK_URL in development").textContent()).toBe("https://paym…");

    dom = await html(page);
    expect(dom).not.toContain(canary);
    expect(await bodies()).not.toContain(canary);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("the environment screen shows previews; 'show' reads the full value of a base value or an override", async () => {
    const { page, errors, bodies } = await open(`/projects/${P}/environments/preview`);
    const row = (name: string) => page.getByRole("row", { name, exact: true });
    await expect.poll(() => row("CALLBACK_URL").textContent()).toContain("https://paym…");
    const override = row("CALLBACK_URL override for feature-x");
    expect(await override.textContent()).toContain("https://paym…");
    expect(await html(page)).not.toContain(LONG);
    await page.screenshot({ path: "/tmp/listing-environment.png" });

    await override.getByRole("button", { name: "Show the full value of CALLBACK_URL for feature-x" }).click();
    await expect.poll(() => override.textContent()).toContain(`${LONG}&feature`);
    expect(await row("CALLBACK_URL").textContent()).not.toContain(`${LONG}&preview`);
    await row("CALLBACK_URL").getByRole("button", { name: "Show the full value of CALLBACK_URL" }).click();
    await expect.poll(() => row("CALLBACK_URL").textContent()).toContain(`${LONG}&preview`);
    await row("CALLBACK_URL").getByRole("button", { name: "Hide the full value of CALLBACK_URL" }).click();
    await expect.poll(() => row("CALLBACK_URL").textContent()).not.toContain(`${LONG}&preview`);

    await page.goto(`${server.origin}/projects/${P}/environments/development`);
    await expect.poll(() => row("STRIPE_KEY").textContent()).toContain("secret value hidden");
    expect(
      await row("STRIPE_KEY")
        .getByRole("button", { name: /Show the full value/ })
        .count(),
    ).toBe(0);
    expect(
      await row("SHORT")
        .getByRole("button", { name: /Show the full value/ })
        .count(),
    ).toBe(0);
    expect(await html(page)).not.toContain(canary);
    expect(await bodies()).not.toContain(canary);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("at 390 px the previews fit without horizontal page overflow", async () => {
    const { page, errors } = await open(`/projects/${P}`, 390);
    await page.getByRole("table", { name: "Variables by environment" }).waitFor();
    await page.getByRole("button", { name: "Edit CALLBACK_URL in development", exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: "/tmp/listing-grid-390.png" });
    await page.goto(`${server.origin}/projects/${P}/environments/preview`);
    await page.getByRole("row", { name: "CALLBACK_URL", exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: "/tmp/listing-environment-390.png" });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
