import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import type { Context } from "../../context.js";
import { plural, printJson } from "../../format.js";
import { gitHeadFile, readGitBranch } from "../../git.js";
import { pullInto } from "../../sync/pull.js";
import { env, json, project } from "../options.js";

/**
 * The project branch whose overrides a pull of a deployed environment resolves: --branch, ENVPLANE_BRANCH,
 * else the git branch when the project has one of that name.
 */
async function currentBranch(
  ctx: Context,
  flag: string | undefined,
  slug: string,
  environment: string,
  root: string,
): Promise<string | null> {
  if (flag) return flag;
  if (environment === "development") return null;
  const deployment = ctx.deploymentBranch();
  if (deployment) return deployment;
  const git = readGitBranch(gitHeadFile(root));
  if (!git) return null;
  const p = await ctx.loadProject(slug);
  return p.branches.some((b) => b.name === git) ? git : null;
}

export const envPull: CommandSpec = {
  path: ["env", "pull"],
  summary: "Replace envplane/.env with an environment's final standard values (secrets are left out).",
  options: {
    env,
    branch: {
      type: "string",
      value: "<branch>",
      description:
        "Resolve this project branch's overrides (default: ENVPLANE_BRANCH, else the git branch when the project has it).",
    },
    project,
    json,
  },
  details:
    "Pull is a full replacement: envplane/.env is overwritten without merge. Keep personal values in envplane/.env.local.",
  async run(ctx, { options }) {
    const slug = ctx.project(options);
    const workspace = ctx.requireWorkspace();
    const environment = await ctx.environment(options, slug);
    const branch = await currentBranch(ctx, opt.string(options, "branch"), slug, environment, workspace.root);
    const result = await pullInto(ctx, {
      project: slug,
      environment,
      branch,
      file: workspace.envPath,
      config: workspace.readConfig(),
    });
    for (const key of result.unrepresentable)
      ctx.io.warn(
        `${key} was left out: no .env quoting can hold its value exactly. Use "envplane run" to inject it, or change the value.`,
      );
    if (opt.bool(options, "json")) return printJson({ ...result, file: workspace.display(result.file) });
    const secrets = result.excludedSecrets.length
      ? ` (${plural(result.excludedSecrets.length, "secret")} left out, listed in the file)`
      : "";
    ctx.io.done(
      `Pulled ${plural(result.variables, "variable")} from ` +
        `"${result.environment}"${result.branch ? ` for project branch ${result.branch}` : ""} ` +
        `into ${workspace.display(result.file)}${secrets}.`,
    );
  },
};
