/**
 * `envplane webhooks create|list|delete|deliveries|redeliver`: HTTP endpoints that receive the
 * project's events, signed the Standard Webhooks way (admins and owners).
 */
import { EnvplaneRequestError, type WebhookEventType } from "../../../sdk/index.js";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import type { Context } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import { plural, printJson, table } from "../../format.js";
import { describePath, unwrap } from "../../remote.js";
import { EVENT_TYPES } from "./events.js";

/** The API's enum value of an event type: "secret_request.created" → SECRET_REQUEST_CREATED. */
const enumOf = (name: string) => name.replace(".", "_").toUpperCase();

/** "environment.changed" (or ENVIRONMENT_CHANGED) → the API's enum value. */
function eventType(text: string): WebhookEventType {
  const given = text.trim();
  const name = EVENT_TYPES.find((t) => t === given.toLowerCase() || enumOf(t) === given.toUpperCase());
  if (!name) throw new UsageError(`--event "${text}" is not an event type. Use one of: ${EVENT_TYPES.join(", ")}.`);
  return enumOf(name) as WebhookEventType;
}

/** The API's enum value → the event's name as sent (SECRET_REQUEST_CREATED → "secret_request.created"). */
const shownType = (type: string) => EVENT_TYPES.find((t) => enumOf(t) === type) ?? type.toLowerCase();

/** A webhook or delivery as --json prints it: event types as everywhere else (environment.changed). */
const shownHook = <T extends { events: readonly string[] }>(h: T) => ({ ...h, events: h.events.map(shownType) });
const shownDelivery = <T extends { eventType: string }>(d: T) => ({ ...d, eventType: shownType(d.eventType) });

/** Runs a request whose webhooks field the server refuses to non-admins: its message, not "the server failed". */
async function managing<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof EnvplaneRequestError && error.code === "FORBIDDEN") throw new CliError(error.message);
    throw error;
  }
}

async function loadWebhooks(ctx: Context, slug: string) {
  const { project: found } = await managing(() => ctx.sdk().webhooks({ slug }));
  if (!found)
    throw new CliError(
      `Project "${slug}" not found, or your token cannot access it. Run "envplane projects list" to see yours.`,
    );
  return found.webhooks;
}

export const webhooksCreate: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  const environments = opt.list(options, "env");
  const events = opt.list(options, "event").map(eventType);
  const r = await ctx.sdk().createWebhook({
    input: {
      project: slug,
      url: args.url!,
      environments: environments.length ? environments : undefined,
      events: events.length ? events : undefined,
      description: opt.string(options, "description"),
    },
  });
  // A field error names the option the user gave ("--env staging: …"), not the API's input path.
  const given = (path: readonly string[]) =>
    path[0] === "environments" && environments[Number(path[1])] !== undefined
      ? `--env ${environments[Number(path[1])]}`
      : path[0] === "events" && events[Number(path[1])] !== undefined
        ? `--event ${shownType(events[Number(path[1])])}`
        : describePath(path);
  const { webhook, signingSecret } = unwrap(r.createWebhook, "CreateWebhookPayload", given);
  if (opt.bool(options, "json")) return printJson({ signingSecret, ...shownHook(webhook) });
  ctx.io.print(signingSecret);
  ctx.io.note(
    `Created webhook ${webhook.id} → ${webhook.url}: ${webhook.events.map(shownType).join(", ")} ` +
      `of ${webhook.environments?.join(", ") ?? "every environment"}.`,
  );
  ctx.io.warn(
    "This signing secret is shown once: store it where the receiver can read it, and verify each delivery " +
      "with it (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature headers).",
  );
};

export const webhooksList: CommandSpec["run"] = async (ctx, { options }) => {
  const hooks = await loadWebhooks(ctx, ctx.project(options));
  if (opt.bool(options, "json")) return printJson(hooks.map(shownHook));
  if (!hooks.length) return ctx.io.note('No webhooks. Create one with "envplane webhooks create <url>".');
  ctx.io.print(
    table([
      ["ID", "URL", "EVENTS", "ENVIRONMENTS", "DESCRIPTION", "CREATED"],
      ...hooks.map((h) => [
        h.id,
        h.url,
        h.events.length === EVENT_TYPES.length ? "all" : h.events.map(shownType).join(","),
        h.environments?.join(",") ?? "all",
        h.description ?? "",
        h.createdAt.slice(0, 16),
      ]),
    ]),
  );
};

export const webhooksDelete: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  await ctx.confirmDestructive(
    options,
    `Delete webhook ${args.id} of ${slug}? Nothing more is sent to it.`,
    `Deleting webhook ${args.id} stops its deliveries and removes its delivery log.`,
    "Cancelled: the webhook was not deleted.",
  );
  const r = unwrap(
    (await ctx.sdk().deleteWebhook({ input: { project: slug, id: args.id! } })).deleteWebhook,
    "DeleteWebhookPayload",
  );
  if (opt.bool(options, "json")) return printJson({ id: r.id, url: r.url, deleted: true });
  ctx.io.done(`Deleted webhook ${r.id} (${r.url}).`);
};

export const webhooksDeliveries: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  const limitText = opt.string(options, "limit") ?? "20";
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new UsageError(`--limit "${limitText}" must be a whole number from 1 to 500.`);
  const { project: found } = await managing(() => ctx.sdk().webhookDeliveries({ slug, first: limit }));
  if (!found) throw new CliError(`Project "${slug}" not found, or your token cannot access it.`);
  const hook = found.webhooks.find((h) => h.id === args.id);
  if (!hook) throw new CliError(`Webhook "${args.id}" not found in project "${slug}". Run "envplane webhooks list".`);
  const list = hook.deliveries.nodes;
  if (opt.bool(options, "json"))
    return printJson(list.map((d) => ({ ...shownDelivery(d), payload: JSON.parse(d.payload) as unknown })));
  if (!list.length) return ctx.io.note(`No deliveries to ${hook.url} yet.`);
  ctx.io.print(
    table([
      ["ID", "EVENT", "STATUS", "ATTEMPTS", "HTTP", "CREATED", "NEXT ATTEMPT", "LAST ERROR"],
      ...list.map((d) => [
        d.id,
        shownType(d.eventType),
        d.status.toLowerCase(),
        String(d.attempts),
        d.lastStatusCode === null || d.lastStatusCode === undefined ? "-" : String(d.lastStatusCode),
        d.createdAt.slice(0, 19),
        d.nextAttemptAt?.slice(0, 19) ?? "-",
        d.lastError ?? "",
      ]),
    ]),
  );
  if (hook.deliveries.totalCount > list.length)
    ctx.io.note(`${plural(list.length, "delivery", "deliveries")} of ${hook.deliveries.totalCount} shown.`);
};

export const webhooksRedeliver: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  const r = unwrap(
    (await ctx.sdk().redeliverWebhook({ input: { project: slug, deliveryId: args["delivery-id"]! } })).redeliverWebhook,
    "RedeliverWebhookPayload",
  );
  if (opt.bool(options, "json")) return printJson(shownDelivery(r.delivery));
  ctx.io.done(
    `Queued delivery ${r.delivery.id} (${shownType(r.delivery.eventType)}, the payload of ${args["delivery-id"]}).`,
  );
};
