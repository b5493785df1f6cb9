import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { plural, printJson } from "../../format.js";
import { unwrap } from "../../remote.js";

export const branchDelete: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  await ctx.confirmDestructive(
    options,
    `Delete project branch "${args.name}" of ${slug}, all its overrides and its preview environment (if any)?`,
    `Deleting project branch "${args.name}" removes its overrides.`,
  );
  const r = unwrap(
    (await ctx.sdk().deleteBranch({ input: { project: slug, name: args.name! } })).deleteBranch,
    "DeleteBranchPayload",
  );
  if (opt.bool(options, "json"))
    return printJson({
      branch: r.name,
      deleted: true,
      overridesRemoved: r.overridesRemoved,
      previewDeleted: r.previewDeleted ?? null,
    });
  ctx.io.done(
    `Deleted project branch ${r.name} (${plural(r.overridesRemoved, "override")} removed` +
      `${r.previewDeleted ? `; its preview environment ${r.previewDeleted} deleted too` : ""}).`,
  );
};
