import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { CliError } from "../../errors.js";
import { printJson } from "../../format.js";
import { rulesOf } from "../../remote.js";
import { applyMapping, describeRules } from "./sync.js";

export const mappingUnset: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  const current = rulesOf(await ctx.loadProject(slug));
  const rules = current.filter((r) => r.environment !== args.environment);
  if (rules.length === current.length)
    throw new CliError(`"${args.environment}" is not in the branch mapping of ${slug}. Run "envplane mapping show".`);
  const accepted = await applyMapping(ctx, ctx.workspace(), slug, rules);
  if (opt.bool(options, "json")) return printJson({ project: slug, mapping: accepted });
  ctx.io.done(`Removed "${args.environment}" from the branch mapping of ${slug}:\n${describeRules(accepted)}`);
};
