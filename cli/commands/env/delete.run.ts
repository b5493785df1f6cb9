import { isDefaultEnvironment } from "../../../core/names.js";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { CliError } from "../../errors.js";
import { printJson } from "../../format.js";
import { unwrap } from "../../remote.js";

export const envDelete: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  // What would be refused is refused before asking to confirm it.
  if (isDefaultEnvironment(args.name!))
    throw new CliError(
      `"${args.name}" is a default environment and cannot be deleted (development, preview and production always exist). Only custom environments can be deleted.`,
    );
  const project = await ctx.loadProject(slug);
  if (!project.environments.some((e) => e.name === args.name))
    throw new CliError(
      `Environment "${args.name}" not found in project "${slug}". Run "envplane env list-environments" to see them.`,
    );
  await ctx.confirmDestructive(
    options,
    `Delete environment "${args.name}" of ${slug} and all its variables?`,
    `Deleting environment "${args.name}" deletes its variables.`,
  );
  const r = unwrap(
    (await ctx.sdk().deleteEnvironment({ input: { project: slug, name: args.name! } })).deleteEnvironment,
    "DeleteEnvironmentPayload",
  );
  if (opt.bool(options, "json"))
    return printJson({ environment: r.name, deleted: true, unmappedBranches: r.unmappedBranches });
  ctx.io.done(`Deleted environment "${r.name}".`);
  if (r.unmappedBranches.length)
    ctx.io.note(`Branches no longer mapped to it: ${r.unmappedBranches.join(", ")} (they now follow the wildcard).`);
};
