/**
 * Preview environments (issue 10 #6): createPreview clones the environment a branch deploys with
 * (secrets included, sealed again for the new environment), applies overrides with ${PREVIEW_URL},
 * maps the branch to it — one transaction — and deleting the branch deletes it.
 */
import { describe, expect, it } from "vitest";
import type { CreatePreviewInput, EnvplaneClient } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import {
  createBranch,
  createProject,
  listValues,
  runtimeValues,
  serviceToken,
  setVariable,
  userWithRole,
  useTestServer,
} from "../support/fixtures.js";
import { withRawDb } from "../support/raw-db.js";
import type { TestServer } from "../support/server.js";

const SECRET = "CANARY_PREVIEW_SECRET_7c31";
const URL = "https://pr-42.example.com";

describe("preview environments", () => {
  let server: TestServer;
  let sdk: EnvplaneClient;
  useTestServer((started) => ([server, sdk] = [started, started.owner]));

  async function project(slug: string) {
    await createProject(sdk, slug);
    await setVariable(sdk, { project: slug, environment: "preview", key: "API_URL", value: "https://api.preview" });
    await setVariable(sdk, { project: slug, environment: "preview", key: "STRIPE_KEY", value: SECRET, secret: true });
    await setVariable(sdk, { project: slug, environment: "preview", key: "LOG_LEVEL", value: "info" });
  }
  const create = (input: CreatePreviewInput, client = sdk) => client.createPreview({ input });
  const ok = async (input: CreatePreviewInput, client = sdk) =>
    expectType((await create(input, client)).createPreview, "CreatePreviewPayload");
  /** Everything that a failed createPreview must leave as it was. */
  async function state(slug: string) {
    const p = (await sdk.project({ slug })).project!;
    const events = await withRawDb(server.database, async (q) =>
      Number(
        (
          await q(
            `SELECT COUNT(*) AS n FROM "Event" e JOIN "Project" p ON p."id" = e."projectId" WHERE p."slug" = $1`,
            [slug],
          )
        )[0].n,
      ),
    );
    return {
      environments: p.environments.map((e) => [e.name, e.revision]),
      branches: p.branches.map((b) => b.name),
      mapping: p.mapping.map((m) => [m.branch, m.environment.name]),
      events,
    };
  }

  it("clones the mapped environment (secrets included, readable at runtime), applies overrides and maps the branch", async () => {
    await project("pv-basic");
    const created = await ok({
      project: "pv-basic",
      branch: "feature/Login_X",
      url: URL,
      overrides: [
        { key: "APP_URL", value: "${PREVIEW_URL}/app" },
        { key: "LOG_LEVEL", value: "debug" },
      ],
    });
    expect(created.environment.name).toBe("preview/feature-login_x");
    expect(created).toMatchObject({ branchCreated: true, from: "preview", overridden: ["APP_URL", "LOG_LEVEL"] });
    expect([...created.copied].sort()).toEqual(["API_URL", "LOG_LEVEL", "STRIPE_KEY"]);
    expect(created.environment).toMatchObject({
      url: URL,
      previewBranch: { name: "feature/Login_X" },
      previewOf: { name: "preview" },
      revision: 1,
    });
    // The API shows secrets as null, as everywhere.
    const listed = await listValues(sdk, "pv-basic", "preview/feature-login_x");
    expect(listed.values).toEqual({
      API_URL: { value: "https://api.preview", isSecret: false },
      APP_URL: { value: `${URL}/app`, isSecret: false },
      LOG_LEVEL: { value: "debug", isSecret: false },
      STRIPE_KEY: { value: null, isSecret: true },
    });
    // A deployment of the branch resolves the preview, secret included (decrypted with the new environment's AAD).
    const runtime = await runtimeValues(server, "pv-basic", "feature/Login_X");
    expect(runtime.environment).toBe("preview/feature-login_x");
    expect(runtime.values.STRIPE_KEY).toEqual({ value: SECRET, isSecret: true });
    expect(runtime.values.APP_URL.value).toBe(`${URL}/app`);
    // The source is untouched; other branches still deploy with it.
    expect((await listValues(sdk, "pv-basic", "preview")).values.LOG_LEVEL.value).toBe("info");
    await createBranch(sdk, "pv-basic", "other");
    expect((await runtimeValues(server, "pv-basic", "other")).environment).toBe("preview");
    // Exact entry, before the wildcard.
    const p = (await sdk.previews({ slug: "pv-basic" })).project!;
    expect(p.previews.map((e) => e.name)).toEqual(["preview/feature-login_x"]);
    const mapping = (await sdk.project({ slug: "pv-basic" })).project!.mapping.map((m) => [
      m.branch,
      m.environment.name,
    ]);
    expect(mapping).toEqual([
      ["main", "production"],
      ["feature/Login_X", "preview/feature-login_x"],
      ["*", "preview"],
    ]);
    // One event, one revision, no value in it.
    const events = (await sdk.auditLog({ project: "pv-basic", first: 20 })).auditLog.nodes;
    expect(events.filter((e) => e.action === "preview.create")).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain(SECRET);
    // Ciphertexts are not copied bytes: each is sealed for the new environment (and never plaintext).
    await withRawDb(server.database, async (q) => {
      const rows = await q(
        `SELECT v."ciphertext" FROM "Variable" v JOIN "Environment" e ON e."id" = v."environmentId"
          WHERE v."key" = 'STRIPE_KEY' AND e."name" IN ('preview', 'preview/feature-login_x')`,
      );
      expect(rows).toHaveLength(2);
      const hex = rows.map((r) => Buffer.from(r.ciphertext as Uint8Array).toString("hex"));
      expect(hex[0]).not.toBe(hex[1]);
      for (const h of hex) expect(Buffer.from(h, "hex").toString("latin1")).not.toContain(SECRET);
    });
  });

  it("clones the values the branch sees (its overrides applied) and takes an explicit source", async () => {
    await project("pv-from");
    await createBranch(sdk, "pv-from", "feat-a");
    await setVariable(sdk, {
      project: "pv-from",
      environment: "preview",
      key: "API_URL",
      value: "https://a",
      branch: "feat-a",
    });
    await setVariable(sdk, { project: "pv-from", environment: "production", key: "ONLY_PROD", value: "p" });
    const a = await ok({ project: "pv-from", branch: "feat-a", url: URL });
    expect(a.branchCreated).toBe(false);
    expect((await listValues(sdk, "pv-from", a.environment.name)).values.API_URL.value).toBe("https://a");
    const b = await ok({ project: "pv-from", branch: "feat-b", url: "http://b.local:3000", from: "production" });
    expect(b.from).toBe("production");
    expect(Object.keys((await listValues(sdk, "pv-from", "preview/feat-b")).values)).toEqual(["ONLY_PROD"]);
    // Previews are never protected, even when cloned from a protected environment.
    expect(
      (await sdk.project({ slug: "pv-from" })).project!.environments.find((e) => e.name === "preview/feat-b"),
    ).toMatchObject({ isProtected: false });
  });

  it("sanitizes branch names and resolves collisions with -2, -3", async () => {
    await project("pv-names");
    const names = [];
    for (const branch of ["Feature/X", "feature-x", "feature.x", "..x..", "-/"].slice(0, 3))
      names.push((await ok({ project: "pv-names", branch, url: URL })).environment.name);
    expect(names).toEqual(["preview/feature-x", "preview/feature-x-2", "preview/feature-x-3"]);
    const long = `a/${"B".repeat(150)}`;
    const name = (await ok({ project: "pv-names", branch: long, url: URL })).environment.name;
    expect(name).toMatch(/^preview\/a-b+$/);
    expect(name.length).toBeLessThanOrEqual("preview/".length + 63);
    // A hand-made environment cannot take a preview/ name.
    const manual = (await sdk.createEnvironment({ input: { project: "pv-names", name: "preview/x" } }))
      .createEnvironment;
    expect(expectType(manual, "ValidationError").message).toContain("envplane preview create");
  });

  it("refuses a second preview for a branch, bad input, and changes nothing", async () => {
    await project("pv-bad");
    await ok({ project: "pv-bad", branch: "feat", url: URL });
    const before = await state("pv-bad");
    const again = expectType(
      (await create({ project: "pv-bad", branch: "feat", url: URL })).createPreview,
      "ConflictError",
    );
    expect(again.message).toContain("already has a preview environment");
    const cases: [Partial<CreatePreviewInput>, string][] = [
      [{ url: "ftp://x.example.com" }, "http:// or https://"],
      [{ url: "not a url" }, "not an absolute URL"],
      [{ url: "https://user:pw@x.example.com" }, "user name or password"],
      [{ branch: "../x" }, "Branch"],
      [{ overrides: [{ key: "1BAD", value: "x" }] }, "Variable key"],
      [
        {
          overrides: [
            { key: "A", value: "1" },
            { key: "A", value: "2" },
          ],
        },
        "appears twice",
      ],
      [{ overrides: [{ key: "BIG", value: `${"x".repeat(65_530)}\${PREVIEW_URL}` }] }, "larger than"],
    ];
    for (const [change, text] of cases) {
      const r = expectType(
        (await create({ project: "pv-bad", branch: "other", url: URL, ...change })).createPreview,
        "ValidationError",
      );
      expect(r.message + JSON.stringify(r.fieldErrors)).toContain(text);
      expect(r.fieldErrors.length).toBeGreaterThan(0);
    }
    expectType(
      (await create({ project: "pv-bad", branch: "other", url: URL, from: "nope" })).createPreview,
      "NotFoundError",
    );
    expect(await state("pv-bad")).toEqual(before);
  });

  it("two concurrent creates for one branch: one preview, the other a ConflictError", async () => {
    await project("pv-race");
    const results = await Promise.all([1, 2, 3].map(() => create({ project: "pv-race", branch: "race", url: URL })));
    const types = results.map((r) => r.createPreview.__typename).sort();
    expect(types).toEqual(["ConflictError", "ConflictError", "CreatePreviewPayload"]);
    const p = (await sdk.previews({ slug: "pv-race" })).project!;
    expect(p.previews.map((e) => e.name)).toEqual(["preview/race"]);
    const branches = (await sdk.project({ slug: "pv-race" })).project!.branches.map((b) => b.name);
    expect(branches.filter((b) => b === "race")).toHaveLength(1);
  });

  it("is one transaction: a failure after the environment was created leaves nothing", async () => {
    await project("pv-tx");
    const before = await state("pv-tx");
    // A damaged source value fails the clone after the branch and the environment were inserted.
    await withRawDb(server.database, async (q) => {
      await q(
        `UPDATE "Variable" SET "ciphertext" = "ciphertext" || ${server.database.provider === "sqlite" ? "X'00'" : "'\\x00'::bytea"}
          WHERE "key" = 'STRIPE_KEY'`,
      );
    });
    const r = (await create({ project: "pv-tx", branch: "feat-tx", url: URL })).createPreview;
    expect(r.__typename).not.toBe("CreatePreviewPayload");
    expect(JSON.stringify(r)).not.toContain(SECRET);
    expect(await state("pv-tx")).toEqual(before);
    await withRawDb(server.database, async (q) => {
      expect(await q(`SELECT "name" FROM "Environment" WHERE "name" = 'preview/feat-tx'`)).toEqual([]);
      expect(await q(`SELECT "name" FROM "ProjectBranch" WHERE "name" = 'feat-tx'`)).toEqual([]);
      expect(
        await q(`SELECT "number" FROM "Revision" r WHERE "action" = 'preview.create' AND NOT EXISTS
        (SELECT 1 FROM "Environment" e WHERE e."id" = r."environmentId")`),
      ).toEqual([]);
    });
  });

  it("deleting the branch deletes its preview environment and mapping entry, and says so", async () => {
    await project("pv-del");
    const { environment } = await ok({ project: "pv-del", branch: "feat-del", url: URL });
    const deleted = expectType(
      (await sdk.deleteBranch({ input: { project: "pv-del", name: "feat-del" } })).deleteBranch,
      "DeleteBranchPayload",
    );
    expect(deleted.previewDeleted).toBe(environment.name);
    const p = (await sdk.project({ slug: "pv-del" })).project!;
    expect(p.environments.map((e) => e.name)).not.toContain(environment.name);
    expect(p.mapping.map((m) => m.branch)).toEqual(["main", "*"]);
    expect((await sdk.previews({ slug: "pv-del" })).project!.previews).toEqual([]);
    // A branch without a preview reports none.
    await createBranch(sdk, "pv-del", "plain");
    const plain = expectType(
      (await sdk.deleteBranch({ input: { project: "pv-del", name: "plain" } })).deleteBranch,
      "DeleteBranchPayload",
    );
    expect(plain.previewDeleted).toBeNull();
  });

  it("deletePreview deletes the environment and its mapping entry; the branch stays and deploys as before", async () => {
    await project("pv-dp");
    await ok({ project: "pv-dp", branch: "feat", url: URL });
    const r = expectType(
      (await sdk.deletePreview({ input: { project: "pv-dp", branch: "feat" } })).deletePreview,
      "DeletePreviewPayload",
    );
    expect(r).toMatchObject({ name: "preview/feat", branch: "feat" });
    const p = (await sdk.project({ slug: "pv-dp" })).project!;
    expect(p.branches.map((b) => b.name)).toContain("feat");
    expect(p.environments.map((e) => e.name)).not.toContain("preview/feat");
    expect((await runtimeValues(server, "pv-dp", "feat")).environment).toBe("preview");
    const again = (await sdk.deletePreview({ input: { project: "pv-dp", branch: "feat" } })).deletePreview;
    expect(expectType(again, "NotFoundError").message).toContain("has no preview environment");
    // A new preview can be made again, with the same name.
    expect((await ok({ project: "pv-dp", branch: "feat", url: URL })).environment.name).toBe("preview/feat");
  });

  it("only admins who may write the source create previews; tokens cannot clone secrets they cannot read", async () => {
    await project("pv-authz");
    const developer = await userWithRole(server, "pv-authz", "DEVELOPER");
    const token = await serviceToken(server, "pv-authz", ["READ", "WRITE", "RUNTIME"], ["preview"]);
    const admin = await userWithRole(server, "pv-authz", "ADMIN");
    const before = await state("pv-authz");
    const denied = expectType(
      (await create({ project: "pv-authz", branch: "feat", url: URL }, developer.client)).createPreview,
      "ForbiddenError",
    );
    expect(denied.message).toContain("admins");
    // A service token that may write and resolve the source (but not read its secrets through the API)
    // still cannot clone them into an environment of its choosing.
    expectType(
      (await create({ project: "pv-authz", branch: "feat", url: URL }, token.client)).createPreview,
      "ForbiddenError",
    );
    // A runtime token scoped to the source does not see the preview (a new environment is not in its scope).
    expect(await state("pv-authz")).toEqual(before);
    await ok({ project: "pv-authz", branch: "feat", url: URL }, admin.client);
    const scoped = (await token.client.runtimeVariables({ project: "pv-authz", branch: "feat" })).runtimeVariables;
    expect(scoped.__typename).toBe("ForbiddenError");
    expect(JSON.stringify(scoped)).not.toContain(SECRET);
    expect((await token.client.previews({ slug: "pv-authz" })).project!.previews).toEqual([]);
    // deletePreview needs admins too.
    expectType(
      (await developer.client.deletePreview({ input: { project: "pv-authz", branch: "feat" } })).deletePreview,
      "ForbiddenError",
    );
  });

  it("a preview is never protected: updateEnvironment refuses it and changes nothing", async () => {
    await project("pv-prot");
    const { environment } = await ok({ project: "pv-prot", branch: "feat", url: URL });
    const r = (
      await sdk.updateEnvironment({ input: { project: "pv-prot", name: environment.name, isProtected: true } })
    ).updateEnvironment;
    expect(expectType(r, "ValidationError").message).toContain("previews are never protected");
    const p = (await sdk.project({ slug: "pv-prot" })).project!;
    expect(p.environments.find((e) => e.name === environment.name)).toMatchObject({ isProtected: false });
  });

  it('deleting the branch keeps a mapping entry an admin pointed at the preview ("*"): refused, naming it', async () => {
    await project("pv-map");
    await ok({ project: "pv-map", branch: "feat", url: URL });
    const mapping = (await sdk.project({ slug: "pv-map" })).project!.mapping.map((m) => ({
      branch: m.branch,
      environment: m.environment.name,
    }));
    expectType(
      (
        await sdk.updateBranchMapping({
          input: {
            project: "pv-map",
            entries: [...mapping.filter((m) => m.branch !== "*"), { branch: "*", environment: "preview/feat" }],
          },
        })
      ).updateBranchMapping,
      "UpdateBranchMappingPayload",
    );
    const before = await state("pv-map");
    const refused = (await sdk.deleteBranch({ input: { project: "pv-map", name: "feat" } })).deleteBranch;
    expect(expectType(refused, "ConflictError").message).toContain('"*" to preview/feat');
    expect(await state("pv-map")).toEqual(before);
    // Pointed elsewhere, the branch and its preview go, and only the exact entry with them.
    expectType(
      (
        await sdk.updateBranchMapping({
          input: { project: "pv-map", entries: mapping },
        })
      ).updateBranchMapping,
      "UpdateBranchMappingPayload",
    );
    expectType(
      (await sdk.deleteBranch({ input: { project: "pv-map", name: "feat" } })).deleteBranch,
      "DeleteBranchPayload",
    );
    expect((await sdk.project({ slug: "pv-map" })).project!.mapping.map((m) => m.branch)).toEqual(["main", "*"]);
  });

  it("deleting a branch with a preview sends environment.deleted for the preview as well as branch.deleted", async () => {
    await project("pv-bdel");
    expectType(
      (
        await sdk.createWebhook({
          input: {
            project: "pv-bdel",
            url: "http://127.0.0.1:9/hook",
            events: ["ENVIRONMENT_DELETED", "BRANCH_DELETED"],
          },
        })
      ).createWebhook,
      "CreateWebhookPayload",
    );
    await ok({ project: "pv-bdel", branch: "feat", url: URL });
    expectType(
      (await sdk.deleteBranch({ input: { project: "pv-bdel", name: "feat" } })).deleteBranch,
      "DeleteBranchPayload",
    );
    const payloads = (await sdk.webhookDeliveries({ slug: "pv-bdel" })).project!.webhooks[0].deliveries.nodes.map((d) =>
      JSON.parse(d.payload),
    );
    expect(payloads.map((p) => [p.type, p.data.environment?.name ?? null, p.data.branch]).sort()).toEqual([
      ["branch.deleted", null, "feat"],
      ["environment.deleted", "preview/feat", "feat"],
    ]);
  });

  it("webhooks see environment.created and environment.deleted for the preview, with its name", async () => {
    await project("pv-hooks");
    const hook = expectType(
      (
        await sdk.createWebhook({
          input: {
            project: "pv-hooks",
            url: "http://127.0.0.1:9/hook",
            events: ["ENVIRONMENT_CREATED", "ENVIRONMENT_DELETED"],
          },
        })
      ).createWebhook,
      "CreateWebhookPayload",
    );
    await ok({ project: "pv-hooks", branch: "feat", url: URL });
    expectType(
      (await sdk.deletePreview({ input: { project: "pv-hooks", branch: "feat" } })).deletePreview,
      "DeletePreviewPayload",
    );
    const deliveries = (await sdk.webhookDeliveries({ slug: "pv-hooks" })).project!.webhooks.find(
      (w) => w.id === hook.webhook.id,
    )!.deliveries.nodes;
    const payloads = deliveries.map((d) => JSON.parse(d.payload));
    expect(payloads.map((p) => [p.type, p.data.environment?.name, p.data.branch]).sort()).toEqual([
      ["environment.created", "preview/feat", "feat"],
      ["environment.deleted", "preview/feat", "feat"],
    ]);
    expect(JSON.stringify(payloads)).not.toContain(SECRET);
  });

  it("never puts a secret value in an answer, an error or the server log", async () => {
    await project("pv-leak");
    await ok({
      project: "pv-leak",
      branch: "feat",
      url: URL,
      overrides: [{ key: "EXTRA", value: SECRET, secret: true }],
    });
    const answers = JSON.stringify([
      await sdk.previews({ slug: "pv-leak" }),
      await create({ project: "pv-leak", branch: "feat", url: URL }),
      await sdk.auditLog({ project: "pv-leak", first: 10 }),
    ]);
    expect(answers).not.toContain(SECRET);
    expect(server.logs.join("\n")).not.toContain(SECRET);
    expect((await listValues(sdk, "pv-leak", "preview/feat")).values.EXTRA).toEqual({ value: null, isSecret: true });
  });
});
