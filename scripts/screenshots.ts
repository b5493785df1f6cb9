/**
 * `npm run screenshots`: the README's pictures of the dashboard, taken from a real envplane
 * server (fresh SQLite database and data directory, free port) serving the built dashboard
 * (`npm run build:dashboard` first), with a demo project seeded through the SDK, in Debian's
 * Chromium driven by playwright-core. Writes docs/screenshots/<name>.png.
 *
 * No secret value may reach the browser: every response the page receives and every page
 * shown is checked for the demo's secret values and tokens, and the script fails if one
 * appears. A screen that does not show what is expected is reported (and the script exits
 * with 1) after the other screenshots were taken.
 *
 * CHROMIUM_PATH overrides /usr/bin/chromium; SCREENSHOTS_DIR overrides docs/screenshots.
 */
import fs from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { launchChromium } from "../test/support/chromium.js";
import { startTestServer, type TestServer } from "../test/support/server.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const OUT = path.resolve(ROOT, process.env.SCREENSHOTS_DIR ?? "docs/screenshots");
const DIST = path.join(ROOT, "dashboard/dist/index.html");
const TIMEOUT = 20_000;
const PROJECT = "shop";

// ---------------------------------------------------------------------------------------------
// The demo project
// ---------------------------------------------------------------------------------------------

type Vars = Record<string, string>;

/** Secret values: distinctive, so a leak into a page or response is found by a plain search. */
const SECRET_VALUES = {
  development: {
    SESSION_SECRET: "dev-session-2b7f0c1e9a4d",
    STRIPE_SECRET_KEY: "sk_test_51DemoShopDevA8f3kQ",
    SMTP_PASSWORD: "mailpit-dev-pw-7731",
  },
  preview: {
    SESSION_SECRET: "preview-session-f41c9d0e7b22",
    STRIPE_SECRET_KEY: "sk_test_51DemoShopPrevZ9x2Lm",
    SMTP_PASSWORD: "postmark-preview-pw-5528",
    ALGOLIA_ADMIN_KEY: "algolia-preview-admin-0c6e1f",
  },
  staging: {
    SESSION_SECRET: "staging-session-93ad5e10c4f8",
    STRIPE_SECRET_KEY: "sk_test_51DemoShopStagQ4w7Rt",
    ALGOLIA_ADMIN_KEY: "algolia-staging-admin-7d2b90",
  },
  production: {
    SESSION_SECRET: "prod-session-e18b6a2f57c3",
    STRIPE_SECRET_KEY: "sk_live_51DemoShopProdH3n8Vc",
    SMTP_PASSWORD: "postmark-prod-pw-9047",
    ALGOLIA_ADMIN_KEY: "algolia-prod-admin-4a81e3",
  },
} satisfies Record<string, Vars>;

