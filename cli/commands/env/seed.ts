import type { CommandSpec } from "../../command.js";
import { json, message, project, yes } from "../options.js";

export const envSeed: CommandSpec = {
  path: ["env", "seed"],
  summary: "Copy the variables of one environment into an existing one: env seed <target> --from <source>.",
  args: [{ name: "target", required: true, description: "The environment copied into (e.g. production)." }],
  options: {
    from: { type: "string", value: "<env>", description: "The environment copied from (required), e.g. preview." },
    interactive: {
      type: "boolean",
      short: "i",
      description: "Review each variable: [K]eep / [E]dit / [S]kip; secrets must be re-entered or skipped.",
    },
    yes,
    "dry-run": { type: "boolean", description: "Show what would change in the target; change nothing." },
    verbose: { type: "boolean", description: "List every unchanged variable (more than 10 are counted on one line)." },
    message,
    project,
    json,
  },
  details: `Example: envplane env seed production --from preview   (copies preview's variables into production)

Without --interactive every variable is copied as-is, secrets included; existing keys in the target
keep their type. First the diff against the target is shown; overwriting values that are there is
confirmed on a terminal, and needs --yes without one. --dry-run stops after the diff.`,
  run: (ctx, invocation) => import("./seed.run.js").then((m) => m.envSeed(ctx, invocation)),
};
