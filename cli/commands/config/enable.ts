import type { CommandSpec } from "../../command.js";
import { env } from "../options.js";

export const configEnable: CommandSpec = {
  path: ["config", "enable"],
  summary: "Enable a platform feature in envplane/config.json and scaffold the variables it needs.",
  args: [{ name: "feature", required: true, description: "e.g. auth.external.google" }],
  options: { env },
  details: `Linked: creates the feature's variables, empty and of the right type (secret for sensitive
fields), in the environment (default development), then asks for their values on a terminal.
Not linked: adds them to envplane/.env instead.`,
  run: (ctx, invocation) => import("./enable.run.js").then((m) => m.configEnable(ctx, invocation)),
};
