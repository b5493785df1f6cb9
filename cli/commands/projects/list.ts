import type { CommandSpec } from "../../command.js";
import { json } from "../options.js";

export const projectsList: CommandSpec = {
  path: ["projects", "list"],
  summary: "List the projects your token can access.",
  options: { json },
  run: (ctx, invocation) => import("./list.run.js").then((m) => m.projectsList(ctx, invocation)),
};
