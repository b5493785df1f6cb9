/**
 * Project branches from Git pushes: a project connects a GitHub repository's webhook
 * (`connectGit` → a URL `/hooks/github/<connection id>` and a secret, shown once), and GitHub's
 * `push`, `create` and `delete` deliveries create and delete the project branches of the same
 * names. The HTTP side is server/http/github.ts; this module checks the signature and acts.
 *
 * - The secret is sealed with the project's data key (like a webhook's signing secret), since
 *   verifying `X-Hub-Signature-256` (HMAC-SHA256 of the raw body) needs it in clear.
 * - Each accepted delivery is one write (`writes.run`, actor: system "github", action git.push /
 *   git.create / git.delete / git.ping / git.other): a GitDelivery row (delivery id and body hash
 *   unique per project: a replay, even under a new delivery id, changes nothing), the branch
 *   created or deleted, and the audit event — one transaction.
 * - Never deleted: the repository's default branch and the project's default branches (main, dev).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { branchName, check, DEFAULT_BRANCHES, PREVIEW_PREFIX, previewNameFor } from "../../core/names.js";
import { gitSecretAad } from "../crypto/aad.js";
import { utf8 } from "../crypto/aead.js";
import type { Database, Tx } from "../db/client.js";
import type { EventAction } from "../events/actions.js";
import type { UnitOfWork, WritePath } from "../events/index.js";
import type { Actor } from "./actor.js";
import { AppError, assertValid, ConflictError, NotFoundError } from "./errors.js";
import type { KeyRing } from "./keyring.js";
import { deletePreviewOf, type PreviewResult, previewUrlErrors } from "./previews.js";
import { sealedSecrets } from "./sealed-secret.js";
import { isUniqueViolation } from "./transaction.js";

/** The actor GitHub deliveries write as (audit: actor type system, name "github"). */
export const GITHUB_ACTOR = { kind: "system", name: "github" } as const;

export const GIT_HOOK_PATH = "/hooks/github/";

export type GitOutcome = "created" | "deleted" | "unchanged" | "ignored" | "refused" | "pong";

/** An answer to GitHub: the HTTP status and the JSON body. */
export interface HookAnswer {
  status: number;
  body: Record<string, unknown>;
}

const fail = (status: number, code: string, message: string): HookAnswer => ({
  status,
  body: { error: { code, message } },
});

const MAX_REASON = 500;

function newSecret(): string {
  return randomBytes(32).toString("hex");
}

const gitSecret = sealedSecrets(gitSecretAad, () => "the GitHub secret");

async function activeVersion(tx: Tx, projectId: string): Promise<number> {
  const { activeKeyVersion } = await tx.project.findUniqueOrThrow({
    where: { id: projectId },
    select: { activeKeyVersion: true },
  });
  return activeKeyVersion;
}

/** Re-seals a project's GitHub secret with its active data key (key rotation, in its transaction). */
export async function reencryptGitSecret(tx: Tx, keys: KeyRing, projectId: string, active: number) {
  const row = await tx.gitConnection.findFirst({
    where: { projectId, keyVersion: { lt: active } },
    select: { id: true, projectId: true, secretCiphertext: true },
  });
  if (!row) return 0;
  const secret = await gitSecret.open(keys, row, tx);
  const secretCiphertext = await gitSecret.seal(keys, tx, projectId, row.id, secret, active);
  await tx.gitConnection.update({ where: { id: row.id }, data: { secretCiphertext, keyVersion: active } });
  return 1;
}

/** Whether `header` (X-Hub-Signature-256) is `sha256=` + the hex HMAC-SHA256 of `body` with `secret` (constant time). */
export function signatureMatches(secret: string, body: Uint8Array, header: string): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match) return false;
  const expected = createHmac("sha256", secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(match[1], "hex"));
}

/** What a delivery asks for, decided from its event and payload before touching the database. */
type Decision =
  | { op: "none"; outcome: GitOutcome; reason: string | null; branch: string | null }
  | { op: "create" | "delete"; branch: string; defaultBranch: string | null };

const str = (v: unknown) => (typeof v === "string" ? v : null);

