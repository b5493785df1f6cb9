/**
 * People and access in a real browser against a real server: service and personal tokens are
 * shown once (then nowhere: DOM, storage, a reload) and work or stop working at the API; members
 * are added by e-mail, their role changed and removed (the server agrees); forbidden actions are
 * disabled with the reason; users are created by instance admins only; sessions are revoked.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EnvplaneRequestError } from "../../sdk/index.js";
import { type DashboardServer, launchBrowser, newContext, signIn, startDashboardServer } from "../support/browser.js";
import { expectType } from "../support/expect.js";
import { createProject, newUser, userWithRole } from "../support/fixtures.js";

let server: DashboardServer;
let browser: Browser;

beforeAll(async () => {
  server = await startDashboardServer();
  browser = await launchBrowser();
  await createProject(server.owner, "shop");
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A signed-in page (its own context) at `path`; `errors` collects page errors. */
async function signedIn(path: string, token = server.ownerToken, options: { width?: number } = {}) {
  const session = await newContext(browser, server, options);
  session.page.setDefaultTimeout(20_000);
  await signIn(session.page, server, token);
  await session.page.goto(`${server.origin}${path}`);
  return session;
}

/** Everything the page keeps where a token could linger: the DOM and both storages. */
async function pageState(page: Page) {
  const storage = await page.evaluate(
    () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
  );
  return (await page.content()) + storage;
}

