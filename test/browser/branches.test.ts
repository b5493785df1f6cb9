/**
 * The branches screen in a real browser against a real server: create/delete project branches,
 * the mapping editor with its live preview (computed before saving; the server's resolveBranch
 * agrees after saving), an invalid mapping refused with the reason, and per-branch overrides.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";
import { expectType } from "../support/expect.js";
import { createEnvironment, readEnvironment, setVariable, userWithRole } from "../support/fixtures.js";

const PROJECT = "web";
const CANARY = "whsec_CANARY_b71c0e";
const OVERRIDE_SECRET = "whsec_OVERRIDE_93da";

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
  await createEnvironment(sdk, PROJECT, "staging");
  await setVariable(sdk, {
    project: PROJECT,
    environment: "staging",
    key: "API_URL",
    value: "https://staging.example",
  });
  await setVariable(sdk, {
    project: PROJECT,
    environment: "staging",
    key: "WEBHOOK_SECRET",
    value: CANARY,
    secret: true,
  });
  ({ page, errors, foreignRequests } = await newContext(browser, server));
  page.setDefaultTimeout(20_000);
  await signIn(page, server);
  await page.goto(`${server.origin}/projects/${PROJECT}/branches`);
  await page.getByRole("heading", { name: "Branch mapping" }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const branchesSection = () => page.getByRole("region", { name: "Project branches" });
const mapping = () => page.getByRole("region", { name: "Branch mapping" });
const preview = () => page.getByRole("status", { name: "Preview result" });

async function serverProject() {
  return (await server.owner.project({ slug: PROJECT })).project!;
}

describe("branches screen", () => {
  it("creates a branch (name checked in the browser first) and deletes one; main cannot be deleted", async () => {
    const section = branchesSection();
    await expect(section.textContent()).resolves.toContain("the mapping below picks the environment it deploys with");
    await section.getByLabel("New branch").fill("-bad");
    await section.getByRole("button", { name: "Create branch" }).click();
    await expect(section.getByRole("alert").textContent()).resolves.toContain("must not start with -");

    await section.getByLabel("New branch").fill("feature-x");
    await section.getByRole("button", { name: "Create branch" }).click();
    await section.getByText("feature-x", { exact: true }).waitFor();
    await section.getByLabel("New branch").fill("tmp");
    await section.getByRole("button", { name: "Create branch" }).click();
    await section.getByText("tmp", { exact: true }).waitFor();
    expect((await serverProject()).branches.map((b) => b.name).sort()).toEqual(["dev", "feature-x", "main", "tmp"]);

    const main = section.getByRole("button", { name: "Delete branch main" });
    await expect(main.isDisabled()).resolves.toBe(true);
    await expect(main.getAttribute("title")).resolves.toContain("cannot be deleted");

    await section.getByRole("button", { name: "Delete branch tmp" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete branch tmp?" });
    await confirm.getByRole("button", { name: "Delete branch" }).click();
    // The dialog closes once the server deleted it; while it is open the page behind it is hidden from role queries,
    // so the section's text would count as gone before the deletion is done.
    await confirm.waitFor({ state: "detached" });
    await section.getByText("tmp", { exact: true }).waitFor({ state: "detached" });
    expect((await serverProject()).branches.map((b) => b.name).sort()).toEqual(["dev", "feature-x", "main"]);
  });

  it("previews where a branch deploys while the mapping is edited, saves it, and the server agrees", async () => {
    const editor = mapping();
    await editor.getByLabel("Preview: branch name").fill("feature-x");
    await expect(preview().textContent()).resolves.toMatch(/feature-x → preview by the wildcard entry/);

    await editor.getByRole("button", { name: "Add entry" }).click();
    await editor.getByLabel("Branch of entry 2").fill("feature-x");
    await editor.getByLabel("Environment of entry 2").selectOption("staging");
    await expect(preview().textContent()).resolves.toMatch(/feature-x → staging by entry 2 \(feature-x\)/);

    await editor.getByRole("button", { name: "Move entry 2 (feature-x) up" }).click();
    await expect(preview().textContent()).resolves.toMatch(/feature-x → staging by entry 1 \(feature-x\)/);
    await expect(editor.getByLabel("Branch of entry 2").inputValue()).resolves.toBe("main");
    // The wildcard stays last: the last explicit entry cannot move below it.
    const down = editor.getByRole("button", { name: "Move entry 2 (main) down" });
    await expect(down.getAttribute("title")).resolves.toBe("The wildcard entry is always last.");

    await editor.getByLabel("Environment of the wildcard entry").selectOption("staging");
    await editor.getByLabel("Preview: branch name").fill("some-other");
    await expect(preview().textContent()).resolves.toMatch(/some-other → staging by the wildcard entry/);
    await editor.getByLabel("Environment of the wildcard entry").selectOption("preview");
    await expect(preview().textContent()).resolves.toMatch(/some-other → preview/);

    // Nothing saved yet.
    let resolved = expectType(
      (await server.owner.resolveBranch({ project: PROJECT, branch: "feature-x" })).resolveBranch,
      "BranchResolution",
    );
    expect(resolved.environment.name).toBe("preview");

    await editor.getByRole("button", { name: "Save mapping" }).click();
    await editor.getByText("Mapping saved.").waitFor();
    expect((await serverProject()).mapping.map((m) => [m.branch, m.environment.name])).toEqual([
      ["feature-x", "staging"],
      ["main", "production"],
      ["*", "preview"],
    ]);
    resolved = expectType(
      (await server.owner.resolveBranch({ project: PROJECT, branch: "feature-x" })).resolveBranch,
      "BranchResolution",
    );
    expect([resolved.environment.name, resolved.matchedBy]).toEqual(["staging", "EXPLICIT"]);
  });

  it("refuses development as a target with the reason, and saves nothing", async () => {
    const editor = mapping();
    await editor.getByLabel("Environment of entry 1").selectOption("development");
    await expect(editor.getByRole("alert").first().textContent()).resolves.toContain(
      "development is for local execution only",
    );
    // The preview does not pretend the invalid mapping resolves: it says why there is none.
    const invalid = await preview().textContent();
    expect(invalid).toMatch(/mapping is invalid.*development is for local execution only/);
    expect(invalid).not.toContain("→");
    const save = editor.getByRole("button", { name: "Save mapping" });
    await expect(save.isDisabled()).resolves.toBe(true);
    await expect(save.getAttribute("title")).resolves.toContain("Fix the problems");
    await editor.getByRole("button", { name: "Discard changes" }).click();
    await expect(editor.getByLabel("Environment of entry 1").inputValue()).resolves.toBe("staging");
    expect((await serverProject()).mapping.map((m) => m.environment.name)).toEqual([
      "staging",
      "production",
      "preview",
    ]);
  });

  it("sets and removes a branch's overrides; a secret override's value never reaches the page", async () => {
    await branchesSection().getByRole("button", { name: "Overrides of feature-x" }).click();
    const panel = page.getByRole("region", { name: "Overrides of feature-x" });
    await panel.getByText("has no overrides").waitFor();

    await panel.getByLabel("Environment", { exact: true }).selectOption("staging");
    await panel.getByLabel("Variable").selectOption("API_URL");
    await panel.getByLabel(/Override value/).fill("https://fx.staging.example");
    await panel.getByRole("button", { name: "Set override" }).click();
    await panel.getByRole("cell", { name: "https://fx.staging.example" }).waitFor();

    await panel.getByLabel("Variable").selectOption("WEBHOOK_SECRET");
    await panel.getByLabel(/Override value/).fill(OVERRIDE_SECRET);
    await panel.getByRole("button", { name: "Set override" }).click();
    await panel.getByRole("cell", { name: "WEBHOOK_SECRET", exact: true }).waitFor();

    const overrides = async () =>
      (await readEnvironment(server.owner, PROJECT, "staging")).variables.flatMap((v) =>
        v.overrides.filter((o) => o.branch.name === "feature-x").map((o) => [v.key, o.value]),
      );
    expect((await overrides()).sort()).toEqual([
      ["API_URL", "https://fx.staging.example"],
      ["WEBHOOK_SECRET", null],
    ]);
    const html = await page.content();
    expect(html).not.toContain(CANARY);
    expect(html).not.toContain(OVERRIDE_SECRET);

    await panel.getByRole("button", { name: "Remove override API_URL in staging" }).click();
    await panel.getByRole("cell", { name: "https://fx.staging.example" }).waitFor({ state: "detached" });
    expect(await overrides()).toEqual([["WEBHOOK_SECRET", null]]);
    // The base value stays.
    const base = (await readEnvironment(server.owner, PROJECT, "staging")).variables.find((v) => v.key === "API_URL");
    expect(base?.value).toBe("https://staging.example");
  });

  it("shows a developer the mapping and branch actions disabled with the reason; 390 px fits", async () => {
    const developer = await userWithRole(server, PROJECT, "DEVELOPER");
    const other = await newContext(browser, server, { width: 390, height: 800 });
    other.page.setDefaultTimeout(20_000);
    try {
      await signIn(other.page, server, developer.token);
      await other.page.goto(`${server.origin}/projects/${PROJECT}/branches`);
      const save = other.page.getByRole("button", { name: "Save mapping" });
      await expect(save.getAttribute("title")).resolves.toBe("Only admins and owners change the mapping.");
      await expect(other.page.getByRole("button", { name: "Add entry" }).isDisabled()).resolves.toBe(true);
      await expect(other.page.getByRole("button", { name: "Delete branch feature-x" }).isDisabled()).resolves.toBe(
        true,
      );
      // The preview still works for a reader.
      await other.page.getByLabel("Preview: branch name").fill("feature-x");
      await expect(other.page.getByRole("status", { name: "Preview result" }).textContent()).resolves.toMatch(
        /feature-x → staging by entry 1/,
      );
      const overflow = await other.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      expect(other.errors).toEqual([]);
    } finally {
      await other.context.close();
    }
  });

  it("had no page errors and no foreign requests", () => {
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
