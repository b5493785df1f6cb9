import type { CommandSpec } from "../../command.js";
import { env, json, project } from "../options.js";
import { branchOption } from "./branch.js";

export const envPull: CommandSpec = {
  path: ["env", "pull"],
  summary: "Replace envplane/.env with an environment's final standard values (secrets are left out).",
  options: {
    env,
    branch: branchOption,
    file: { type: "string", value: "<path>", description: "Write this file instead of envplane/.env." },
    stdout: { type: "boolean", description: "Print the file's content instead of writing a file." },
    project,
    json,
  },
  details: `Pull is a full replacement: envplane/.env is overwritten without merge. Keep personal values in envplane/.env.local.
For other formats (json, yaml, shell, docker) see "envplane env export".`,
  run: (ctx, invocation) => import("./pull.run.js").then((m) => m.envPull(ctx, invocation)),
};
