/**
 * The compare screen and the promote wizard in a real browser against a real server: two
 * environments side by side with status badges (secrets as •••• changed / unchanged, or "not
 * compared" for a developer who may not write production), a past
 * revision picked, a bad revision named next to its field; promote as-is (dry run then apply)
 * and reviewed (keep, skip, a secret carried on the server). No secret value reaches the page.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";
import {
  createEnvironment,
  listValues,
  runtimeValues,
  setVariable,
  updateMapping,
  userWithRole,
} from "../support/fixtures.js";

const PROJECT = "shop";
const CANARY = "sk_live_CANARY_c0mpare";

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
  await createEnvironment(sdk, PROJECT, "staging");
  const set = (environment: string, key: string, value: string, secret = false) =>
    setVariable(sdk, { project: PROJECT, environment, key, value, secret });
  await set("staging", "API_URL", "https://api.staging.example");
  await set("staging", "LOG_LEVEL", "info");
  await set("staging", "NEW_FLAG", "on");
  await set("staging", "STRIPE_KEY", `${CANARY}-staging`, true);
  await set("production", "API_URL", "https://api.example");
  await set("production", "LOG_LEVEL", "info");
  await set("production", "STRIPE_KEY", `${CANARY}-prod`, true);
  await set("production", "LEGACY", "1");
  ({ page, errors, foreignRequests } = await newContext(browser, server));
  page.setDefaultTimeout(20_000);
  page.on("response", (response) => {
    if (response.url().includes("/graphql")) graphqlBodies.push(response.text().catch(() => ""));
  });
  await signIn(page, server);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const row = (key: string) =>
  page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: key, exact: true }) });

describe("compare screen", () => {
  it("shows two environments side by side with status badges; secrets as •••• changed", async () => {
    await page.goto(`${server.origin}/projects/${PROJECT}/compare`);
    await page.getByRole("heading", { name: "Compare" }).waitFor();
    await page.getByLabel("Environment").first().selectOption("staging");
    await page.getByLabel("Environment").nth(1).selectOption("production");
    await row("API_URL").waitFor();
    await expect(row("API_URL").textContent()).resolves.toBe(
      "API_URLchangedhttps://api.staging.examplehttps://api.example",
    );
    await expect(row("NEW_FLAG").textContent()).resolves.toBe("NEW_FLAGremovedon—");
    await expect(row("LEGACY").textContent()).resolves.toBe("LEGACYadded—1");
    await expect(row("STRIPE_KEY").textContent()).resolves.toBe("STRIPE_KEYchanged•••• secret•••• secret (changed)");
    // unchanged keys are counted, listed on demand
    await expect(row("LOG_LEVEL").count()).resolves.toBe(0);
    await page.getByLabel("Show unchanged keys").check();
    await expect(row("LOG_LEVEL").getByText("unchanged", { exact: true }).count()).resolves.toBe(1);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: "/tmp/compare.png", fullPage: true });
  });

  it("a past revision: production at revision 1 against now; a revision that does not exist is named at its field", async () => {
    await page.getByLabel("Revision").first().fill("99");
    await expect(page.getByRole("alert").first().textContent()).resolves.toContain("no revision 99");
    await page.getByLabel("Environment").first().selectOption("production");
    await page.getByLabel("Revision").first().fill("1");
    await row("STRIPE_KEY").waitFor();
    // revision 1 had API_URL only: the rest was added since
    await expect(row("API_URL").getByText("unchanged", { exact: true }).count()).resolves.toBe(1);
    await expect(row("LEGACY").getByText("added", { exact: true }).count()).resolves.toBe(1);
    await expect(row("STRIPE_KEY").getByText("added", { exact: true }).count()).resolves.toBe(1);
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: "/tmp/compare-390.png", fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});

describe("compare screen as a developer (may write staging, not the protected production)", () => {
  it("a secret in both is a neutral 'not compared' badge with the reason as accessible text", async () => {
    const developer = await userWithRole(server, PROJECT, "DEVELOPER");
    const other = await newContext(browser, server);
    try {
      const devPage = other.page;
      devPage.setDefaultTimeout(20_000);
      await signIn(devPage, server, developer.token);
      await devPage.goto(`${server.origin}/projects/${PROJECT}/compare`);
      await devPage.getByRole("heading", { name: "Compare" }).waitFor();
      await devPage.getByLabel("Environment").first().selectOption("staging");
      await devPage.getByLabel("Environment").nth(1).selectOption("production");
      const devRow = (key: string) =>
        devPage.getByRole("row").filter({ has: devPage.getByRole("rowheader", { name: key, exact: true }) });
      await devRow("STRIPE_KEY").waitFor();
      await expect(devRow("STRIPE_KEY").getByText("not compared", { exact: true }).count()).resolves.toBe(1);
      await expect(devRow("STRIPE_KEY").textContent()).resolves.toContain(
        "only someone who may write both environments sees whether it differs",
      );
      await expect(devRow("STRIPE_KEY").textContent()).resolves.not.toContain("changed");
      await expect(devRow("API_URL").getByText("changed", { exact: true }).count()).resolves.toBe(1);
      await devPage.screenshot({ path: "/tmp/compare-not-compared.png", fullPage: true });
      expect(await devPage.content()).not.toContain(CANARY);
      expect(other.errors).toEqual([]);
    } finally {
      await other.context.close();
    }
  });
});

describe("promote wizard", () => {
  it("as-is: dry run side by side, then one write; the secret is carried on the server", async () => {
    await page.goto(`${server.origin}/projects/${PROJECT}/promote?from=staging&to=production`);
    await page.getByRole("heading", { name: "Promote" }).waitFor();
    await page.getByLabel("Message (optional)").fill("release 1.4");
    await page.getByRole("button", { name: "Preview" }).click();
    const dryRun = page.getByRole("region", { name: "Dry run" });
    await dryRun.getByRole("heading", { name: /Dry run: staging @ 4 → production/ }).waitFor();
    await expect(row("NEW_FLAG").getByText("added", { exact: true }).count()).resolves.toBe(1);
    await expect(row("STRIPE_KEY").getByText("changed", { exact: true }).count()).resolves.toBe(1);
    await expect(row("LEGACY").getByText("unchanged", { exact: true }).count()).resolves.toBe(1);
    const before = await listValues(server.owner, PROJECT, "production");
    expect(before.revision).toBe(4); // the dry run wrote nothing
    await page.screenshot({ path: "/tmp/promote-dry-run.png", fullPage: true });
    await page.getByRole("button", { name: "Promote to production" }).click();
    await page.getByText("Promoted staging @ 4 to production: now at revision 5.").waitFor();
    await updateMapping(server.owner, PROJECT, [{ environment: "production", branch: "main" }]);
    const runtime = (await runtimeValues(server, PROJECT, "main")).values;
    expect(runtime.STRIPE_KEY.value).toBe(`${CANARY}-staging`);
    expect(runtime.NEW_FLAG.value).toBe("on");
    expect(runtime.LEGACY.value).toBe("1");
  });

  it("reviewed: keep one, skip one, carry a secret; prune removes what the source lacks", async () => {
    await setVariable(server.owner, { project: PROJECT, environment: "staging", key: "API_URL", value: "https://v2" });
    await setVariable(server.owner, { project: PROJECT, environment: "staging", key: "NEW_FLAG", value: "off" });
    await setVariable(server.owner, {
      project: PROJECT,
      environment: "staging",
      key: "STRIPE_KEY",
      value: `${CANARY}-rotated`,
      secret: true,
    });
    await page.goto(`${server.origin}/projects/${PROJECT}/promote?from=staging&to=production`);
    await page.getByLabel(/Review each changed key/).check();
    await page.getByLabel(/Remove keys of production/).check();
    await page.getByRole("button", { name: "Review the keys" }).click();
    await page.getByText("3 changed keys to review; 1 unchanged kept as they are.").waitFor();
    const decision = (key: string) => page.getByRole("group", { name: key, exact: true });
    await decision("API_URL").getByLabel("Keep").check();
    await decision("NEW_FLAG").getByLabel("Skip").check();
    await expect(decision("STRIPE_KEY").getByLabel("Carry as-is").isChecked()).resolves.toBe(true);
    await page.screenshot({ path: "/tmp/promote-review.png", fullPage: true });
    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByRole("region", { name: "Dry run" }).waitFor();
    await expect(row("LEGACY").getByText("removed", { exact: true }).count()).resolves.toBe(1);
    await expect(row("NEW_FLAG").getByText("unchanged", { exact: true }).count()).resolves.toBe(1);
    await page.getByRole("button", { name: "Promote to production" }).click();
    await page.getByText(/Promoted staging @ 7 to production/).waitFor();
    const runtime = (await runtimeValues(server, PROJECT, "main")).values;
    expect(runtime.API_URL.value).toBe("https://v2");
    expect(runtime.NEW_FLAG.value).toBe("on");
    expect(runtime.STRIPE_KEY.value).toBe(`${CANARY}-rotated`);
    expect(runtime.LEGACY).toBeUndefined();
  });

  it("no secret value reached the browser; no page errors, no foreign requests", async () => {
    const bodies = await Promise.all(graphqlBodies);
    expect(bodies.length).toBeGreaterThan(5);
    for (const body of bodies) expect(body).not.toContain(CANARY);
    expect(await page.content()).not.toContain(CANARY);
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
