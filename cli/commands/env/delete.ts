import type { CommandSpec } from "../../command.js";
import { json, project, yes } from "../options.js";

export const envDelete: CommandSpec = {
  path: ["env", "delete"],
  summary: "Delete a custom environment and its variables (development, preview and production cannot be deleted).",
  args: [{ name: "name", required: true, description: "The environment to delete." }],
  options: { project, yes, json },
  run: (ctx, invocation) => import("./delete.run.js").then((m) => m.envDelete(ctx, invocation)),
};
