import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { CliError } from "../../errors.js";
import { printJson } from "../../format.js";
import { unwrap } from "../../remote.js";

export const projectsDelete: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = args.slug!;
  // Checked before asking: a confirmation for a delete that would fail helps no one.
  const project = await ctx.loadProject(slug);
  if (!project.viewerCanDelete)
    throw new CliError(
      `Only owners can delete project ${slug}; ${project.viewerRole ? `your role is ${project.viewerRole.toLowerCase()}` : "a service token cannot"}.`,
    );
  const variables = project.environments.reduce((n, e) => n + e.variableCount, 0);
  await ctx.confirmDestructive(
    options,
    `Delete project ${slug} with its ${project.environments.length} environments and ${variables} variables? This cannot be undone.`,
    `Deleting project ${slug} deletes its ${project.environments.length} environments and ${variables} variables.`,
  );
  const r = unwrap((await ctx.sdk().deleteProject({ input: { slug } })).deleteProject, "DeleteProjectPayload");
  if (opt.bool(options, "json")) return printJson({ slug: r.slug, deleted: true });
  ctx.io.done(`Deleted project ${r.slug}.`);
  const linked = ctx.workspace()?.readConfig().project;
  if (linked === r.slug) ctx.io.note(`This folder is still linked to ${r.slug}: run "envplane link <project>".`);
};
