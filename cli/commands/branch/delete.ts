import type { CommandSpec } from "../../command.js";
import { json, project, yes } from "../options.js";

export const branchDelete: CommandSpec = {
  path: ["branch", "delete"],
  summary: "Delete a project branch and its overrides (admins; main cannot be deleted).",
  args: [{ name: "name", required: true, description: "The branch to delete." }],
  options: { project, yes, json },
  run: (ctx, invocation) => import("./delete.run.js").then((m) => m.branchDelete(ctx, invocation)),
};
