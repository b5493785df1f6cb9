/**
 * Secret requests: SecretRequest, Query.secretRequest, Project.secretRequests, and createSecretRequest,
 * fulfillSecretRequest (a person in a dashboard session only), cancelSecretRequest. No field carries a value.
 */
import type { SecretRequestState, SecretRequestView } from "../services/secret-requests.js";
import { canCancel, canFulfill } from "../services/secret-requests.js";
import { builder, type Context } from "./builder.js";
import { type ConnectionShape, connectionType, cursorOf, type Keyset, pageArgs, pageOf } from "./connection.js";
import { mutation } from "./mutation.js";

export const requestUrl = (ctx: Context, id: string) => `${ctx.origin}/requests/${id}`;

const SecretRequestStatus = builder.enumType("SecretRequestStatus", {
  values: {
    PENDING: { value: "pending", description: "Waiting for someone to type the value." },
    FULFILLED: { value: "fulfilled", description: "The value was stored as a secret; the link no longer works." },
    EXPIRED: { value: "expired", description: "Not fulfilled before expiresAt; ask for a new link." },
    CANCELLED: { value: "cancelled", description: "Cancelled; ask for a new link." },
  } as const,
});

export const SecretRequest = builder.objectRef<SecretRequestView>("SecretRequest").implement({
  description:
    "A single-use dashboard link asking a person to type a secret's value. It never carries the value: the asker " +
    "sees only the status. Opening the link needs a dashboard session of someone who may write the environment.",
  fields: (t) => ({
    id: t.exposeID("id"),
    project: t.exposeString("project", { description: "The project's slug." }),
    environment: t.exposeString("environment"),
    branch: t.exposeString("branch", { nullable: true, description: "The branch whose override is asked for." }),
    key: t.exposeString("key"),
    note: t.exposeString("note", { nullable: true, description: "What the asker wrote for the person (no value)." }),
    status: t.field({ type: SecretRequestStatus, resolve: (r) => r.status }),
    requestedBy: t.exposeString("requestedBy", { description: "The asker's name as it was (user or token)." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    expiresAt: t.expose("expiresAt", { type: "DateTime" }),
    fulfilledAt: t.expose("fulfilledAt", { type: "DateTime", nullable: true }),
    fulfilledBy: t.exposeString("fulfilledBy", { nullable: true, description: "Who typed the value." }),
    cancelledAt: t.expose("cancelledAt", { type: "DateTime", nullable: true }),
    url: t.string({
      description: "The dashboard page to open (signed in).",
      resolve: (r, _a, ctx) => requestUrl(ctx, r.id),
    }),
    replacesStandardValue: t.boolean({
      description: "The key exists now as a standard (readable) value: fulfilling replaces it with a secret.",
      resolve: (r) => r.replacesStandardValue ?? false,
    }),
    viewerCanFulfill: t.boolean({
      description:
        "Whether the caller can type the value: signed in to the dashboard, allowed to write there, pending.",
      resolve: async (r, _a, ctx) => canFulfill(await ctx.loaders.access.load(r.projectId), ctx.actor, r),
    }),
    viewerCanCancel: t.boolean({
      description: "Whether the caller can cancel it: pending, and the asker or allowed to write the environment.",
      resolve: async (r, _a, ctx) => canCancel(await ctx.loaders.access.load(r.projectId), ctx.actor, r),
    }),
  }),
});

const SecretRequestConnection = connectionType(
  "SecretRequest",
  SecretRequest,
  "A page of a project's secret requests, newest first.",
);

const KEYSET: Keyset = {
  list: "secretRequests",
  fields: [
    ["createdAt", "date"],
    ["id", "string"],
  ],
  direction: "desc",
};

builder.queryField("secretRequest", (t) =>
  t.field({
    type: SecretRequest,
    nullable: true,
    description:
      "A secret request by id; null when unknown or not visible (its asker, or who can see its environment).",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => (ctx.actor ? ctx.services.secretRequests.get(ctx.actor, String(args.id)) : null),
  }),
);

builder.prismaObjectField("Project", "secretRequests", (t) =>
  t.field({
    type: SecretRequestConnection,
    description: "The project's secret requests the caller can see, newest first; `status` filters.",
    args: { status: t.arg({ type: SecretRequestStatus }), ...pageArgs(t.arg) },
    select: { slug: true },
    resolve: async (project, args, ctx): Promise<ConnectionShape<SecretRequestView>> => {
      if (!ctx.actor) return { nodes: [], hasNextPage: false, cursor: () => "", totalCount: () => 0 };
      const page = pageOf(KEYSET, args);
      const { rows, count } = await ctx.services.secretRequests.list(ctx.actor, project.slug, {
        status: args.status as SecretRequestState | null,
        take: page.first + 1,
        where: page.where,
      });
      return {
        nodes: rows.slice(0, page.first),
        hasNextPage: rows.length > page.first,
        cursor: (r) => cursorOf(KEYSET, r as unknown as Record<string, unknown>),
        totalCount: count,
      };
    },
  }),
);

const CreateSecretRequestInput = builder.inputType("CreateSecretRequestInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    environment: t.string({ required: true }),
    key: t.string({ required: true }),
    branch: t.string({ description: "Ask for this project branch's override (its base value must be a secret)." }),
    note: t.string({ description: "Shown to the person on the page (at most 1000 characters); never a value." }),
    expiresInHours: t.int({ description: "How long the link works: 1 to 168 hours (default 24)." }),
  }),
});

