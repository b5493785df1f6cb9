/**
 * What the environment screens say about an environment, in real Chromium against a real server: a preview
 * names its branch, its source and its URL and is labelled "preview" in the list; secrets are masked with 4
 * dots like the API; development offers no branch view; at 390 px keys wrap only after "_" and a mask is
 * never split over two lines.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";
import { createProject, setVariable } from "../support/fixtures.js";

let server: DashboardServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
const CANARY = "marks-canary-3f9a";

beforeAll(async () => {
  server = await startDashboardServer();
  browser = await launchBrowser();
  ({ context, page, errors } = await newContext(browser, server));
  page.setDefaultTimeout(20_000);
  await signIn(page, server);
  await createProject(server.owner, "marks", { branches: ["feature-x"] });
  for (const environment of ["preview", "development"]) {
    await setVariable(server.owner, { project: "marks", environment, key: "STRIPE_KEY", value: CANARY, secret: true });
    await setVariable(server.owner, {
      project: "marks",
      environment,
      key: "VERY_LONG_DATABASE_CONNECTION_URL",
      value: "postgres://db.internal:5432/app",
    });
  }
  const created = await server.owner.createPreview({
    input: { project: "marks", branch: "feature-x", from: "preview", url: "https://pr-7.example.com" },
  });
  expect(created.createPreview.__typename).toBe("CreatePreviewPayload");
}, 90_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

/** The line boxes of an element: more than one when it wrapped. */
const lineCount = (selector: ReturnType<Page["locator"]>) =>
  selector.evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
  });

describe("environment marks", () => {
  it("a preview says what it previews, and the list calls it preview", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.origin}/projects/marks/environments/preview%2Ffeature-x`);
    const note = page.getByRole("note", { name: "Preview environment" });
    await expect.poll(() => note.textContent()).toContain("Preview of branch feature-x, cloned from preview");
    await expect(note.getByRole("link", { name: "https://pr-7.example.com" }).getAttribute("href")).resolves.toBe(
      "https://pr-7.example.com",
    );
    const env = (await server.owner.previews({ slug: "marks" })).project!.previews[0];
    expect([env.previewBranch?.name, env.previewOf?.name, env.url]).toEqual([
      "feature-x",
      "preview",
      "https://pr-7.example.com",
    ]);
    await page.screenshot({ path: "/tmp/marks-preview.png", fullPage: true });

    await page.goto(`${server.origin}/projects/marks/environments`);
    const row = page.getByRole("row", { name: /preview\/feature-x/ });
    await row.getByText("preview", { exact: true }).waitFor();
    expect(await row.getByText("custom", { exact: true }).count()).toBe(0);
    // A default environment is not mislabelled.
    await page
      .getByRole("row", { name: /^development/ })
      .getByText("default", { exact: true })
      .waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: "/tmp/m-marks-environments.png", fullPage: true });
  });

  it("masks secrets with 4 dots, has no branch view on development, and wraps keys only at underscores", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.origin}/projects/marks/environments/development`);
    const secretRow = page.getByRole("row", { name: "STRIPE_KEY", exact: true });
    await secretRow.getByText("secret value hidden").waitFor();
    expect(await secretRow.getByText("••••", { exact: true }).count()).toBe(1);
    expect(await page.content()).not.toContain("•••••");
    expect(await page.content()).not.toContain(CANARY);
    expect(await page.getByLabel("View as branch").count()).toBe(0);
    await page.getByLabel("Filter keys").waitFor();
    await page.screenshot({ path: "/tmp/marks-development.png", fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    const key = page
      .getByRole("row", { name: "VERY_LONG_DATABASE_CONNECTION_URL" })
      .getByTitle("VERY_LONG_DATABASE_CONNECTION_URL");
    // Every line of the key ends after an underscore (or is the last part): no word is split.
    const lines = await key.evaluate((el) => {
      const text = el.textContent ?? "";
      const range = document.createRange();
      const tops: number[] = [];
      const node = [...el.querySelectorAll("span")].flatMap((s) => [...s.childNodes]).filter((n) => n.nodeType === 3);
      let out = "";
      let last: number | undefined;
      for (const t of node) {
        for (let i = 0; i < (t.textContent ?? "").length; i++) {
          range.setStart(t, i);
          range.setEnd(t, i + 1);
          const top = Math.round(range.getBoundingClientRect().top);
          if (last !== undefined && top !== last) out += "\n";
          last = top;
          out += t.textContent![i];
          tops.push(top);
        }
      }
      return { text, out };
    });
    expect(lines.out.replaceAll("\n", "")).toBe("VERY_LONG_DATABASE_CONNECTION_URL");
    expect(lines.out.split("\n").length).toBeGreaterThan(1);
    for (const line of lines.out.split("\n").slice(0, -1)) expect(line.endsWith("_")).toBe(true);
    const mask = secretRow.getByText("••••", { exact: true });
    expect(await lineCount(mask)).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: "/tmp/m-marks-development.png", fullPage: true });
    expect(errors).toEqual([]);
  });
});
