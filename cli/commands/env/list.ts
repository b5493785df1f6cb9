import type { CommandSpec } from "../../command.js";
import { env, json, project } from "../options.js";

export const envList: CommandSpec = {
  path: ["env", "list"],
  summary: "List an environment's variables with a preview of each value, branch overrides under their base value.",
  options: {
    env,
    project,
    values: {
      type: "boolean",
      description: "Print full values instead of previews (secrets as [secret]: never shown).",
    },
    "names-only": {
      type: "boolean",
      description: "Print only the keys, one a line, and their count (on stderr); no values are read.",
    },
    json,
  },
  details: `A preview is a value's first 12 characters and "…" when it is longer; secrets are always ••••.
Read one full value with "envplane env get KEY", or all of them with --values.
--names-only also works with a service token that may only write.`,
  run: (ctx, invocation) => import("./list.run.js").then((m) => m.envList(ctx, invocation)),
};
