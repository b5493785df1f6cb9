/**
 * The audit log screen and the "not yet live" badges in a real browser against a real server: events listed
 * newest first with their keys (never values), filters, paging, "Verify" (intact, then naming a row edited in
 * the database), the screen refused to a developer, and "N changes not yet live on <branch>" on the branches screen.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";
import { expectType } from "../support/expect.js";
import { createBranch, serviceToken, setVariable, userWithRole } from "../support/fixtures.js";
import { withRawDb } from "../support/raw-db.js";

const PROJECT = "shop";
const CANARY = "sk_live_CANARY_4f1e9a";

let server: DashboardServer;
let browser: Browser;
let page: Page;
let errors: string[];
let foreignRequests: string[];

beforeAll(async () => {
  server = await startDashboardServer();
  browser = await launchBrowser();
  const sdk = server.owner;
  await sdk.createProject({ input: { slug: PROJECT } });
  await createBranch(sdk, PROJECT, "feature-x");
  await setVariable(sdk, { project: PROJECT, environment: "preview", key: "API_URL", value: "https://a.example" });
  await setVariable(sdk, { project: PROJECT, environment: "preview", key: "STRIPE_KEY", value: CANARY, secret: true });
  // 60 more events, so the log has a second page (50 a page).
  for (let i = 0; i < 60; i++)
    await setVariable(sdk, { project: PROJECT, environment: "development", key: `K${i}`, value: `v${i}` });
  const runtime = await serviceToken(server, PROJECT, ["RUNTIME"]);
  expectType(
    (await runtime.client.runtimeVariables({ project: PROJECT, branch: "feature-x" })).runtimeVariables,
    "RuntimeEnvironment",
  );
  await setVariable(sdk, { project: PROJECT, environment: "preview", key: "API_URL", value: "https://b.example" });
  await setVariable(sdk, { project: PROJECT, environment: "preview", key: "NEW_FLAG", value: "on" });
  ({ page, errors, foreignRequests } = await newContext(browser, server));
  page.setDefaultTimeout(20_000);
  await signIn(page, server);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const table = () => page.getByRole("table", { name: "Audit events" });
const firstCells = async () =>
  (await table().locator("tbody tr").all()).length
    ? await table().locator("tbody tr td:first-child").allTextContents()
    : [];

describe("audit log screen", () => {
  it("lists events newest first with keys, actor and environment, never a value; pages with 'Load older events'", async () => {
    await page.goto(`${server.origin}/projects/${PROJECT}/audit`);
    await page.getByRole("heading", { name: "Audit log" }).waitFor();
    await table().waitFor();
    const rows = table().locator("tbody tr");
    expect(await rows.count()).toBe(50);
    const first = rows.first();
    await expect(first.textContent()).resolves.toMatch(/variable\.set.*Owner.*preview.*NEW_FLAG/);
    const seqs = (await firstCells()).map(Number);
    expect(seqs[0]).toBeGreaterThan(seqs[1]);
    await page.screenshot({ path: "/tmp/audit.png" });
    await page.getByRole("button", { name: "Load older events" }).click();
    await page.waitForFunction(() => document.querySelectorAll("table tbody tr").length > 50);
    const all = (await firstCells()).map(Number);
    expect(all.at(-1)).toBe(1);
    expect(all).toEqual([...all].sort((a, b) => b - a));
    expect(await page.getByRole("button", { name: "Load older events" }).count()).toBe(0);
    expect(await page.content()).not.toContain(CANARY);
  });

  it("filters by environment and action prefix; the read by the runtime token shows its keys", async () => {
    await page.getByLabel("Environment").selectOption("preview");
    await page.getByLabel("Action").fill("variables.");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForFunction(() => document.querySelectorAll("table tbody tr").length === 1);
    const row = table().locator("tbody tr").first();
    await expect(row.textContent()).resolves.toMatch(/variables\.resolve.*service token.*preview.*@feature-x/);
    await expect(row.textContent()).resolves.toContain("API_URL, STRIPE_KEY");
    expect(await page.content()).not.toContain(CANARY);
    await page.getByLabel("Actor").fill("nobody-at-all");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByText("No events match these filters").waitFor();
    await page.getByRole("button", { name: "Clear" }).click();
    await page.waitForFunction(() => document.querySelectorAll("table tbody tr").length >= 50);
    expect(await page.getByLabel("Action").inputValue()).toBe("");
  });

  it("Verify: intact, then names the row edited in the database", async () => {
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByRole("status").filter({ hasText: "intact" }).textContent()).resolves.toMatch(
      /The audit log is intact: \d+ events checked/,
    );
    const id = (await server.owner.project({ slug: PROJECT })).project!.id;
    await withRawDb(server.database, (q) =>
      q(`UPDATE "Event" SET "keys" = '["FORGED"]' WHERE "chain" = $1 AND "seq" = 5`, [id]),
    );
    await page.getByRole("button", { name: "Verify" }).click();
    const problems = page.getByRole("status").filter({ hasText: "problem" });
    await expect(problems.textContent()).resolves.toContain("The audit log has 1 problem");
    await expect(problems.textContent()).resolves.toContain("#5 Event #5 was changed after it was written");
    await page.screenshot({ path: "/tmp/audit-verify.png" });
  });

  it("at 390 px wide the page does not scroll sideways (the table scrolls inside), light and dark", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const narrow = await newContext(browser, server, { width: 390, height: 800, colorScheme });
      narrow.page.setDefaultTimeout(20_000);
      await signIn(narrow.page, server);
      await narrow.page.goto(`${server.origin}/projects/${PROJECT}/audit`);
      await narrow.page.getByRole("table", { name: "Audit events" }).waitFor();
      const overflow = await narrow.page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await narrow.page.screenshot({ path: `/tmp/audit-390-${colorScheme}.png` });
      expect(narrow.errors).toEqual([]);
      await narrow.context.close();
    }
  });

  it("a developer is told the log is for admins and owners", async () => {
    const dev = await userWithRole(server, PROJECT, "DEVELOPER");
    const other = await newContext(browser, server);
    other.page.setDefaultTimeout(20_000);
    await signIn(other.page, server, dev.token);
    await other.page.goto(`${server.origin}/projects/${PROJECT}/audit`);
    await other.page.getByText("The audit log is for admins and owners").waitFor();
    expect(await other.page.getByRole("table").count()).toBe(0);
    await other.context.close();
  });
});

describe("branches screen", () => {
  it('shows "N changes not yet live on <branch>" for a branch served before the latest writes', async () => {
    await page.goto(`${server.origin}/projects/${PROJECT}/branches`);
    const section = page.getByRole("region", { name: "Project branches" });
    await section.getByText("2 changes not yet live on feature-x").waitFor();
    await section.getByText("never served").first().waitFor();
    const status = (await server.owner.branchStatus({ project: PROJECT })).project!.branches.find(
      (b) => b.name === "feature-x",
    )!.status!;
    expect(status).toMatchObject({ pendingChanges: 2, pendingKeys: ["API_URL", "NEW_FLAG"] });
    await page.screenshot({ path: "/tmp/audit-branches.png" });
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
