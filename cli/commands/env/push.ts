import type { CommandSpec } from "../../command.js";
import { env, json, message, project, yes } from "../options.js";

export const envPush: CommandSpec = {
  path: ["env", "push"],
  summary: "Push a .env file to an environment's base values: shows the diff, asks, applies it in one transaction.",
  options: {
    env,
    file: {
      type: "string",
      value: "<path>",
      description: "The file to push (default: envplane/.env). envplane/.env.local is never pushed.",
    },
    yes,
    "dry-run": { type: "boolean", description: "Show what would change; change nothing." },
    prune: {
      type: "boolean",
      description: "Also delete remote variables missing from the file (secrets that pull left out are kept).",
    },
    verbose: { type: "boolean", description: "List every unchanged variable (more than 10 are counted on one line)." },
    message,
    project,
    json,
  },
  details: `Mark secrets with a "# @secret" comment on the line before a variable. New keys without it are
asked about on a terminal ([Y/n] for names with SECRET, TOKEN, PASSWORD, PRIVATE_KEY or API_KEY, or ending in _KEY);
with --yes they are stored as standard. Existing keys keep their type. Branch overrides are
never pushed: set them with "envplane env set --branch".`,
  run: (ctx, invocation) => import("./push.run.js").then((m) => m.envPush(ctx, invocation)),
};
