/**
 * The environment screen in a real browser against a real server: variables with their override sub-rows,
 * add (standard and secret), edit, delete, overrides, view as branch, and the reviewed bulk edit, including a
 * conflict with a change made meanwhile by the real CLI. Secret values never reach the page.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";
import { createSandbox } from "../support/cli.js";
import { createProject, listValues, runtimeValues, setVariable, userWithRole } from "../support/fixtures.js";

let server: DashboardServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
/** Bodies of every /graphql response the page received. */
const bodies: Promise<string>[] = [];

beforeAll(async () => {
  server = await startDashboardServer();
  browser = await launchBrowser();
  ({ context, page, errors } = await newContext(browser, server));
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

let projects = 0;
/** A fresh project with branch feature-x, for one test. */
async function project(): Promise<string> {
  const slug = `env-page-${++projects}`;
  await createProject(server.owner, slug, { branches: ["feature-x"] });
  return slug;
}

async function open(slug: string, environment = "preview", search = "") {
  await page.goto(`${server.origin}/projects/${slug}/environments/${environment}${search}`);
  await page.getByRole("heading", { name: new RegExp(environment) }).waitFor();
}

/** Fails when `secret` is anywhere in the page or in a response the page received. */
async function expectNowhere(secret: string) {
  expect(await page.content()).not.toContain(secret);
  const received = await Promise.all(bodies);
  expect(received.length).toBeGreaterThan(0);
  for (const body of received) expect(body).not.toContain(secret);
}

const row = (name: string) => page.getByRole("row", { name, exact: true });
const status = () => page.getByRole("status").filter({ hasNotText: "Loading" });

describe("the environment screen", () => {
  it("shows the variables, each with its branch overrides as sub-rows, and the revision", async () => {
    const slug = await project();
    await setVariable(server.owner, { project: slug, environment: "preview", key: "API_URL", value: "https://base" });
    await setVariable(server.owner, {
      project: slug,
      environment: "preview",
      key: "API_URL",
      value: "https://feature",
      branch: "feature-x",
    });
    await setVariable(server.owner, {
      project: slug,
      environment: "preview",
      key: "STRIPE_KEY",
      value: "canary-seeded-secret-1",
      secret: true,
    });
    await setVariable(server.owner, {
      project: slug,
      environment: "preview",
      key: "STRIPE_KEY",
      value: "canary-seeded-override-1",
      branch: "feature-x",
    });
    const { revision } = await listValues(server.owner, slug, "preview");
    await open(slug);

    await expect.poll(() => row("API_URL").textContent()).toContain("https://base");
    const override = row("API_URL override for feature-x");
    expect(await override.textContent()).toMatch(/feature-x.*override.*https:\/\/feat…/);
    expect(await row("STRIPE_KEY").textContent()).toContain("secret");
    expect(await row("STRIPE_KEY override for feature-x").textContent()).toContain("secret value hidden");
    await page.getByText(`Revision ${revision}`, { exact: true }).waitFor();
    await expectNowhere("canary-seeded-secret-1");
    await expectNowhere("canary-seeded-override-1");
    expect(errors).toEqual([]);
  });

  it("adds a standard and a secret variable; bad keys are refused in the browser, server errors by the field", async () => {
    const slug = await project();
    await open(slug);
    await page.getByText("No variables yet").waitFor();

    await page.getByRole("button", { name: "Add variable" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Key").fill("1BAD-KEY");
    await dialog.getByLabel("Value").fill("x");
    await dialog.getByRole("button", { name: "Add variable" }).click();
    await dialog.getByRole("alert").getByText("must not start with a digit").waitFor();
    expect((await listValues(server.owner, slug, "preview")).values).toEqual({});

    await dialog.getByLabel("Key").fill("PUBLIC_URL");
    await dialog.getByLabel("Value").fill("https://shop.example");
    await dialog.getByRole("button", { name: "Add variable" }).click();
    await status().getByText("Added PUBLIC_URL").waitFor();
    await expect.poll(() => row("PUBLIC_URL").textContent()).toContain("https://shop…");
    expect(await row("PUBLIC_URL").textContent()).not.toContain("https://shop.example");
    await row("PUBLIC_URL").getByRole("button", { name: "Show the full value of PUBLIC_URL" }).click();
    await expect.poll(() => row("PUBLIC_URL").textContent()).toContain("https://shop.example");

    await page.getByRole("button", { name: "Add variable" }).click();
    await dialog.getByLabel("Key").fill("SESSION_SECRET");
    await dialog.getByLabel("Value").fill("canary-added-secret-2");
    await dialog.getByRole("checkbox", { name: /Secret/ }).check();
    await dialog.getByRole("button", { name: "Add variable" }).click();
    await status().getByText("Added secret SESSION_SECRET").waitFor();
    await expect.poll(() => row("SESSION_SECRET").textContent()).toContain("secret value hidden");

    expect((await listValues(server.owner, slug, "preview")).values).toEqual({
      PUBLIC_URL: { value: "https://shop.example", isSecret: false },
      SESSION_SECRET: { value: null, isSecret: true },
    });
    expect((await runtimeValues(server, slug, "dev")).values.SESSION_SECRET).toEqual({
      value: "canary-added-secret-2",
      isSecret: true,
    });
    await expectNowhere("canary-added-secret-2");

    // A key created meanwhile elsewhere as standard: adding it as a secret is refused by the server, next to the flag.
    await setVariable(server.owner, { project: slug, environment: "preview", key: "RACE", value: "standard" });
    await page.getByRole("button", { name: "Add variable" }).click();
    await dialog.getByLabel("Key").fill("RACE");
    await dialog.getByLabel("Value").fill("canary-race-3");
    await dialog.getByRole("checkbox", { name: /Secret/ }).check();
    await dialog.getByRole("button", { name: "Add variable" }).click();
    await dialog.getByRole("alert").getByText("secret flag of an existing variable cannot be changed").waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect((await listValues(server.owner, slug, "preview")).values.RACE).toEqual({
      value: "standard",
      isSecret: false,
    });
    expect(errors).toEqual([]);
  });

  it("edits a value, overwrites a secret without showing it, and deletes after confirmation", async () => {
    const slug = await project();
    await setVariable(server.owner, { project: slug, environment: "preview", key: "API_URL", value: "https://old" });
    await setVariable(server.owner, { project: slug, environment: "preview", key: "GONE", value: "bye" });
    await setVariable(server.owner, {
      project: slug,
      environment: "preview",
      key: "TOKEN",
      value: "canary-old-secret-4",
      secret: true,
    });
    await open(slug);

    await page.getByRole("button", { name: "Edit API_URL", exact: true }).click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.getByLabel("Value").inputValue()).toBe("https://old");
    await dialog.getByLabel("Value").fill("https://new");
    await dialog.getByRole("button", { name: "Save" }).click();
    await status().getByText("Saved API_URL").waitFor();
    await expect.poll(() => row("API_URL").textContent()).toContain("https://new");

    await page.getByRole("button", { name: "Overwrite TOKEN", exact: true }).click();
    expect(await dialog.getByLabel("New value").inputValue()).toBe("");
    await dialog.getByText("can't be shown").waitFor();
    await dialog.getByLabel("New value").fill("canary-new-secret-5");
    await dialog.getByRole("button", { name: "Overwrite secret" }).click();
    await status().getByText("Overwrote secret TOKEN").waitFor();

    await page.getByRole("button", { name: "Delete GONE", exact: true }).click();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect((await listValues(server.owner, slug, "preview")).values.GONE).toBeDefined();
    await page.getByRole("button", { name: "Delete GONE", exact: true }).click();
    await dialog.getByRole("button", { name: "Delete variable" }).click();
    await status().getByText("Deleted GONE").waitFor();
    await row("GONE").waitFor({ state: "detached" });

    const values = (await runtimeValues(server, slug, "dev")).values;
    expect(values).toEqual({
      API_URL: { value: "https://new", isSecret: false },
      TOKEN: { value: "canary-new-secret-5", isSecret: true },
    });
    await expectNowhere("canary-old-secret-4");
    await expectNowhere("canary-new-secret-5");
    expect(errors).toEqual([]);
  });

  it("sets and removes a branch override; view as branch shows what the branch gets", async () => {
    const slug = await project();
    await setVariable(server.owner, { project: slug, environment: "preview", key: "API_URL", value: "https://base" });
    await setVariable(server.owner, { project: slug, environment: "preview", key: "LOG_LEVEL", value: "info" });
    await setVariable(server.owner, {
      project: slug,
      environment: "preview",
      key: "DB_PASSWORD",
      value: "canary-secret-6",
      secret: true,
    });
    await setVariable(server.owner, {
      project: slug,
      environment: "preview",
      key: "DB_PASSWORD",
      value: "canary-override-7",
      branch: "feature-x",
    });
    await open(slug);

    await page.getByRole("button", { name: "Override API_URL for a branch" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Project branch").selectOption("feature-x");
    await dialog.getByLabel("Override value").fill("https://feature");
    await dialog.getByRole("button", { name: "Save override" }).click();
    await status().getByText("Set the override of API_URL for feature-x").waitFor();
    await expect.poll(() => row("API_URL override for feature-x").textContent()).toContain("https://feat…");
    expect((await runtimeValues(server, slug, "feature-x")).values.API_URL.value).toBe("https://feature");

    await page.getByLabel("View as branch").selectOption("feature-x");
    await expect.poll(() => new URL(page.url()).searchParams.get("branch")).toBe("feature-x");
    // The outcome of the last action belongs to the view it was done in.
    await expect.poll(() => page.getByText("Set the override of API_URL for feature-x").count()).toBe(0);
    const resolved = page.getByRole("region", { name: "Resolved for branch feature-x" });
    await expect
      .poll(() => resolved.getByRole("row", { name: "API_URL" }).textContent())
      .toMatch(/https:\/\/feature.*override · feature-x/);
    expect(await resolved.getByRole("row", { name: "LOG_LEVEL" }).textContent()).toMatch(/info.*base/);
    expect(await resolved.getByRole("row", { name: "DB_PASSWORD" }).textContent()).toMatch(
      /secret value hidden.*override · feature-x.*secret/,
    );
    await page.getByLabel("View as branch").selectOption("dev");
    await expect.poll(() => resolved.count()).toBe(0);
    await expect
      .poll(() =>
        page
          .getByRole("region", { name: "Resolved for branch dev" })
          .getByRole("row", { name: "API_URL" })
          .textContent(),
      )
      .toMatch(/https:\/\/base.*base/);
    await page.getByLabel("View as branch").selectOption("");

    await page.getByRole("button", { name: "Remove API_URL override for feature-x" }).click();
    await dialog.getByRole("button", { name: "Remove override" }).click();
    await status().getByText("Removed the override of API_URL for feature-x").waitFor();
    await row("API_URL override for feature-x").waitFor({ state: "detached" });
    expect((await runtimeValues(server, slug, "feature-x")).values.API_URL.value).toBe("https://base");
    await expectNowhere("canary-secret-6");
    await expectNowhere("canary-override-7");
    expect(errors).toEqual([]);
  });

  it("highlights the key named in ?key=", async () => {
    const slug = await project();
    await setVariable(server.owner, { project: slug, environment: "preview", key: "FIRST", value: "1" });
    await setVariable(server.owner, { project: slug, environment: "preview", key: "TARGET", value: "2" });
    await open(slug, "preview", "?key=TARGET");
    await expect.poll(() => row("TARGET").getAttribute("aria-current")).toBe("true");
    expect(await row("FIRST").getAttribute("aria-current")).toBeNull();
  });

  it("bulk paste: shows the server's diff, then applies it", async () => {
    const slug = await project();
    for (const [key, value] of [
      ["A", "1"],
      ["B", "2"],
      ["C", "3"],
    ])
      await setVariable(server.owner, { project: slug, environment: "preview", key, value });
    const before = (await listValues(server.owner, slug, "preview")).revision;
    await open(slug);

    await page.getByRole("button", { name: "Bulk edit (.env)" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel(".env content").fill("A=1\nnot an assignment\n");
    await dialog.getByText("Notes on the text:").waitFor();
    await dialog.getByText("line 2 is not KEY=value; it was ignored.").waitFor();
    await dialog.getByLabel(".env content").fill("A=1\nB=22\nD=4\n# @secret\nE=canary-bulk-8\n");
    await expect.poll(() => dialog.getByText("Notes on the text:").count()).toBe(0);
    await dialog.getByRole("button", { name: "Review changes" }).click();
    const summary = dialog.getByRole("list", { name: "Diff summary" });
    await summary.getByText("2 added", { exact: true }).waitFor();
    await summary.getByText("1 changed", { exact: true }).waitFor();
    await summary.getByText("1 unchanged", { exact: true }).waitFor();
    await summary.getByText("0 removed", { exact: true }).waitFor();
    expect(await dialog.getByRole("checkbox", { name: "Store E as a secret" }).isChecked()).toBe(true);
    // Nothing is written by the review.
    expect((await listValues(server.owner, slug, "preview")).revision).toBe(before);

    await dialog.getByRole("button", { name: "Apply 3 changes" }).click();
    await status().getByText("Applied to preview: 2 added, 1 changed").waitFor();
    expect((await runtimeValues(server, slug, "dev")).values).toEqual({
      A: { value: "1", isSecret: false },
      B: { value: "22", isSecret: false },
      C: { value: "3", isSecret: false },
      D: { value: "4", isSecret: false },
      E: { value: "canary-bulk-8", isSecret: true },
    });
    await expect.poll(() => row("E").textContent()).toContain("secret value hidden");
    await expectNowhere("canary-bulk-8");
    expect(errors).toEqual([]);
  });

  it("bulk edit as .env text lists secrets as comments and removes keys only with prune", async () => {
    const slug = await project();
    await setVariable(server.owner, { project: slug, environment: "preview", key: "KEEP", value: "k" });
    await setVariable(server.owner, { project: slug, environment: "preview", key: "DROP", value: "d" });
    await setVariable(server.owner, {
      project: slug,
      environment: "preview",
      key: "API_TOKEN",
      value: "canary-raw-9",
      secret: true,
    });
    await open(slug);
    await page.getByRole("button", { name: "Bulk edit (.env)" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("tab", { name: "Edit as .env text" }).click();
    const text = await dialog.getByLabel("preview as .env").inputValue();
    expect(text).toContain("# Secrets excluded (values never shown; each one listed here is kept");
    expect(text).not.toContain(".env.local"); // the CLI's advice, not this screen's
    expect(text).toContain("# API_TOKEN");
    expect(text).toContain("DROP=d");
    await dialog.getByLabel("preview as .env").fill(text.replace("DROP=d\n", "").replace("KEEP=k", "KEEP=kk"));
    await dialog.getByRole("checkbox", { name: /Also remove keys not in the file/ }).check();
    await dialog.getByRole("button", { name: "Review changes" }).click();
    const summary = dialog.getByRole("list", { name: "Diff summary" });
    await summary.getByText("1 removed", { exact: true }).waitFor();
    await summary.getByText("1 changed", { exact: true }).waitFor();
    await dialog.getByRole("row", { name: "DROP: remove" }).waitFor();
    await dialog.getByRole("button", { name: "Apply 2 changes" }).click();
    await status().getByText("1 removed").waitFor();
    expect((await listValues(server.owner, slug, "preview")).values).toEqual({
      KEEP: { value: "kk", isSecret: false },
      API_TOKEN: { value: null, isSecret: true },
    });
    await expectNowhere("canary-raw-9");
  });

  it("a bulk apply after the real CLI changed the environment is refused; the fresh diff applies", async () => {
    const slug = await project();
    await setVariable(server.owner, { project: slug, environment: "preview", key: "A", value: "1" });
    await open(slug);
    await page.getByRole("button", { name: "Bulk edit (.env)" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel(".env content").fill("A=2\nFROM_PAGE=yes\n");
    await dialog.getByRole("button", { name: "Review changes" }).click();
    await dialog.getByRole("list", { name: "Diff summary" }).getByText("1 added", { exact: true }).waitFor();

    const box = await createSandbox(server);
    const cli = await box.run(["env", "set", "FROM_CLI", "cli-value", "--env", "preview", "--project", slug]);
    expect(cli).toMatchObject({ code: 0 });
    const afterCli = (await listValues(server.owner, slug, "preview")).revision;

    await dialog.getByRole("button", { name: "Apply 2 changes" }).click();
    await dialog
      .getByRole("alert")
      .getByText(/Someone else changed "preview" after this diff was computed/)
      .waitFor();
    await dialog.getByText(`it is now at ${afterCli}`).waitFor();
    expect((await listValues(server.owner, slug, "preview")).values).toEqual({
      A: { value: "1", isSecret: false },
      FROM_CLI: { value: "cli-value", isSecret: false },
    });
    expect(await dialog.getByRole("button", { name: "Apply 2 changes" }).isDisabled()).toBe(true);

    await dialog.getByRole("button", { name: "Show the fresh diff" }).click();
    await dialog.getByText(`revision ${afterCli}`, { exact: true }).waitFor();
    await dialog.getByRole("button", { name: "Apply 2 changes" }).click();
    await status().getByText("Applied to preview").waitFor();
    expect((await listValues(server.owner, slug, "preview")).values).toEqual({
      A: { value: "2", isSecret: false },
      FROM_CLI: { value: "cli-value", isSecret: false },
      FROM_PAGE: { value: "yes", isSecret: false },
    });
    await page.getByText(`Revision ${afterCli + 1}`, { exact: true }).waitFor();
    expect(errors).toEqual([]);
  });

  it("a viewer sees the variables with every action disabled and the reason", async () => {
    const slug = await project();
    await setVariable(server.owner, { project: slug, environment: "preview", key: "API_URL", value: "https://x" });
    const viewer = await userWithRole(server, slug, "VIEWER");
    const other = await newContext(browser, server, { width: 390, height: 800 });
    try {
      other.page.setDefaultTimeout(20_000);
      await signIn(other.page, server, viewer.token);
      await other.page.goto(`${server.origin}/projects/${slug}/environments/preview`);
      await other.page.getByRole("row", { name: "API_URL", exact: true }).waitFor();
      const add = other.page.getByRole("button", { name: "Add variable" });
      expect(await add.isDisabled()).toBe(true);
      expect(await add.getAttribute("title")).toContain("Viewers can read variables but not change them");
      expect(await other.page.getByRole("button", { name: "Delete API_URL" }).isDisabled()).toBe(true);
      expect(await other.page.getByRole("button", { name: "Bulk edit (.env)" }).isDisabled()).toBe(true);
      // No horizontal page overflow at 390 px: the table scrolls inside its box.
      expect(await other.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(other.errors).toEqual([]);
    } finally {
      await other.context.close();
    }
  });

  it("at 390 px every row action is on screen and works, and the bulk diff's values wrap", async () => {
    const slug = await project();
    const long = `https://a-rather-long-host-name.example.com/with/a/long/path?and=${"q".repeat(60)}`;
    await setVariable(server.owner, { project: slug, environment: "preview", key: "API_URL", value: long });
    await setVariable(server.owner, {
      project: slug,
      environment: "preview",
      key: "API_URL",
      value: "https://feature",
      branch: "feature-x",
    });
    const other = await newContext(browser, server, { width: 390, height: 800 });
    try {
      other.page.setDefaultTimeout(20_000);
      await signIn(other.page, server);
      await other.page.goto(`${server.origin}/projects/${slug}/environments/preview`);
      await other.page.getByRole("row", { name: "API_URL", exact: true }).waitFor();
      // In the window and the topmost element at its centre: reachable without scrolling sideways.
      const reachable = (name: string) =>
        other.page.getByRole("button", { name, exact: true }).evaluate((button) => {
          window.scrollBy(0, button.getBoundingClientRect().top - innerHeight / 2);
          const r = button.getBoundingClientRect();
          const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return r.left >= 0 && r.right <= innerWidth && !!top && button.contains(top);
        });
      for (const name of [
        "Edit API_URL",
        "Override API_URL for a branch",
        "Delete API_URL",
        "Edit API_URL override for feature-x",
        "Remove API_URL override for feature-x",
      ])
        expect(await reachable(name), name).toBe(true);
      expect(await other.page.getByRole("row", { name: "API_URL", exact: true }).textContent()).toContain("standard");
      await other.page.screenshot({ path: "/tmp/environment-390.png" });
      await other.page.getByRole("button", { name: "Delete API_URL", exact: true }).click();
      await other.page.getByRole("dialog", { name: "Delete API_URL?" }).getByRole("button", { name: "Cancel" }).click();

      await other.page.getByRole("button", { name: "Bulk edit (.env)" }).click();
      const dialog = other.page.getByRole("dialog");
      await dialog.getByLabel(".env content").fill(`API_URL=${long}/v2\nNEW_KEY=${long}/new\n`);
      await dialog.getByRole("button", { name: "Review changes" }).click();
      const added = dialog.getByRole("row", { name: "NEW_KEY: add" });
      await added.waitFor();
      // The diff box does not scroll sideways: every value is inside it, wrapped.
      const box = dialog.locator("div:has(> table)");
      expect(await box.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
      const value = dialog.getByRole("row", { name: "API_URL: change" }).locator("td").last();
      expect(await value.evaluate((e) => e.getBoundingClientRect().right <= innerWidth)).toBe(true);
      await other.page.screenshot({ path: "/tmp/environment-bulk-390.png" });
      expect(other.page.url()).toContain(slug);
      expect(await other.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(other.errors).toEqual([]);
    } finally {
      await other.context.close();
    }
  });

  it("a developer sees the protected production environment read-only, with the reason", async () => {
    const slug = await project();
    await setVariable(server.owner, { project: slug, environment: "production", key: "API_URL", value: "https://p" });
    const developer = await userWithRole(server, slug, "DEVELOPER");
    const other = await newContext(browser, server);
    try {
      other.page.setDefaultTimeout(20_000);
      await signIn(other.page, server, developer.token);
      await other.page.goto(`${server.origin}/projects/${slug}/environments/production`);
      await other.page.getByRole("row", { name: "API_URL", exact: true }).waitFor();
      await other.page.getByText('Read-only: "production" is protected').waitFor();
      for (const name of ["Add variable", "Bulk edit (.env)", "Edit API_URL", "Override API_URL for a branch"])
        expect(await other.page.getByRole("button", { name, exact: true }).isDisabled()).toBe(true);
      // The same developer writes an unprotected environment.
      await other.page.goto(`${server.origin}/projects/${slug}/environments/preview`);
      await other.page.getByText("No variables yet").waitFor();
      expect(await other.page.getByRole("button", { name: "Add variable" }).isDisabled()).toBe(false);
      expect(other.errors).toEqual([]);
    } finally {
      await other.context.close();
    }
  });
});
