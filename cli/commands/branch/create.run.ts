import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { printJson } from "../../format.js";
import { naming, unwrap } from "../../remote.js";

export const branchCreate: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  const r = await ctx.sdk().createBranch({ input: { project: slug, name: args.name! } });
  const { branch } = unwrap(r.createBranch, "CreateBranchPayload", naming({ name: args.name }));
  const resolved = unwrap(
    (await ctx.sdk().resolveBranch({ project: slug, branch: branch.name })).resolveBranch,
    "BranchResolution",
  );
  if (opt.bool(options, "json")) return printJson({ ...branch, environment: resolved.environment.name });
  ctx.io.done(`Created project branch ${branch.name} in ${slug}; it deploys with "${resolved.environment.name}".`);
};
