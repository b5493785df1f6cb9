import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { UsageError } from "../../errors.js";
import { seed } from "../../sync/seed.js";

export const envSeed: CommandSpec["run"] = async (ctx, { args, options }) => {
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
};
