import type { CommandSpec } from "../../command.js";
import { json, project } from "../options.js";

export const branchList: CommandSpec = {
  path: ["branch", "list"],
  summary: "List the project branches and the environment each deploys with.",
  options: { project, json },
  run: (ctx, invocation) => import("./list.run.js").then((m) => m.branchList(ctx, invocation)),
};
