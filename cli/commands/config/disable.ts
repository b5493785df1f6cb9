import type { CommandSpec } from "../../command.js";

export const configDisable: CommandSpec = {
  path: ["config", "disable"],
  summary: "Disable a platform feature in envplane/config.json (its variables are left as they are).",
  args: [{ name: "feature", required: true, description: "e.g. auth.external.google" }],
  details: `Sets "enabled": false for the feature in envplane/config.json; its other settings stay, so
"envplane config enable" turns it back on as it was. Nothing on the platform changes: the feature's
variables keep their values in every environment.`,
  run: (ctx, invocation) => import("./disable.run.js").then((m) => m.configDisable(ctx, invocation)),
};
