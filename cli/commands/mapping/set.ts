import type { MappingRule } from "../../../core/mapping.js";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { UsageError } from "../../errors.js";
import { printJson } from "../../format.js";
import { rulesOf } from "../../remote.js";
import { mappingFromConfig } from "../../workspace.js";
import { json, project } from "../options.js";
import { applyMapping, describeRules } from "./sync.js";

export const mappingSet: CommandSpec = {
  path: ["mapping", "set"],
  summary: 'Make a project branch (or "*") deploy with an environment, in config.json and on the server.',
  args: [
    { name: "environment", description: "The environment, e.g. staging." },
    { name: "branch", description: 'The project branch, or "*" for every other branch.' },
  ],
  options: {
    "from-config": { type: "boolean", description: 'Apply the "environments" block of envplane/config.json as it is.' },
    project,
    json,
  },
  details: `Examples:
  envplane mapping set staging staging     # the staging branch deploys with staging
  envplane mapping set preview "*"         # every other branch deploys with preview
  envplane mapping set --from-config       # after editing config.json by hand

The environment's previous branch (if any) is replaced; a branch maps to one environment.`,
  async run(ctx, { args, options }) {
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
    const removed = before.filter(
      (r) => !accepted.some((a) => a.branch === r.branch && a.environment === r.environment),
    );
    if (removed.length) ctx.io.note(`No longer in the mapping:\n${describeRules(removed)}`);
  },
};
