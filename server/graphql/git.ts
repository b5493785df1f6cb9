/** A project's GitHub connection (admins and owners): its URL, its deliveries; connect, rotate the secret, disconnect. */
import { can } from "../authz/index.js";
import { ForbiddenError } from "../services/errors.js";
import { GIT_HOOK_PATH } from "../services/git.js";
import { builder, type Context } from "./builder.js";
import { mutation } from "./mutation.js";

async function assertManage(ctx: Context, projectId: string) {
  const access = await ctx.loaders.access.load(projectId);
  if (!access || !can(access, "git:manage"))
    throw new ForbiddenError(
      `Only admins and owners of project "${access?.project.slug ?? projectId}" can see and manage its GitHub connection.`,
    );
}

const hookUrl = (ctx: Context, id: string) => `${ctx.origin}${GIT_HOOK_PATH}${id}`;

const GitDeliveryOutcome = builder.enumType("GitDeliveryOutcome", {
  values: {
    CREATED: { value: "created", description: "The project branch was created." },
    DELETED: { value: "deleted", description: "The project branch (and its overrides) was deleted." },
    UNCHANGED: { value: "unchanged", description: "Nothing to do: the branch already existed, or did not exist." },
    IGNORED: { value: "ignored", description: "Not about a branch (a tag, another event)." },
    REFUSED: {
      value: "refused",
      description: "Refused: a default branch is never deleted; a Git name that is not a valid branch name.",
    },
    PONG: { value: "pong", description: "GitHub's ping when the webhook was added." },
  } as const,
});

export const GitDelivery = builder.prismaObject("GitDelivery", {
  fields: (t) => ({
    id: t.exposeID("id"),
    deliveryId: t.exposeString("deliveryId", { description: "GitHub's X-GitHub-Delivery id." }),
    event: t.exposeString("event", { description: "GitHub's X-GitHub-Event: push, create, delete, ping…" }),
    outcome: t.field({
      type: GitDeliveryOutcome,
      resolve: (d) => d.outcome as "created" | "deleted" | "unchanged" | "ignored" | "refused" | "pong",
    }),
    reason: t.exposeString("reason", { nullable: true, description: "Why it was ignored or refused." }),
    branch: t.exposeString("branch", { nullable: true, description: "The Git branch it names." }),
    repository: t.exposeString("repository", { nullable: true, description: "owner/name of the repository." }),
    overridesRemoved: t.exposeInt("overridesRemoved", {
      nullable: true,
      description: "With DELETED: how many branch overrides were removed.",
    }),
    preview: t.exposeString("preview", {
      nullable: true,
      description: "The preview environment created (CREATED) or deleted (DELETED) with the branch.",
    }),
    receivedAt: t.expose("receivedAt", { type: "DateTime" }),
  }),
});

export const GitConnection = builder.prismaObject("GitConnection", {
  fields: (t) => ({
    url: t.string({
      description: "Paste into GitHub: Settings → Webhooks → Payload URL (Content type: application/json).",
      select: { id: true },
      resolve: (c, _a, ctx) => hookUrl(ctx, c.id),
    }),
    createPreviews: t.exposeBoolean("createPreviews", {
      description: "Whether a branch created by a push also gets its preview environment.",
    }),
    previewUrl: t.exposeString("previewUrl", {
      nullable: true,
      description: "The URL a branch's deployment gets, {branch} standing for the preview's name.",
    }),
    connectedAt: t.expose("connectedAt", { type: "DateTime" }),
    lastDeliveryAt: t.expose("lastDeliveryAt", { type: "DateTime", nullable: true }),
    deliveries: t.field({
      type: [GitDelivery],
      description: "Deliveries accepted (signature checked), newest first.",
      args: { first: t.arg.int({ defaultValue: 20, description: "How many (at most 100)." }) },
      select: { projectId: true },
      resolve: (c, args, ctx) =>
        ctx.db.reader.gitDelivery.findMany({
          where: { projectId: c.projectId },
          orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
          take: Math.min(Math.max(args.first ?? 20, 0), 100),
        }),
    }),
  }),
});

