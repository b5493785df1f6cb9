import fs from "node:fs";
import path from "node:path";
import { dotenvLayout } from "../../../core/dotenv.js";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { CliError, UsageError } from "../../errors.js";
import { pushFile } from "../../sync/push.js";
import { displayPath, readEnvFile } from "../../workspace.js";

export const envPush: CommandSpec["run"] = async (ctx, { options }) => {
  const slug = ctx.project(options);
  const workspace = ctx.workspace();
  const flag = opt.string(options, "file");
  if (flag === "") throw new UsageError("--file needs a path, e.g. --file .env.staging.");
  const file = flag ? path.resolve(flag) : workspace?.envPath;
  if (!file)
    throw new CliError('No envplane/config.json here or in a parent directory. Run "envplane init", or pass --file.');
  if (path.basename(file) === ".env.local")
    throw new CliError(
      ".env.local holds personal overrides and is never pushed. Push envplane/.env (or another file) instead.",
    );
  const parsed = readEnvFile(file);
  if (!parsed)
    throw new CliError(`${displayPath(file)} does not exist. Create it, or pull one with "envplane env pull".`);
  const environment = await ctx.environment(options, slug);
  await pushFile(ctx, {
    project: slug,
    environment,
    parsed,
    shownFile: displayPath(file),
    prune: opt.bool(options, "prune"),
    dryRun: opt.bool(options, "dry-run"),
    yes: opt.bool(options, "yes"),
    confirm: true,
    json: opt.bool(options, "json"),
    verbose: opt.bool(options, "verbose"),
    message: opt.string(options, "message"),
    layout: dotenvLayout(fs.readFileSync(file, "utf8")),
  });
};
