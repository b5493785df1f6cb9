/**
 * The environments screen in a real browser against a real server: create (browser-side name
 * check, server conflict next to the field), the seeding wizard end to end (keep, edit, skip,
 * a secret re-entered, a mark-as-secret suggestion accepted; no secret reaches the page),
 * protect/unprotect, delete a custom one (a default cannot be).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";
import {
  createBranch,
  createEnvironment,
  listValues,
  runtimeValues,
  setVariable,
  updateMapping,
  userWithRole,
} from "../support/fixtures.js";

const PROJECT = "shop";
const CANARY = "sk_live_CANARY_7f3e9d2c";
const NEW_SECRET = "sk_test_REENTERED_41b8";

let server: DashboardServer;
let browser: Browser;
let page: Page;
let errors: string[];
let foreignRequests: string[];
const graphqlBodies: Promise<string>[] = [];

beforeAll(async () => {
  server = await startDashboardServer();
  browser = await launchBrowser();
  const sdk = server.owner;
  await sdk.createProject({ input: { slug: PROJECT } });
  const set = (key: string, value: string, secret = false) =>
    setVariable(sdk, { project: PROJECT, environment: "preview", key, value, secret });
  await set("API_URL", "https://api.preview.example");
  await set("LOG_LEVEL", "info");
  await set("OLD_FLAG", "1");
  await set("STRIPE_KEY", CANARY, true);
  await set("AUTH_TOKEN", "tok-visible-standard");
  ({ page, errors, foreignRequests } = await newContext(browser, server));
  page.setDefaultTimeout(20_000);
  page.on("response", (response) => {
    if (response.url().includes("/graphql")) graphqlBodies.push(response.text().catch(() => ""));
  });
  await signIn(page, server);
  await page.goto(`${server.origin}/projects/${PROJECT}/environments`);
  await page.getByRole("heading", { name: "Environments" }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const row = (name: string) => page.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });

async function environmentNames() {
  const project = (await server.owner.project({ slug: PROJECT })).project!;
  return project.environments.map((e) => e.name);
}

describe("environments screen", () => {
  it("lists the default environments with their kind, revision and variable count, linking to each", async () => {
    for (const name of ["development", "preview", "production"]) await expect(row(name).count()).resolves.toBe(1);
    await expect(row("preview").getByRole("cell").nth(1).textContent()).resolves.toContain("default");
    await expect(row("preview").getByRole("cell").nth(4).textContent()).resolves.toBe("5");
    await expect(row("production").getByText("protected").count()).resolves.toBe(1);
    await page.screenshot({ path: "/tmp/environments-1280.png" });
    await expect(row("preview").getByRole("link").getAttribute("href")).resolves.toBe(
      `/projects/${PROJECT}/environments/preview`,
    );
  });

  it("checks a new name in the browser, shows the server's conflict next to the field, then creates", async () => {
    await page.getByRole("button", { name: "New environment" }).click();
    const dialog = page.getByRole("dialog", { name: "New environment" });
    const name = dialog.getByLabel("Name");
    await name.fill("Bad Name");
    await dialog.getByRole("button", { name: "Create environment" }).click();
    await expect(dialog.getByRole("alert").textContent()).resolves.toContain("lower-case letters");
    expect(await environmentNames()).not.toContain("bad name");

    // Created by someone else after the page loaded: the server's conflict appears next to the name.
    await createEnvironment(server.owner, PROJECT, "qa2");
    await setVariable(server.owner, { project: PROJECT, environment: "qa2", key: "ONLY", value: "1" });
    await name.fill("qa2");
    await dialog.getByRole("button", { name: "Create environment" }).click();
    await expect(dialog.getByRole("alert").textContent()).resolves.toMatch(/already exists/);

    await name.fill("qa");
    await dialog.getByRole("button", { name: "Create environment" }).click();
    await dialog.waitFor({ state: "detached" });
    await row("qa").waitFor();
    await expect(row("qa").getByText("custom").count()).resolves.toBe(1);
    expect(await environmentNames()).toContain("qa");
  });

  it("seeds a new environment through the wizard: the server has exactly the reviewed decisions", async () => {
    await page.getByRole("button", { name: "New environment" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name").fill("staging");
    // Counts of the sources in proper singular and plural.
    const sources = await dialog.getByLabel("Seed from").locator("option").allTextContents();
    expect(sources).toEqual(expect.arrayContaining(["preview (5 variables)", "qa2 (1 variable)"]));
    await dialog.getByLabel("Seed from").selectOption("preview");
    await dialog.getByRole("button", { name: "Review variables" }).click();
    const group = (key: string) => dialog.getByRole("group", { name: key, exact: true });
    await group("API_URL").waitFor();

    // The secret's value is not on the page: only re-enter or skip.
    await expect(group("STRIPE_KEY").getByLabel("Keep").count()).resolves.toBe(0);
    await group("LOG_LEVEL").getByLabel("Edit").check();
    await group("LOG_LEVEL").getByLabel("New value for LOG_LEVEL").fill("debug");
    await group("OLD_FLAG").getByLabel("Skip").check();
    await group("STRIPE_KEY").getByLabel("Re-enter").check();
    // A secret chosen for re-entry needs its new value before the summary.
    await dialog.getByRole("button", { name: "Review the summary" }).click();
    await expect(group("STRIPE_KEY").getByRole("alert").textContent()).resolves.toContain("Enter the new value");
    await group("STRIPE_KEY").getByLabel("New value for STRIPE_KEY").fill(NEW_SECRET);
    // The sensitive-name rule suggests storing AUTH_TOKEN as a secret; API_URL gets no suggestion.
    await group("AUTH_TOKEN").getByText("Suggested: the name looks sensitive").waitFor();
    await expect(group("API_URL").getByText("Suggested").count()).resolves.toBe(0);
    await group("AUTH_TOKEN").getByLabel("Store AUTH_TOKEN as secret").check();

    await dialog.getByRole("button", { name: "Review the summary" }).click();
    const summary = dialog.getByRole("definition");
    const count = async (label: string) =>
      (await dialog.getByText(label, { exact: true }).locator("xpath=following-sibling::dd[1]").textContent())?.trim();
    const listed = (label: string) =>
      dialog
        .getByRole("list", { name: `${label}: keys` })
        .getByRole("listitem")
        .allTextContents();
    await summary.first().waitFor();
    expect(await count("Kept")).toBe("2");
    // Disjoint: the re-entered secret is not also counted as a new value.
    expect(await count("New value")).toBe("1");
    expect(await count("Skipped")).toBe("1");
    expect(await count("Marked secret")).toBe("1");
    expect(await count("Secrets re-entered")).toBe("1");
    // Each count names its keys.
    expect(await listed("Kept")).toEqual(["API_URL", "AUTH_TOKEN"]);
    expect(await listed("New value")).toEqual(["LOG_LEVEL"]);
    expect(await listed("Skipped")).toEqual(["OLD_FLAG"]);
    expect(await listed("Marked secret")).toEqual(["AUTH_TOKEN"]);
    expect(await listed("Secrets re-entered")).toEqual(["STRIPE_KEY"]);
    await expect(dialog.getByText("One write").count()).resolves.toBe(1);

    await dialog.getByRole("button", { name: "Create and seed staging" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("status").filter({ hasText: "Created staging" }).waitFor();
    await row("staging").waitFor();

    const { values } = await listValues(server.owner, PROJECT, "staging");
    expect(values).toEqual({
      API_URL: { value: "https://api.preview.example", isSecret: false },
      LOG_LEVEL: { value: "debug", isSecret: false },
      STRIPE_KEY: { value: null, isSecret: true },
      AUTH_TOKEN: { value: null, isSecret: true },
    });
    // What a deployment of a branch mapped to staging gets: the re-entered secret, the kept value now secret.
    await createBranch(server.owner, PROJECT, "stage");
    await updateMapping(server.owner, PROJECT, [
      { branch: "main", environment: "production" },
      { branch: "stage", environment: "staging" },
      { branch: "*", environment: "preview" },
    ]);
    const runtime = await runtimeValues(server, PROJECT, "stage");
    expect(runtime.environment).toBe("staging");
    expect(runtime.values.STRIPE_KEY).toEqual({ value: NEW_SECRET, isSecret: true });
    expect(runtime.values.AUTH_TOKEN).toEqual({ value: "tok-visible-standard", isSecret: true });

    // No secret value ever reached the browser: not in the page, not in any API response.
    const html = await page.content();
    expect(html).not.toContain(CANARY);
    expect(html).not.toContain(NEW_SECRET);
    for (const body of await Promise.all(graphqlBodies)) expect(body).not.toContain(CANARY);
  });

  it("protects and unprotects a custom environment", async () => {
    // exact: a role name matches a substring otherwise, and "Unprotect staging" contains "protect staging".
    await row("staging").getByRole("button", { name: "Protect staging", exact: true }).click();
    await row("staging").getByText("protected").waitFor();
    expect(
      (await server.owner.project({ slug: PROJECT })).project!.environments.find((e) => e.name === "staging"),
    ).toMatchObject({ isProtected: true });
    await row("staging").getByRole("button", { name: "Unprotect staging", exact: true }).click();
    await row("staging").getByRole("button", { name: "Protect staging", exact: true }).waitFor();
    expect(
      (await server.owner.project({ slug: PROJECT })).project!.environments.find((e) => e.name === "staging"),
    ).toMatchObject({ isProtected: false });
  });

  it("deletes a custom environment after confirmation; a default one cannot be deleted", async () => {
    const production = row("production").getByRole("button", { name: "Delete production" });
    await expect(production.isDisabled()).resolves.toBe(true);
    await expect(production.getAttribute("title")).resolves.toContain("cannot be deleted");

    await row("qa").getByRole("button", { name: "Delete qa" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete qa?" });
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await environmentNames()).toContain("qa");

    await row("qa").getByRole("button", { name: "Delete qa" }).click();
    await dialog.getByRole("button", { name: "Delete environment" }).click();
    // Closed once the server deleted it (while open, the rows behind it are hidden from role queries).
    await dialog.waitFor({ state: "detached" });
    await row("qa").waitFor({ state: "detached" });
    expect(await environmentNames()).not.toContain("qa");
    expect(await environmentNames()).toContain("production");
  });

  it("shows a developer the environment actions disabled with the reason", async () => {
    const developer = await userWithRole(server, PROJECT, "DEVELOPER");
    const other = await newContext(browser, server);
    other.page.setDefaultTimeout(20_000);
    try {
      await signIn(other.page, server, developer.token);
      await other.page.goto(`${server.origin}/projects/${PROJECT}/environments`);
      const create = other.page.getByRole("button", { name: "New environment" });
      await expect(create.isDisabled()).resolves.toBe(true);
      await expect(create.getAttribute("title")).resolves.toContain("Only admins and owners");
      const protect = other.page.getByRole("button", { name: "Protect staging", exact: true });
      await expect(protect.isDisabled()).resolves.toBe(true);
      await expect(other.page.getByRole("button", { name: "Delete staging" }).isDisabled()).resolves.toBe(true);
      expect(other.errors).toEqual([]);
    } finally {
      await other.context.close();
    }
  });

  it("fits a 390 px wide screen without horizontal overflow, of the page or of the table", async () => {
    const narrow = await newContext(browser, server, { width: 390, height: 800, colorScheme: "dark" });
    try {
      await signIn(narrow.page, server);
      await narrow.page.goto(`${server.origin}/projects/${PROJECT}/environments`);
      await narrow.page.getByRole("link", { name: "staging", exact: true }).waitFor();
      const overflow = await narrow.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      // Nothing to scroll sideways inside the list either: every row wraps to fit.
      const table = narrow.page.getByRole("table");
      expect(await table.evaluate((el) => el.parentElement!.scrollWidth - el.parentElement!.clientWidth)).toBe(0);
      expect(await narrow.page.getByRole("button", { name: "Delete staging" }).isVisible()).toBe(true);
      await narrow.page.screenshot({ path: "/tmp/environments-390.png", fullPage: true });
    } finally {
      await narrow.context.close();
    }
  });

  it("had no page errors and no foreign requests", () => {
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
