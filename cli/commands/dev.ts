import type { CommandSpec } from "../command.js";
import { json } from "./options.js";

export const dev: CommandSpec = {
  path: ["dev"],
  summary:
    "Resolve envplane/config.json locally and run a command with it, restarting it when its files or the git branch change.",
  options: { json },
  passthrough: { name: "command", required: false },
  details: `Values come from the OS environment, then envplane/.env.local, then envplane/.env. Platform
features bind to their canonical variables (ENVPLANE_AUTH_EXTERNAL_GOOGLE_SECRET, …) without env();
user variables come from env(NAME) references. Fails when an enabled feature misses a variable or
a sensitive field is hardcoded in config.json; warns when an env() variable is missing.

Without a command it checks the configuration and lists the resolved variables (never their values).
With one, it runs it with the files' variables and the resolved config in its environment, and
restarts it when envplane/config.json, .env or .env.local change, or when the git branch changes:
then it first activates the project branch of that name (creating it when the folder is linked).`,
  run: (ctx, invocation) => import("./dev.run.js").then((m) => m.dev(ctx, invocation)),
};
