import type { CommandSpec } from "../../command.js";
import { json, yes } from "../options.js";

export const projectsDelete: CommandSpec = {
  path: ["projects", "delete"],
  summary: "Delete a project with all its environments, variables, branches and tokens (owners).",
  args: [{ name: "slug", required: true, description: "The project to delete." }],
  options: { yes, json },
  details: "Asks for confirmation on a terminal; elsewhere pass --yes. It cannot be undone.",
  run: (ctx, invocation) => import("./delete.run.js").then((m) => m.projectsDelete(ctx, invocation)),
};
