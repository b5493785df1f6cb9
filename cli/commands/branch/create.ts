import type { CommandSpec } from "../../command.js";
import { json, project } from "../options.js";

export const branchCreate: CommandSpec = {
  path: ["branch", "create"],
  summary: "Create a project branch.",
  args: [{ name: "name", required: true, description: "The branch name, e.g. feature-x." }],
  options: { project, json },
  run: (ctx, invocation) => import("./create.run.js").then((m) => m.branchCreate(ctx, invocation)),
};
