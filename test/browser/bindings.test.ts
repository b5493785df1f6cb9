/**
 * Managed variables on the environment screen, in a real browser against a real server: the row of a
 * binding's credential shows the binding's name and is locked (edit, override and delete disabled, saying
 * why); a plain variable next to it stays editable; the credential never reaches the page.
 */
import { randomBytes } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";
import { expectType } from "../support/expect.js";
import { createProject, readEnvironment, setVariable } from "../support/fixtures.js";

let server: DashboardServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const bodies: Promise<string>[] = [];
const canary = `CANARY_${randomBytes(8).toString("hex")}`;

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

describe("managed variables on the environment screen", () => {
  it("shows the binding's name on a locked row; plain rows stay editable; no credential in the page", async () => {
    const slug = "bindings-page";
    await createProject(server.owner, slug);
    await setVariable(server.owner, { project: slug, environment: "production", key: "APP_NAME", value: "shop" });
    expectType(
      (
        await server.owner.bindService({
          input: {
            project: slug,
            name: "main-db",
            service: "POSTGRES",
            environments: [{ environment: "production", value: `postgres://app:${canary}@db/prod` }],
          },
        })
      ).bindService,
      "BindingPayload",
    );

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.origin}/projects/${slug}/environments/production`);
    await page.getByRole("heading", { name: /production/ }).waitFor();
    const managed = page.getByRole("row", { name: "DATABASE_URL", exact: true });
    await managed.getByText("main-db").filter({ visible: true }).first().waitFor();
    for (const name of ["Overwrite DATABASE_URL", "Override DATABASE_URL for a branch", "Delete DATABASE_URL"]) {
      const button = managed.getByRole("button", { name });
      expect(await button.isDisabled()).toBe(true);
      expect(await button.getAttribute("title")).toContain('managed by the binding "main-db"');
      // The command to run names this environment, not a placeholder.
      expect(await button.getAttribute("title")).toContain("envplane bindings set main-db --env production --value -");
    }
    // A note only documents the variable: it stays editable on a managed row.
    expect(await managed.getByRole("button", { name: /note/i }).isEnabled()).toBe(true);
    const plain = page.getByRole("row", { name: "APP_NAME", exact: true });
    expect(await plain.getByRole("button", { name: "Edit APP_NAME" }).isEnabled()).toBe(true);
    expect(await plain.getByText("main-db").count()).toBe(0);
    await page.screenshot({ path: "/tmp/bindings.png" });

    // Narrow: the badge moves under the key and the page does not overflow sideways.
    await page.setViewportSize({ width: 390, height: 800 });
    await managed.getByText("main-db").filter({ visible: true }).first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: "/tmp/bindings-390.png" });

    // The server agrees: the variable is managed by main-db, and its value never came to the browser.
    const env = await readEnvironment(server.owner, slug, "production");
    expect(env.variables.find((v) => v.key === "DATABASE_URL")?.binding?.name).toBe("main-db");
    expect(await page.content()).not.toContain(canary);
    const received = await Promise.all(bodies);
    expect(received.length).toBeGreaterThan(0);
    for (const body of received) expect(body).not.toContain(canary);
  });
});