const STANDARD_VALUES: Record<keyof typeof SECRET_VALUES, Vars> = {
  development: {
    APP_URL: "http://localhost:3000",
    API_URL: "http://localhost:4001",
    DATABASE_URL: "postgres://shop:shop@localhost:5432/shop",
    REDIS_URL: "redis://localhost:6379/0",
    LOG_LEVEL: "debug",
    STRIPE_PUBLISHABLE_KEY: "pk_test_51DemoShopDev",
    SMTP_HOST: "localhost",
    SMTP_PORT: "1025",
    SMTP_USER: "dev",
    S3_BUCKET: "shop-dev-uploads",
    S3_REGION: "eu-central-1",
    CDN_URL: "http://localhost:3000/static",
    SEARCH_URL: "http://localhost:7700",
    ALGOLIA_APP_ID: "DEMO0DEV",
    CURRENCY_DEFAULT: "EUR",
    MAX_CART_ITEMS: "50",
    FEATURE_NEW_CHECKOUT: "true",
    FEATURE_RECOMMENDATIONS: "true",
    DEBUG_TOOLBAR: "true",
    TAX_SERVICE_URL: "http://localhost:4100",
  },
  preview: {
    APP_URL: "https://preview.shop.example.com",
    API_URL: "https://api.preview.shop.example.com",
    DATABASE_URL: "postgres://shop@db.preview.internal:5432/shop",
    REDIS_URL: "redis://cache.preview.internal:6379/0",
    LOG_LEVEL: "info",
    STRIPE_PUBLISHABLE_KEY: "pk_test_51DemoShopPreview",
    SMTP_HOST: "smtp.postmarkapp.com",
    SMTP_PORT: "587",
    SMTP_USER: "shop-preview",
    S3_BUCKET: "shop-preview-uploads",
    S3_REGION: "eu-central-1",
    CDN_URL: "https://cdn.preview.shop.example.com",
    SEARCH_URL: "https://search.preview.shop.example.com",
    ALGOLIA_APP_ID: "DEMO0PRV",
    CURRENCY_DEFAULT: "EUR",
    MAX_CART_ITEMS: "50",
    FEATURE_NEW_CHECKOUT: "false",
    FEATURE_RECOMMENDATIONS: "true",
    SENTRY_DSN: "https://4f1e@o1.ingest.sentry.io/preview",
    ANALYTICS_ID: "G-PREVIEW42",
    TAX_SERVICE_URL: "https://tax.preview.shop.example.com",
  },
  staging: {
    APP_URL: "https://staging.shop.example.com",
    API_URL: "https://api.staging.shop.example.com",
    DATABASE_URL: "postgres://shop@db.staging.internal:5432/shop",
    REDIS_URL: "redis://cache.staging.internal:6379/0",
    LOG_LEVEL: "info",
    STRIPE_PUBLISHABLE_KEY: "pk_test_51DemoShopStaging",
    S3_BUCKET: "shop-staging-uploads",
    S3_REGION: "eu-central-1",
    CDN_URL: "https://cdn.staging.shop.example.com",
    SEARCH_URL: "https://search.staging.shop.example.com",
    ALGOLIA_APP_ID: "DEMO0STG",
    CURRENCY_DEFAULT: "EUR",
    MAX_CART_ITEMS: "50",
    FEATURE_NEW_CHECKOUT: "true",
    SENTRY_DSN: "https://4f1e@o1.ingest.sentry.io/staging",
  },
  production: {
    APP_URL: "https://shop.example.com",
    API_URL: "https://api.shop.example.com",
    DATABASE_URL: "postgres://shop@db.prod.internal:5432/shop",
    REDIS_URL: "redis://cache.prod.internal:6379/0",
    LOG_LEVEL: "warn",
    STRIPE_PUBLISHABLE_KEY: "pk_live_51DemoShop",
    SMTP_HOST: "smtp.postmarkapp.com",
    SMTP_PORT: "587",
    SMTP_USER: "shop",
    S3_BUCKET: "shop-uploads",
    S3_REGION: "eu-central-1",
    CDN_URL: "https://cdn.shop.example.com",
    SEARCH_URL: "https://search.shop.example.com",
    ALGOLIA_APP_ID: "DEMO0PRD",
    CURRENCY_DEFAULT: "EUR",
    MAX_CART_ITEMS: "100",
    FEATURE_NEW_CHECKOUT: "false",
    SENTRY_DSN: "https://4f1e@o1.ingest.sentry.io/production",
    ANALYTICS_ID: "G-SHOP1234",
    TAX_SERVICE_URL: "https://tax.shop.example.com",
  },
};

/** Branch overrides on preview: [branch, key, value]. */
const OVERRIDES: [string, string, string][] = [
  ["feature-checkout", "API_URL", "https://api.feature-checkout.preview.shop.example.com"],
  ["feature-checkout", "FEATURE_NEW_CHECKOUT", "true"],
  ["feature-search", "SEARCH_URL", "https://search-v2.preview.shop.example.com"],
  ["feature-search", "LOG_LEVEL", "debug"],
];

/** A new secret typed into the bulk edit: the review must not show it. */
const BULK_SECRET = "giftcard-dev-key-5e0a7c41";

/** Production's rotated Stripe key (a revision in its history): the history must not show it. */
const ROTATED_SECRET = "sk_live_51DemoShopProdR0t8Kq";

