import { opt } from "../args.js";
import { runChild } from "../child.js";
import type { CommandSpec } from "../command.js";
import { type Context, NOT_LINKED } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { unwrap } from "../remote.js";
import { project } from "./options.js";

/** --project, the linked project, else the project of the service token itself. */
async function runtimeProject(ctx: Context, options: Parameters<Context["project"]>[0]): Promise<string> {
  const slug = ctx.linkedProject(options) ?? (await ctx.sdk().viewer()).viewer.project?.slug;
  if (!slug) throw new CliError(NOT_LINKED);
  return slug;
}

export const run: CommandSpec = {
  path: ["run"],
  summary: "Run a command with a project branch's runtime variables (secrets included) in its environment.",
  options: {
    branch: { type: "string", value: "<branch>", description: "The project branch (default: ENVPLANE_BRANCH)." },
    project,
  },
  passthrough: { name: "command", required: true },
  details: `Needs a service token with the runtime permission (ENVPLANE_TOKEN). The branch resolves to its
mapped environment; its overrides win over base values, which win over the inherited environment.
ENVPLANE_TOKEN itself is not passed to the command. The command's exit code is passed on.

Example:
  ENVPLANE_TOKEN=envp_svc_… envplane run --branch feature-x -- node server.js`,
  async run(ctx, { options, command }) {
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
  },
};
