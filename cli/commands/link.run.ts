import fs from "node:fs";
import { dotenvLayout } from "../../core/dotenv.js";
import { DEFAULT_MAPPING, type MappingRule } from "../../core/mapping.js";
import type { CommandSpec } from "../command.js";
import type { Context } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { plural } from "../format.js";
import { rulesOf } from "../remote.js";
import { pullInto } from "../sync/pull.js";
import { pushFile } from "../sync/push.js";
import {
  configFromMapping,
  findWorkspace,
  initWorkspace,
  mappingFromConfig,
  readEnvFile,
  sameMapping,
  type Workspace,
} from "../workspace.js";

type Choice = "push" | "keep-remote" | "no-push" | "cancel";

/** What to do with a local .env: from the flags, else asked on a terminal, else a usage error naming the flags. */
async function decide(ctx: Context, options: Record<string, unknown>, local: number, remote: number): Promise<Choice> {
  const flags = (["push", "keep-remote", "no-push"] as const).filter((f) => options[f] === true);
  if (flags.length > 1) throw new UsageError(`Give only one of --push, --keep-remote and --no-push.`);
  if (flags.length) return flags[0];
  const yes = options.yes === true;
  // --yes answers the one question link asks (push the local variables?); a conflict with remote
  // values is a choice between two data losses, not a yes: it still needs --push or --keep-remote.
  if (remote === 0 && yes) return "push";
  if (remote > 0 && yes)
    throw new UsageError(
      `The "development" environment already has ${plural(remote, "variable")} and envplane/.env has ${plural(local, "variable")}; --yes does not choose between them. Give --push (overwrite remote with local), --keep-remote (replace envplane/.env with the remote values) or --no-push (link only).`,
    );
  if (remote === 0) {
    if (!ctx.io.interactive)
      throw new UsageError(
        `envplane/.env has ${plural(local, "variable")}. Say what to do with them: --push or --yes (push them to "development") or --no-push (link only).`,
      );
    ctx.io.note("Found local environment variables in envplane/.env.");
    return (await ctx.io.confirm('Push them to the "development" environment?')) ? "push" : "no-push";
  }
  if (!ctx.io.interactive)
    throw new UsageError(
      `The "development" environment already has ${plural(remote, "variable")} and envplane/.env ` +
        `has ${plural(local, "variable")}. Choose: --push (overwrite remote with local), ` +
        `--keep-remote (replace envplane/.env with the remote values) or --no-push (link only).`,
    );
  ctx.io.note(`The "development" environment already has ${plural(remote, "variable")} on the platform.`);
  ctx.io.note(
    `Your local .env has ${plural(local, "variable")}.\n\n[O]verwrite remote with local\n[K]eep remote (discard local .env)\n[C]ancel\n`,
  );
  const answer = await ctx.io.choose("Choose: ", ["o", "k", "c"]);
  return answer === "o" ? "push" : answer === "k" ? "keep-remote" : "cancel";
}

/** Asks which project to link, on a terminal; otherwise <project> is required. */
async function pickProject(ctx: Context): Promise<string> {
  if (!ctx.io.interactive)
    throw new UsageError(
      'Missing <project>: the project to link, e.g. "envplane link shop". Run "envplane projects list" to see yours.',
    );
  const projects = await ctx.listProjects();
  if (!projects.length)
    throw new CliError('You have no projects yet. Create one with "envplane projects create <slug>".');
  ctx.io.note(projects.map((p, i) => `  ${i + 1}) ${p.slug}`).join("\n"));
  for (;;) {
    const answer = (await ctx.io.ask(`Link which project? [1-${projects.length} or slug] `)).trim();
    const chosen = projects[Number(answer) - 1]?.slug ?? projects.find((p) => p.slug === answer)?.slug;
    if (chosen) return chosen;
    ctx.io.note(`Please answer a number from 1 to ${projects.length} or a project slug.`);
  }
}

/** Writes the project into config.json and reconciles the environments block with the server's mapping. */
function writeLink(ctx: Context, workspace: Workspace, slug: string, rules: MappingRule[]): void {
  const { project: previous, ...config } = workspace.readConfig();
  if (previous && previous !== slug) ctx.io.note(`This folder was linked to ${previous}; it is now linked to ${slug}.`);
  const local = config.environments;
  const untouched = local === undefined || sameMapping(mappingFromConfig(local), DEFAULT_MAPPING);
  const environments = untouched ? configFromMapping(rules) : local;
  workspace.writeConfig({ project: slug, ...config, environments });
  if (!untouched && !sameMapping(mappingFromConfig(local), rules))
    ctx.io.warn(
      'The "environments" block of envplane/config.json differs from the project\'s branch mapping. ' +
        'Run "envplane mapping set --from-config" to apply the file, or "envplane mapping show" to compare.',
    );
}

export const link: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = args.project ?? (await pickProject(ctx));
  const project = await ctx.loadProject(slug);
  let workspace = findWorkspace(process.cwd());
  if (!workspace) {
    workspace = initWorkspace(process.cwd()).workspace;
    ctx.io.note("Created envplane/config.json, envplane/.env and envplane/.gitignore.");
  }
  const parsed = readEnvFile(workspace.envPath);
  const local = parsed?.entries.length ?? 0;
  const remote = project.environments.find((e) => e.name === "development")?.variableCount ?? 0;
  const choice = local ? await decide(ctx, options, local, remote) : "no-push";
  if (choice === "cancel") throw new CliError("Cancelled: nothing was linked or changed.");

  writeLink(ctx, workspace, slug, rulesOf(project));
  ctx.io.done(`Linked to project ${slug}.`);
  if (choice === "push")
    await pushFile(ctx, {
      project: slug,
      environment: "development",
      parsed: parsed!,
      shownFile: "envplane/.env",
      prune: remote > 0,
      dryRun: false,
      yes: false,
      // Removing or overwriting remote values is confirmed after the diff, even after "Push them?".
      confirm: "destructive",
      confirmHint: `The folder is linked to ${slug}, but this push removes or overwrites remote values and there is no terminal to confirm it; nothing was pushed. Review the diff above, then apply it with "envplane env push --prune --yes".`,
      json: false,
      // The file's order, notes and blank lines go with it, as env push sends them.
      layout: dotenvLayout(fs.readFileSync(workspace.envPath, "utf8")),
    });
  else if (choice === "keep-remote") {
    const pulled = await pullInto(ctx, {
      project: slug,
      environment: "development",
      branch: null,
      file: workspace.envPath,
      config: workspace.readConfig(),
    });
    ctx.io.done(`Replaced envplane/.env with ${plural(pulled.variables, "variable")} from "development".`);
  } else if (remote > 0)
    ctx.io.note(`"development" has ${plural(remote, "variable")}: run "envplane env pull" to get them.`);
};
