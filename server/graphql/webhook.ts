/** Webhooks of a project (admins and owners): their deliveries, creation (the signing secret once), deletion, redelivery. */
import { can } from "../authz/index.js";
import { type WebhookEventType as EventType, WEBHOOK_EVENT_TYPES } from "../events/outbox.js";
import { ForbiddenError } from "../services/errors.js";
import { builder, type Context } from "./builder.js";
import { connectionType, type Keyset, pageArgs, relatedConnection } from "./connection.js";
import { mutation } from "./mutation.js";

const EVENT_DESCRIPTIONS: Record<EventType, string> = {
  "environment.changed": "Variables of an environment changed (set, unset, bulk upsert, seed, restore, promote).",
  "environment.created": "An environment was created.",
  "environment.deleted": "An environment was deleted.",
  "environment.updated": "An environment was protected or unprotected.",
  "branch.created": "A project branch was created.",
  "branch.deleted": "A project branch was deleted.",
  "token.created": "A service token of the project was created.",
  "token.revoked": "A service token of the project was revoked.",
  "secret_request.created":
    "Someone asked for a secret's value through a dashboard link (the value arrives as environment.changed).",
  "secret_request.cancelled": "A pending secret request was cancelled.",
};

export const WebhookEventTypeEnum = builder.enumType("WebhookEventType", {
  values: Object.fromEntries(
    WEBHOOK_EVENT_TYPES.map((type) => [
      type.replace(".", "_").toUpperCase(),
      { value: type, description: `${EVENT_DESCRIPTIONS[type]} Sent as "${type}".` },
    ]),
  ) as Record<string, { value: EventType; description: string }>,
});

const WebhookDeliveryStatus = builder.enumType("WebhookDeliveryStatus", {
  values: {
    PENDING: { value: "pending", description: "Not delivered yet: waiting for its first attempt or a retry." },
    SUCCEEDED: { value: "succeeded", description: "The endpoint answered with a 2xx status." },
    FAILED: { value: "failed", description: "Every attempt failed; redeliver it to try again." },
  } as const,
});

const asEventTypes = (json: string) => JSON.parse(json) as EventType[];

async function assertManage(ctx: Context, projectId: string) {
  const access = await ctx.loaders.access.load(projectId);
  if (!access || !can(access, "webhook:manage"))
    throw new ForbiddenError(
      `Only admins and owners of project "${access?.project.slug ?? projectId}" can manage webhooks and see their deliveries.`,
    );
}