/** Everything that must never be visible to the browser. */
const forbidden: string[] = [
  ...Object.values(SECRET_VALUES).flatMap((vars) => Object.values(vars)),
  BULK_SECRET,
  ROTATED_SECRET,
];

/**
 * The webhook on production and staging. The worker runs, so each delivery has made its first
 * attempt (the host does not answer) and waits for a retry an hour later.
 */
const WEBHOOK_URL = "https://ci.example.com/hooks/envplane";

function ok<T extends { __typename?: string }, N extends string>(
  result: T,
  typename: N,
  what: string,
): Extract<T, { __typename?: N }> {
  if (result.__typename !== typename) {
    const message = "message" in result ? String(result.message) : JSON.stringify(result);
    throw new Error(`Seeding the demo project: ${what} failed: ${message}`);
  }
  return result as Extract<T, { __typename?: N }>;
}

async function seed(server: TestServer): Promise<void> {
  const owner = server.owner;
  ok(
    (await owner.createProject({ input: { slug: PROJECT, name: "Shop" } })).createProject,
    "ProjectPayload",
    "createProject",
  );
  ok(
    (await owner.createEnvironment({ input: { project: PROJECT, name: "staging", isProtected: true } }))
      .createEnvironment,
    "EnvironmentPayload",
    "createEnvironment staging",
  );
  for (const environment of Object.keys(SECRET_VALUES) as (keyof typeof SECRET_VALUES)[]) {
    const variables = [
      ...Object.entries(STANDARD_VALUES[environment]).map(([key, value]) => ({ key, value })),
      ...Object.entries(SECRET_VALUES[environment]).map(([key, value]) => ({ key, value, secret: true })),
    ];
    ok(
      (await owner.bulkUpsertVariables({ input: { project: PROJECT, environment, variables } })).bulkUpsertVariables,
      "BulkUpsertVariablesPayload",
      `bulkUpsertVariables ${environment}`,
    );
  }
  for (const name of ["feature-checkout", "feature-search", "staging"])
    ok(
      (await owner.createBranch({ input: { project: PROJECT, name } })).createBranch,
      "CreateBranchPayload",
      `createBranch ${name}`,
    );
  ok(
    (
      await owner.updateBranchMapping({
        input: {
          project: PROJECT,
          entries: [
            { environment: "production", branch: "main" },
            { environment: "staging", branch: "staging" },
            { environment: "preview", branch: "*" },
          ],
        },
      })
    ).updateBranchMapping,
    "UpdateBranchMappingPayload",
    "updateBranchMapping",
  );
  for (const branch of new Set(OVERRIDES.map(([b]) => b))) {
    const variables = OVERRIDES.filter(([b]) => b === branch).map(([, key, value]) => ({ key, value }));
    ok(
      (await owner.setVariables({ input: { project: PROJECT, environment: "preview", branch, variables } }))
        .setVariables,
      "SetVariablesPayload",
      `overrides of ${branch}`,
    );
  }
  const deploy = ok(
    (
      await owner.createToken({
        input: {
          kind: "SERVICE",
          project: PROJECT,
          name: "deploy-preview",
          environments: ["preview", "staging"],
          permissions: ["READ", "RUNTIME"],
        },
      })
    ).createToken,
    "CreateTokenPayload",
    "createToken deploy-preview",
  );
  const ci = ok(
    (await owner.createToken({ input: { kind: "SERVICE", project: PROJECT, name: "ci", permissions: ["READ"] } }))
      .createToken,
    "CreateTokenPayload",
    "createToken ci",
  );
  const laptop = ok(
    (await owner.createToken({ input: { kind: "PERSONAL", name: "laptop" } })).createToken,
    "CreateTokenPayload",
    "createToken laptop",
  );
  forbidden.push(deploy.plaintextToken, ci.plaintextToken, laptop.plaintextToken);
  for (const [name, email, role] of [
    ["Ada Lovelace", "ada@shop.example.com", "DEVELOPER"],
    ["Grace Hopper", "grace@shop.example.com", "VIEWER"],
  ] as const) {
    const user = ok(
      (await owner.createUser({ input: { name, email } })).createUser,
      "CreateUserPayload",
      `createUser ${name}`,
    );
    forbidden.push(user.plaintextToken);
    ok(
      (await owner.setMember({ input: { project: PROJECT, userId: user.user.id, role } })).setMember,
      "SetMemberPayload",
      `setMember ${name}`,
    );
  }
  const webhook = ok(
    (
      await owner.createWebhook({
        input: {
          project: PROJECT,
          url: WEBHOOK_URL,
          description: "Redeploy on changes to staging and production",
          environments: ["production", "staging"],
        },
      })
    ).createWebhook,
    "CreateWebhookPayload",
    "createWebhook",
  );
  forbidden.push(webhook.signingSecret);
  // Production's history: a few writes with messages (each also queues a webhook delivery).
  const production = { project: PROJECT, environment: "production" };
  ok(
    (
      await owner.setVariables({
        input: {
          ...production,
          variables: [
            { key: "MAX_CART_ITEMS", value: "150" },
            { key: "LOG_LEVEL", value: "info" },
            { key: "STRIPE_SECRET_KEY", value: ROTATED_SECRET },
          ],
          message: "Black Friday: bigger carts, more logging, rotated Stripe key",
        },
      })
    ).setVariables,
    "SetVariablesPayload",
    "setVariables production (Black Friday)",
  );
  ok(
    (
      await owner.unsetVariables({
        input: { ...production, keys: ["ANALYTICS_ID"], message: "Analytics moved to the tag manager" },
      })
    ).unsetVariables,
    "UnsetVariablesPayload",
    "unsetVariables production",
  );
  ok(
    (
      await owner.setVariables({
        input: {
          ...production,
          variables: [{ key: "FEATURE_NEW_CHECKOUT", value: "true" }],
          message: "Launch the new checkout (INC-231 is fixed)",
        },
      })
    ).setVariables,
    "SetVariablesPayload",
    "setVariables production (new checkout)",
  );
  // feature-checkout's deployment resolves its variables, then an override changes: not yet live.
  ok(
    (await server.client(deploy.plaintextToken).runtimeVariables({ project: PROJECT, branch: "feature-checkout" }))
      .runtimeVariables,
    "RuntimeEnvironment",
    "runtimeVariables feature-checkout",
  );
  ok(
    (
      await owner.setVariables({
        input: {
          project: PROJECT,
          environment: "preview",
          branch: "feature-checkout",
          variables: [{ key: "LOG_LEVEL", value: "debug" }],
          message: "Debug the new checkout",
        },
      })
    ).setVariables,
    "SetVariablesPayload",
    "override of feature-checkout after its deployment",
  );
  // Each delivery's first attempt, so the deliveries panel shows attempts and the last error.
  for (let tries = 0; ; tries++) {
    const hooks = (await owner.webhookDeliveries({ slug: PROJECT, first: 50 })).project?.webhooks ?? [];
    const deliveries = hooks.flatMap((w) => w.deliveries.nodes);
    if (deliveries.length && deliveries.every((d) => d.attempts > 0)) break;
    if (tries >= 100) throw new Error("Seeding the demo project: the webhook deliveries were not attempted in 20 s");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// ---------------------------------------------------------------------------------------------
// The browser
// ---------------------------------------------------------------------------------------------

const problems: string[] = [];

/** A secret value or token reached the browser: the run stops, whatever step it is in. */
class LeakError extends Error {}
/** The first leak seen in a response (responses are read as they arrive). */
let leak: LeakError | null = null;

function findLeak(text: string, where: string): LeakError | null {
  for (const value of forbidden)
    if (value && text.includes(value))
      return new LeakError(
        `A secret value or token reached the browser (${where}). No screenshot may show it: fix the screen.`,
      );
  return null;
}

async function newPage(
  browser: Browser,
  origin: string,
  options: { width: number; height: number; colorScheme: "light" | "dark"; storageState?: string },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: options.width, height: options.height },
    colorScheme: options.colorScheme,
    deviceScaleFactor: 1,
    storageState: options.storageState,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith("data:") && !url.startsWith("blob:"))
      problems.push(`request to another origin: ${url}`);
  });
  page.on("response", async (response) => {
    if (!response.url().startsWith(origin)) return;
    const body = await response.text().catch(() => "");
    leak ??= findLeak(body, `response of ${response.request().method()} ${new URL(response.url()).pathname}`);
  });
  return { context, page };
}

