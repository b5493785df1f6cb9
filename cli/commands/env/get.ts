import type { CommandSpec } from "../../command.js";
import { env, project } from "../options.js";
import { branchOption } from "./branch.js";

export const envGet: CommandSpec = {
  path: ["env", "get"],
  summary: "Print one variable's final value, exactly as stored (secrets are refused).",
  args: [{ name: "KEY", required: true, description: "The variable, e.g. API_URL." }],
  options: { env, branch: branchOption, project },
  details: `The value is resolved like "envplane env pull" (a project branch's override over the base value).
It is printed as it is: a newline is added only when stdout is a terminal, so
  API_URL="$(envplane env get API_URL --env preview)"
gets the value byte for byte. Secrets are write-only: your app gets them at runtime through
"envplane run" with a service token that has the runtime permission.`,
  run: (ctx, invocation) => import("./get.run.js").then((m) => m.envGet(ctx, invocation)),
};
