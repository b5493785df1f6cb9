/**
 * Real Chromium (Debian's, driven by playwright-core) against a real envplane server on a
 * free port serving the built dashboard (dashboard/dist: `npm run build:dashboard`).
 */
import fs from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import { launchChromium } from "./chromium.js";
import { startTestServer, type TestServer } from "./server.js";

const DIST = path.resolve(import.meta.dirname, "../../dashboard/dist");

export function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(path.join(DIST, "index.html")))
    throw new Error("dashboard/dist is missing: run `npm run build:dashboard` before the browser tests.");
  return launchChromium();
}

export interface DashboardServer extends TestServer {
  /** http://127.0.0.1:<port> */
  origin: string;
}

/** A listening test server; the dashboard at `origin`. */
export async function startDashboardServer(
  options: Parameters<typeof startTestServer>[0] = {},
): Promise<DashboardServer> {
  const server = await startTestServer({ ...options, listen: true });
  return Object.assign(server, { origin: new URL(server.url).origin });
}

/**
 * A fresh browser context (own cookies and storage) at 1280×800. It fails the test on any
 * page error, and on any request to an origin other than the server's (everything is served
 * by envplane itself).
 */
export async function newContext(
  browser: Browser,
  server: DashboardServer,
  options: { width?: number; height?: number; colorScheme?: "light" | "dark" } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[]; foreignRequests: string[] }> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    colorScheme: options.colorScheme ?? "light",
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const foreignRequests: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(server.origin) && !url.startsWith("data:") && !url.startsWith("blob:"))
      foreignRequests.push(url);
  });
  return { context, page, errors, foreignRequests };
}

/** Signs in through the sign-in screen with a personal token and waits for the projects page. */
export async function signIn(page: Page, server: DashboardServer, token = server.ownerToken): Promise<void> {
  await page.goto(`${server.origin}/sign-in`);
  await page.getByLabel("Personal token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Projects" }).waitFor();
  expect(new URL(page.url()).pathname).toBe("/");
}
