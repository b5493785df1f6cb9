/**
 * The project grid and the command palette in real Chromium against a real server: data seeded
 * through the SDK, every edit checked on the server too, and a secret never in the DOM.
 */
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";
import { bulk, createProject, listValues, runtimeValues, setVariable, userWithRole } from "../support/fixtures.js";

const P = "shop";
const canary = `canary-${randomBytes(12).toString("hex")}`;

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
      { key: "API_URL", value: "http://dev.local" },
      { key: "DB_PASSWORD", value: `${canary}-dev`, secret: true },
      { key: "ONLY_DEV", value: "1" },
    ],
  });
  await bulk(server.owner, {
    project: P,
    environment: "preview",
    variables: [
      { key: "API_URL", value: "https://preview.local" },
      { key: "DB_PASSWORD", value: `${canary}-preview`, secret: true },
    ],
  });
  await bulk(server.owner, {
    project: P,
    environment: "production",
    variables: [{ key: "API_URL", value: "https://prod.local" }],
  });
  await setVariable(server.owner, {
    project: P,
    environment: "preview",
    key: "API_URL",
    value: "https://feature-x.local",
    branch: "feature-x",
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function open(token = server.ownerToken, options: { width?: number } = {}) {
  const { page, errors, foreignRequests } = await newContext(browser, server, options);
  page.setDefaultTimeout(20_000);
  await signIn(page, server, token);
  await page.goto(`${server.origin}/projects/${P}`);
  await page.getByRole("table", { name: "Variables by environment" }).waitFor();
  return { page, errors, foreignRequests };
}

const cell = (page: Page, name: string | RegExp) => page.getByRole("button", { name });
/** The keys of the rows shown (the row header's first span: the key without its missing badge). */
const shownKeys = (page: Page) =>
  page.getByRole("rowheader").evaluateAll((headers) => headers.map((h) => h.querySelector("span")?.textContent));
const row = (page: Page, key: string) =>
  page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: key }) });

