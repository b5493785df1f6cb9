import type { CommandSpec } from "../../command.js";
import { json, project, yes } from "../options.js";
import { EVENT_TYPES } from "./events.js";

export const webhooksCreate: CommandSpec = {
  path: ["webhooks", "create"],
  summary: "Send the project's events to a URL, signed (admins). Prints the signing secret once.",
  args: [{ name: "url", required: true, description: "An http:// or https:// URL that accepts POST requests." }],
  options: {
    env: {
      type: "string",
      multiple: true,
      value: "<env>",
      description: "Only events of this environment (repeat for more; default: every environment).",
    },
    event: {
      type: "string",
      multiple: true,
      value: "<type>",
      description: `Only this event type (repeat for more; default: all): ${EVENT_TYPES.join(", ")}.`,
    },
    description: { type: "string", value: "<text>", description: "What it is for." },
    project,
    json,
  },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.webhooksCreate(ctx, invocation)),
};

export const webhooksList: CommandSpec = {
  path: ["webhooks", "list"],
  summary: "List the project's webhooks (admins).",
  options: { project, json },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.webhooksList(ctx, invocation)),
};

export const webhooksDelete: CommandSpec = {
  path: ["webhooks", "delete"],
  summary: "Delete a webhook and its delivery log (admins).",
  args: [{ name: "id", required: true, description: 'The webhook id (see "envplane webhooks list").' }],
  options: { project, yes, json },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.webhooksDelete(ctx, invocation)),
};

export const webhooksDeliveries: CommandSpec = {
  path: ["webhooks", "deliveries"],
  summary: "Show a webhook's recent deliveries, newest first: status, attempts, last error (admins).",
  args: [{ name: "id", required: true, description: 'The webhook id (see "envplane webhooks list").' }],
  options: {
    limit: { type: "string", value: "<n>", description: "How many (default 20, at most 500)." },
    project,
    json,
  },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.webhooksDeliveries(ctx, invocation)),
};

export const webhooksRedeliver: CommandSpec = {
  path: ["webhooks", "redeliver"],
  summary: "Send a delivery's payload again, as a new delivery (admins).",
  args: [
    { name: "delivery-id", required: true, description: 'The delivery id (see "envplane webhooks deliveries <id>").' },
  ],
  options: { project, json },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.webhooksRedeliver(ctx, invocation)),
};

export const webhookCommands = [webhooksCreate, webhooksList, webhooksDelete, webhooksDeliveries, webhooksRedeliver];
