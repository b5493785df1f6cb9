/** Which project branch's overrides a read of an environment resolves (pull, get, export). */
import type { OptionSpec } from "../../command.js";
import type { Context } from "../../context.js";
import { gitHeadFile, readGitBranch } from "../../git.js";

export const branchOption: OptionSpec = {
  type: "string",
  value: "<branch>",
  description:
    "Resolve this project branch's overrides (default: ENVPLANE_BRANCH, else the git branch when the project has it).",
};

/**
 * --branch, ENVPLANE_BRANCH, else the git branch when the project has one of that name; none
 * on development (it has no overrides). `root` is the workspace, when there is one.
 */
export async function currentBranch(
  ctx: Context,
  flag: string | undefined,
  slug: string,
  environment: string,
  root: string | null,
): Promise<string | null> {
  if (flag) return flag;
  if (environment === "development") return null;
  const deployment = ctx.deploymentBranch();
  if (deployment) return deployment;
  const git = root ? readGitBranch(gitHeadFile(root)) : null;
  if (!git) return null;
  const p = await ctx.loadProject(slug);
  return p.branches.some((b) => b.name === git) ? git : null;
}