/** Waits until no "Loading…" status is shown and the fonts are ready. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState("networkidle").catch(() => {});
  await page
    .locator('[role="status"]', { hasText: /loading/i })
    .first()
    .waitFor({ state: "detached" })
    .catch(() => problems.push(`${page.url()}: still loading after ${TIMEOUT / 1000} s`));
  await page.evaluate(() => document.fonts.ready);
}

/** Waits for `locator`; when it does not appear, notes the problem and goes on. */
async function expectVisible(locator: Locator, screen: string, what: string): Promise<boolean> {
  try {
    await locator.first().waitFor({ state: "visible" });
    return true;
  } catch {
    problems.push(`${screen}: ${what} did not appear`);
    return false;
  }
}

async function shoot(page: Page, name: string): Promise<void> {
  await settle(page);
  const shown = findLeak(await page.content(), `the page of screenshot ${name}`);
  if (leak || shown) throw leak ?? shown;
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, animations: "disabled", caret: "hide" });
  console.log(`✓ ${path.relative(ROOT, file)}`);
}

/** One screenshot's steps; a failure is noted and the next screenshot is taken. */
async function step(name: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof LeakError) throw error;
    problems.push(`${name}: ${(error as Error).message.split("\n")[0]}`);
  }
}

async function screens(browser: Browser, server: TestServer, origin: string): Promise<void> {
  const base = `${origin}/projects/${PROJECT}`;
  const { context, page } = await newPage(browser, origin, { width: 1280, height: 800, colorScheme: "light" });

  // Sign in through the sign-in screen, as a person would.
  await page.goto(`${origin}/sign-in`);
  await page.getByRole("heading", { name: /sign in/i }).waitFor();
  await shoot(page, "sign-in");
  await page.getByLabel("Personal token").fill(server.ownerToken);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Projects" }).waitFor();
  if (leak) throw leak;

  await step("projects", async () => {
    await expectVisible(page.getByRole("link", { name: "Shop" }), "projects", 'the project "Shop"');
    await shoot(page, "projects");
  });

  await step("grid", async () => {
    await page.goto(base);
    await expectVisible(page.getByRole("heading", { name: "Shop" }), "grid", "the project heading");
    await expectVisible(page.getByText("DATABASE_URL"), "grid", "the key DATABASE_URL");
    await shoot(page, "grid");
  });

  await step("environment", async () => {
    // preview, viewed as the project branch feature-checkout (its overrides win over base values).
    await page.goto(`${base}/environments/preview?branch=feature-checkout`);
    await expectVisible(page.getByRole("heading", { name: /preview/i }), "environment", "a heading naming preview");
    await expectVisible(page.getByText("API_URL"), "environment", "the key API_URL");
    const viewAs = page.getByLabel(/view as branch/i);
    if (await expectVisible(viewAs, "environment", 'a "View as branch" control'))
      if (
        (await viewAs
          .first()
          .inputValue()
          .catch(() => "")) !== "feature-checkout"
      )
        problems.push('environment: ?branch=feature-checkout does not select that branch in "View as branch"');
    await shoot(page, "environment");
  });

  await step("bulk-edit", async () => {
    await page.goto(`${base}/environments/development`);
    await expectVisible(page.getByText("DATABASE_URL"), "bulk-edit", "the key DATABASE_URL");
    await page
      .getByRole("button", { name: /bulk edit/i })
      .first()
      .click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    // The environment as .env text when the dialog offers it, else the demo's development values.
    const rawTab = dialog.getByRole("tab", { name: /\.env text/i });
    if (await rawTab.count()) await rawTab.click();
    const text = dialog.getByRole("textbox").first();
    let current = await text.inputValue();
    if (!current.trim())
      current = Object.entries(STANDARD_VALUES.development)
        .map(([key, value]) => `${key}=${value}`)
        .join("\n");
    // A reviewed edit: one change, one removal (with prune), a new key and a new secret.
    const edited = current
      .split("\n")
      .filter((line) => !line.startsWith("DEBUG_TOOLBAR="))
      .map((line) => (line.startsWith("LOG_LEVEL=") ? "LOG_LEVEL=info" : line))
      .concat("FEATURE_GIFT_CARDS=true", "# @secret", `GIFT_CARD_API_KEY=${BULK_SECRET}`)
      .join("\n");
    await text.fill(edited);
    const prune = dialog.getByRole("checkbox", { name: /remove/i });
    if (await prune.count()) await prune.first().check();
    await dialog
      .getByRole("button", { name: /review|preview|diff|next|continue/i })
      .first()
      .click();
    await expectVisible(dialog.getByText("GIFT_CARD_API_KEY"), "bulk-edit", "the reviewed diff");
    await shoot(page, "bulk-edit");
  });

  await step("environments", async () => {
    await page.goto(`${base}/environments`);
    await expectVisible(
      page.getByRole("heading", { name: /environments/i }),
      "environments",
      'the heading "Environments"',
    );
    await expectVisible(page.getByText("staging"), "environments", "the custom environment staging");
    await shoot(page, "environments");
  });

  await step("seeding-wizard", async () => {
    await page.goto(`${base}/environments`);
    await page
      .getByRole("button", { name: /new environment|create environment|add environment/i })
      .first()
      .click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    await dialog.getByLabel(/name/i).first().fill("qa");
    // The source: a <select> or a Radix select/radio labelled "Seed from"/"From"/"Copy from".
    const source = dialog.getByLabel(/from/i).first();
    if ((await source.evaluate((el) => el.tagName)) === "SELECT") await source.selectOption("preview");
    else {
      await source.click();
      await page.getByRole("option", { name: "preview" }).click();
    }
    const review = dialog.getByRole("radio", { name: /review/i });
    if (await review.count()) await review.first().check();
    await dialog
      .getByRole("button", { name: /review|next|continue/i })
      .first()
      .click();
    await expectVisible(dialog.getByText("DATABASE_URL"), "seeding-wizard", "the variables to review");
    await shoot(page, "seeding-wizard");
  });

  await step("branches", async () => {
    await page.goto(`${base}/branches`);
    await expectVisible(page.getByRole("heading", { name: /branches|mapping/i }), "branches", "a heading for branches");
    await expectVisible(page.getByText("feature-checkout"), "branches", "the branch feature-checkout");
    await expectVisible(page.getByText(/not yet live on feature-checkout/), "branches", 'the "not yet live" badge');
    // The mapping's live preview, for a branch no entry names (the wildcard's).
    const preview = page.getByLabel(/preview/i).and(page.getByRole("textbox"));
    if (await expectVisible(preview, "branches", "the mapping preview's branch field"))
      await preview.first().fill("feature/login");
    await shoot(page, "branches");
  });

  await step("access", async () => {
    await page.goto(`${base}/access`);
    await expectVisible(page.getByText("deploy-preview"), "access", 'the service token "deploy-preview"');
    await expectVisible(page.getByText("Ada Lovelace"), "access", 'the member "Ada Lovelace"');
    await shoot(page, "access");
  });

  await step("history", async () => {
    await page.goto(`${base}/environments/production/history`);
    await expectVisible(page.getByRole("heading", { name: /history of/i }), "history", "the heading");
    // The Black Friday revision, expanded to its changes (the rotated secret without its value).
    const revision = page.getByRole("listitem").filter({ hasText: "Black Friday" });
    if (await expectVisible(revision, "history", "the revision with the message “Black Friday…”")) {
      const toggle = revision.getByRole("button", { name: /^Revision \d+$/ });
      await toggle.click();
      await expectVisible(revision.getByText("MAX_CART_ITEMS"), "history", "the revision's changes");
      await toggle.blur();
      await page.mouse.move(0, 0);
    }
    await shoot(page, "history");
  });

  await step("compare", async () => {
    await page.goto(`${base}/compare`);
    const baseEnv = page.getByRole("group", { name: "Base" }).getByLabel("Environment");
    const headEnv = page.getByRole("group", { name: "Head" }).getByLabel("Environment");
    if (await expectVisible(baseEnv, "compare", "the base environment picker")) {
      await baseEnv.selectOption("staging");
      await headEnv.selectOption("production");
    }
    await expectVisible(page.getByRole("table"), "compare", "the comparison table");
    await expectVisible(page.getByText("MAX_CART_ITEMS"), "compare", "the key MAX_CART_ITEMS");
    await shoot(page, "compare");
  });

  await step("audit-log", async () => {
    await page.goto(`${base}/audit`);
    await expectVisible(page.getByRole("heading", { name: /audit/i }), "audit-log", "the heading");
    await expectVisible(page.getByRole("table"), "audit-log", "the log's table");
    await shoot(page, "audit-log");
  });

  await step("webhooks", async () => {
    await page.goto(`${base}/webhooks`);
    const deliveries = page.getByRole("button", { name: `Deliveries of ${WEBHOOK_URL}` });
    if (await expectVisible(deliveries, "webhooks", "the webhook's Deliveries button")) {
      await deliveries.click();
      await expectVisible(page.getByRole("table"), "webhooks", "the deliveries table");
      await deliveries.blur();
      await page.mouse.move(0, 0);
    }
    await shoot(page, "webhooks");
  });

  // The same session in other windows: dark, and a phone.
  const state = path.join(OUT, ".session.json");
  await context.storageState({ path: state });
  try {
    await step("grid-dark", async () => {
      const dark = await newPage(browser, origin, {
        width: 1280,
        height: 800,
        colorScheme: "dark",
        storageState: state,
      });
      await dark.page.goto(base);
      await expectVisible(dark.page.getByText("DATABASE_URL"), "grid-dark", "the key DATABASE_URL");
      const isDark = await dark.page.evaluate(() => document.documentElement.classList.contains("dark"));
      if (!isDark) problems.push("grid-dark: the page is not dark with the system in dark mode");
      await shoot(dark.page, "grid-dark");
      await dark.context.close();
    });
    await step("grid-mobile", async () => {
      const phone = await newPage(browser, origin, {
        width: 390,
        height: 844,
        colorScheme: "light",
        storageState: state,
      });
      await phone.page.goto(base);
      await expectVisible(phone.page.getByText("DATABASE_URL"), "grid-mobile", "the key DATABASE_URL");
      const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) problems.push(`grid-mobile: the page scrolls sideways by ${overflow} px at 390 px wide`);
      await shoot(phone.page, "grid-mobile");
      await phone.context.close();
    });
  } finally {
    fs.rmSync(state, { force: true });
  }
  await context.close();
}

async function main(): Promise<void> {
  if (!fs.existsSync(DIST)) throw new Error("dashboard/dist is missing: run `npm run build:dashboard` first.");
  fs.mkdirSync(OUT, { recursive: true });
  const server = await startTestServer({
    listen: true,
    config: { webhookWorker: true, webhooks: { pollMs: 200, retryBaseMs: 3_600_000, timeoutMs: 3000 } },
  });
  let browser: Browser | null = null;
  try {
    await seed(server);
    forbidden.push(server.ownerToken);
    const origin = new URL(server.url).origin;
    browser = await launchChromium();
    await screens(browser, server, origin);
    // The owner token was typed into the sign-in field once; it must not come back from the server.
    if (leak) throw leak;
  } finally {
    await browser?.close();
    await server.close();
  }
  if (problems.length) {
    console.error(`\n${problems.length} problem(s):\n${problems.map((p) => `- ${p}`).join("\n")}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
