import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { UsageError } from "../../errors.js";
import { seed } from "../../sync/seed.js";
import { json, project } from "../options.js";

export const envSeed: CommandSpec = {
  path: ["env", "seed"],
  summary: "Copy the variables of one environment into an existing one (e.g. production from preview).",
  args: [{ name: "target", required: true, description: "The environment to fill." }],
  options: {
    from: { type: "string", value: "<env>", description: "The environment to copy from (required)." },
    interactive: {
      type: "boolean",
      short: "i",
      description: "Review each variable: [K]eep / [E]dit / [S]kip; secrets must be re-entered or skipped.",
    },
    project,
    json,
  },
  details:
    "Without --interactive every variable is copied as-is, secrets included; existing keys in the target keep their type.",
  async run(ctx, { args, options }) {
    const from = opt.string(options, "from");
    if (!from) throw new UsageError(`Missing --from <env>: the environment to copy into "${args.target}".`);
    await seed(ctx, {
      project: ctx.project(options),
      target: args.target!,
      source: from,
      interactive: opt.bool(options, "interactive"),
      create: false,
      json: opt.bool(options, "json"),
    });
  },
};
