import type { CommandSpec } from "../../command.js";
import { json, message, project, yes } from "../options.js";

export const previewCreate: CommandSpec = {
  path: ["preview", "create"],
  summary:
    "Create preview/<branch>: a clone of the environment the branch deploys with, mapped to the branch (admins).",
  args: [{ name: "branch", required: true, description: "The project branch (created when missing), e.g. feature/x." }],
  options: {
    url: { type: "string", value: "<url>", description: "The deployment's URL (http or https). Required." },
    from: { type: "string", value: "<env>", description: "Clone this environment instead of the mapped one." },
    set: {
      type: "string",
      multiple: true,
      value: "<KEY=VALUE>",
      description: "Set a value on top of the clone (repeat for more); ${PREVIEW_URL} in it becomes --url.",
    },
    "share-binding": {
      type: "string",
      multiple: true,
      value: "<name>",
      description: "The preview shares the source's credential of this service binding (repeatable).",
    },
    binding: {
      type: "string",
      multiple: true,
      value: "<NAME=VALUE>",
      description: 'The preview gets its own credential for this binding (repeatable); VALUE "-" reads it from stdin.',
    },
    message,
    project,
    json,
  },
  details: `
Clones on the server, secrets included (only admins who may write the source can), applies the --set
values and maps the branch to the new environment with an exact entry. Quote \${PREVIEW_URL} so the
shell keeps it:

  envplane preview create feature/login --url https://pr-42.example.com --set 'APP_URL=\${PREVIEW_URL}'

When the source has service binding credentials, choose per binding: --share-binding NAME (same
credential as the source) or --binding NAME=VALUE (its own; "NAME=-" reads it from stdin).`,
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.previewCreate(ctx, invocation)),
};

export const previewList: CommandSpec = {
  path: ["preview", "list"],
  summary: "List the project's preview environments: branch, environment, source, URL.",
  options: { project, json },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.previewList(ctx, invocation)),
};

export const previewDelete: CommandSpec = {
  path: ["preview", "delete"],
  summary: "Delete a branch's preview environment and its mapping entry (admins); the branch stays.",
  args: [{ name: "branch", required: true, description: "The project branch whose preview to delete." }],
  options: { project, yes, json },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.previewDelete(ctx, invocation)),
};

export const previewCommands = [previewCreate, previewList, previewDelete];
