import type { CommandSpec } from "../../command.js";
import { json, message, project, yes } from "../options.js";
import { SERVICES } from "./services.js";

export const bindingsList: CommandSpec = {
  path: ["bindings", "list"],
  summary: "List the project's managed data-service bindings and where each has a credential.",
  options: { project, json },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.bindingsList(ctx, invocation)),
};

export const bindingsSet: CommandSpec = {
  path: ["bindings", "set"],
  summary: "Create a binding, or set (rotate) its credential in an environment (admins).",
  args: [{ name: "name", required: true, description: "The binding's name, e.g. main-db." }],
  options: {
    env: { type: "string", value: "<env>", description: "The environment whose credential to set." },
    value: {
      type: "string",
      value: "<credential>",
      description: 'The credential, e.g. a connection URL; "-" reads it from stdin (keeps it out of shell history).',
    },
    service: {
      type: "string",
      value: "<kind>",
      description: `A new binding's service: ${SERVICES.join(", ")} (default postgres).`,
    },
    variable: {
      type: "string",
      value: "<KEY>",
      description: "A new binding's variable (default DATABASE_URL).",
    },
    message,
    project,
    json,
  },
  details: `The credential is stored as a managed secret: it is never shown or pulled, it is resolved at runtime,
and env set / unset / push / seed / promote / restore never change or remove it.
The variable must not already exist in the environment as a plain variable (unset it first).
Examples:
  envplane bindings set main-db --service postgres --env production --value - < prod-url.txt
  printf %s "$NEW_URL" | envplane bindings set main-db --env production --value -   (rotation)`,
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.bindingsSet(ctx, invocation)),
};

export const bindingsRemove: CommandSpec = {
  path: ["bindings", "remove"],
  summary: "Remove a binding's credential from one environment, or the whole binding (admins).",
  args: [{ name: "name", required: true, description: "The binding's name." }],
  options: {
    env: {
      type: "string",
      value: "<env>",
      description: "Only remove the credential from this environment (the binding stays).",
    },
    "keep-variables": {
      type: "boolean",
      description: "Removing the whole binding: keep its credentials as plain secrets instead of deleting them.",
    },
    message,
    project,
    yes,
    json,
  },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.bindingsRemove(ctx, invocation)),
};

export const bindingCommands = [bindingsList, bindingsSet, bindingsRemove];
