import type { CommandSpec } from "../../command.js";
import { env, project } from "../options.js";
import { branchOption } from "./branch.js";

export const envExport: CommandSpec = {
  path: ["env", "export"],
  summary: "Print an environment's final standard values as dotenv, json, yaml, shell or docker (to stdout).",
  options: {
    format: { type: "string", value: "dotenv|json|yaml|shell|docker", description: "The output format (required)." },
    env,
    branch: branchOption,
    project,
  },
  details: `Values are resolved like "envplane env pull"; secrets are left out (listed on stderr).
  eval "$(envplane env export --format shell --env preview)"     # single-quoted: safe to eval
  envplane env export --format docker --env production > prod.env && docker run --env-file prod.env …
A value a format cannot hold exactly (e.g. a line break for docker) is an error naming the keys; nothing is printed.`,
  run: (ctx, invocation) => import("./export.run.js").then((m) => m.envExport(ctx, invocation)),
};
