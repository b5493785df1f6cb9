import type { CommandSpec } from "../../command.js";
import { env, json, project } from "../options.js";

export const envHistory: CommandSpec = {
  path: ["env", "history"],
  summary: "List an environment's revisions, newest first: who changed what, when and why.",
  options: {
    env,
    limit: { type: "string", value: "<n>", description: "How many revisions (default 20, at most 500)." },
    project,
    json,
  },
  details: `Each revision shows its counts of added (+), changed (~) and removed (-) values and overrides.
  envplane env history --env production
  envplane env restore 12 --env production --dry-run     # what restoring revision 12 would change`,
  run: (ctx, invocation) => import("./history.run.js").then((m) => m.envHistory(ctx, invocation)),
};
