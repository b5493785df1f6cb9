import type { CommandSpec } from "../command.js";
import { json, project } from "./options.js";

export const status: CommandSpec = {
  path: ["status"],
  summary: "Show each branch's environment, its current and live revision, and the changes not yet live.",
  options: {
    project,
    branch: { type: "string", value: "<branch>", description: "Only this project branch (lists its pending keys)." },
    json,
  },
  details:
    "The live revision is what the branch's deployment last got from the runtime resolution (envplane run, or the " +
    "SDK with a runtime token). Pending changes are keys written to the environment since, on its base values or " +
    "this branch's overrides.",
  run: (ctx, invocation) => import("./status.run.js").then((m) => m.status(ctx, invocation)),
};
