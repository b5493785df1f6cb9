import type { CommandSpec } from "../../command.js";
import { env, json, message, project } from "../options.js";

export const envUnset: CommandSpec = {
  path: ["env", "unset"],
  summary: "Delete variables (with their overrides), or only one branch's overrides; several keys are one write.",
  args: [{ name: "KEY", required: true, variadic: true, description: "The variables to delete, e.g. A B C." }],
  options: {
    env,
    branch: {
      type: "string",
      value: "<branch>",
      description: "Remove only this project branch's overrides; the base values stay.",
    },
    message,
    project,
    json,
  },
  run: (ctx, invocation) => import("./unset.run.js").then((m) => m.envUnset(ctx, invocation)),
};
