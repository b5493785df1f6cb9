import type { CommandSpec } from "../../command.js";
import { json } from "../options.js";

export const projectsCreate: CommandSpec = {
  path: ["projects", "create"],
  summary: "Create a project (with branches main and dev and environments development, preview and production).",
  args: [{ name: "slug", required: true, description: "Lower-case letters, digits and -, e.g. shop." }],
  options: { name: { type: "string", value: "<name>", description: "Display name (default: the slug)." }, json },
  run: (ctx, invocation) => import("./create.run.js").then((m) => m.projectsCreate(ctx, invocation)),
};
