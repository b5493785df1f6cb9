import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { printJson, table } from "../../format.js";

export const projectsList: CommandSpec["run"] = async (ctx, { options }) => {
  const projects = await ctx.listProjects();
  if (opt.bool(options, "json")) return printJson(projects);
  if (!projects.length) return ctx.io.note('No projects yet. Create one with "envplane projects create <slug>".');
  ctx.io.print(
    table([
      ["SLUG", "NAME", "ROLE", "ENVIRONMENTS"],
      ...projects.map((p) => [
        p.slug,
        p.name,
        (p.viewerRole ?? "service").toLowerCase(),
        p.environments.map((e) => e.name).join(", "),
      ]),
    ]),
  );
};
