/**
 * Project branches from GitHub pushes, end to end: a real server on a port receives payloads shaped
 * like GitHub's (push, create, delete, ping), signed with X-Hub-Signature-256 like GitHub signs them,
 * on SQLite and PostgreSQL. Every refusal is checked to change nothing.
 */
import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectType } from "../support/expect.js";
import { createProject, setVariable, userWithRole } from "../support/fixtures.js";
import { databaseSnapshot } from "../support/raw-db.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
let base: string;

beforeAll(async () => {
  server = await startTestServer({ listen: true });
  base = server.url.replace(/\/graphql$/, "");
});
afterAll(() => server?.close());

const repository = { id: 1, name: "shop", full_name: "acme/shop", default_branch: "trunk", private: true };
const sender = { login: "octocat", id: 583231, type: "User" };

function pushPayload(branch: string, options: { created?: boolean; deleted?: boolean } = {}) {
  const sha = randomUUID().replaceAll("-", "").padEnd(40, "0");
  return {
    ref: `refs/heads/${branch}`,
    before: options.created ? "0".repeat(40) : sha,
    after: options.deleted ? "0".repeat(40) : sha,
    created: options.created ?? false,
    deleted: options.deleted ?? false,
    forced: false,
    base_ref: null,
    compare: `https://github.com/acme/shop/compare/${branch}`,
    commits: [],
    head_commit: null,
    repository,
    pusher: { name: "octocat", email: "octocat@example.com" },
    sender,
  };
}

const refPayload = (ref: string, refType: "branch" | "tag") => ({
  ref,
  ref_type: refType,
  master_branch: "trunk",
  description: null,
  pusher_type: "user",
  repository,
  sender,
  // GitHub's payloads differ per delivery (timestamps); so do ours, so the body-hash replay check does not bite.
  nonce: randomUUID(),
});

const sign = (secret: string, body: string) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

interface Sent {
  status: number;
  body: {
    ok?: boolean;
    outcome?: string;
    reason?: string | null;
    overridesRemoved?: number;
    error?: { code: string; message: string };
  };
}

async function deliver(
  url: string,
  event: string,
  payload: unknown,
  options: { secret?: string | null; signature?: string; delivery?: string; contentType?: string; raw?: string } = {},
): Promise<Sent> {
  const body = options.raw ?? JSON.stringify(payload);
  const headers: Record<string, string> = {
    "content-type": options.contentType ?? "application/json",
    "user-agent": "GitHub-Hookshot/abc123",
    "x-github-event": event,
    "x-github-delivery": options.delivery ?? randomUUID(),
    "x-github-hook-id": "123",
  };
  if (options.signature) headers["x-hub-signature-256"] = options.signature;
  else if (options.secret) headers["x-hub-signature-256"] = sign(options.secret, body);
  const response = await fetch(url, { method: "POST", headers, body });
  return { status: response.status, body: (await response.json()) as Sent["body"] };
}

async function branches(slug: string) {
  const { project } = await server.owner.project({ slug });
  return project!.branches.map((b) => b.name).sort();
}

async function connect(slug: string, createPreviews = false) {
  const result = await server.owner.connectGit({ input: { project: slug, createPreviews } });
  return expectType(result.connectGit, "GitSecretPayload");
}

async function deliveries(slug: string) {
  const { project } = await server.owner.gitConnection({ slug, first: 100 });
  return project!.git!.deliveries;
}

