/**
 * The secret hand-off end to end: an agent (a service token, through the real MCP SDK client over
 * Streamable HTTP) calls request_secret; a person opens the link in real Chromium, signs in, types the
 * value; get_secret_request says fulfilled (without the value); runtimeVariables serves the value.
 */
import { randomBytes } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type DashboardServer, launchBrowser, newContext, startDashboardServer } from "../support/browser.js";
import { createProject, runtimeValues, serviceToken } from "../support/fixtures.js";
import { callOk, connectMcp, type McpConnection } from "./support.js";

const P = "agent-shop";
const canary = `canary-${randomBytes(12).toString("hex")}`;

let server: DashboardServer;
let browser: Browser;
let agent: McpConnection;

beforeAll(async () => {
  [server, browser] = await Promise.all([startDashboardServer(), launchBrowser()]);
  await createProject(server.owner, P);
  const token = await serviceToken(server, P, ["READ", "WRITE"]);
  agent = await connectMcp(server, token.token, "http");
}, 60_000);

afterAll(async () => {
  await agent?.close();
  await browser?.close();
  await server?.close();
});

it("request_secret over MCP → a person fulfils it in Chromium → get_secret_request fulfilled → runtime has it", async () => {
  const seen: unknown[] = [];
  const asked = await callOk(agent, "request_secret", {
    project: P,
    environment: "production",
    key: "STRIPE_SECRET_KEY",
    note: "Live secret key from the Stripe dashboard",
  });
  seen.push(asked.raw);
  const { id, url } = asked.structured as { id: string; url: string };
  expect(url).toBe(`${server.origin}/requests/${id}`);

  const { context, page, errors, foreignRequests } = await newContext(browser, server);
  page.setDefaultTimeout(20_000);
  await page.goto(url);
  await page.getByLabel("Personal token").fill(server.ownerToken);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: /Secret requested: STRIPE_SECRET_KEY/ }).waitFor();
  await expect.poll(() => page.getByText("Live secret key from the Stripe dashboard").count()).toBe(1);
  await page.getByLabel("Value of STRIPE_SECRET_KEY").fill(canary);
  await page.getByRole("button", { name: "Store secret" }).click();
  await page.getByText("Thank you: STRIPE_SECRET_KEY is stored as a secret.").waitFor();
  expect(errors).toEqual([]);
  expect(foreignRequests).toEqual([]);
  await context.close();

  const status = await callOk(agent, "get_secret_request", { id });
  seen.push(status.raw);
  expect(status.structured).toMatchObject({ id, status: "fulfilled", key: "STRIPE_SECRET_KEY" });
  const listed = await callOk(agent, "list_env_vars", { project: P, environment: "production" });
  seen.push(listed.raw);
  expect(listed.structured.variables).toContainEqual(
    expect.objectContaining({ key: "STRIPE_SECRET_KEY", type: "secret" }),
  );

  expect((await runtimeValues(server, P, "main")).values.STRIPE_SECRET_KEY).toEqual({ value: canary, isSecret: true });
  expect(JSON.stringify(seen)).not.toContain(canary);
  expect(server.logs.join("\n")).not.toContain(canary);
});