function decide(event: string, payload: Record<string, unknown>): Decision | string {
  const repository = payload.repository as Record<string, unknown> | undefined;
  const defaultBranch = str(repository?.default_branch) ?? str(payload.master_branch);
  if (event === "ping") return { op: "none", outcome: "pong", reason: null, branch: null };
  if (event === "push") {
    const ref = str(payload.ref);
    if (!ref) return 'A push payload needs "ref" (e.g. "refs/heads/main").';
    if (!ref.startsWith("refs/heads/"))
      return {
        op: "none",
        outcome: "ignored",
        reason: `"${ref.slice(0, 200)}" is not a branch: only branches become project branches (tags are ignored).`,
        branch: null,
      };
    const branch = ref.slice("refs/heads/".length);
    return { op: payload.deleted === true ? "delete" : "create", branch, defaultBranch };
  }
  if (event === "create" || event === "delete") {
    const ref = str(payload.ref);
    const refType = str(payload.ref_type);
    if (!ref || !refType) return `A ${event} payload needs "ref" and "ref_type".`;
    if (refType !== "branch")
      return {
        op: "none",
        outcome: "ignored",
        reason: `A ${refType} was ${event === "create" ? "created" : "deleted"}: only branches become project branches.`,
        branch: null,
      };
    return { op: event, branch: ref, defaultBranch };
  }
  return {
    op: "none",
    outcome: "ignored",
    reason:
      `envplane acts on push, create and delete events; "${event.slice(0, 100)}" is ignored. ` +
      "Untick it in the GitHub webhook's settings.",
    branch: null,
  };
}

const ACTION_OF: Record<string, EventAction> = {
  push: "git.push",
  create: "git.create",
  delete: "git.delete",
  ping: "git.ping",
};

/** The preview service's createPreview (server/services/previews.ts), as GitHub's actor calls it. */
export type CreatePreview = (
  actor: typeof GITHUB_ACTOR,
  input: { project: string; branch: string; url: string; shareBindings?: boolean; message?: string | null },
) => Promise<PreviewResult>;

export const BRANCH_PLACEHOLDER = "{branch}";

/**
 * The deployment URL of `branch`'s preview: {branch} replaced by the preview's name without "preview/", made
 * DNS-safe ("_" is not allowed in host names, so it becomes "-").
 */
export function previewUrlFor(template: string, branch: string): string {
  return template.replaceAll(
    BRANCH_PLACEHOLDER,
    previewNameFor(branch).slice(PREVIEW_PREFIX.length).replaceAll("_", "-"),
  );
}

/** Checks the preview settings of connectGit / updateGit: a URL template is needed when previews are on. */
function checkPreviewSettings(createPreviews: boolean, previewUrl: string | null | undefined) {
  if (previewUrl) {
    if (!previewUrl.includes(BRANCH_PLACEHOLDER))
      assertValid([
        {
          path: ["previewUrl"],
          message:
            "previewUrl needs {branch} (every preview would get the same URL otherwise), e.g. " +
            "https://{branch}.preview.example.com.",
        },
      ]);
    if (previewUrl.length > 500)
      assertValid([{ path: ["previewUrl"], message: "previewUrl is longer than 500 characters." }]);
    assertValid(previewUrlErrors(previewUrlFor(previewUrl, "main")).map((e) => ({ ...e, path: ["previewUrl"] })));
  } else if (createPreviews)
    assertValid([
      {
        path: ["previewUrl"],
        message:
          "Previews need the URL a branch's deployment gets, with {branch} for the branch's name, e.g. " +
          "https://{branch}.preview.example.com.",
      },
    ]);
}

