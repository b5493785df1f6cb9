import type { CommandSpec } from "../../command.js";
import { env, json, message, project, yes } from "../options.js";

export const envRestore: CommandSpec = {
  path: ["env", "restore"],
  summary: "Set an environment back to an earlier revision (secrets and overrides included), as a new revision.",
  args: [{ name: "revision", required: true, description: "The revision to restore (see envplane env history)." }],
  options: {
    env,
    "dry-run": { type: "boolean", description: "Show what would change; change nothing." },
    yes,
    message,
    project,
    json,
  },
  details: `Example: envplane env restore 12 --env production -m "undo the bad deploy's config"

The server compares the revision with the current state and shows the changes (secrets by key only: their
values never leave the server), then asks; without a terminal it needs --yes. Restoring writes a new
revision, so it can itself be undone.`,
  run: (ctx, invocation) => import("./restore.run.js").then((m) => m.envRestore(ctx, invocation)),
};
