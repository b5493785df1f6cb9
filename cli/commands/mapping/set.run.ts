import type { MappingRule } from "../../../core/mapping.js";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { UsageError } from "../../errors.js";
import { printJson } from "../../format.js";
import { rulesOf } from "../../remote.js";
import { mappingFromConfig } from "../../workspace.js";
import { applyMapping, describeRules } from "./sync.js";

export const mappingSet: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  const workspace = ctx.workspace();
  const before = rulesOf(await ctx.loadProject(slug));
  let rules: MappingRule[];
  if (opt.bool(options, "from-config")) {
    if (args.environment) throw new UsageError("Give either --from-config or <environment> <branch>, not both.");
    // The file's entries, plus the server-managed ones of preview environments (kept; never in the file).
    const fromFile = mappingFromConfig(ctx.requireWorkspace().readConfig().environments).filter(
      (r) => !r.environment.startsWith("preview/"),
    );
    const previews = before.filter(
      (r) => r.environment.startsWith("preview/") && !fromFile.some((f) => f.branch === r.branch),
    );
    rules = [...previews, ...fromFile];
  } else {
    if (!args.environment || !args.branch)
      throw new UsageError(
        'Missing <environment> <branch>, e.g. "envplane mapping set staging staging" (or --from-config).',
      );
    const current = before.filter((r) => r.environment !== args.environment && r.branch !== args.branch);
    rules = [...current, { environment: args.environment, branch: args.branch }];
  }
  const accepted = await applyMapping(ctx, workspace, slug, rules);
  if (opt.bool(options, "json")) return printJson({ project: slug, mapping: accepted });
  ctx.io.done(
    `Branch mapping of ${slug} updated${workspace ? " (server and envplane/config.json)" : ""}:\n${describeRules(accepted)}`,
  );
  const removed = before.filter((r) => !accepted.some((a) => a.branch === r.branch && a.environment === r.environment));
  if (removed.length) ctx.io.note(`No longer in the mapping:\n${describeRules(removed)}`);
};
