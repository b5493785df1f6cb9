/**
 * Every screen of the dashboard, in real Chromium: each control has an accessible name, the
 * page fits 1280×800 and a 390 px phone without sideways scrolling, light and dark, with no
 * page error and no request to another origin.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";

let server: DashboardServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startDashboardServer(), launchBrowser()]);
  expect((await server.owner.createProject({ input: { slug: "shop", name: "Shop" } })).createProject.__typename).toBe(
    "ProjectPayload",
  );
  const bulk = await server.owner.bulkUpsertVariables({
    input: {
      project: "shop",
      environment: "development",
      variables: [
        { key: "DATABASE_URL", value: "postgres://localhost/shop" },
        { key: "API_KEY", value: "dev-key-value", secret: true },
      ],
    },
  });
  expect(bulk.bulkUpsertVariables.__typename).not.toMatch(/Error$/);
  const asked = await server.owner.CreateSecretRequest({
    input: { project: "shop", environment: "production", key: "STRIPE_KEY", note: "The live key" },
  });
  if (asked.createSecretRequest.__typename !== "CreateSecretRequestPayload") throw new Error("no secret request");
  screens.push([`/requests/${asked.createSecretRequest.request.id}`, /Secret requested/]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const screens: [path: string, heading: RegExp][] = [
  ["/", /^Projects$/],
  ["/projects/shop", /^Shop$/],
  ["/projects/shop/environments/development", /development/],
  ["/projects/shop/environments/development/history", /History of/],
  ["/projects/shop/environments", /^Shop$/],
  ["/projects/shop/branches", /^Shop$/],
  ["/projects/shop/access", /^Shop$/],
  ["/projects/shop/webhooks", /^Shop$/],
  ["/projects/shop/previews", /^Shop$/],
  ["/projects/shop/git", /^GitHub$/],
  ["/projects/shop/shared", /^Shop$/],
  ["/projects/shop/audit", /^Shop$/],
  ["/projects/shop/compare", /^Compare$/],
  ["/projects/shop/promote", /^Promote$/],
  ["/projects/shop/requests", /^Secret requests$/],
  ["/settings", /account|tokens/i],
  ["/users", /^Users$/],
];

/** Buttons, links, inputs, selects and text areas without an accessible name (a rough but strict reading). */
function unnamedControls(page: Page) {
  return page.evaluate(() => {
    const named = (el: Element): boolean => {
      const label = el.getAttribute("aria-label")?.trim();
      if (label) return true;
      const by = el.getAttribute("aria-labelledby");
      if (by?.split(/\s+/).some((id) => document.getElementById(id)?.textContent?.trim())) return true;
      if (el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) {
        if (el.type === "hidden") return true;
        if (el.labels && [...el.labels].some((l) => l.textContent?.trim())) return true;
        if (el instanceof HTMLInputElement && (el.type === "submit" || el.type === "button") && el.value) return true;
        return !!el.getAttribute("title")?.trim();
      }
      return !!el.textContent?.trim() || !!el.getAttribute("title")?.trim();
    };
    const controls = document.querySelectorAll(
      "button, a[href], input, select, textarea, [role=button], [role=checkbox]",
    );
    return [...controls].filter((el) => !named(el)).map((el) => el.outerHTML.slice(0, 160));
  });
}

for (const [width, height, scheme] of [
  [1280, 800, "light"],
  [390, 844, "dark"],
] as const) {
  it(`every screen at ${width} px (${scheme}): named controls, no sideways scrolling, no errors`, async () => {
    const { context, page, errors, foreignRequests } = await newContext(browser, server, {
      width,
      height,
      colorScheme: scheme,
    });
    page.setDefaultTimeout(20_000);
    await signIn(page, server);
    for (const [path, heading] of screens) {
      await page.goto(`${server.origin}${path}`);
      await page.getByRole("heading", { name: heading }).first().waitFor();
      // Several panels may be loading at once (settings: tokens and sessions): wait for none.
      await expect
        .poll(() => page.getByRole("status").filter({ hasText: "Loading" }).count(), { timeout: 20_000 })
        .toBe(0);
      expect(await unnamedControls(page), path).toEqual([]);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
      expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(scheme === "dark");
    }
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    await context.close();
  });
}

it("an unknown project's address says so and links back to the projects, with nothing to retry", async () => {
  const { context, page, errors } = await newContext(browser, server);
  page.setDefaultTimeout(20_000);
  await signIn(page, server);
  await page.goto(`${server.origin}/projects/no-such-shop`);
  await page.getByText("Project not found").waitFor();
  expect(await page.getByText('There is no project "no-such-shop"').count()).toBe(1);
  expect(await page.getByRole("button", { name: "Retry" }).count()).toBe(0);
  await page.getByRole("link", { name: "Back to your projects" }).click();
  await page.getByRole("heading", { name: /^Projects$/ }).waitFor();
  expect(errors).toEqual([]);
  await context.close();
});