builder.prismaObjectField("Project", "git", (t) =>
  t.prismaField({
    type: "GitConnection",
    nullable: true,
    description:
      "The project's GitHub connection; null when not connected (admins and owners: others get a ForbiddenError).",
    resolve: async (query, project, _a, ctx) => {
      await assertManage(ctx, project.id);
      return ctx.db.reader.gitConnection.findUnique({ ...query, where: { projectId: project.id } });
    },
  }),
);

const ConnectGitInput = builder.inputType("ConnectGitInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    createPreviews: t.boolean({ description: "A branch created by a push also gets its preview environment." }),
    previewUrl: t.string({
      description:
        "With createPreviews: the URL a branch's deployment gets, {branch} standing for the preview's name " +
        "(e.g. https://{branch}.preview.example.com).",
    }),
  }),
});
const ProjectGitInput = builder.inputType("ProjectGitInput", {
  fields: (t) => ({ project: t.string({ required: true }) }),
});
const UpdateGitInput = builder.inputType("UpdateGitInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    createPreviews: t.boolean({ required: true }),
    previewUrl: t.string({ description: "A new URL template (see ConnectGitInput.previewUrl); omitted: kept." }),
  }),
});

const GitSecretPayload = builder.objectRef<{ connectionId: string; secret: string }>("GitSecretPayload").implement({
  fields: (t) => ({
    git: t.prismaField({
      type: "GitConnection",
      resolve: (query, p, _a, ctx) =>
        ctx.db.reader.gitConnection.findUniqueOrThrow({ ...query, where: { id: p.connectionId } }),
    }),
    url: t.string({ resolve: (p, _a, ctx) => hookUrl(ctx, p.connectionId) }),
    secret: t.exposeString("secret", {
      description: "Paste into GitHub's webhook Secret field. Shown once: it cannot be read again.",
    }),
  }),
});
const UpdateGitPayload = builder.objectRef<{ connectionId: string }>("UpdateGitPayload").implement({
  fields: (t) => ({
    git: t.prismaField({
      type: "GitConnection",
      resolve: (query, p, _a, ctx) =>
        ctx.db.reader.gitConnection.findUniqueOrThrow({ ...query, where: { id: p.connectionId } }),
    }),
  }),
});
const DisconnectGitPayload = builder.objectRef<{ project: string }>("DisconnectGitPayload").implement({
  fields: (t) => ({ project: t.exposeString("project", { description: "The project's slug." }) }),
});

mutation("connectGit", {
  input: ConnectGitInput,
  type: GitSecretPayload,
  description:
    "Connects the project to a GitHub repository's webhook (admins and owners): returns the URL and the secret " +
    "(shown once) to paste into GitHub. Pushed new branches become project branches; deleted ones are deleted.",
  resolve: async (input, actor, ctx) => {
    const { connection, secret } = await ctx.services.git.connect(actor, input);
    return { connectionId: connection.id, secret };
  },
});

mutation("rotateGitSecret", {
  input: ProjectGitInput,
  type: GitSecretPayload,
  description: "A new secret for the same URL (shown once); deliveries signed with the old one are refused.",
  resolve: async (input, actor, ctx) => {
    const { connection, secret } = await ctx.services.git.rotateSecret(actor, input);
    return { connectionId: connection.id, secret };
  },
});

mutation("updateGit", {
  input: UpdateGitInput,
  type: UpdateGitPayload,
  description: "Whether branches created by pushes also get their preview environment.",
  resolve: async (input, actor, ctx) => {
    const connection = await ctx.services.git.update(actor, input);
    return { connectionId: connection.id };
  },
});

mutation("disconnectGit", {
  input: ProjectGitInput,
  type: DisconnectGitPayload,
  description: "Removes the GitHub connection: its URL answers 404 from now on. Branches stay.",
  resolve: async (input, actor, ctx) => {
    await ctx.services.git.disconnect(actor, input);
    return { project: input.project };
  },
});
