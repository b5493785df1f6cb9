/**
 * The Shared screen in real Chromium: creating a shared variable (a field error first), a secret
 * shown as •••• only, which environments use each, deletion of a referenced one asking first and
 * forcing; environment rows show the reference as written and what it resolves to. A canary
 * secret referenced via ${{project.X}} never reaches the DOM, the responses or storage.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";
import { expectType } from "../support/expect.js";
import { createProject, setVariable, userWithRole } from "../support/fixtures.js";

const CANARY = "canary-browser-shared-7Hk2";

let server: DashboardServer;
let browser: Browser;

beforeAll(async () => {
  server = await startDashboardServer();
  browser = await launchBrowser();
  await createProject(server.owner, "shop");
  expectType(
    (await server.owner.setSharedVariable({ input: { project: "shop", key: "DB_PASS", value: CANARY, secret: true } }))
      .setSharedVariable,
    "SetSharedVariablePayload",
  );
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signedIn(path: string, token = server.ownerToken, options: { width?: number } = {}) {
  const session = await newContext(browser, server, options);
  session.page.setDefaultTimeout(20_000);
  const bodies: string[] = [];
  session.page.on("response", async (response) => {
    if (response.url().includes("/graphql")) bodies.push(await response.text().catch(() => ""));
  });
  await signIn(session.page, server, token);
  await session.page.goto(`${server.origin}${path}`);
  return { ...session, bodies };
}

describe("shared screen", () => {
  it("creates shared variables, shows references resolved on environment rows, deletes a used one with force", async () => {
    const { page, errors, foreignRequests, bodies, context } = await signedIn("/projects/shop/shared");
    await page
      .getByRole("cell", { name: /DB_PASS/ })
      .first()
      .waitFor();
    await page.getByRole("button", { name: "New shared variable" }).click();
    const form = page.getByRole("dialog", { name: "New shared variable" });
    await form.getByLabel("Key").fill("DB_USER");
    await form.getByLabel("Value", { exact: true }).fill("${{project.DB_PASS}}");
    await form.getByRole("button", { name: "Save" }).click();
    await expect
      .poll(() => form.getByRole("alert").textContent())
      .toContain("cannot reference other project variables");
    await form.getByLabel("Value", { exact: true }).fill("appuser");
    await form.getByRole("button", { name: "Save" }).click();
    await form.waitFor({ state: "detached" });
    await page.getByRole("cell", { name: "appuser" }).waitFor();
    const shared = (await server.owner.sharedVariables({ slug: "shop" })).project!.sharedVariables;
    expect(shared.map((v) => [v.key, v.value])).toEqual([
      ["DB_PASS", null],
      ["DB_USER", "appuser"],
    ]);

    await setVariable(server.owner, {
      project: "shop",
      environment: "development",
      key: "DATABASE_URL",
      value: "postgres://${{project.DB_USER}}:${{project.DB_PASS}}@db/app",
    });
    await setVariable(server.owner, {
      project: "shop",
      environment: "development",
      key: "APP_USER",
      value: "${{project.DB_USER}}",
    });
    await page.reload();
    await page.getByRole("cell", { name: "development", exact: true }).first().waitFor();
    await page.screenshot({ path: "/tmp/shared.png" });

    await page.goto(`${server.origin}/projects/shop/environments/development`);
    const appUser = page.getByRole("row", { name: /APP_USER/ });
    // The list shows a 12-character preview (issue 10); the full value is one click away.
    await appUser.getByText("${{project.D…").waitFor();
    // The hint under it names the reference in full…
    await appUser.getByText("${{project.DB_USER}}").waitFor();
    await appUser.getByRole("button", { name: "Show the full value of APP_USER" }).click();
    // …and "show" reads the whole value as written: now both say it.
    await appUser.getByText("${{project.DB_USER}}").nth(1).waitFor();
    await appUser.getByText("resolves to appuser").waitFor();
    await page
      .getByRole("row", { name: /DATABASE_URL/ })
      .getByText("resolves to ••••")
      .waitFor();
    // Its type badge says it resolves as a secret (it is stored as a standard value); APP_USER stays standard.
    await page
      .getByRole("row", { name: /DATABASE_URL/ })
      .getByText("secret via reference", { exact: true })
      .filter({ visible: true })
      .waitFor();
    await appUser.getByText("standard", { exact: true }).filter({ visible: true }).waitFor();
    expect(await appUser.getByText("secret via reference").count()).toBe(0);
    const listed = (await server.owner.environmentPreviews({ project: "shop", environment: "development" })).project!
      .environment!.variables.nodes;
    expect(listed.find((v) => v.key === "DATABASE_URL")).toMatchObject({ isSecret: false, resolvesAsSecret: true });
    await page.screenshot({ path: "/tmp/shared-environment.png" });

    await page.goto(`${server.origin}/projects/shop/shared`);
    await page.getByRole("button", { name: "Delete DB_USER" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete DB_USER?" });
    await confirm.getByText(/development reference it/).waitFor();
    await confirm.getByRole("button", { name: "Delete anyway" }).click();
    await confirm.waitFor({ state: "detached" });
    await expect
      .poll(async () => (await server.owner.sharedVariables({ slug: "shop" })).project!.sharedVariables.length)
      .toBe(1);
    await page.goto(`${server.origin}/projects/shop/environments/development`);
    await page
      .getByRole("row", { name: /APP_USER/ })
      .getByText(/referenced shared variable is missing/)
      .waitFor();

    expect(await page.content()).not.toContain(CANARY);
    expect(bodies.join("\n")).not.toContain(CANARY);
    const storage = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    expect(storage).not.toContain(CANARY);
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    await context.close();
  });

  it("a developer sees why they cannot change shared variables while production is protected; 390 px fits", async () => {
    const dev = await userWithRole(server, "shop", "DEVELOPER");
    const { page, context } = await signedIn("/projects/shop/shared", dev.token, { width: 390 });
    const button = page.getByRole("button", { name: "New shared variable" });
    await button.waitFor();
    expect(await button.isDisabled()).toBe(true);
    expect(await button.getAttribute("title")).toContain("admins and owners");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // The table itself fits too (columns stack under the key): nothing hidden off to the side.
    const table = page.getByRole("region", { name: "Shared variables" });
    await table.getByText("DB_PASS").waitFor();
    expect(await table.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
    await table.getByText(/Used by .*Updated \w/).waitFor();
    await page.screenshot({ path: "/tmp/shared-390.png", fullPage: true });
    expect(await page.content()).not.toContain(CANARY);
    await context.close();
  });
});