export function gitService({
  db,
  keys,
  writes,
  createPreview,
}: {
  db: Pick<Database, "reader" | "writer" | "provider">;
  keys: KeyRing;
  writes: WritePath;
  /** Creates a GitHub-created branch's preview environment, when the project asks for it. */
  createPreview?: CreatePreview;
}) {
  const notConnected = (slug: string) =>
    new NotFoundError(
      `Project "${slug}" is not connected to GitHub. Connect it with "envplane git connect --project ${slug}".`,
      "GitConnection",
    );

  return {
    /** Connects the project; returns the connection and its secret (shown this once). */
    async connect(
      actor: Actor,
      input: { project: string; createPreviews?: boolean | null; previewUrl?: string | null },
    ) {
      const previewUrl = input.previewUrl?.trim() || null;
      checkPreviewSettings(input.createPreviews ?? false, previewUrl);
      const secret = newSecret();
      const connection = await writes.run(
        { actor, action: "git.connect", project: input.project, permission: "git:manage", serializeProject: true },
        async ({ tx, access, record }) => {
          const projectId = access.project.id;
          if (await tx.gitConnection.findUnique({ where: { projectId }, select: { id: true } }))
            throw new ConflictError(
              `Project "${access.project.slug}" is already connected to GitHub. For a new secret run ` +
                `"envplane git rotate-secret"; to start over, "envplane git disconnect --yes" first.`,
            );
          const id = randomBytes(18).toString("base64url");
          const version = await activeVersion(tx, projectId);
          const created = await tx.gitConnection.create({
            data: {
              id,
              projectId,
              secretCiphertext: await gitSecret.seal(keys, tx, projectId, id, secret, version),
              keyVersion: version,
              createPreviews: input.createPreviews ?? false,
              previewUrl,
              connectedBy: actor.kind === "user" ? actor.userId : null,
            },
          });
          record({ metadata: { createPreviews: created.createPreviews, previewUrl } });
          return created;
        },
      );
      return { connection, secret };
    },

    /** A new secret for the same URL; the old one is refused from now on. */
    async rotateSecret(actor: Actor, input: { project: string }) {
      const secret = newSecret();
      const connection = await writes.run(
        { actor, action: "git.rotate_secret", project: input.project, permission: "git:manage" },
        async ({ tx, access }) => {
          const row = await tx.gitConnection.findUnique({ where: { projectId: access.project.id } });
          if (!row) throw notConnected(access.project.slug);
          const version = await activeVersion(tx, row.projectId);
          return tx.gitConnection.update({
            where: { id: row.id },
            data: {
              secretCiphertext: await gitSecret.seal(keys, tx, row.projectId, row.id, secret, version),
              keyVersion: version,
            },
          });
        },
      );
      return { connection, secret };
    },

    /** Previews on or off; `previewUrl` replaces the URL template when given (undefined: keep it). */
    async update(actor: Actor, input: { project: string; createPreviews: boolean; previewUrl?: string | null }) {
      const given = input.previewUrl === undefined || input.previewUrl === null ? undefined : input.previewUrl.trim();
      if (given !== undefined) checkPreviewSettings(input.createPreviews, given || null);
      return writes.run(
        { actor, action: "git.update", project: input.project, permission: "git:manage" },
        async ({ tx, access, record }) => {
          const row = await tx.gitConnection.findUnique({ where: { projectId: access.project.id } });
          if (!row) throw notConnected(access.project.slug);
          const previewUrl = given === undefined ? row.previewUrl : given || null;
          checkPreviewSettings(input.createPreviews, previewUrl);
          record({ metadata: { createPreviews: input.createPreviews, previewUrl } });
          return tx.gitConnection.update({
            where: { id: row.id },
            data: { createPreviews: input.createPreviews, previewUrl },
          });
        },
      );
    },

    /** Removes the connection: its URL answers 404 from now on. Past deliveries stay in the history. */
    async disconnect(actor: Actor, input: { project: string }) {
      return writes.run(
        { actor, action: "git.disconnect", project: input.project, permission: "git:manage" },
        async ({ tx, access }) => {
          const row = await tx.gitConnection.findUnique({ where: { projectId: access.project.id } });
          if (!row) throw notConnected(access.project.slug);
          await tx.gitConnection.delete({ where: { id: row.id } });
          return row;
        },
      );
    },

    /**
     * One delivery from GitHub to /hooks/github/<connectionId>: checks the signature, refuses a
     * replay, then creates or deletes the project branch. Answers what GitHub shows in its log.
     */
    async receive(input: {
      connectionId: string;
      event: string | null;
      deliveryId: string | null;
      signature: string | null;
      body: Uint8Array;
    }): Promise<HookAnswer> {
      const connection = await db.reader.gitConnection.findUnique({
        where: { id: input.connectionId },
        select: {
          id: true,
          projectId: true,
          secretCiphertext: true,
          createPreviews: true,
          previewUrl: true,
          project: { select: { slug: true } },
        },
      });
      if (!connection)
        return fail(
          404,
          "NOT_FOUND",
          "No GitHub connection at this URL: it was disconnected or never existed. Run " +
            '"envplane git connect" and paste the new URL and secret into the GitHub webhook.',
        );
      if (!input.signature)
        return fail(
          401,
          "SIGNATURE_MISSING",
          "The request has no X-Hub-Signature-256 header. In the GitHub webhook's settings, set the secret " +
            'envplane gave you ("envplane git connect", or a new one from "envplane git rotate-secret").',
        );
      if (!signatureMatches(await gitSecret.open(keys, connection), input.body, input.signature))
        return fail(
          401,
          "SIGNATURE_MISMATCH",
          "The X-Hub-Signature-256 signature does not match this connection's secret. Paste the current secret " +
            'into the GitHub webhook\'s settings; if it is lost, get a new one with "envplane git rotate-secret".',
        );
      const event = input.event?.trim();
      const deliveryId = input.deliveryId?.trim();
      if (!event || !deliveryId || deliveryId.length > 100)
        return fail(
          400,
          "BAD_REQUEST",
          "GitHub deliveries carry X-GitHub-Event and X-GitHub-Delivery (at most 100 characters) headers; this " +
            "request lacks one.",
        );
      let payload: unknown;
      try {
        payload = JSON.parse(utf8.decode(input.body));
      } catch {
        payload = null;
      }
      if (!payload || typeof payload !== "object" || Array.isArray(payload))
        return fail(400, "BAD_REQUEST", "The body is not a JSON object. Choose Content type: application/json.");
      const decision = decide(event, payload as Record<string, unknown>);
      if (typeof decision === "string") return fail(400, "BAD_REQUEST", decision);

      const bodyHash = createHash("sha256").update(input.body).digest("hex");
      const projectId = connection.projectId;
      const replay = async (): Promise<HookAnswer | null> => {
        const seen = await db.writer.gitDelivery.findFirst({
          where: { projectId, OR: [{ deliveryId }, { bodyHash }] },
          select: { deliveryId: true, receivedAt: true },
        });
        if (!seen) return null;
        const same = seen.deliveryId === deliveryId;
        return fail(
          409,
          "ALREADY_PROCESSED",
          `${same ? `Delivery ${deliveryId.slice(0, 100)}` : `This payload (delivery ${seen.deliveryId})`} was ` +
            `already processed at ${seen.receivedAt.toISOString()}; nothing was changed.`,
        );
      };
      const earlier = await replay();
      if (earlier) return earlier;

      const repository = str((payload as { repository?: { full_name?: unknown } }).repository?.full_name);
      const action = ACTION_OF[event] ?? "git.other";
      const run = () =>
        writes.run({ actor: GITHUB_ACTOR, action, project: connection.project.slug }, async (uow) => {
          const outcome = await act(uow, decision);
          const reason = outcome.reason?.slice(0, MAX_REASON) ?? null;
          const row = await uow.tx.gitDelivery.create({
            data: {
              projectId,
              deliveryId,
              bodyHash,
              event: event.slice(0, 100),
              outcome: outcome.outcome,
              reason,
              branch: outcome.branch?.slice(0, 300) ?? null,
              repository: repository?.slice(0, 300) ?? null,
              overridesRemoved: outcome.overridesRemoved ?? null,
              preview: outcome.preview ?? null,
            },
            select: { id: true },
          });
          await uow.tx.gitConnection.updateMany({
            where: { id: connection.id },
            data: { lastDeliveryAt: new Date() },
          });
          uow.record({
            metadata: {
              delivery: deliveryId,
              event,
              outcome: outcome.outcome,
              reason,
              ...(outcome.branch ? { name: outcome.branch } : {}),
              ...(repository ? { repository } : {}),
              ...(outcome.overridesRemoved !== undefined ? { overridesRemoved: outcome.overridesRemoved } : {}),
              ...(outcome.preview ? { preview: outcome.preview } : {}),
              ...(outcome.previewId ? { previewId: outcome.previewId } : {}),
            },
          });
          return { ...outcome, reason, deliveryRow: row.id };
        });
      let result: Acted & { deliveryRow: string };
      try {
        result = await run();
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const replayed = await replay(); // a concurrent copy of this delivery got there first
        if (replayed) return replayed;
        // Another delivery created the same branch meanwhile (GitHub sends `create` and `push` together): once more,
        // it now finds the branch.
        result = await run();
      }
      // The preview is its own write (event preview.create): a failure leaves the branch, and says why.
      let preview = result.preview ?? null;
      let previewError: string | null = null;
      let previewNote: string | null = null;
      if (result.outcome === "created" && result.branch && connection.createPreviews && connection.previewUrl) {
        try {
          if (!createPreview) throw new AppError("Preview environments are not available on this server.");
          const created = await createPreview(GITHUB_ACTOR, {
            project: connection.project.slug,
            branch: result.branch,
            url: previewUrlFor(connection.previewUrl, result.branch),
            shareBindings: true, // no one to ask: every binding's credential is shared with the preview
            message: `GitHub delivery ${deliveryId.slice(0, 100)}`,
          });
          preview = created.environment.name;
          const shared = created.bindings.filter((b) => b.mode === "shared").map((b) => `"${b.binding}"`);
          if (shared.length)
            previewNote =
              `${preview} shares the credential of binding ${shared.join(", ")} with ${created.from.name}.`.slice(
                0,
                MAX_REASON,
              );
          await db.writer.gitDelivery.update({
            where: { id: result.deliveryRow },
            data: { preview, ...(previewNote ? { reason: previewNote } : {}) },
          });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          previewError = `The branch was created, its preview environment was not: ${error.message}`.slice(
            0,
            MAX_REASON,
          );
          await db.writer.gitDelivery.update({ where: { id: result.deliveryRow }, data: { reason: previewError } });
        }
      }
      return {
        status: 200,
        body: {
          ok: true,
          delivery: deliveryId,
          event,
          outcome: result.outcome,
          branch: result.branch,
          reason: result.reason,
          ...(result.overridesRemoved !== undefined ? { overridesRemoved: result.overridesRemoved } : {}),
          ...(preview ? { preview } : {}),
          ...(previewError ? { reason: previewError } : {}),
          ...(previewNote ? { reason: previewNote } : {}),
        },
      };
    },
  };
}

