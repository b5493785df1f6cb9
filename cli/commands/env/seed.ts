import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { UsageError } from "../../errors.js";
import { seed } from "../../sync/seed.js";
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
  async run(ctx, { args, options }) {
    const from = opt.string(options, "from");
    if (!from)
      throw new UsageError(
        `Missing --from <env>: which environment to copy into "${args.target}", e.g. envplane env seed ${args.target} --from ${args.target === "preview" ? "development" : "preview"}.`,
      );
    await seed(ctx, {
      project: ctx.project(options),
      target: args.target!,
      source: from,
      interactive: opt.bool(options, "interactive"),
      create: false,
      json: opt.bool(options, "json"),
      dryRun: opt.bool(options, "dry-run"),
      yes: opt.bool(options, "yes"),
      verbose: opt.bool(options, "verbose"),
      message: opt.string(options, "message"),
    });
  },
};
