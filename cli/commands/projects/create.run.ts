import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { printJson } from "../../format.js";
import { naming, unwrap } from "../../remote.js";

export const projectsCreate: CommandSpec["run"] = async (ctx, { args, options }) => {
  const r = await ctx.sdk().createProject({ input: { slug: args.slug!, name: opt.string(options, "name") } });
  const { project } = unwrap(
    r.createProject,
    "ProjectPayload",
    naming({ slug: args.slug, name: opt.string(options, "name") }),
  );
  if (opt.bool(options, "json")) return printJson(project);
  ctx.io.done(
    `Created project ${project.slug}: branches ${project.branches.map((b) => b.name).join(", ")}; ` +
      `environments ${project.environments.map((e) => e.name).join(", ")}.`,
  );
  ctx.io.note(`Link a folder to it with "envplane link ${project.slug}".`);
};
