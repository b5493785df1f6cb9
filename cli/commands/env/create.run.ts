import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { UsageError } from "../../errors.js";
import { printJson } from "../../format.js";
import { naming, unwrap } from "../../remote.js";
import { seed } from "../../sync/seed.js";

export const envCreate: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  const from = opt.string(options, "from");
  if (opt.bool(options, "interactive") && !from)
    throw new UsageError("--interactive reviews the variables of --from <env>; give --from too.");
  const isProtected = opt.bool(options, "protected") || undefined;
  if (from)
    return seed(ctx, {
      project: slug,
      target: args.name!,
      source: from,
      interactive: opt.bool(options, "interactive"),
      create: true,
      isProtected,
      json: opt.bool(options, "json"),
    });
  const r = await ctx.sdk().createEnvironment({ input: { project: slug, name: args.name!, isProtected } });
  const { environment } = unwrap(r.createEnvironment, "EnvironmentPayload", naming({ name: args.name }));
  if (opt.bool(options, "json"))
    return printJson({
      environment: environment.name,
      isProtected: environment.isProtected,
      revision: environment.revision,
    });
  ctx.io.done(`Created environment "${environment.name}" in ${slug}${environment.isProtected ? " (protected)" : ""}.`);
  ctx.io.note(`Map a branch to it with "envplane mapping set ${environment.name} <branch>".`);
};
