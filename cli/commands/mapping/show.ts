import type { CommandSpec } from "../../command.js";
import { json, project } from "../options.js";

export const mappingShow: CommandSpec = {
  path: ["mapping", "show"],
  summary: "Show which environment each project branch deploys with.",
  options: { project, json },
  details: 'First explicit match wins, then the wildcard "*"; without a wildcard, branches deploy with preview.',
  run: (ctx, invocation) => import("./show.run.js").then((m) => m.mappingShow(ctx, invocation)),
};
