import { opt } from "../args.js";
import { runChild } from "../child.js";
import type { CommandSpec } from "../command.js";
import { type Context, NOT_LINKED } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { unwrap } from "../remote.js";

/** --project, the linked project, else the project of the service token itself. */
async function runtimeProject(ctx: Context, options: Parameters<Context["project"]>[0]): Promise<string> {
  const slug = ctx.linkedProject(options) ?? (await ctx.sdk().viewer()).viewer.project?.slug;
  if (!slug) throw new CliError(NOT_LINKED);
  return slug;
}

export const run: CommandSpec["run"] = async (ctx, { options, command }) => {
  const branch = opt.string(options, "branch") ?? ctx.deploymentBranch();
  if (!branch) throw new UsageError("Which project branch? Pass --branch <name> or set ENVPLANE_BRANCH.");
  const slug = await runtimeProject(ctx, options);
  const r = await ctx.sdk().runtimeVariables({ project: slug, branch });
  if (r.runtimeVariables.__typename === "ForbiddenError") {
    const { message } = r.runtimeVariables;
    throw new CliError(
      message.includes("--permission runtime")
        ? message
        : `${message} envplane run needs a service token with the runtime permission: ` +
            `envplane tokens create --name <name> --permission runtime.`,
    );
  }
  const runtime = unwrap(r.runtimeVariables, "RuntimeEnvironment");
  return runChild(command, { ...process.env, ...Object.fromEntries(runtime.variables.map((v) => [v.key, v.value])) });
};
