import type { CommandSpec } from "../command.js";
import { json } from "./options.js";

export const dashboard: CommandSpec = {
  path: ["dashboard"],
  summary: "Print a one-time link that signs your browser in to the server's dashboard.",
  details:
    "The link signs in as you (the user of your personal token), works once and only for 2 minutes: " +
    "treat it like a password. On a terminal (and not in CI) it is also opened in your browser, unless --no-open.\n\n" +
    "Examples:\n  envplane dashboard\n  envplane dashboard --no-open",
  options: {
    "no-open": { type: "boolean", description: "Only print the link; do not open a browser." },
    json,
  },
  run: (ctx, invocation) => import("./dashboard.run.js").then((m) => m.dashboard(ctx, invocation)),
};
