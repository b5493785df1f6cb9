import type { CommandSpec } from "../../command.js";
import { json, project } from "../options.js";

export const mappingSet: CommandSpec = {
  path: ["mapping", "set"],
  summary: 'Make a project branch (or "*") deploy with an environment, in config.json and on the server.',
  args: [
    { name: "environment", description: "The environment, e.g. staging." },
    { name: "branch", description: 'The project branch, or "*" for every other branch.' },
  ],
  options: {
    "from-config": { type: "boolean", description: 'Apply the "environments" block of envplane/config.json as it is.' },
    project,
    json,
  },
  details: `Examples:
  envplane mapping set staging staging     # the staging branch deploys with staging
  envplane mapping set preview "*"         # every other branch deploys with preview
  envplane mapping set --from-config       # after editing config.json by hand

The environment's previous branch (if any) is replaced; a branch maps to one environment.`,
  run: (ctx, invocation) => import("./set.run.js").then((m) => m.mappingSet(ctx, invocation)),
};