interface Acted {
  outcome: GitOutcome;
  reason: string | null;
  branch: string | null;
  overridesRemoved?: number;
  /** The preview environment deleted with the branch. */
  preview?: string | null;
  /** The deleted preview environment's id (webhooks report it as environment.deleted). */
  previewId?: string | null;
}

/** Creates or deletes the branch a delivery names (inside its write), or says why not. */
async function act(uow: UnitOfWork, decision: Decision): Promise<Acted> {
  if (decision.op === "none") return decision;
  const { tx, access, record } = uow;
  const name = decision.branch;
  const problems = check(branchName, name, ["branch"]);
  if (problems.length)
    return {
      outcome: "refused",
      reason: `Git branch "${name.slice(0, 200)}" cannot be a project branch: ${problems[0].message}`,
      branch: name,
    };
  const existing = await tx.projectBranch.findUnique({
    where: { projectId_name: { projectId: access.project.id, name } },
    select: { id: true },
  });
  if (decision.op === "create") {
    if (existing) return { outcome: "unchanged", reason: `Project branch "${name}" already exists.`, branch: name };
    const branch = await tx.projectBranch.create({ data: { projectId: access.project.id, name } });
    record({ branchId: branch.id });
    return { outcome: "created", reason: null, branch: name };
  }
  if (name === decision.defaultBranch || (DEFAULT_BRANCHES as readonly string[]).includes(name))
    return {
      outcome: "refused",
      reason:
        name === decision.defaultBranch
          ? `"${name}" is the repository's default branch: its project branch is never deleted.`
          : `"${name}" is one of the project's default branches (${DEFAULT_BRANCHES.join(", ")}): it is never deleted.`,
      branch: name,
    };
  if (!existing) return { outcome: "unchanged", reason: `There is no project branch "${name}".`, branch: name };
  // As deleteBranch does: its preview environment goes first; its overrides' environments move to a
  // revision recording their removal.
  let preview: { id: string; name: string } | null;
  try {
    preview = await deletePreviewOf(tx, existing.id);
  } catch (error) {
    // Another mapping entry points at the preview (e.g. "*"): refused before anything is written, named.
    if (!(error instanceof ConflictError)) throw error;
    return { outcome: "refused", reason: error.message, branch: name };
  }
  await uow.removingBranch(existing.id);
  const overridesRemoved = await tx.branchOverride.count({ where: { branchId: existing.id } });
  await tx.projectBranch.delete({ where: { id: existing.id } });
  record({ branchId: existing.id });
  return {
    outcome: "deleted",
    reason: null,
    branch: name,
    overridesRemoved,
    preview: preview?.name ?? null,
    previewId: preview?.id ?? null,
  };
}

export type GitService = ReturnType<typeof gitService>;
