import { CliError, opt, UsageError, type CommandSpec } from "../../command.js";
import { unwrap } from "../../context.js";
import { plural } from "../../format.js";
import { project, yes } from "../options.js";

export const branchDelete: CommandSpec = {
  path: ["branch", "delete"],
  summary: "Delete a project branch and its overrides (admins; main cannot be deleted).",
  args: [{ name: "name", required: true, description: "The branch to delete." }],
  options: { project, yes },
  async run(ctx, { args, options }) {
    const slug = ctx.project(options);
    if (!opt.bool(options, "yes")) {
      if (!ctx.io.interactive) throw new UsageError(`Deleting project branch "${args.name}" removes its overrides. Re-run with --yes to confirm.`);
      if (!(await ctx.io.confirm(`Delete project branch "${args.name}" of ${slug} and all its overrides?`))) throw new CliError("Cancelled: nothing was deleted.");
    }
    const r = unwrap((await ctx.sdk().deleteBranch({ input: { project: slug, name: args.name! } })).deleteBranch, "DeleteBranchPayload");
    ctx.io.done(`Deleted project branch ${r.name} (${plural(r.overridesRemoved, "override")} removed).`);
  },
};