describe("connecting a project to GitHub", () => {
  it("returns a URL not derived from the slug and a secret shown once, stored sealed", async () => {
    await createProject(server.owner, "conn");
    const { url, secret, git } = await connect("conn");
    expect(url).toMatch(new RegExp(`^${base}/hooks/github/[A-Za-z0-9_-]{20,}$`));
    expect(url).not.toContain("conn");
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(git.url).toBe(url);
    expect(git.createPreviews).toBe(false);
    expect(git.lastDeliveryAt).toBeNull();
    // Read again: the URL, never the secret.
    const { project } = await server.owner.gitConnection({ slug: "conn" });
    expect(JSON.stringify(project)).not.toContain(secret);
    expect(project!.git!.url).toBe(url);
    expect((await databaseSnapshot(server.database)).contains(secret)).toBe(false);
    expect(server.logs.join("\n")).not.toContain(secret);

    // Connecting again is refused with what to do instead; the secret stays valid.
    const again = expectType(
      (await server.owner.connectGit({ input: { project: "conn" } })).connectGit,
      "ConflictError",
    );
    expect(again.message).toContain("rotate-secret");
    const ping = await deliver(url, "ping", { zen: "Keep it logically awesome.", hook_id: 1, repository }, { secret });
    expect(ping).toEqual({ status: 200, body: expect.objectContaining({ ok: true, outcome: "pong" }) });
  });

  it("is for admins and owners only", async () => {
    await createProject(server.owner, "perm");
    const dev = await userWithRole(server, "perm", "DEVELOPER");
    const devClient = server.client(dev.token);
    expectType((await devClient.connectGit({ input: { project: "perm" } })).connectGit, "ForbiddenError");
    const read = await devClient.gitConnection({ slug: "perm" }).catch((e: Error) => e);
    expect(String(read)).toContain("Only admins and owners");
    expect((await devClient.gitPermission({ slug: "perm" })).project!.viewerCanManageGit).toBe(false);
    expect((await server.owner.gitPermission({ slug: "perm" })).project!.viewerCanManageGit).toBe(true);
  });
});

