import { createHash } from "node:crypto";
import fs from "node:fs";
import { resolveBranch } from "../../core/mapping.js";
import { featureOfVariable } from "../../core/platform-config/index.js";
import { opt } from "../args.js";
import { type Child, forwardSignals, startChild, stopChild } from "../child.js";
import type { CommandSpec } from "../command.js";
import type { Context } from "../context.js";
import { CliError } from "../errors.js";
import { printJson, table } from "../format.js";
import { gitHeadFile, readGitBranch } from "../git.js";
import { type LocalEnvironment, resolveLocal } from "../local.js";
import { rulesOf } from "../remote.js";
import type { Workspace } from "../workspace.js";

function resolve(ctx: Context, workspace: Workspace): LocalEnvironment {
  return resolveLocal(workspace, process.env, (warning) => ctx.io.warn(warning));
}

/**
 * Remote-first sync on a git branch switch: the project branch of the same name becomes
 * the active one, created when missing. Needs a linked project and a login; otherwise it
 * only says so.
 */
async function syncProjectBranch(ctx: Context, workspace: Workspace, branch: string): Promise<void> {
  try {
    const slug = workspace.readConfig().project;
    if (!slug || !ctx.credentials()) return;
    const project = await ctx.loadProject(slug);
    const environment = resolveBranch(rulesOf(project), branch).environment;
    if (project.branches.some((b) => b.name === branch))
      return ctx.io.note(`Project branch ${branch} is active (deploys with "${environment}").`);
    const r = await ctx.sdk().createBranch({ input: { project: slug, name: branch } });
    if (r.createBranch.__typename === "CreateBranchPayload")
      ctx.io.note(`Created project branch ${branch} (deploys with "${environment}").`);
    else ctx.io.warn(`Could not create project branch ${branch}: ${r.createBranch.message}`);
  } catch (error) {
    ctx.io.warn(`Could not sync the project branch: ${(error as Error).message}`);
  }
}

function summary(ctx: Context, local: LocalEnvironment, asJson: boolean): void {
  const { sources, variables } = local.resolution;
  const names = Object.keys(variables).sort();
  if (asJson) {
    printJson({ variables: Object.fromEntries(names.map((n) => [n, sources[n]])) });
    return;
  }
  const rows = names.map((n) => [n, featureOfVariable(n) ?? "user variable", sources[n] ?? ""]);
  ctx.io.print(rows.length ? table([["VARIABLE", "FOR", "FROM"], ...rows]) : "No config variables resolved.");
  ctx.io.done(
    `Resolved ${names.length} config variable${names.length === 1 ? "" : "s"} for local development. ` +
      `Run "envplane dev -- <command>" to start your app with them.`,
  );
}

export const dev: CommandSpec["run"] = async (ctx, { options, command }) => {
  const workspace = ctx.requireWorkspace();
  const head = gitHeadFile(workspace.root);
  // The watched files are read before they are resolved and the command starts (the command runs
  // at once, on another core: an edit it prompts can land before this process goes on), then
  // polled against that reading; fs.watchFile's first reading comes later and can miss such an
  // edit. A signature is time, size and content: an edit shows even if a timestamp does not move.
  const watched = [...(head ? [head] : []), workspace.configPath, workspace.envPath, workspace.envLocalPath];
  const signature = (file: string) => {
    try {
      const stat = fs.statSync(file);
      const content = stat.size <= 1024 * 1024 ? createHash("sha256").update(fs.readFileSync(file)).digest("hex") : "";
      return `${stat.mtimeMs}:${stat.size}:${content}`;
    } catch {
      return "absent";
    }
  };
  const seen = new Map(watched.map((file) => [file, signature(file)]));
  let local = resolve(ctx, workspace);
  if (!command.length) return summary(ctx, local, opt.bool(options, "json"));

  let branch = readGitBranch(head);
  let child: Child = startChild(command, local.env);
  let failure: unknown = null;
  let reloads = Promise.resolve();
  let pending = 0;
  const stopForwarding = forwardSignals(() => child);

  /** Follows a git branch switch to its project branch, resolves again and restarts the command. */
  const reload = async () => {
    try {
      const next = readGitBranch(head);
      if (next && next !== branch) {
        ctx.io.note(
          `\nGit branch changed: ${branch ?? "(detached)"} → ${next}. Reloading the environment and restarting.`,
        );
        branch = next;
        await syncProjectBranch(ctx, workspace, next);
      }
      local = resolve(ctx, workspace);
      await stopChild(child);
      child = startChild(command, local.env);
    } catch (error) {
      if (!(error instanceof CliError)) {
        failure = error;
        return stopChild(child);
      }
      // e.g. config.json saved half-way, or the new branch's config misses a variable
      ctx.io.error(error.message);
      ctx.io.note("The command keeps running with the previous environment; fix the problem and save to restart it.");
    }
  };
  // A checkout changes HEAD and often config.json together: changes within 300 ms make one reload.
  let timer: NodeJS.Timeout | null = null;
  const trigger = (note?: string) => {
    if (note) ctx.io.note(note);
    timer ??= setTimeout(() => {
      timer = null;
      pending++;
      reloads = reloads.then(reload).finally(() => pending--);
    }, 300);
  };
  const onHeadChange = () => {
    const next = readGitBranch(head);
    if (next && next !== branch) trigger();
  };
  const onFileChange = (file: string) =>
    // During a checkout the branch note says it all.
    trigger(
      readGitBranch(head) === branch
        ? `\n${workspace.display(file)} changed. Reloading the environment and restarting.`
        : undefined,
    );
  const poller = setInterval(() => {
    for (const file of watched) {
      const now = signature(file);
      if (now === seen.get(file)) continue;
      seen.set(file, now);
      if (file === head) onHeadChange();
      else onFileChange(file);
    }
  }, 200);
  try {
    for (;;) {
      const current = child;
      const code = await current.exited;
      // an expected exit: wait for the new child
      while (pending || timer) await (timer ? new Promise((r) => setTimeout(r, 50)) : reloads);
      if (failure) throw failure;
      if (child === current) return code;
    }
  } finally {
    clearInterval(poller);
    if (timer) clearTimeout(timer);
    stopForwarding();
    await stopChild(child);
  }
};
