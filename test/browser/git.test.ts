/**
 * The GitHub screen in real Chromium against a real server: connecting shows the URL and the
 * secret once; a GitHub-shaped push signed with that secret creates the branch and appears in the
 * deliveries table; the previews toggle, secret rotation and disconnect (each asks first) change the
 * server; people who may not manage the connection see why.
 */
import { createHmac, randomUUID } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";
import { createProject, userWithRole } from "../support/fixtures.js";

let server: DashboardServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startDashboardServer(), launchBrowser()]);
  await createProject(server.owner, "shop");
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

async function push(url: string, secret: string, branch: string, deleted = false) {
  const body = JSON.stringify({
    ref: `refs/heads/${branch}`,
    created: !deleted,
    deleted,
    repository: { full_name: "acme/shop", default_branch: "main" },
    nonce: randomUUID(),
  });
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
    },
    body,
  });
  return response.status;
}

describe("GitHub screen", () => {
  it("connects, shows URL and secret once, lists deliveries, toggles previews, rotates, disconnects", async () => {
    const { context, page, errors, foreignRequests } = await signedIn("/projects/shop/git");
    await page.getByText("Not connected.").waitFor();
    await page.screenshot({ path: "/tmp/git-empty.png" });

    await page.getByLabel("Also create a preview environment for each new branch").check();
    await page.getByRole("button", { name: "Connect GitHub" }).click();
    // Previews without the deployment URL: the field says what is missing, nothing is connected.
    await page.getByRole("alert").filter({ hasText: "{branch}" }).waitFor();
    expect((await server.owner.gitConnection({ slug: "shop" })).project!.git).toBeNull();
    await page.getByLabel("Preview URL").fill("https://{branch}.preview.example.com");
    await page.getByRole("button", { name: "Connect GitHub" }).click();
    const shown = page.getByRole("dialog", { name: "Connected: paste these into GitHub" });
    await shown.getByText("you won't see it again").waitFor();
    const secret = await shown.getByLabel("Webhook secret").inputValue();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const git = (await server.owner.gitConnection({ slug: "shop" })).project!.git!;
    expect(git.createPreviews).toBe(true);
    await shown.getByText(git.url).waitFor();
    await page.screenshot({ path: "/tmp/git-secret.png" });
    await shown.getByRole("button", { name: "Done" }).click();
    await shown.waitFor({ state: "detached" });
    expect(await page.content()).not.toContain(secret);
    expect(await page.getByLabel("Payload URL").inputValue()).toBe(git.url);

    expect(await push(git.url, secret, "feature/checkout")).toBe(200);
    expect(await push(git.url, secret, "main", true)).toBe(200);
    await page.getByRole("button", { name: "Refresh deliveries" }).click();
    const table = page.getByRole("region", { name: "Deliveries from GitHub" });
    await table.getByText("feature/checkout").waitFor();
    await table.getByText("created").waitFor();
    await table.getByText("preview/feature-checkout").waitFor();
    const previews = (await server.owner.previews({ slug: "shop" })).project!.previews;
    expect(previews.map((p) => [p.name, p.url])).toEqual([
      ["preview/feature-checkout", "https://feature-checkout.preview.example.com"],
    ]);
    await table.getByText(/never deleted/).waitFor();
    expect((await server.owner.project({ slug: "shop" })).project!.branches.map((b) => b.name)).toContain(
      "feature/checkout",
    );
    await page.screenshot({ path: "/tmp/git-deliveries.png", fullPage: true });

    await page.getByLabel("Also create a preview environment for each new branch").uncheck();
    await page.getByRole("button", { name: "Save preview settings" }).click();
    await page.getByRole("button", { name: "Save preview settings" }).waitFor({ state: "detached" });
    await expect
      .poll(async () => (await server.owner.gitConnection({ slug: "shop" })).project!.git!.createPreviews)
      .toBe(false);

    await page.getByRole("button", { name: "Rotate secret" }).click();
    await page
      .getByRole("dialog", { name: "Rotate the secret?" })
      .getByRole("button", { name: "Rotate secret" })
      .click();
    const rotated = page.getByRole("dialog", { name: "New secret: paste it into GitHub" });
    const next = await rotated.getByLabel("Webhook secret").inputValue();
    expect(next).not.toBe(secret);
    await rotated.getByRole("button", { name: "Done" }).click();
    expect(await push(git.url, secret, "old-secret")).toBe(401);
    expect(await push(git.url, next, "new-secret")).toBe(200);

    await page.getByRole("button", { name: "Disconnect" }).click();
    const confirm = page.getByRole("dialog", { name: "Disconnect GitHub?" });
    await confirm.getByRole("button", { name: "Cancel" }).click();
    expect((await server.owner.gitConnection({ slug: "shop" })).project!.git).not.toBeNull();
    await page.getByRole("button", { name: "Disconnect" }).click();
    await confirm.getByRole("button", { name: "Disconnect GitHub" }).click();
    await page.getByText("Not connected.").waitFor();
    expect((await server.owner.gitConnection({ slug: "shop" })).project!.git).toBeNull();
    expect(await push(git.url, next, "after")).toBe(404);
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    await context.close();
  });

  it("fits a phone, and a developer sees that admins manage it", async () => {
    const owner = await signedIn("/projects/shop/git", server.ownerToken, { width: 390 });
    await owner.page.getByRole("button", { name: "Connect GitHub" }).click();
    await owner.page.getByRole("button", { name: "Done" }).click();
    await owner.page.getByLabel("Payload URL").waitFor();
    const overflow = await owner.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await owner.page.screenshot({ path: "/tmp/git-phone.png", fullPage: true });
    await owner.context.close();

    const developer = await userWithRole(server, "shop", "DEVELOPER");
    const { context, page, errors } = await signedIn("/projects/shop/git", developer.token);
    await page.getByText("GitHub is connected by admins").waitFor();
    expect(await page.getByRole("button", { name: "Connect GitHub" }).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
