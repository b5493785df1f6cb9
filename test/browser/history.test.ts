/**
 * The environment History screen in real Chromium against a real server: revisions newest first
 * with time, actor, message and counts; a revision expands to its changes (a secret's change
 * without values); "Restore this revision" shows the server's dry-run diff in a dialog, then
 * applies it (the server's state is the old one again). A secret's value never reaches the page.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";
import { createBranch, createEnvironment, listValues, runtimeValues, setVariable } from "../support/fixtures.js";

const PROJECT = "shop";
const SECRET_ONE = "sk_live_HISTORY_ONE_5d1";
const SECRET_TWO = "sk_live_HISTORY_TWO_9e2";

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
  const set = (key: string, value: string, message?: string, secret?: boolean) =>
    setVariable(sdk, { project: PROJECT, environment: "preview", key, value, message, secret });
  await set("API_URL", "https://one.example", "first api url"); // 1
  await set("STRIPE_KEY", SECRET_ONE, "stripe key", true); // 2
  await set("API_URL", "https://two.example", "switch to two"); // 3
  await set("STRIPE_KEY", SECRET_TWO); // 4
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

const item = (n: number) =>
  page.getByRole("listitem").filter({ has: page.getByRole("button", { name: `Revision ${n}`, exact: true }) });

describe("history screen", () => {
  it("is linked from the environment screen and lists revisions newest first", async () => {
    await page.goto(`${server.origin}/projects/${PROJECT}/environments/preview`);
    await page.getByRole("link", { name: "History", exact: true }).click();
    await page.getByRole("heading", { name: /History of preview/ }).waitFor();
    expect(page.url()).toBe(`${server.origin}/projects/${PROJECT}/environments/preview/history`);
    const buttons = page.getByRole("button", { name: /^Revision \d+$/ });
    await expect(buttons.allTextContents()).resolves.toEqual([
      "▸Revision 4",
      "▸Revision 3",
      "▸Revision 2",
      "▸Revision 1",
    ]);
    await expect(item(3).textContent()).resolves.toContain("“switch to two”");
    await expect(item(3).getByText("0 added, 1 changed, 0 removed", { exact: true }).count()).resolves.toBe(1);
    await expect(item(4).getByText("current").count()).resolves.toBe(1);
    await expect(item(4).getByRole("button", { name: "Restore this revision" }).count()).resolves.toBe(0);
    await page.screenshot({ path: "/tmp/history-list.png" });
  });

  it("expands a revision to its changes: standard values before → after, a secret without values", async () => {
    await item(3).getByRole("button", { name: "Revision 3" }).click();
    const changes = page.getByRole("table", { name: "Changes of revision 3" });
    await changes.waitFor();
    await expect(changes.getByRole("row").nth(1).textContent()).resolves.toBe(
      'API_URLchanged"https://one.example" → "https://two.example"',
    );
    await item(4).getByRole("button", { name: "Revision 4" }).click();
    const secret = page.getByRole("table", { name: "Changes of revision 4" });
    await secret.waitFor();
    await expect(secret.getByRole("row").nth(1).textContent()).resolves.toBe(
      "STRIPE_KEYchangedsecret•••• set (value not shown)",
    );
    expect(await item(4).getByRole("button", { name: "Revision 4" }).getAttribute("aria-expanded")).toBe("true");
  });

  it("restores a revision: the dry-run diff in a dialog, then applied as a new revision", async () => {
    const before = await runtimeValues(server, PROJECT, "dev");
    expect(before.values.STRIPE_KEY.value).toBe(SECRET_TWO);
    await item(2).getByRole("button", { name: "Restore this revision" }).click();
    const dialog = page.getByRole("dialog", { name: "Restore revision 2 of preview?" });
    await dialog.getByText("2 variables and 0 branch overrides change (now at revision 4).").waitFor();
    const diff = dialog.getByRole("table", { name: "What restoring changes" });
    await expect(diff.getByRole("row").nth(1).textContent()).resolves.toBe(
      'API_URLchanges"https://two.example" → "https://one.example"',
    );
    await expect(diff.getByRole("row").nth(2).textContent()).resolves.toBe(
      "STRIPE_KEYchanges•••• secret (value not shown)",
    );
    await page.screenshot({ path: "/tmp/history-restore.png" });
    // Nothing was written by the dry run.
    expect((await listValues(server.owner, PROJECT, "preview")).revision).toBe(4);
    await dialog.getByLabel("Message (optional)").fill("back to one");
    await dialog.getByRole("button", { name: "Restore revision 2" }).click();
    await page.getByRole("status").filter({ hasText: "Restored revision 2 as revision 5." }).waitFor();
    await expect(dialog.count()).resolves.toBe(0);
    await page.getByRole("button", { name: "Revision 5", exact: true }).waitFor();
    await expect(item(5).textContent()).resolves.toContain("“back to one”");
    const after = await runtimeValues(server, PROJECT, "dev");
    expect(after.values.STRIPE_KEY.value).toBe(SECRET_ONE);
    expect(after.values.API_URL.value).toBe("https://one.example");
  });

  it("never sent a secret's value to the browser, and had no page errors", async () => {
    const bodies = await Promise.all(graphqlBodies);
    expect(bodies.length).toBeGreaterThan(3);
    for (const body of bodies) {
      expect(body).not.toContain(SECRET_ONE);
      expect(body).not.toContain(SECRET_TWO);
    }
    const html = await page.content();
    expect(html).not.toContain(SECRET_ONE);
    expect(html).not.toContain(SECRET_TWO);
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });

  it("at 390 px: no sideways scrolling", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole("heading", { name: /History of preview/ }).waitFor();
    await item(3).getByRole("button", { name: "Revision 3" }).click();
    await page.getByRole("table", { name: "Changes of revision 3" }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: "/tmp/history-390.png", fullPage: true });
  });

  it("names a promote in words, like every other action", async () => {
    const sdk = server.owner;
    await createEnvironment(sdk, PROJECT, "staging");
    await setVariable(sdk, {
      project: PROJECT,
      environment: "staging",
      key: "API_URL",
      value: "https://three.example",
    });
    const promoted = (await sdk.promoteEnvironment({ input: { project: PROJECT, from: "staging", to: "preview" } }))
      .promoteEnvironment;
    expect(promoted).toMatchObject({ __typename: "PromoteEnvironmentPayload", revision: 6 });
    await page.reload();
    await page.getByRole("button", { name: "Revision 6", exact: true }).waitFor();
    const text = await item(6).textContent();
    expect(text).toContain("promoted from another environment");
    expect(text).not.toContain("environment.promote");
  });

  it("the restore dialog lists the branch overrides that change, labelled with the branch", async () => {
    const sdk = server.owner;
    const canary = "canary-browser-override-secret";
    await createBranch(sdk, PROJECT, "feature-x");
    await createEnvironment(sdk, PROJECT, "qa");
    const set = (key: string, value: string, branch?: string, secret?: boolean) =>
      setVariable(sdk, { project: PROJECT, environment: "qa", key, value, branch, secret });
    await set("API_URL", "https://dev.example"); // 1
    await set("TOKEN", "dev-token", undefined, true); // 2
    await set("API_URL", "https://x-one.example", "feature-x"); // 3
    await set("TOKEN", `${canary}-1`, "feature-x"); // 4
    await set("API_URL", "https://x-two.example", "feature-x"); // 5
    await set("TOKEN", `${canary}-2`, "feature-x"); // 6
    await page.goto(`${server.origin}/projects/${PROJECT}/environments/qa/history`);
    await item(4).getByRole("button", { name: "Restore this revision" }).click();
    const dialog = page.getByRole("dialog", { name: "Restore revision 4 of qa?" });
    await dialog.getByText("0 variables and 2 branch overrides change (now at revision 6).").waitFor();
    const diff = dialog.getByRole("table", { name: "What restoring changes" });
    await expect(diff.getByRole("row").nth(1).textContent()).resolves.toBe(
      'API_URLon branch feature-xchanges"https://x-two.example" → "https://x-one.example"',
    );
    await expect(diff.getByRole("row").nth(2).textContent()).resolves.toBe(
      "TOKENon branch feature-xchanges•••• secret (value not shown)",
    );
    await page.screenshot({ path: "/tmp/history-restore-overrides.png" });
    expect(await page.content()).not.toContain(canary);
    for (const body of await Promise.all(graphqlBodies)) expect(body).not.toContain(canary);
  });
});
