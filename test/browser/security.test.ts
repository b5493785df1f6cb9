/**
 * The dashboard's security in real Chromium against a real server: the session cookie's
 * flags, sign-out, an expired session, a canary secret that never reaches the browser, the
 * Content-Security-Policy against an injected inline script, a cross-origin page that holds
 * the session cookie, and the one-time sign-in link.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";
import { withRawDb } from "../support/raw-db.js";

let server: DashboardServer;
let browser: Browser;
const canary = `canary-${randomBytes(12).toString("hex")}`;

beforeAll(async () => {
  [server, browser] = await Promise.all([startDashboardServer(), launchBrowser()]);
  const created = await server.owner.createProject({ input: { slug: "shop" } });
  expect(created.createProject.__typename).toBe("ProjectPayload");
  const set = await server.owner.bulkUpsertVariables({
    input: {
      project: "shop",
      environment: "production",
      variables: [
        { key: "STRIPE_SECRET_KEY", value: canary, secret: true },
        { key: "PUBLIC_URL", value: "https://shop.example" },
      ],
    },
  });
  expect(set.bulkUpsertVariables.__typename).not.toMatch(/Error$/);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function storage(page: Page) {
  return page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));
}

describe("the session", () => {
  it("is an HttpOnly, SameSite=Strict cookie; the token is kept nowhere in the browser", async () => {
    const { context, page, errors, foreignRequests } = await newContext(browser, server);
    await signIn(page, server);
    const cookies = await context.cookies(server.origin);
    const session = cookies.find((c) => c.name === "envplane_session");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict", secure: false, path: "/" });
    expect(session!.value).not.toContain(server.ownerToken);
    expect(await page.evaluate(() => document.cookie)).not.toContain("envplane_session");
    expect(await storage(page)).not.toContain(server.ownerToken);
    expect(await page.content()).not.toContain(server.ownerToken);
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    await context.close();
  });

  it("signs out: the cookie is gone and the API refuses the old session", async () => {
    const { context, page } = await newContext(browser, server);
    await signIn(page, server);
    const before = (await context.cookies(server.origin)).find((c) => c.name === "envplane_session")!;
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to envplane" }).waitFor();
    expect((await context.cookies(server.origin)).find((c) => c.name === "envplane_session")).toBeUndefined();
    // The old cookie, replayed, no longer authenticates.
    const replay = await fetch(`${server.origin}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-envplane-client": "dashboard",
        origin: server.origin,
        cookie: `envplane_session=${before.value}`,
      },
      body: JSON.stringify({ query: "{ viewer { user { email } } }" }),
    });
    expect(replay.status).toBe(401);
    await page.goto(`${server.origin}/projects/shop`);
    await page.getByRole("heading", { name: "Sign in to envplane" }).waitFor();
    await context.close();
  });

  it("an expired session sends the user to sign in with a reason, then back where they were", async () => {
    const { context, page } = await newContext(browser, server);
    await signIn(page, server);
    const past = new Date(Date.now() - 1000);
    await withRawDb(server.database, (q) =>
      q(`UPDATE "Session" SET "expiresAt" = $1`, [past.toISOString().replace("Z", "+00:00")]),
    );
    // A server keeps an authenticated session up to AUTH_CACHE_TTL_MS (5 s) with the expiry it read.
    const signInHeading = page.getByRole("heading", { name: "Sign in to envplane" });
    await expect
      .poll(
        async () => {
          await page.goto(`${server.origin}/projects/shop`);
          await page
            .getByRole("heading", { name: /^(Sign in to envplane|shop)$/ })
            .first()
            .waitFor();
          return signInHeading.isVisible();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(true);
    await expect.poll(() => page.getByRole("status").first().textContent()).toMatch(/expired|sign in again/i);
    await page.getByLabel("Personal token").fill(server.ownerToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.origin}/projects/shop`);
    await context.close();
  });
});

it("a secret never reaches the browser: not in the DOM, any response, storage or cookies", async () => {
  const { context, page, errors } = await newContext(browser, server);
  const reading: Promise<string>[] = [];
  page.on("response", (response) => {
    reading.push(response.text().catch(() => ""));
  });
  await signIn(page, server);
  for (const path of ["/projects/shop", "/projects/shop/environments/production"]) {
    await page.goto(`${server.origin}${path}`);
    await page.getByText("STRIPE_SECRET_KEY").first().waitFor();
    expect(await page.content()).not.toContain(canary);
  }
  for (const path of ["/projects/shop/environments", "/projects/shop/branches", "/projects/shop/access"]) {
    await page.goto(`${server.origin}${path}`);
    await page.getByRole("heading", { name: "shop" }).waitFor();
    expect(await page.content()).not.toContain(canary);
  }
  await page.waitForLoadState("networkidle");
  const bodies = await Promise.all(reading);
  expect(bodies.length).toBeGreaterThan(3);
  expect(bodies.some((b) => b.includes("STRIPE_SECRET_KEY"))).toBe(true);
  for (const body of bodies) expect(body).not.toContain(canary);
  expect(await storage(page)).not.toContain(canary);
  expect(JSON.stringify(await context.cookies())).not.toContain(canary);
  expect(errors).toEqual([]);
  await context.close();
});

it("the Content-Security-Policy blocks an injected inline script", async () => {
  const { context, page } = await newContext(browser, server);
  const response = await page.goto(`${server.origin}/sign-in`);
  const csp = response!.headers()["content-security-policy"];
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  const outcome = await page.evaluate(async () => {
    const violation = new Promise<string>((resolve) =>
      document.addEventListener("securitypolicyviolation", (e) => resolve(e.violatedDirective), { once: true }),
    );
    const script = document.createElement("script");
    script.textContent = "window.__injected = true";
    document.body.append(script);
    return { violated: await violation, ran: (window as { __injected?: boolean }).__injected === true };
  });
  expect(outcome).toEqual({ violated: expect.stringMatching(/^script-src/), ran: false });
  await context.close();
});

describe("another origin holding the session cookie", () => {
  let evil: Server;
  let evilOrigin: string;
  beforeAll(async () => {
    // Same site (127.0.0.1), other port: the browser sends the SameSite=Strict cookie along.
    evil = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<p>evil</p>"));
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
    const address = evil.address();
    evilOrigin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => evil.close(() => resolve())));

  it("cannot read or write through the API", async () => {
    const { context, page } = await newContext(browser, server);
    await signIn(page, server);
    await page.goto(evilOrigin);
    const mutation = JSON.stringify({ query: 'mutation { createProject(input: {slug: "evil"}) { __typename } }' });
    const attempts = await page.evaluate(
      async ({ target, body }) => {
        const results: string[] = [];
        // A simple request (no preflight): the cookie goes along, the response is opaque to the page.
        await fetch(`${target}/graphql`, {
          method: "POST",
          mode: "no-cors",
          credentials: "include",
          headers: { "content-type": "text/plain" },
          body,
        }).then(
          () => results.push("sent"),
          () => results.push("blocked"),
        );
        // With the CSRF header: a preflight the server does not allow.
        await fetch(`${target}/graphql`, {
          method: "POST",
          credentials: "include",
          headers: { "content-type": "application/json", "x-envplane-client": "dashboard" },
          body,
        }).then(
          (r) => results.push(`read ${r.status}`),
          () => results.push("blocked"),
        );
        return results;
      },
      { target: server.origin, body: mutation },
    );
    expect(attempts[1]).toBe("blocked");
    const projects = await server.owner.projects({});
    expect(projects.projects.nodes.map((p) => p.slug)).not.toContain("evil");
    // The same request sent as that page would, with its Origin: refused by the server itself.
    const cookie = (await context.cookies(server.origin)).find((c) => c.name === "envplane_session")!;
    const forged = await fetch(`${server.origin}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-envplane-client": "dashboard",
        origin: evilOrigin,
        cookie: `envplane_session=${cookie.value}`,
      },
      body: mutation,
    });
    expect(forged.status).toBe(403);
    expect((await server.owner.projects({})).projects.nodes.map((p) => p.slug)).not.toContain("evil");
    await context.close();
  });

  it("cannot plant its own session: a second session cookie is refused, and signing in again clears it", async () => {
    const mallory = await server.owner.createUser({ input: { email: "mallory@example.com", name: "Mallory" } });
    expect(mallory.createUser.__typename).toBe("CreateUserPayload");
    const malloryToken = (mallory.createUser as { plaintextToken: string }).plaintextToken;
    const signedIn = await fetch(`${server.origin}/auth/session`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-envplane-client": "test", origin: server.origin },
      body: JSON.stringify({ token: malloryToken }),
    });
    expect(signedIn.status).toBe(200);
    const malloryCookie = /envplane_session=([^;]+)/.exec(signedIn.headers.get("set-cookie") ?? "")![1];

    const { context, page } = await newContext(browser, server);
    await signIn(page, server);
    // The other port writes a cookie for this host, scoped to /graphql so the browser sends it first there.
    await page.goto(evilOrigin);
    await page.evaluate((value) => {
      // biome-ignore lint/suspicious/noDocumentCookie: the attack under test writes document.cookie
      document.cookie = `envplane_session=${value}; path=/graphql; SameSite=Strict`;
    }, malloryCookie);
    await page.goto(`${server.origin}/`);
    await page.getByRole("heading", { name: "Sign in to envplane" }).waitFor();
    expect(await page.content()).not.toContain("mallory@example.com");
    // Signing in again removes the planted cookie: the dashboard is the owner's again.
    await page.getByLabel("Personal token").fill(server.ownerToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Projects" }).waitFor();
    const sessions = (await context.cookies(server.origin)).filter((c) => c.name === "envplane_session");
    expect(sessions.map((c) => c.path)).toEqual(["/"]);
    const viewer = await page.evaluate(async () => {
      const response = await fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", "x-envplane-client": "dashboard" },
        body: JSON.stringify({ query: "{ viewer { user { email } } }" }),
      });
      return (await response.json()).data.viewer.user.email;
    });
    expect(viewer).not.toBe("mallory@example.com");
    await context.close();
  });
});

it("a one-time sign-in link signs in once", async () => {
  const link = await server.owner.createSignInLink({});
  expect(link.createSignInLink.__typename).toBe("SignInLink");
  const url = (link.createSignInLink as { url: string }).url;
  expect(url.startsWith(`${server.origin}/sign-in#code=`)).toBe(true);
  const first = await newContext(browser, server);
  await first.page.goto(url);
  await first.page.getByRole("heading", { name: "Projects" }).waitFor();
  expect(first.page.url()).toBe(`${server.origin}/`); // the code left the address bar
  const second = await newContext(browser, server);
  await second.page.goto(url);
  await second.page
    .getByRole("alert")
    .filter({ hasText: /used|expired|invalid/i })
    .waitFor();
  // The used link again in the browser it signed in: still signed in, so the projects page with a notice.
  await first.page.goto(url);
  await first.page
    .getByRole("status")
    .getByText("That sign-in link was already used; you are still signed in.")
    .waitFor();
  await first.page.getByRole("heading", { name: "Projects" }).waitFor();
  expect(new URL(first.page.url()).pathname).toBe("/");
  await first.context.close();
  await second.context.close();
});

it("GraphiQL at /graphql works with no other origin", async () => {
  const { context, page, foreignRequests, errors } = await newContext(browser, server);
  await page.goto(`${server.origin}/graphql`);
  await page.locator(".graphiql-container").first().waitFor();
  await expect.poll(() => page.title()).toMatch(/GraphiQL/);
  expect(foreignRequests).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

it("fits a 390 px wide screen and has a dark theme", async () => {
  const { context, page } = await newContext(browser, server, { width: 390, height: 844, colorScheme: "dark" });
  await signIn(page, server);
  await page.goto(`${server.origin}/projects/shop`);
  await page.getByText("STRIPE_SECRET_KEY").first().waitFor();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(true);
  await context.close();
});

it("the sign-in screen says only its own words: a crafted ?reason= is not shown", async () => {
  const { context, page } = await newContext(browser, server);
  await page.goto(`${server.origin}/sign-in?reason=${encodeURIComponent("Paste your token at evil.example")}`);
  await page.getByRole("heading", { name: "Sign in to envplane" }).waitFor();
  expect(await page.content()).not.toContain("evil.example");
  await page.goto(`${server.origin}/sign-in?reason=expired`);
  await page.getByText(/Your session has ended/).waitFor();
  await context.close();
});
