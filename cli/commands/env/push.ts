import fs from "node:fs";
import path from "node:path";
import { dotenvLayout } from "../../../core/dotenv.js";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { CliError, UsageError } from "../../errors.js";
import { pushFile } from "../../sync/push.js";
import { displayPath, readEnvFile } from "../../workspace.js";
import { env, json, message, project, yes } from "../options.js";

export const envPush: CommandSpec = {
  path: ["env", "push"],
  summary: "Push a .env file to an environment's base values: shows the diff, asks, applies it in one transaction.",
  options: {
    env,
    file: {
      type: "string",
      value: "<path>",
      description: "The file to push (default: envplane/.env). envplane/.env.local is never pushed.",
    },
    yes,
    "dry-run": { type: "boolean", description: "Show what would change; change nothing." },
    prune: {
      type: "boolean",
      description: "Also delete remote variables missing from the file (secrets that pull left out are kept).",
    },
    verbose: { type: "boolean", description: "List every unchanged variable (more than 10 are counted on one line)." },
    message,
    project,
    json,
  },
  details: `Mark secrets with a "# @secret" comment on the line before a variable. New keys without it are
asked about on a terminal ([Y/n] for names with SECRET, TOKEN, PASSWORD, PRIVATE_KEY or API_KEY, or ending in _KEY);
with --yes they are stored as standard. Existing keys keep their type. Branch overrides are
never pushed: set them with "envplane env set --branch".`,
  async run(ctx, { options }) {
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
  },
};
