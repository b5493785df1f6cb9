/**
 * The previews screen in real Chromium against a real server: create a preview (field errors next to
 * their field, ${PREVIEW_URL} replaced), see it listed and open its environment, delete it after a
 * confirmation; a developer sees why they cannot; no secret value reaches the page.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";
import { expectType } from "../support/expect.js";
import { createProject, listValues, runtimeValues, setVariable, userWithRole } from "../support/fixtures.js";

const SECRET = "CANARY_BROWSER_PREVIEW_b81f";
let server: DashboardServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startDashboardServer(), launchBrowser()]);
  await createProject(server.owner, "shop");
  await setVariable(server.owner, { project: "shop", environment: "preview", key: "API_URL", value: "https://api" });
  await setVariable(server.owner, {
    project: "shop",
    environment: "preview",
    key: "STRIPE_KEY",
    value: SECRET,
    secret: true,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signedIn(path: string, token = server.ownerToken, options: { width?: number } = {}) {
  const session = await newContext(browser, server, options);
  session.page.setDefaultTimeout(20_000);
  await signIn(session.page, server, token);
  await session.page.goto(`${server.origin}${path}`);
  return session;
}

describe("previews screen", () => {
  it("creates a preview (errors at their field), lists it, opens its environment, deletes it", async () => {
    const { context, page, errors, foreignRequests } = await signedIn("/projects/shop/previews");
    const bodies: string[] = [];
    page.on("response", async (r) => {
      if (r.url().endsWith("/graphql")) bodies.push(await r.text().catch(() => ""));
    });
    await page.getByText("No preview environments").waitFor();
    await page.getByRole("button", { name: "New preview" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Project branch").fill("feature/Login");
    await dialog.getByLabel("Deployment URL").fill("ftp://nope");
    await dialog.getByLabel(/Values to set/).fill("APP_URL=${PREVIEW_URL}/app\nMODE=preview");
    await dialog.getByRole("button", { name: "Create preview" }).click();
    await expect.poll(() => dialog.getByRole("alert").first().textContent()).toContain("http:// or https://");
    expect((await server.owner.previews({ slug: "shop" })).project!.previews).toEqual([]);

    await dialog.getByLabel("Deployment URL").fill("https://pr-9.example.com");
    await dialog.getByRole("button", { name: "Create preview" }).click();
    await dialog.waitFor({ state: "detached" });
    const row = page.getByRole("row", { name: /preview\/feature-login/ });
    await row.waitFor();
    expect(await row.textContent()).toContain("https://pr-9.example.com");
    expect(await row.textContent()).toContain("feature/Login");
    await page.screenshot({ path: "/tmp/previews.png" });

    // The server has it: values cloned (the secret too, at runtime), overrides with the URL put in.
    const values = (await listValues(server.owner, "shop", "preview/feature-login")).values;
    expect(values.APP_URL.value).toBe("https://pr-9.example.com/app");
    expect(values.STRIPE_KEY).toEqual({ value: null, isSecret: true });
    expect((await runtimeValues(server, "shop", "feature/Login")).values.STRIPE_KEY.value).toBe(SECRET);

    await row.getByRole("link", { name: "preview/feature-login" }).click();
    await page
      .getByRole("heading", { name: /preview\/feature-login/ })
      .first()
      .waitFor();
    await page.goBack();

    await page.getByRole("button", { name: "Delete preview preview/feature-login" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete preview" }).click();
    await page.getByText("No preview environments").waitFor();
    expect((await server.owner.previews({ slug: "shop" })).project!.previews).toEqual([]);
    const p = (await server.owner.project({ slug: "shop" })).project!;
    expect(p.branches.map((b) => b.name)).toContain("feature/Login");

    expect(bodies.join("\n")).not.toContain(SECRET);
    expect(await page.content()).not.toContain(SECRET);
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    await context.close();
  });

  it("a developer sees the list and why they cannot create or delete; fits 390 px", async () => {
    await server.owner.createPreview({
      input: { project: "shop", branch: "feat-dev", url: "https://dev.example.com" },
    });
    const developer = await userWithRole(server, "shop", "DEVELOPER");
    const { context, page, errors } = await signedIn("/projects/shop/previews", developer.token, { width: 390 });
    await page.getByRole("row", { name: /preview\/feat-dev/ }).waitFor();
    const create = page.getByRole("button", { name: "New preview" });
    expect(await create.isDisabled()).toBe(true);
    expect(await create.getAttribute("title")).toContain("Only admins and owners");
    expect(await page.getByRole("button", { name: "Delete preview preview/feat-dev" }).isDisabled()).toBe(true);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: "/tmp/previews-390.png" });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("the New preview dialog asks per binding: its own credential reaches the preview, the source's stays", async () => {
    const SOURCE_DB = "postgres://u:CANARY_SOURCE_DB_41c2@db/shop";
    const OWN_DB = "postgres://u:CANARY_OWN_DB_77ad@db/pr";
    const bound = expectType(
      (
        await server.owner.bindService({
          input: {
            project: "shop",
            name: "main-db",
            service: "POSTGRES",
            environments: [{ environment: "preview", value: SOURCE_DB }],
          },
        })
      ).bindService,
      "BindingPayload",
    ).binding;
    const { context, page, errors, foreignRequests } = await signedIn("/projects/shop/previews");
    const bodies: string[] = [];
    page.on("response", async (r) => {
      if (r.url().endsWith("/graphql")) bodies.push(await r.text().catch(() => ""));
    });
    await page.getByRole("button", { name: "New preview" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Project branch").fill("feat-own");
    await dialog.getByLabel("Deployment URL").fill("https://own.example.com");
    const choice = dialog.getByLabel(`Binding main-db (${bound.variable})`);
    // The source (what feat-own deploys with: preview) has a credential: sharing it is the default.
    expect(await choice.inputValue()).toBe("share");
    expect(await dialog.getByLabel("Credential of main-db").count()).toBe(0);
    await choice.selectOption("own");
    await dialog.getByLabel("Credential of main-db").fill(OWN_DB);
    await dialog.getByRole("button", { name: "Create preview" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("row", { name: /preview\/feat-own/ }).waitFor();
    expect((await runtimeValues(server, "shop", "feat-own")).values[bound.variable].value).toBe(OWN_DB);
    // The source keeps its own credential (feature/Login, its preview deleted above, deploys with preview).
    const sourceValues = await runtimeValues(server, "shop", "feature/Login");
    expect(sourceValues.environment).toBe("preview");
    expect(sourceValues.values[bound.variable].value).toBe(SOURCE_DB);
    expect(bodies.join("\n")).not.toContain("CANARY_SOURCE_DB_41c2");
    expect(bodies.join("\n")).not.toContain("CANARY_OWN_DB_77ad");
    expect(await page.content()).not.toContain("CANARY_");
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    await context.close();
  });

  it("the Environments list offers Protect for other environments, never for a preview", async () => {
    const { context, page, errors } = await signedIn("/projects/shop/environments");
    await page.getByRole("link", { name: "preview/feat-own" }).waitFor();
    await page.getByRole("button", { name: "Protect development" }).waitFor();
    expect(await page.getByRole("button", { name: "Protect preview/feat-own" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Delete preview/feat-own" }).isEnabled()).toBe(true);
    const envs = (await server.owner.project({ slug: "shop" })).project!.environments;
    expect(envs.find((e) => e.name === "preview/feat-own")?.isProtected).toBe(false);
    expect(errors).toEqual([]);
    await context.close();
  });
});
