import type { CommandSpec } from "../../command.js";
import { json, project } from "../options.js";

export const tokensCreate: CommandSpec = {
  path: ["tokens", "create"],
  summary: "Create a service token for the project, or a personal one with --personal (shown once).",
  options: {
    name: { type: "string", value: "<name>", description: "What the token is for, e.g. ci-preview." },
    personal: {
      type: "boolean",
      description: "A personal token: acts for you, with your role in each project (no --env/--permission).",
    },
    env: {
      type: "string",
      multiple: true,
      value: "<env>",
      description: "Limit it to this environment (default: every environment).",
    },
    permission: {
      type: "string",
      multiple: true,
      value: "read|write|runtime",
      description: "What it may do (default: read). runtime resolves secrets for envplane run.",
    },
    "expires-in": { type: "string", value: "<30d|12h|90m>", description: "Expire after this long (default: never)." },
    project,
    json,
  },
  run: (ctx, invocation) => import("./create.run.js").then((m) => m.tokensCreate(ctx, invocation)),
};
