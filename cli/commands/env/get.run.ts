import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { CliError } from "../../errors.js";
import { unwrap } from "../../remote.js";
import { currentBranch } from "./branch.js";

export const envGet: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  const key = args.KEY!;
  const environment = await ctx.environment(options, slug);
  const workspace = ctx.workspace();
  const branch = await currentBranch(ctx, opt.string(options, "branch"), slug, environment, workspace?.root ?? null);
  const r = await ctx.sdk().pullVariables({ project: slug, environment, branch });
  const pulled = unwrap(r.pullVariables, "PulledEnvironment");
  if (pulled.excludedSecrets.includes(key))
    throw new CliError(
      `${key} is a secret in "${pulled.environment.name}": secrets are write-only and are never shown after they are set. ` +
        `Your app gets it at runtime: "envplane run --branch ${branch ?? "<branch>"} -- <command>" with a service token ` +
        `that has the runtime permission ` +
        `(envplane tokens create --name <name> --permission runtime --env ${pulled.environment.name}).`,
    );
  const found = pulled.variables.find((v) => v.key === key);
  if (!found)
    throw new CliError(
      `${key} is not set in "${pulled.environment.name}". Run "envplane env list --env ${pulled.environment.name}" to see its variables.`,
    );
  process.stdout.write(process.stdout.isTTY ? `${found.value}\n` : found.value);
};