const CreateSecretRequestPayload = builder
  .objectRef<{ request: SecretRequestView }>("CreateSecretRequestPayload")
  .implement({
    fields: (t) => ({
      request: t.field({ type: SecretRequest, resolve: (p) => p.request }),
      url: t.string({
        description: "Give it to a person who may write the environment; they open it signed in to the dashboard.",
        resolve: (p, _a, ctx) => requestUrl(ctx, p.request.id),
      }),
    }),
  });

const FulfillSecretRequestInput = builder.inputType("FulfillSecretRequestInput", {
  fields: (t) => ({
    id: t.id({ required: true }),
    value: t.string({ required: true, description: "The secret's value; stored encrypted, never returned." }),
  }),
});

const FulfillSecretRequestPayload = builder
  .objectRef<{ request: SecretRequestView; revision: number }>("FulfillSecretRequestPayload")
  .implement({
    fields: (t) => ({
      request: t.field({ type: SecretRequest, resolve: (p) => p.request }),
      revision: t.exposeInt("revision", { description: "The environment's revision that stored the value." }),
    }),
  });

const CancelSecretRequestInput = builder.inputType("CancelSecretRequestInput", {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

const CancelSecretRequestPayload = builder
  .objectRef<{ request: SecretRequestView }>("CancelSecretRequestPayload")
  .implement({
    fields: (t) => ({ request: t.field({ type: SecretRequest, resolve: (p) => p.request }) }),
  });

mutation("createSecretRequest", {
  input: CreateSecretRequestInput,
  type: CreateSecretRequestPayload,
  description:
    "Asks a person for a secret's value through a single-use dashboard link (needs write access to the " +
    "environment). The asker never sees the value, only the request's status.",
  resolve: async (input, actor, ctx) => ({ request: await ctx.services.secretRequests.create(actor, input) }),
});

mutation("fulfillSecretRequest", {
  input: FulfillSecretRequestInput,
  type: FulfillSecretRequestPayload,
  description:
    "Stores the value as the secret asked for and marks the request fulfilled, in one write (a new revision). " +
    "Only a person signed in to the dashboard who may write the environment; tokens are refused.",
  resolve: (input, actor, ctx) =>
    ctx.services.secretRequests.fulfill(actor, { id: String(input.id), value: input.value }),
});

mutation("cancelSecretRequest", {
  input: CancelSecretRequestInput,
  type: CancelSecretRequestPayload,
  description: "Cancels a pending secret request (its asker, or anyone who may write the environment).",
  resolve: async (input, actor, ctx) => ({
    request: await ctx.services.secretRequests.cancel(actor, { id: String(input.id) }),
  }),
});
