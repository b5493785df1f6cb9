/**
 * Notes on the environment screen, in a real browser against a real server: a variable's note is
 * shown under its key, edited in a dialog (secrets too), saved alone (values untouched); a bad
 * note gets its error next to the field; a secret's value never reaches the page.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";
import { bulk, createProject, readEnvironment } from "../support/fixtures.js";

let server: DashboardServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const bodies: Promise<string>[] = [];
const CANARY = "sk_live_note_canary_91c2";

beforeAll(async () => {
  server = await startDashboardServer();
  browser = await launchBrowser();
  ({ context, page } = await newContext(browser, server));
  page.setDefaultTimeout(20_000);
  page.on("response", (response) => {
    if (new URL(response.url()).pathname === "/graphql") bodies.push(response.text().catch(() => ""));
  });
  await signIn(page, server);
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

async function notes(slug: string) {
  const env = await readEnvironment(server.owner, slug, "preview");
  return Object.fromEntries(env.variables.map((v) => [v.key, [v.value, v.note ?? null]]));
}

describe("notes on the environment screen", () => {
  it("shows notes, edits one, adds one to a secret, refuses a bad one next to the field", async () => {
    const slug = "notes-page";
    await createProject(server.owner, slug);
    await bulk(server.owner, {
      project: slug,
      environment: "preview",
      layout: true,
      variables: [
        { key: "API_URL", value: "https://api.example", note: "Public API\nno trailing slash" },
        { key: "STRIPE_KEY", value: CANARY, secret: true },
      ],
    });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.origin}/projects/${slug}/environments/preview`);
    const apiRow = page.getByRole("row", { name: "API_URL", exact: true });
    await apiRow.getByText(/Public API\s+no trailing slash/).waitFor();
    await page.screenshot({ path: "/tmp/notes-1280.png" });

    await page.getByRole("button", { name: "Edit the note of API_URL" }).click();
    const dialog = page.getByRole("dialog", { name: "Note of API_URL" });
    const field = dialog.getByLabel("Note");
    expect(await field.inputValue()).toBe("Public API\nno trailing slash");
    await field.fill("Public API (v2)");
    await dialog.getByRole("button", { name: "Save note" }).click();
    await page.getByRole("status").filter({ hasText: "Saved the note of API_URL" }).waitFor();
    await apiRow.getByText("Public API (v2)").waitFor();
    expect((await notes(slug)).API_URL).toEqual(["https://api.example", "Public API (v2)"]);

    // A secret gets a note without its value being shown or rewritten.
    await page.getByRole("button", { name: "Add a note to STRIPE_KEY" }).click();
    const secretDialog = page.getByRole("dialog", { name: "Note of STRIPE_KEY" });
    await secretDialog.getByLabel("Note").fill("@secret");
    await secretDialog.getByRole("button", { name: "Save note" }).click();
    await secretDialog.getByRole("alert").filter({ hasText: 'cannot be "@secret"' }).waitFor();
    await secretDialog.getByLabel("Note").fill("Live key: rotate yearly");
    await secretDialog.getByRole("button", { name: "Save note" }).click();
    await page.getByRole("status").filter({ hasText: "Saved the note of STRIPE_KEY" }).waitFor();
    await page.getByRole("row", { name: "STRIPE_KEY", exact: true }).getByText("Live key: rotate yearly").waitFor();
    expect((await notes(slug)).STRIPE_KEY).toEqual([null, "Live key: rotate yearly"]);

    await page.setViewportSize({ width: 390, height: 800 });
    await apiRow.getByText("Public API (v2)").waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: "/tmp/notes-390.png", fullPage: true });

    expect(await page.content()).not.toContain(CANARY);
    for (const body of await Promise.all(bodies)) expect(body).not.toContain(CANARY);
  });
});
