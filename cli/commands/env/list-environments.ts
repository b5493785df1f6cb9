import type { CommandSpec } from "../../command.js";
import { json, project } from "../options.js";

export const envListEnvironments: CommandSpec = {
  path: ["env", "list-environments"],
  summary: "List the project's environments and the branches that deploy with each.",
  options: { project, json },
  run: (ctx, invocation) => import("./list-environments.run.js").then((m) => m.envListEnvironments(ctx, invocation)),
};
