import path from "node:path";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { UsageError } from "../../errors.js";
import { plural, printJson } from "../../format.js";
import { pullInto, pullText } from "../../sync/pull.js";
import { displayPath } from "../../workspace.js";
import { currentBranch } from "./branch.js";

export const envPull: CommandSpec["run"] = async (ctx, { options }) => {
  const flag = opt.string(options, "file");
  const toStdout = opt.bool(options, "stdout");
  if (flag !== undefined && toStdout) throw new UsageError("Give --file or --stdout, not both.");
  if (flag === "") throw new UsageError("--file needs a path, e.g. --file .env.preview.");
  if (toStdout && opt.bool(options, "json")) throw new UsageError("--stdout prints the file itself; leave out --json.");
  const slug = ctx.project(options);
  const workspace = flag !== undefined || toStdout ? ctx.workspace() : ctx.requireWorkspace();
  const file = flag !== undefined ? path.resolve(flag) : workspace!.envPath;
  if (path.basename(file) === ".env.local")
    throw new UsageError(".env.local holds your personal overrides; pull never overwrites it. Choose another --file.");
  const environment = await ctx.environment(options, slug);
  const branch = await currentBranch(ctx, opt.string(options, "branch"), slug, environment, workspace?.root ?? null);
  const input = { project: slug, environment, branch, config: workspace?.readConfig() };
  const warn = (keys: string[]) => {
    for (const key of keys)
      ctx.io.warn(
        `${key} was left out: no .env quoting can hold its value exactly. Use "envplane run" to inject it, or change the value.`,
      );
  };
  if (toStdout) {
    const { text, result } = await pullText(ctx, input);
    warn(result.unrepresentable);
    process.stdout.write(text);
    return;
  }
  const result = await pullInto(ctx, { ...input, file });
  warn(result.unrepresentable);
  const shown = workspace && flag === undefined ? workspace.display(result.file) : displayPath(result.file);
  if (opt.bool(options, "json")) return printJson({ ...result, file: shown });
  const secrets = result.excludedSecrets.length
    ? ` (${plural(result.excludedSecrets.length, "secret")} left out, listed in the file)`
    : "";
  ctx.io.done(
    `Pulled ${plural(result.variables, "variable")} from "${result.environment}"${result.branch ? ` for project branch ${result.branch}` : ""} into ${shown}${secrets}.`,
  );
};
