import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { plural } from "../../format.js";
import { unwrap } from "../../remote.js";
import { env, project } from "../options.js";

export const envUnset: CommandSpec = {
  path: ["env", "unset"],
  summary: "Delete a variable (with its overrides), or only one branch's override.",
  args: [{ name: "KEY", required: true, description: "The variable to delete." }],
  options: {
    env,
    branch: {
      type: "string",
      value: "<branch>",
      description: "Remove only this project branch's override; the base value stays.",
    },
    project,
  },
  async run(ctx, { args, options }) {
    const slug = ctx.project(options);
    const environment = await ctx.environment(options, slug);
    const branch = opt.string(options, "branch");
    const r = await ctx.sdk().unsetVariable({ input: { project: slug, environment, key: args.KEY!, branch } });
    // A missing key or override is `removed: false`; NotFoundError means the project, environment or branch does not exist.
    const unset = unwrap(r.unsetVariable, "UnsetVariablePayload");
    if (!unset.removed) {
      ctx.io.note(
        `${branch ? `No override of ${args.KEY} for ${branch}` : `${args.KEY} is not set`} in "${environment}": nothing to remove.`,
      );
      return;
    }
    if (unset.branch)
      ctx.io.done(
        `Removed the override of ${unset.key} for project branch ${unset.branch} in "${environment}"; the base value stays.`,
      );
    else
      ctx.io.done(
        `Removed ${unset.key} from "${environment}"${unset.overridesRemoved ? ` with ${plural(unset.overridesRemoved, "override")}` : ""}.`,
      );
  },
};
