import type { CommandSpec } from "../command.js";
import { project } from "./options.js";

export const run: CommandSpec = {
  path: ["run"],
  summary: "Run a command with a project branch's runtime variables (secrets included) in its environment.",
  options: {
    branch: { type: "string", value: "<branch>", description: "The project branch (default: ENVPLANE_BRANCH)." },
    project,
  },
  passthrough: { name: "command", required: true },
  details: `Needs a service token with the runtime permission (ENVPLANE_TOKEN). The branch resolves to its
mapped environment; its overrides win over base values, which win over the inherited environment.
ENVPLANE_TOKEN itself is not passed to the command. The command's exit code is passed on.

Example:
  ENVPLANE_TOKEN=envp_svc_… envplane run --branch feature-x -- node server.js`,
  run: (ctx, invocation) => import("./run.run.js").then((m) => m.run(ctx, invocation)),
};
