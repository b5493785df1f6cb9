import type { CommandSpec } from "../../command.js";
import { json, message, project } from "../options.js";

export const sharedList: CommandSpec = {
  path: ["shared", "list"],
  summary: "List the project's shared variables and the environments that reference them (secrets as [secret]).",
  options: { project, json },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.sharedList(ctx, invocation)),
};

export const sharedSet: CommandSpec = {
  path: ["shared", "set"],
  summary: "Set a project-shared variable (environments reference it as ${{project.KEY}}).",
  args: [
    { name: "KEY", required: true, description: "The variable, e.g. DB_USER." },
    {
      name: "value",
      required: true,
      description: '"-" reads it from stdin (or asks, hidden, on a terminal), so secrets stay out of shell history.',
    },
  ],
  options: {
    secret: {
      type: "boolean",
      description:
        "Store it as a secret: never pulled or shown; values referencing it resolve as secrets (runtime only).",
    },
    message,
    project,
    json,
  },
  details: `Examples:
  envplane shared set DB_USER app
  printf %s "$DB_PASSWORD" | envplane shared set DB_PASSWORD - --secret
  envplane env set DATABASE_URL 'postgres://\${{project.DB_USER}}:\${{project.DB_PASSWORD}}@db/app' --env production`,
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.sharedSet(ctx, invocation)),
};

export const sharedUnset: CommandSpec = {
  path: ["shared", "unset"],
  summary: "Delete a project-shared variable (refused while environments reference it, unless --force).",
  args: [{ name: "KEY", required: true, description: "The shared variable to delete." }],
  options: {
    force: {
      type: "boolean",
      description: "Delete it even when referenced: those references then fail to resolve until it is set again.",
    },
    message,
    project,
    json,
  },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.sharedUnset(ctx, invocation)),
};

export const sharedCommands = [sharedList, sharedSet, sharedUnset];