async function refused(token: string) {
  const error = await server
    .client(token)
    .viewer()
    .then(
      () => null,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(EnvplaneRequestError);
  expect((error as EnvplaneRequestError).status).toBe(401);
}

async function members(slug: string) {
  const project = (await server.owner.projectMembers({ slug, first: 100 })).project!;
  return project.members.nodes.map((m) => ({ email: m.user.email, role: m.role }));
}

describe("service tokens", () => {
  it("a new token is shown once with a copy button, works at the API, is gone after closing, and revoking stops it", async () => {
    const { context, page, errors, foreignRequests } = await signedIn("/projects/shop/access");
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.origin });
    await page.getByRole("button", { name: "New service token" }).click();
    const form = page.getByRole("dialog", { name: "New service token" });
    await form.getByLabel("Name").fill("ci-preview");
    await form.getByLabel(/^Write/).check();
    await form.getByLabel("Only these:").check();
    await form.getByLabel("production").check();
    await form.getByRole("button", { name: "Create token" }).click();

    const shown = page.getByRole("dialog", { name: "Service token ci-preview created" });
    await shown.getByText("you won't see it again").waitFor();
    const token = await shown.getByLabel("New token").inputValue();
    expect(token).toMatch(/^envp_svc_[0-9A-Za-z]{28}$/);
    await shown.getByRole("button", { name: "Copy" }).click();
    await shown.getByText("Copied to the clipboard.").waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

    // It works, with what the form asked for.
    const viewer = (await server.client(token).viewer()).viewer;
    expect(viewer.project?.slug).toBe("shop");
    expect(viewer.token).toMatchObject({
      name: "ci-preview",
      permissions: ["READ", "WRITE"],
      environments: ["production"],
    });

    await shown.getByRole("button", { name: "Done" }).click();
    await shown.waitFor({ state: "detached" });
    const row = page.getByRole("row", { name: /ci-preview/ });
    await row.getByText("read, write").waitFor();
    await row.getByText(token.slice(-4)).waitFor();
    await page.evaluate(() => navigator.clipboard.writeText(""));
    expect(await pageState(page)).not.toContain(token);
    await page.reload();
    await page.getByRole("row", { name: /ci-preview/ }).waitFor();
    expect(await pageState(page)).not.toContain(token);

    await page.getByRole("button", { name: "Revoke token ci-preview" }).click();
    await page
      .getByRole("dialog", { name: "Revoke ci-preview?" })
      .getByRole("button", { name: "Revoke token" })
      .click();
    await page
      .getByRole("row", { name: /ci-preview/ })
      .getByText(/revoked/)
      .waitFor();
    await refused(token);
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    await context.close();
  });

  it("a bad name is refused next to the field and creates nothing", async () => {
    const { context, page, errors } = await signedIn("/projects/shop/access");
    const before = (await server.owner.projectTokens({ slug: "shop", first: 100 })).project!.tokens.totalCount;
    await page.getByRole("button", { name: "New service token" }).click();
    const form = page.getByRole("dialog", { name: "New service token" });
    await form.getByLabel("Name").fill(" ");
    await form.getByLabel("Name").evaluate((input) => input.removeAttribute("required"));
    await form.getByRole("button", { name: "Create token" }).click();
    await form.getByRole("alert").first().waitFor();
    expect(await form.getByLabel("Name").getAttribute("aria-invalid")).toBe("true");
    expect((await server.owner.projectTokens({ slug: "shop", first: 100 })).project!.tokens.totalCount).toBe(before);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe("members", () => {
  it("an owner adds a member by e-mail, changes the role and removes them (the server agrees)", async () => {
    expectType(
      (await server.owner.createUser({ input: { name: "Ann", email: "ann@example.com" } })).createUser,
      "CreateUserPayload",
    );
    const { context, page, errors } = await signedIn("/projects/shop/access");

    await page.getByRole("button", { name: "Add member" }).click();
    const dialog = page.getByRole("dialog", { name: "Add a member" });
    await dialog.getByLabel("E-mail").fill("nobody@example.com");
    await dialog.getByRole("button", { name: "Add member" }).click();
    await dialog
      .getByRole("alert")
      .getByText(/No user with e-mail "nobody@example.com"/)
      .waitFor();
    expect((await members("shop")).map((m) => m.email)).not.toContain("nobody@example.com");

    await dialog.getByLabel("E-mail").fill("ann@example.com");
    await dialog.getByLabel("Role").selectOption("VIEWER");
    await dialog.getByRole("button", { name: "Add member" }).click();
    await dialog.waitFor({ state: "detached" });
    const role = page.getByLabel("Role of Ann");
    await expect.poll(() => role.inputValue()).toBe("VIEWER");
    expect(await members("shop")).toContainEqual({ email: "ann@example.com", role: "VIEWER" });

    await role.selectOption("ADMIN");
    await expect.poll(() => members("shop")).toContainEqual({ email: "ann@example.com", role: "ADMIN" });
    await expect.poll(() => role.isEnabled()).toBe(true);

    await page.getByRole("button", { name: "Remove Ann" }).click();
    const confirm = page.getByRole("dialog", { name: /Remove Ann/ });
    await confirm.getByRole("button", { name: "Remove member" }).click();
    await confirm.waitFor({ state: "detached" }); // closed once the server removed her
    await page.getByLabel("Role of Ann").waitFor({ state: "detached" });
    expect((await members("shop")).map((m) => m.email)).not.toContain("ann@example.com");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("the sole owner cannot be removed or demoted (disabled with the reason); a second owner lifts it", async () => {
    const { context, page, errors } = await signedIn("/projects/shop/access");
    const ownerRow = page.getByRole("row").filter({ has: page.getByText("you", { exact: true }) });
    const remove = ownerRow.getByRole("button", { name: /^Remove / });
    await remove.waitFor();
    expect(await remove.isDisabled()).toBe(true);
    expect(await remove.getAttribute("title")).toMatch(/^A project keeps at least one owner/);
    const role = ownerRow.getByRole("combobox");
    expect(await role.isDisabled()).toBe(true);
    expect(await role.getAttribute("title")).toMatch(/^A project keeps at least one owner/);

    const second = await userWithRole(server, "shop", "OWNER", "Otto Owner");
    await page.reload();
    await page.getByLabel("Role of Otto Owner").waitFor();
    await expect.poll(() => remove.isEnabled()).toBe(true);
    expect(await role.isEnabled()).toBe(true);
    expectType(
      (await server.owner.removeMember({ input: { project: "shop", userId: second.id } })).removeMember,
      "RemoveMemberPayload",
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  it("an instance admin adds a user without an e-mail by picking them from the list", async () => {
    const nemo = expectType(
      (await server.owner.createUser({ input: { name: "Nemo NoMail" } })).createUser,
      "CreateUserPayload",
    ).user;
    const { context, page, errors } = await signedIn("/projects/shop/access");
    await page.getByRole("button", { name: "Add member" }).click();
    const dialog = page.getByRole("dialog", { name: "Add a member" });
    await dialog.getByLabel("User", { exact: true }).selectOption({ label: "Nemo NoMail (no e-mail)" });
    expect(await dialog.getByLabel("E-mail").isDisabled()).toBe(true);
    await dialog.getByLabel("Role").selectOption("VIEWER");
    await dialog.getByRole("button", { name: "Add member" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByLabel("Role of Nemo NoMail").waitFor();
    const project = (await server.owner.projectMembers({ slug: "shop", first: 100 })).project!;
    expect(project.members.nodes.find((m) => m.user.id === nemo.id)?.role).toBe("VIEWER");
    expectType(
      (await server.owner.removeMember({ input: { project: "shop", userId: nemo.id } })).removeMember,
      "RemoveMemberPayload",
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a non-owner admin is not offered the owner role and cannot change an owner", async () => {
    const admin = await userWithRole(server, "shop", "ADMIN", "Adam Admin");
    const { context, page, errors } = await signedIn("/projects/shop/access", admin.token);
    await page.getByRole("button", { name: "Add member" }).click();
    const dialog = page.getByRole("dialog", { name: "Add a member" });
    const offered = await dialog
      .getByLabel("Role")
      .locator("option")
      .evaluateAll((o) => o.map((x) => x.getAttribute("value")));
    expect(offered).toEqual(["VIEWER", "DEVELOPER", "ADMIN"]);
    // Not an instance admin: no user list; the way to add a user without an e-mail is named.
    await expect(dialog.getByLabel("User", { exact: true }).count()).resolves.toBe(0);
    await dialog.getByText("envplane members add <user-id> --role <role>").waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();

    const ownerRow = page.getByRole("row").filter({ has: page.locator("option[value=OWNER]:checked") });
    const ownerRole = ownerRow.getByRole("combobox");
    expect(await ownerRole.isDisabled()).toBe(true);
    expect(await ownerRole.getAttribute("title")).toBe("Only owners change or remove an owner.");
    const remove = ownerRow.getByRole("button", { name: /^Remove / });
    expect(await remove.isDisabled()).toBe(true);
    // The admin's own role select offers no owner either.
    const ownOptions = await page
      .getByLabel("Role of Adam Admin")
      .locator("option")
      .evaluateAll((o) => o.map((x) => x.getAttribute("value")));
    expect(ownOptions).not.toContain("OWNER");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a viewer sees token and member actions disabled with the reason", async () => {
    const viewer = await userWithRole(server, "shop", "VIEWER", "Vera Viewer");
    const { context, page, errors } = await signedIn("/projects/shop/access", viewer.token);
    const create = page.getByRole("button", { name: "New service token" });
    await create.waitFor();
    expect(await create.isDisabled()).toBe(true);
    expect(await create.getAttribute("title")).toBe(
      "Only admins and owners of this project manage its service tokens.",
    );
    await page.getByText("Service tokens are for admins").waitFor();

    const add = page.getByRole("button", { name: "Add member" });
    expect(await add.isDisabled()).toBe(true);
    expect(await add.getAttribute("title")).toBe("Only admins and owners of this project manage members.");
    const ownRole = page.getByLabel("Role of Vera Viewer");
    await ownRole.waitFor();
    expect(await ownRole.isDisabled()).toBe(true);
    const remove = page.getByRole("button", { name: "Remove Vera Viewer" });
    expect(await remove.isDisabled()).toBe(true);
    expect(await remove.getAttribute("title")).toBe("Only admins and owners of this project manage members.");
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe("your account", () => {
  it("a personal token is created (shown once, works) and revoked (refused)", async () => {
    const { context, page, errors } = await signedIn("/settings");
    await page.getByRole("button", { name: "New personal token" }).click();
    const form = page.getByRole("dialog", { name: "New personal token" });
    await form.getByLabel("Name").fill("laptop");
    await form.getByLabel("Expires").selectOption("30");
    await form.getByRole("button", { name: "Create token" }).click();
    const shown = page.getByRole("dialog", { name: "Personal token laptop created" });
    await shown.getByText("you won't see it again").waitFor();
    const token = await shown.getByLabel("New token").inputValue();
    expect(token).toMatch(/^envp_pat_[0-9A-Za-z]{28}$/);
    const viewer = (await server.client(token).viewer()).viewer;
    const owner = (await server.owner.viewer()).viewer;
    expect(viewer.user?.id).toBe(owner.user?.id);
    const days = (Date.parse(viewer.token.expiresAt!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);

    await page.keyboard.press("Escape");
    await shown.waitFor({ state: "detached" });
    await page.getByRole("row", { name: /laptop/ }).waitFor();
    expect(await pageState(page)).not.toContain(token);
    await page.reload();
    await page.getByRole("row", { name: /laptop/ }).waitFor();
    expect(await pageState(page)).not.toContain(token);

    await page.getByRole("button", { name: "Revoke token laptop" }).click();
    await page.getByRole("dialog", { name: "Revoke laptop?" }).getByRole("button", { name: "Revoke token" }).click();
    await page
      .getByRole("row", { name: /laptop/ })
      .getByText(/revoked/)
      .waitFor();
    await refused(token);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe("users", () => {
  it("an instance admin creates a user; their first token is shown once and signs them in at the API", async () => {
    const { context, page, errors } = await signedIn("/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
    await page.getByRole("heading", { name: "Users" }).waitFor();
    await page.getByRole("button", { name: "New user" }).click();
    const form = page.getByRole("dialog", { name: "New user" });
    await form.getByLabel("Name").fill("Zoe");
    await form.getByLabel("E-mail").fill("zoe@example.com");
    await form.getByRole("button", { name: "Create user" }).click();
    const shown = page.getByRole("dialog", { name: "Zoe's first token" });
    await shown.getByText("you won't see it again").waitFor();
    const token = await shown.getByLabel("New token").inputValue();
    expect((await server.client(token).viewer()).viewer.user).toMatchObject({ name: "Zoe", email: "zoe@example.com" });
    await shown.getByRole("button", { name: "Done" }).click();
    await page.getByRole("row", { name: /zoe@example.com/ }).waitFor();
    expect(await pageState(page)).not.toContain(token);
    const users = (await server.owner.users({ first: 500 })).users.nodes;
    expect(users.map((u) => u.email)).toContain("zoe@example.com");

    // The same e-mail again: the error is next to the field, and no second user.
    await page.getByRole("button", { name: "New user" }).click();
    await form.getByLabel("Name").fill("Zoe again");
    await form.getByLabel("E-mail").fill("zoe@example.com");
    await form.getByRole("button", { name: "Create user" }).click();
    await form
      .getByRole("alert")
      .getByText(/already exists/)
      .waitFor();
    expect(
      (await server.owner.users({ first: 500 })).users.nodes.filter((u) => u.email === "zoe@example.com"),
    ).toHaveLength(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a user who is not an instance admin has no Users entry in the navigation", async () => {
    const plain = await newUser(server, "Pat Plain");
    const { context, page, errors } = await signedIn("/", plain.token);
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Your account" }).waitFor();
    expect(await nav.getByRole("link", { name: "Users" }).count()).toBe(0);
    await page.goto(`${server.origin}/users`);
    await page.getByText("Users are for instance admins").waitFor();
    expect(await page.getByRole("button", { name: "New user" }).isDisabled()).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe("sessions", () => {
  it("two browsers signed in: the first lists both and revokes the other, which lands on sign-in with a message", async () => {
    const user = await newUser(server, "Sam Sessions");
    const first = await signedIn("/settings", user.token);
    const second = await signedIn("/", user.token);
    await first.page.reload();
    const rows = first.page.getByRole("region", { name: "Sessions" }).getByRole("row");
    await expect.poll(() => rows.count()).toBe(3); // the header and two sessions
    await first.page.getByText("this browser").waitFor();
    expect((await first.page.getByText("this browser").all()).length).toBe(1);

    await first.page.getByRole("button", { name: /^Revoke session / }).click();
    await first.page
      .getByRole("dialog", { name: "Revoke this session?" })
      .getByRole("button", { name: "Revoke session" })
      .click();
    await expect.poll(() => rows.count()).toBe(2);
    const listed = (await server.client(user.token).sessions({ first: 10 })).viewer.sessions.nodes;
    expect(listed).toHaveLength(1);

    await second.page.goto(`${server.origin}/settings`);
    await second.page.getByLabel("Personal token").waitFor();
    expect(new URL(second.page.url()).pathname).toBe("/sign-in");
    await second.page.getByText(/session has ended/i).waitFor();

    // The first browser is still signed in.
    await first.page.reload();
    await first.page.getByText("this browser").waitFor();
    expect([...first.errors, ...second.errors]).toEqual([]);
    await first.context.close();
    await second.context.close();
  });

  it("sign out everywhere else ends every other session and keeps this one", async () => {
    const user = await newUser(server, "Olga Others");
    const first = await signedIn("/settings", user.token);
    // Alone: nothing to sign out, and the button says so.
    const alone = first.page.getByRole("button", { name: "Sign out everywhere else" });
    await first.page.getByText("this browser").waitFor();
    expect(await alone.isDisabled()).toBe(true);
    expect(await alone.getAttribute("title")).toBe("No other sessions.");
    const others = [await signedIn("/", user.token), await signedIn("/", user.token)];
    await first.page.reload();
    const rows = first.page.getByRole("region", { name: "Sessions" }).getByRole("row");
    await expect.poll(() => rows.count()).toBe(4);
    await first.page.getByRole("button", { name: "Sign out everywhere else" }).click();
    await first.page.getByRole("dialog").getByRole("button", { name: "Sign out other sessions" }).click();
    await first.page.getByText("Ended 2 other sessions.").waitFor();
    await expect.poll(() => rows.count()).toBe(2);
    const button = first.page.getByRole("button", { name: "Sign out everywhere else" });
    await expect.poll(() => button.isDisabled()).toBe(true);
    for (const other of others) {
      await other.page.reload();
      await other.page.getByLabel("Personal token").waitFor();
      await other.context.close();
    }
    await first.page.reload();
    await first.page.getByText("this browser").waitFor();
    await first.context.close();
  });
});

describe("narrow screens", () => {
  it("the access, account and users screens do not overflow the page at 390 px", async () => {
    const { context, page, errors } = await signedIn("/projects/shop/access", server.ownerToken, { width: 390 });
    // The project tabs scroll sideways at this width; the active one (Access, the last) is scrolled into view.
    const tabs = page.getByRole("navigation", { name: "Project" });
    const access = tabs.getByRole("link", { name: "Access" });
    await access.waitFor();
    expect(await tabs.evaluate((nav) => nav.scrollWidth > nav.clientWidth)).toBe(true);
    await expect
      .poll(async () => {
        const [row, tab] = [await tabs.boundingBox(), await access.boundingBox()];
        return !!row && !!tab && tab.x >= row.x - 1 && tab.x + tab.width <= row.x + row.width + 1;
      })
      .toBe(true);
    for (const [path, heading] of [
      ["/projects/shop/access", "Members"],
      ["/settings", "Personal tokens"],
      ["/users", "Users"],
    ] as const) {
      await page.goto(`${server.origin}${path}`);
      await page.getByRole("heading", { name: heading }).waitFor();
      await expect.poll(() => page.getByRole("status").count()).toBe(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    }
    expect(errors).toEqual([]);
    await context.close();
  });
});