export const WebhookDelivery = builder.prismaObject("WebhookDelivery", {
  fields: (t) => ({
    id: t.exposeID("id", { description: "Sent as the webhook-id header (the same on each retry of this delivery)." }),
    eventType: t.field({ type: WebhookEventTypeEnum, resolve: (d) => d.eventType as EventType }),
    status: t.field({ type: WebhookDeliveryStatus, resolve: (d) => d.status as "pending" | "succeeded" | "failed" }),
    attempts: t.exposeInt("attempts"),
    lastStatusCode: t.exposeInt("lastStatusCode", {
      nullable: true,
      description: "The HTTP status of the last attempt; null when it got no answer.",
    }),
    lastError: t.exposeString("lastError", { nullable: true, description: "Why the last attempt failed." }),
    nextAttemptAt: t.expose("nextAttemptAt", {
      type: "DateTime",
      nullable: true,
      description: "When it is (re)tried next; null once it succeeded or failed for good.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    deliveredAt: t.expose("deliveredAt", { type: "DateTime", nullable: true }),
    payload: t.exposeString("payload", { description: "The JSON body sent (names and keys, never values)." }),
  }),
});

const deliveriesByCreation: Keyset = {
  list: "webhookDeliveries",
  fields: [
    ["createdAt", "date"],
    ["id", "string"],
  ],
  direction: "desc",
};
const WebhookDeliveryConnection = connectionType("WebhookDelivery", WebhookDelivery, "Deliveries, newest first.");
const deliveries = relatedConnection({
  type: WebhookDeliveryConnection,
  relation: "deliveries",
  nodeType: "WebhookDelivery",
  keyset: deliveriesByCreation,
  count: (webhook: { id: string }, _where, ctx) =>
    ctx.db.reader.webhookDelivery.count({ where: { webhookId: webhook.id } }),
});

export const Webhook = builder.prismaObject("Webhook", {
  fields: (t) => ({
    id: t.exposeID("id"),
    url: t.exposeString("url"),
    description: t.exposeString("description", { nullable: true }),
    environments: t.stringList({
      nullable: true,
      description:
        "Names of the environments whose events it receives; null for every environment. " +
        "Branch and token events are not tied to an environment and are sent whatever this list.",
      select: { environmentIds: true, projectId: true },
      resolve: async (w, _a, ctx) => {
        if (w.environmentIds === null) return null;
        const ids = JSON.parse(w.environmentIds) as string[];
        const envs = await ctx.db.reader.environment.findMany({
          where: { id: { in: ids }, projectId: w.projectId },
          select: { name: true },
        });
        return envs.map((e) => e.name).sort();
      },
    }),
    events: t.field({
      type: [WebhookEventTypeEnum],
      select: { events: true },
      resolve: (w) => asEventTypes(w.events),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    deliveries: t.field({
      type: deliveries.type,
      description: "Its deliveries, newest first.",
      args: pageArgs(t.arg),
      extensions: deliveries.extensions,
      resolve: (webhook, args, ctx) => deliveries.resolve(webhook, args, ctx),
    }),
  }),
});

builder.prismaObjectField("Project", "webhooks", (t) =>
  t.prismaField({
    type: ["Webhook"],
    description: "The project's webhooks, newest first (admins and owners: others get a ForbiddenError).",
    resolve: async (query, project, _a, ctx) => {
      await assertManage(ctx, project.id);
      return ctx.db.reader.webhook.findMany({
        ...query,
        where: { projectId: project.id },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      });
    },
  }),
);

const CreateWebhookInput = builder.inputType("CreateWebhookInput", {
  fields: (t) => ({
    project: t.string({ required: true }),
    url: t.string({ required: true, description: "An http:// or https:// URL, without a user name or password." }),
    environments: t.stringList({ description: "Only events of these environments (default: every environment)." }),
    events: t.field({ type: [WebhookEventTypeEnum], description: "Only these event types (default: all)." }),
    description: t.string({ description: "What it is for (at most 200 characters)." }),
  }),
});
const DeleteWebhookInput = builder.inputType("DeleteWebhookInput", {
  fields: (t) => ({ project: t.string({ required: true }), id: t.id({ required: true }) }),
});
const RedeliverWebhookInput = builder.inputType("RedeliverWebhookInput", {
  fields: (t) => ({ project: t.string({ required: true }), deliveryId: t.id({ required: true }) }),
});

const CreateWebhookPayload = builder
  .objectRef<{ webhookId: string; signingSecret: string }>("CreateWebhookPayload")
  .implement({
    fields: (t) => ({
      webhook: t.prismaField({
        type: "Webhook",
        resolve: (query, p, _a, ctx) =>
          ctx.db.reader.webhook.findUniqueOrThrow({ ...query, where: { id: p.webhookId } }),
      }),
      signingSecret: t.exposeString("signingSecret", {
        description:
          "The secret deliveries are signed with (whsec_…), for verifying them. Shown once: it cannot be read again.",
      }),
    }),
  });
const DeleteWebhookPayload = builder.objectRef<{ id: string; url: string }>("DeleteWebhookPayload").implement({
  fields: (t) => ({ id: t.exposeID("id"), url: t.exposeString("url") }),
});
const RedeliverWebhookPayload = builder.objectRef<{ deliveryId: string }>("RedeliverWebhookPayload").implement({
  fields: (t) => ({
    delivery: t.prismaField({
      type: "WebhookDelivery",
      description: "The new delivery (same payload, new id), queued now.",
      resolve: (query, p, _a, ctx) =>
        ctx.db.reader.webhookDelivery.findUniqueOrThrow({ ...query, where: { id: p.deliveryId } }),
    }),
  }),
});

mutation("createWebhook", {
  input: CreateWebhookInput,
  type: CreateWebhookPayload,
  description: "Creates a webhook (admins and owners). Its signing secret is returned this once.",
  resolve: async (input, actor, ctx) => {
    const { webhook, signingSecret } = await ctx.services.webhooks.createWebhook(actor, input);
    return { webhookId: webhook.id, signingSecret };
  },
});

mutation("deleteWebhook", {
  input: DeleteWebhookInput,
  type: DeleteWebhookPayload,
  description: "Deletes a webhook and its delivery log; nothing more is sent to it.",
  resolve: async (input, actor, ctx) => {
    const row = await ctx.services.webhooks.deleteWebhook(actor, { project: input.project, id: String(input.id) });
    return { id: row.id, url: row.url };
  },
});

mutation("redeliverWebhook", {
  input: RedeliverWebhookInput,
  type: RedeliverWebhookPayload,
  description: "Queues a delivery's payload again, as a new delivery sent at once.",
  resolve: async (input, actor, ctx) => {
    const row = await ctx.services.webhooks.redeliver(actor, {
      project: input.project,
      deliveryId: String(input.deliveryId),
    });
    return { deliveryId: row.id };
  },
});