describe("deliveries", () => {
  let url: string;
  let secret: string;
  beforeAll(async () => {
    await createProject(server.owner, "shop");
    ({ url, secret } = await connect("shop"));
  });

  it("a pushed new branch creates the project branch; the delivery is listed and audited as system github", async () => {
    const sent = await deliver(url, "push", pushPayload("feature/login", { created: true }), {
      secret,
      delivery: "11111111-1111-4111-8111-111111111111",
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ ok: true, outcome: "created" });
    expect(await branches("shop")).toContain("feature/login");
    const [latest] = await deliveries("shop");
    expect(latest).toMatchObject({
      deliveryId: "11111111-1111-4111-8111-111111111111",
      event: "push",
      outcome: "CREATED",
      branch: "feature/login",
      repository: "acme/shop",
    });
    const log = await server.owner.auditLog({ project: "shop", first: 5 });
    const event = log.auditLog.nodes.find((e) => e.action === "git.push")!;
    expect(event.actor).toMatchObject({ type: "SYSTEM", name: "github", tokenId: null });
    expect(event.branch).toBe("feature/login");
    const verified = await server.owner.verifyAuditLog({ project: "shop" });
    expect(expectType(verified.verifyAuditLog, "AuditVerification").ok).toBe(true);
    const { project } = await server.owner.gitConnection({ slug: "shop" });
    expect(project!.git!.lastDeliveryAt).not.toBeNull();
  });

  it("a create event for a branch creates it; the push that follows changes nothing", async () => {
    expect((await deliver(url, "create", refPayload("fix-42", "branch"), { secret })).body.outcome).toBe("created");
    const push = await deliver(url, "push", pushPayload("fix-42", { created: true }), { secret });
    expect(push.body).toMatchObject({ outcome: "unchanged" });
    expect((await branches("shop")).filter((b) => b === "fix-42")).toHaveLength(1);
  });

  it("a replayed delivery is refused with 409 and changes nothing, even under a new delivery id", async () => {
    const payload = pushPayload("replayed", { created: true });
    const delivery = randomUUID();
    expect((await deliver(url, "push", payload, { secret, delivery })).status).toBe(200);
    // Someone deletes the branch meanwhile; a replay must not bring it back.
    expectType(
      (await server.owner.deleteBranch({ input: { project: "shop", name: "replayed" } })).deleteBranch,
      "DeleteBranchPayload",
    );
    const before = (await deliveries("shop")).length;
    const replay = await deliver(url, "push", payload, { secret, delivery });
    expect(replay.status).toBe(409);
    expect(replay.body.error!.message).toContain("already processed");
    const underNewId = await deliver(url, "push", payload, { secret, delivery: randomUUID() });
    expect(underNewId.status).toBe(409);
    expect(await branches("shop")).not.toContain("replayed");
    expect((await deliveries("shop")).length).toBe(before);
  });

  it("the same delivery sent twice at once is processed once", async () => {
    const payload = pushPayload("concurrent", { created: true });
    const delivery = randomUUID();
    const both = await Promise.all([
      deliver(url, "push", payload, { secret, delivery }),
      deliver(url, "push", payload, { secret, delivery }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await deliveries("shop")).filter((d) => d.deliveryId === delivery)).toHaveLength(1);
    expect((await branches("shop")).filter((b) => b === "concurrent")).toHaveLength(1);
  });

  it("GitHub's create and push for one new branch, arriving together, both succeed", async () => {
    for (let i = 0; i < 3; i++) {
      const name = `together-${i}`;
      const both = await Promise.all([
        deliver(url, "create", refPayload(name, "branch"), { secret }),
        deliver(url, "push", pushPayload(name, { created: true }), { secret }),
      ]);
      expect(both.map((r) => r.status)).toEqual([200, 200]);
      expect(both.map((r) => r.body.outcome).sort()).toEqual(["created", "unchanged"]);
      expect((await branches("shop")).filter((b) => b === name)).toHaveLength(1);
    }
  });

  it("a deleted branch is deleted with its overrides (reported); a default branch never is", async () => {
    await setVariable(server.owner, { project: "shop", environment: "production", key: "API_URL", value: "https://a" });
    await deliver(url, "create", refPayload("feature/pay", "branch"), { secret });
    await setVariable(server.owner, {
      project: "shop",
      environment: "production",
      branch: "feature/pay",
      key: "API_URL",
      value: "https://pay",
    });
    const deleted = await deliver(url, "delete", refPayload("feature/pay", "branch"), { secret });
    expect(deleted.body).toMatchObject({ outcome: "deleted", overridesRemoved: 1 });
    expect(await branches("shop")).not.toContain("feature/pay");
    const [latest] = await deliveries("shop");
    expect(latest).toMatchObject({ event: "delete", outcome: "DELETED", overridesRemoved: 1 });
    // The override's removal is a revision of production, by github.
    const history = await server.owner.environmentHistory({ project: "shop", environment: "production", first: 1 });
    expect(history.project!.environment!.revisions.nodes[0]).toMatchObject({
      action: "git.delete",
      actor: { type: "SYSTEM", name: "github" },
      removed: 1,
    });

    // main and dev (the project's defaults) and the repository's default branch (trunk) are never deleted.
    await deliver(url, "push", pushPayload("trunk", { created: true }), { secret });
    for (const name of ["main", "dev", "trunk"]) {
      const refused = await deliver(url, "push", pushPayload(name, { deleted: true }), { secret });
      expect(refused.status).toBe(200);
      expect(refused.body.outcome).toBe("refused");
      expect(refused.body.reason).toContain("never deleted");
      const viaDelete = await deliver(url, "delete", refPayload(name, "branch"), { secret });
      expect(viaDelete.body.outcome).toBe("refused");
    }
    expect(await branches("shop")).toEqual(expect.arrayContaining(["main", "dev", "trunk"]));
    expect((await deliveries("shop"))[0]).toMatchObject({ outcome: "REFUSED", branch: "trunk" });
  });

  it("tags, other events and Git names that are not valid branch names are answered, recorded, and change nothing", async () => {
    const before = await branches("shop");
    const tag = await deliver(url, "create", refPayload("v1.0.0", "tag"), { secret });
    expect(tag.body).toMatchObject({ outcome: "ignored" });
    expect(tag.body.reason).toContain("tag");
    const tagPush = await deliver(url, "push", { ...pushPayload("x"), ref: "refs/tags/v1.0.0" }, { secret });
    expect(tagPush.body).toMatchObject({ outcome: "ignored" });
    const issue = await deliver(url, "issues", { action: "opened", repository }, { secret });
    expect(issue.body).toMatchObject({ outcome: "ignored" });
    expect(issue.body.reason).toContain("push, create and delete");
    const odd = await deliver(url, "push", pushPayload("fix#12", { created: true }), { secret });
    expect(odd.status).toBe(200);
    expect(odd.body.outcome).toBe("refused");
    expect(odd.body.reason).toContain("Branch names use letters");
    expect(await branches("shop")).toEqual(before);
    expect((await deliveries("shop"))[0]).toMatchObject({ branch: "fix#12", outcome: "REFUSED" });
  });

  it("refuses bad and missing signatures, form-encoded bodies and unknown URLs, changing nothing", async () => {
    const before = (await deliveries("shop")).length;
    const payload = pushPayload("sneaky", { created: true });
    const body = JSON.stringify(payload);
    const wrong = await deliver(url, "push", payload, { secret: "not-the-secret" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error!.code).toBe("SIGNATURE_MISMATCH");
    // Signed correctly, but a byte of the body changed afterwards.
    const tampered = await deliver(url, "push", null, {
      signature: sign(secret, body),
      raw: body.replace("sneaky", "sneakz"),
    });
    expect(tampered.status).toBe(401);
    const malformed = await deliver(url, "push", payload, { signature: "sha1=abc" });
    expect(malformed.status).toBe(401);
    const missing = await deliver(url, "push", payload, { secret: null });
    expect(missing.status).toBe(401);
    expect(missing.body.error!.message).toContain("X-Hub-Signature-256");
    const form = await deliver(url, "push", null, {
      contentType: "application/x-www-form-urlencoded",
      raw: `payload=${encodeURIComponent(body)}`,
      secret,
    });
    expect(form.status).toBe(415);
    expect(form.body.error!.message).toContain("application/json");
    const unknown = await deliver(`${base}/hooks/github/notaconnection123456789`, "push", payload, { secret });
    expect(unknown.status).toBe(404);
    const notJson = await deliver(url, "push", null, { raw: "{not json", secret });
    expect(notJson.status).toBe(400);
    const get = await fetch(url);
    expect(get.status).toBe(405);
    const big = await deliver(url, "push", null, { raw: `{"x":"${"a".repeat(6 * 1024 * 1024)}"}`, secret });
    expect(big.status).toBe(413);
    expect(await branches("shop")).not.toContain("sneaky");
    expect((await deliveries("shop")).length).toBe(before);
    expect(server.logs.join("\n")).not.toContain(secret);
  });

  it("a rotated secret replaces the old one; after disconnecting the URL answers 404 and branches stay", async () => {
    const rotated = expectType(
      (await server.owner.rotateGitSecret({ input: { project: "shop" } })).rotateGitSecret,
      "GitSecretPayload",
    );
    expect(rotated.url).toBe(url);
    expect(rotated.secret).not.toBe(secret);
    const old = await deliver(url, "push", pushPayload("after-rotate", { created: true }), { secret });
    expect(old.status).toBe(401);
    const fresh = await deliver(url, "push", pushPayload("after-rotate", { created: true }), {
      secret: rotated.secret,
    });
    expect(fresh.body.outcome).toBe("created");

    const updated = expectType(
      (
        await server.owner.updateGit({
          input: { project: "shop", createPreviews: true, previewUrl: "https://{branch}.p.test" },
        })
      ).updateGit,
      "UpdateGitPayload",
    );
    expect(updated.git.createPreviews).toBe(true);

    expectType(
      (await server.owner.disconnectGit({ input: { project: "shop" } })).disconnectGit,
      "DisconnectGitPayload",
    );
    const gone = await deliver(url, "push", pushPayload("after-disconnect", { created: true }), {
      secret: rotated.secret,
    });
    expect(gone.status).toBe(404);
    expect((await server.owner.gitConnection({ slug: "shop" })).project!.git).toBeNull();
    expect(await branches("shop")).toContain("after-rotate");
    const again = expectType(
      (await server.owner.disconnectGit({ input: { project: "shop" } })).disconnectGit,
      "NotFoundError",
    );
    expect(again.message).toContain("envplane git connect");
  });

  it("outgoing webhooks see GitHub-created and deleted branches as branch.created / branch.deleted by system github", async () => {
    await createProject(server.owner, "outb");
    expectType(
      (
        await server.owner.createWebhook({
          input: { project: "outb", url: "http://127.0.0.1:9/hook", events: ["BRANCH_CREATED", "BRANCH_DELETED"] },
        })
      ).createWebhook,
      "CreateWebhookPayload",
    );
    const { url: u, secret: s } = await connect("outb");
    await deliver(u, "push", pushPayload("feature/out", { created: true }), { secret: s });
    await deliver(u, "delete", refPayload("feature/out", "branch"), { secret: s });
    await deliver(u, "create", refPayload("v2", "tag"), { secret: s }); // nothing to report
    const hooks = (await server.owner.webhookDeliveries({ slug: "outb" })).project!.webhooks;
    const payloads = hooks[0].deliveries.nodes.map((d) => JSON.parse(d.payload)).reverse();
    expect(payloads).toMatchObject([
      { type: "branch.created", data: { branch: "feature/out", actor: { type: "system", name: "github" } } },
      { type: "branch.deleted", data: { branch: "feature/out", actor: { type: "system", name: "github" } } },
    ]);
  });

  it("with previews on, a pushed branch gets its preview environment; deleting the branch deletes it (reported)", async () => {
    await createProject(server.owner, "prev");
    const refused = await server.owner.connectGit({ input: { project: "prev", createPreviews: true } });
    const invalid = expectType(refused.connectGit, "ValidationError");
    expect(invalid.fieldErrors[0]).toMatchObject({ path: ["previewUrl"] });
    expect(invalid.message).toContain("{branch}");
    const badUrl = await server.owner.connectGit({
      input: { project: "prev", createPreviews: true, previewUrl: "ftp://{branch}.example.com" },
    });
    expectType(badUrl.connectGit, "ValidationError");
    const noBranch = await server.owner.connectGit({
      input: { project: "prev", createPreviews: true, previewUrl: "https://preview.example.com" },
    });
    expect(expectType(noBranch.connectGit, "ValidationError").message).toContain("needs {branch}");
    expect((await server.owner.gitConnection({ slug: "prev" })).project!.git).toBeNull();

    const connected = expectType(
      (
        await server.owner.connectGit({
          input: { project: "prev", createPreviews: true, previewUrl: "https://{branch}.preview.example.com" },
        })
      ).connectGit,
      "GitSecretPayload",
    );
    await setVariable(server.owner, { project: "prev", environment: "preview", key: "API_URL", value: "https://api" });
    const sent = await deliver(connected.url, "push", pushPayload("feature/Login_X", { created: true }), {
      secret: connected.secret,
    });
    expect(sent.body).toMatchObject({ outcome: "created", preview: "preview/feature-login_x" });
    const { project } = await server.owner.previews({ slug: "prev" });
    expect(project!.previews).toEqual([
      // {branch} is DNS-safe in the URL: "_" becomes "-" (the environment name keeps it).
      expect.objectContaining({ name: "preview/feature-login_x", url: "https://feature-login-x.preview.example.com" }),
    ]);
    expect((await deliveries("prev"))[0]).toMatchObject({ outcome: "CREATED", preview: "preview/feature-login_x" });

    const deleted = await deliver(connected.url, "delete", refPayload("feature/Login_X", "branch"), {
      secret: connected.secret,
    });
    expect(deleted.body).toMatchObject({ outcome: "deleted", preview: "preview/feature-login_x" });
    expect((await server.owner.previews({ slug: "prev" })).project!.previews).toEqual([]);
    expect((await deliveries("prev"))[0]).toMatchObject({ outcome: "DELETED", preview: "preview/feature-login_x" });
  });

  it('deleting a branch whose preview the "*" mapping entry points at is refused, named, recorded; nothing changes', async () => {
    await createProject(server.owner, "prevmap");
    const connected = expectType(
      (
        await server.owner.connectGit({
          input: { project: "prevmap", createPreviews: true, previewUrl: "https://{branch}.pm.test" },
        })
      ).connectGit,
      "GitSecretPayload",
    );
    const created = await deliver(connected.url, "push", pushPayload("feat-m", { created: true }), {
      secret: connected.secret,
    });
    expect(created.body).toMatchObject({ outcome: "created", preview: "preview/feat-m" });
    const mapping = (await server.owner.project({ slug: "prevmap" })).project!.mapping.map((m) => ({
      branch: m.branch,
      environment: m.environment.name,
    }));
    expectType(
      (
        await server.owner.updateBranchMapping({
          input: {
            project: "prevmap",
            entries: [...mapping.filter((m) => m.branch !== "*"), { branch: "*", environment: "preview/feat-m" }],
          },
        })
      ).updateBranchMapping,
      "UpdateBranchMappingPayload",
    );
    const refused = await deliver(connected.url, "delete", refPayload("feat-m", "branch"), {
      secret: connected.secret,
    });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ ok: true, outcome: "refused", branch: "feat-m" });
    expect(refused.body.reason).toContain('"*" to preview/feat-m');
    expect(await branches("prevmap")).toContain("feat-m");
    expect((await server.owner.previews({ slug: "prevmap" })).project!.previews.map((e) => e.name)).toEqual([
      "preview/feat-m",
    ]);
    expect((await server.owner.project({ slug: "prevmap" })).project!.mapping.map((m) => m.branch)).toContain("*");
    expect((await deliveries("prevmap"))[0]).toMatchObject({
      event: "delete",
      outcome: "REFUSED",
      branch: "feat-m",
      reason: expect.stringContaining('"*" to preview/feat-m'),
    });
  });

  it("a GitHub-created preview shares every binding's credential, and the delivery says so", async () => {
    await createProject(server.owner, "gbind");
    const canary = "postgres://u:canary-gh-7781@db.internal/app";
    expectType(
      (
        await server.owner.bindService({
          input: {
            project: "gbind",
            name: "main-db",
            service: "POSTGRES",
            environments: [{ environment: "preview", value: canary }],
          },
        })
      ).bindService,
      "BindingPayload",
    );
    const c = expectType(
      (
        await server.owner.connectGit({
          input: { project: "gbind", createPreviews: true, previewUrl: "https://{branch}.p.test" },
        })
      ).connectGit,
      "GitSecretPayload",
    );
    const sent = await deliver(c.url, "push", pushPayload("feat/db", { created: true }), { secret: c.secret });
    expect(sent.body).toMatchObject({ outcome: "created", preview: "preview/feat-db" });
    expect(sent.body.reason).toContain('shares the credential of binding "main-db" with preview');
    expect(JSON.stringify(sent.body)).not.toContain("canary-gh-7781");
    expect((await deliveries("gbind"))[0]).toMatchObject({
      preview: "preview/feat-db",
      reason: expect.stringContaining('binding "main-db"'),
    });
    expect((await server.owner.previews({ slug: "gbind" })).project!.previews.map((e) => e.url)).toEqual([
      "https://feat-db.p.test",
    ]);
  });

  it("the secret survives a project key rotation", async () => {
    await createProject(server.owner, "rotkey");
    const { url: u, secret: s } = await connect("rotkey");
    expectType(
      (await server.owner.rotateProjectKey({ input: { project: "rotkey" } })).rotateProjectKey,
      "RotateProjectKeyPayload",
    );
    expect((await deliver(u, "push", pushPayload("after-key", { created: true }), { secret: s })).body.outcome).toBe(
      "created",
    );
  });
});
