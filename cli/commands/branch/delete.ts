import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { plural, printJson } from "../../format.js";
import { unwrap } from "../../remote.js";
import { json, project, yes } from "../options.js";

export const branchDelete: CommandSpec = {
  path: ["branch", "delete"],
  summary: "Delete a project branch and its overrides (admins; main cannot be deleted).",
  args: [{ name: "name", required: true, description: "The branch to delete." }],
  options: { project, yes, json },
  async run(ctx, { args, options }) {
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
  },
};
