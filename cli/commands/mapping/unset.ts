import type { CommandSpec } from "../../command.js";
import { json, project } from "../options.js";

export const mappingUnset: CommandSpec = {
  path: ["mapping", "unset"],
  summary: "Remove an environment from the branch mapping (its branches fall back to the wildcard).",
  args: [{ name: "environment", required: true, description: "The environment to unmap." }],
  options: { project, json },
  run: (ctx, invocation) => import("./unset.run.js").then((m) => m.mappingUnset(ctx, invocation)),
};