describe("project grid", () => {
  it("shows previews of values, the secret mask, missing marks and override badges", async () => {
    const { page, errors, foreignRequests } = await open();
    // A preview: the first 12 characters and "…" (the full value is read when the cell is edited).
    await expect.poll(() => cell(page, "Edit API_URL in development").textContent()).toContain("http://dev.l…");
    expect(await cell(page, "Edit API_URL in development").getAttribute("title")).toBeNull();
    expect(await cell(page, "Overwrite secret DB_PASSWORD in development").textContent()).toContain("••••");
    expect(await cell(page, "Set DB_PASSWORD in production (missing)").textContent()).toContain("—");
    expect(await cell(page, "Edit API_URL in preview").textContent()).toContain("1 branch overrides");
    expect(await row(page, "DB_PASSWORD").textContent()).toContain("missing 1");
    expect(await row(page, "ONLY_DEV").textContent()).toContain("missing 2");
    expect(await row(page, "API_URL").textContent()).not.toContain("missing");
    expect(await page.getByRole("link", { name: "production" }).getAttribute("href")).toBe(
      `/projects/${P}/environments/production`,
    );
    expect(await page.content()).not.toContain(canary);
    await page.screenshot({ path: "/tmp/grid.png" });
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    await page.context().close();
  });

  it("filters by key (/ focuses the search), missing anywhere, type and environment, in the URL", async () => {
    const { page } = await open();
    await page.getByRole("heading", { name: P }).click();
    await page.keyboard.press("/");
    const search = page.getByRole("searchbox", { name: "Search keys" });
    await expect.poll(() => search.evaluate((e) => e === document.activeElement)).toBe(true);
    await page.keyboard.type("api");
    await expect.poll(() => shownKeys(page)).toEqual(["API_URL"]);
    expect(new URL(page.url()).searchParams.get("q")).toBe("api");
    await search.fill("");

    await page.getByLabel("Missing anywhere").check();
    await expect.poll(() => shownKeys(page)).toEqual(["DB_PASSWORD", "ONLY_DEV"]);
    expect(new URL(page.url()).searchParams.get("missing")).toBe("true");
    await page.getByLabel("Missing anywhere").uncheck();

    await page.getByLabel("Type", { exact: true }).selectOption("secret");
    await expect.poll(() => shownKeys(page)).toEqual(["DB_PASSWORD"]);
    expect(new URL(page.url()).searchParams.get("type")).toBe("secret");
    await page.getByLabel("Type", { exact: true }).selectOption("");

    await page.getByLabel("Environment", { exact: true }).selectOption("production");
    await expect.poll(() => page.getByRole("columnheader").getByRole("link").allTextContents()).toEqual(["production"]);
    expect(new URL(page.url()).searchParams.get("env")).toBe("production");

    // The filters come back from the URL.
    await page.goto(`${server.origin}/projects/${P}?type=standard&q=only`);
    await expect.poll(() => shownKeys(page)).toEqual(["ONLY_DEV"]);
    await expect.poll(() => search.inputValue()).toBe("only");
    await page.context().close();
  });

  it("edits a standard value in place: Enter saves, Escape cancels", async () => {
    const { page } = await open();
    await cell(page, "Edit API_URL in production").click();
    const input = page.getByRole("textbox", { name: "API_URL in production" });
    await input.fill("https://cancelled.example");
    await input.press("Escape");
    await expect.poll(() => input.count()).toBe(0);
    expect((await listValues(server.owner, P, "production")).values.API_URL.value).toBe("https://prod.local");

    // Arrow keys move between cells; Enter opens the focused one.
    await cell(page, "Edit API_URL in development").focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label")))
      .toBe("Edit API_URL in production");
    await page.keyboard.press("Enter");
    await input.fill("https://new.example");
    await page.screenshot({ path: "/tmp/grid-edit.png" });
    await input.press("Enter");
    await expect.poll(() => cell(page, "Edit API_URL in production").textContent()).toContain("https://new.…");
    expect((await listValues(server.owner, P, "production")).values.API_URL.value).toBe("https://new.example");
    await page.context().close();
  });

  it("overwrites a secret without ever showing it", async () => {
    const { page } = await open();
    const fresh = `${canary}-rotated`;
    await cell(page, "Overwrite secret DB_PASSWORD in preview").click();
    const input = page.getByLabel("New secret value for DB_PASSWORD in preview");
    expect(await input.getAttribute("type")).toBe("password");
    expect(await input.inputValue()).toBe("");
    await input.fill(fresh);
    expect(await page.content()).not.toContain(fresh);
    await input.press("Enter");
    await expect.poll(() => input.count()).toBe(0);
    // dev deploys with preview (the wildcard): the runtime resolution has the new secret.
    expect((await runtimeValues(server, P, "dev")).values.DB_PASSWORD).toEqual({
      value: fresh,
      isSecret: true,
    });
    expect(await cell(page, "Overwrite secret DB_PASSWORD in preview").textContent()).toContain("••••");
    expect(await page.content()).not.toContain(canary);
    expect(
      await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })),
    ).not.toContain(canary);
    await page.context().close();
  });

  it("fills a missing cell as a standard value or as a secret", async () => {
    const { page } = await open();
    await cell(page, "Set ONLY_DEV in production (missing)").click();
    await page.getByRole("textbox", { name: "ONLY_DEV in production" }).fill("prod-1");
    await page.getByRole("textbox", { name: "ONLY_DEV in production" }).press("Enter");
    await expect.poll(() => cell(page, "Edit ONLY_DEV in production").textContent()).toContain("prod-1");
    expect((await listValues(server.owner, P, "production")).values.ONLY_DEV).toEqual({
      value: "prod-1",
      isSecret: false,
    });

    await cell(page, "Set ONLY_DEV in preview (missing)").click();
    await page.getByRole("radio", { name: "Secret" }).check();
    const secretInput = page.getByLabel("ONLY_DEV in preview", { exact: true });
    expect(await secretInput.getAttribute("type")).toBe("password");
    await secretInput.fill(`${canary}-filled`);
    await secretInput.press("Enter");
    await expect.poll(() => cell(page, "Overwrite secret ONLY_DEV in preview").textContent()).toContain("••••");
    expect((await listValues(server.owner, P, "preview")).values.ONLY_DEV).toEqual({ value: null, isSecret: true });
    expect(await page.content()).not.toContain(canary);
    await page.context().close();
  });

  it("asks before saving a cleared cell as an empty value", async () => {
    const { page } = await open();
    await cell(page, "Edit ONLY_DEV in development").click();
    const input = page.getByRole("textbox", { name: "ONLY_DEV in development" });
    await input.fill("");
    await input.press("Enter");
    await page.getByRole("alert").getByText("Save an empty value?").waitFor();
    expect((await listValues(server.owner, P, "development")).values.ONLY_DEV.value).toBe("1");
    // Typing again drops the question; clearing and Enter asks again, the second Enter saves.
    await input.fill("x");
    await expect.poll(() => page.getByRole("alert").count()).toBe(0);
    await input.fill("");
    await input.press("Enter");
    await page.getByRole("button", { name: "Save empty value" }).waitFor();
    await input.press("Enter");
    await expect.poll(() => input.count()).toBe(0);
    await expect.poll(() => cell(page, "Edit ONLY_DEV in development").textContent()).toContain("empty");
    expect((await listValues(server.owner, P, "development")).values.ONLY_DEV).toEqual({ value: "", isSecret: false });
    await page.context().close();
  });

  it("the editor of a cell on the last visible row is fully visible: its Save button is in the window and clickable", async () => {
    await createProject(server.owner, "short");
    await bulk(server.owner, {
      project: "short",
      environment: "development",
      variables: Array.from({ length: 15 }, (_, i) => ({ key: `KEY_${i + 10}`, value: `v${i}` })),
    });
    const { page } = await newContext(browser, server, { width: 1280, height: 800 });
    page.setDefaultTimeout(20_000);
    await signIn(page, server);
    await page.goto(`${server.origin}/projects/short`);
    // The grid's box is full: scrolled to its end, the last row is at its bottom edge.
    await page.locator("div:has(> table)").evaluate((e) => e.scrollTo(0, e.scrollHeight));
    await cell(page, "Edit KEY_24 in development").click();
    const save = page.getByRole("button", { name: "Save", exact: true });
    await save.waitFor();
    await page.getByText("Enter saves · Esc cancels").waitFor();
    // Hit-tested before anything scrolls: the topmost element at the button's centre is the button itself.
    const reachable = (name: string) =>
      page.getByRole("button", { name, exact: true }).evaluate((button) => {
        const r = button.getBoundingClientRect();
        const inWindow = r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
        const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return inWindow && !!top && button.contains(top);
      });
    expect(await reachable("Save")).toBe(true);
    expect(await reachable("Cancel")).toBe(true);
    await page.screenshot({ path: "/tmp/grid-last-row.png" });
    await page.getByRole("textbox", { name: "KEY_24 in development" }).fill("last");
    await save.click();
    await expect.poll(() => cell(page, "Edit KEY_24 in development").textContent()).toContain("last");
    expect((await listValues(server.owner, "short", "development")).values.KEY_24.value).toBe("last");
    await page.context().close();
  });

  it("shows a conflict inline, refreshes, and saves on the next attempt", async () => {
    const { page } = await open();
    await setVariable(server.owner, { project: P, environment: "development", key: "OTHER", value: "x" });
    await cell(page, "Edit API_URL in development").click();
    const input = page.getByRole("textbox", { name: "API_URL in development" });
    await input.fill("http://dev2.local");
    await input.press("Enter");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("changed since the grid was loaded");
    expect((await listValues(server.owner, P, "development")).values.API_URL.value).toBe("http://dev.local");
    await page.getByRole("rowheader", { name: "OTHER" }).waitFor();
    await input.press("Enter");
    await expect.poll(() => cell(page, "Edit API_URL in development").textContent()).toContain("http://dev2.…");
    expect((await listValues(server.owner, P, "development")).values.API_URL.value).toBe("http://dev2.local");
    await page.context().close();
  });

  it("a viewer cannot edit, and is told why", async () => {
    const viewer = await userWithRole(server, P, "VIEWER", "grid viewer");
    const { page } = await open(viewer.token);
    expect(await cell(page, "API_URL in development (value)").isDisabled()).toBe(true);
    expect(await cell(page, "DB_PASSWORD in production (missing)").isDisabled()).toBe(true);
    await page.getByText("Read-only: your role in this project is viewer").first().waitFor();
    expect(await cell(page, "API_URL in development (value)").getAttribute("title")).toContain("viewer");
    await page.context().close();
  });

  it("a developer cannot edit protected production, and is told why", async () => {
    const developer = await userWithRole(server, P, "DEVELOPER", "grid developer");
    const { page } = await open(developer.token);
    expect(await cell(page, "API_URL in production (value)").isDisabled()).toBe(true);
    expect(await cell(page, "API_URL in production (value)").getAttribute("title")).toContain(
      "production is protected",
    );
    expect(await cell(page, "Edit API_URL in development").isEnabled()).toBe(true);
    await page.getByText("only admins and owners change it").first().waitFor();
    await page.context().close();
  });

  it("fits a 390 px wide screen without horizontal page overflow", async () => {
    const { page } = await open(server.ownerToken, { width: 390 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // The key keeps its row header's width: the missing badge goes under it, the key is not cut.
    const key = page.getByRole("rowheader", { name: "DB_PASSWORD" }).locator("span").first();
    expect(await key.textContent()).toBe("DB_PASSWORD");
    expect(await key.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
    expect(await row(page, "DB_PASSWORD").textContent()).toContain("missing 1");
    // The palette's button is a search icon here (no keyboard to press Ctrl K on), named for what it does.
    const palette = page.getByRole("button", { name: "Open the command palette" });
    expect(await palette.locator("svg").isVisible()).toBe(true);
    expect(await palette.locator("kbd").isVisible()).toBe(false);
    await palette.click();
    await page.getByRole("combobox", { name: "Go to a project, environment or key" }).waitFor();
    await page.keyboard.press("Escape");
    await page.screenshot({ path: "/tmp/grid-390.png" });
    await page.context().close();
  });
});

describe("a project with 1,000 keys", () => {
  it("keeps only the visible rows in the DOM and scrolls to the last key", async () => {
    await createProject(server.owner, "big");
    const variables = Array.from({ length: 1000 }, (_, i) => ({
      key: `KEY_${String(i).padStart(4, "0")}`,
      value: `value-${i}`,
    }));
    await bulk(server.owner, { project: "big", environment: "development", variables });
    const { page } = await newContext(browser, server, { colorScheme: "dark" });
    page.setDefaultTimeout(20_000);
    await signIn(page, server);
    await page.goto(`${server.origin}/projects/big`);
    await page.getByText("1000 keys", { exact: true }).waitFor();
    const rendered = await page.locator("tbody tr").count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(100);
    await page.screenshot({ path: "/tmp/grid-dark.png" });
    await page.locator("div:has(> table)").evaluate((e) => e.scrollTo(0, e.scrollHeight));
    await cell(page, "Edit KEY_0999 in development").waitFor();
    expect(await page.locator("tbody tr").count()).toBeLessThan(100);
    await page.context().close();
  });
});

describe("command palette", () => {
  it("jumps to an environment (Ctrl-K) and to a key of the current project (the ⌘K button)", async () => {
    const { page } = await open();
    await page.keyboard.press("Control+k");
    const input = page.getByRole("combobox", { name: "Go to a project, environment or key" });
    await input.fill("production");
    await expect.poll(() => page.getByRole("option", { selected: true }).textContent()).toContain(P);
    await input.press("Enter");
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/projects/${P}/environments/production`);

    await page.goto(`${server.origin}/projects/${P}`);
    await page.getByRole("table", { name: "Variables by environment" }).waitFor();
    await page.getByRole("button", { name: "Open the command palette" }).click();
    await input.fill("ONLY");
    await page.getByRole("option", { name: /ONLY_DEV/ }).waitFor();
    await page.screenshot({ path: "/tmp/palette.png" });
    await input.press("ArrowDown");
    await input.press("ArrowUp");
    await input.press("Enter");
    await expect.poll(() => new URL(page.url()).searchParams.get("q")).toBe("ONLY_DEV");
    await expect.poll(() => shownKeys(page)).toEqual(["ONLY_DEV"]);
    await page.context().close();
  });
});
