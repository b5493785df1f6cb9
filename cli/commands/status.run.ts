/** envplane status: per project branch, the environment it deploys with and what is not yet live. */
import { opt } from "../args.js";
import type { CommandSpec } from "../command.js";
import { CliError } from "../errors.js";
import { plural, printJson, table } from "../format.js";

export const status: CommandSpec["run"] = async (ctx, { options }) => {
  const slug = ctx.project(options);
  const { project: found } = await ctx.sdk().branchStatus({ project: slug });
  if (!found) throw new CliError(`Project "${slug}" not found, or your token cannot access it.`);
  const only = opt.string(options, "branch");
  const branches = only ? found.branches.filter((b) => b.name === only) : found.branches;
  if (only && !branches.length)
    throw new CliError(
      `Project "${slug}" has no branch "${only}". Branches: ${found.branches.map((b) => b.name).join(", ")}.`,
    );
  const rows = branches.map((b) => ({
    branch: b.name,
    environment: b.status?.environment.name ?? null,
    currentRevision: b.status?.currentRevision ?? null,
    live: b.live ?? null,
    pendingChanges: b.status?.pendingChanges ?? 0,
    pendingKeys: b.status?.pendingKeys ?? [],
    redeployNeeded: b.status?.redeployNeeded ?? false,
    environmentChanged: b.status?.environmentChanged ?? false,
  }));
  if (opt.bool(options, "json")) return printJson(only ? rows[0] : rows);
  const state = (r: (typeof rows)[number]) =>
    r.environment === null
      ? "environment not visible"
      : !r.live
        ? "never served"
        : r.environmentChanged
          ? `redeploy: now maps to ${r.environment}`
          : r.pendingChanges
            ? `${plural(r.pendingChanges, "change")} not yet live`
            : "up to date";
  ctx.io.print(
    table([
      ["BRANCH", "ENVIRONMENT", "CURRENT", "LIVE", "SERVED (UTC)", "STATUS"],
      ...rows.map((r) => [
        r.branch,
        r.environment ?? "-",
        r.currentRevision === null ? "-" : String(r.currentRevision),
        r.live
          ? `${r.live.revision}${r.live.environmentName !== r.environment ? ` (${r.live.environmentName})` : ""}`
          : "-",
        r.live ? r.live.servedAt.slice(0, 19).replace("T", " ") : "-",
        state(r),
      ]),
    ]),
  );
  if (only && rows[0].pendingKeys.length) ctx.io.print(`\nNot yet live on ${only}: ${rows[0].pendingKeys.join(", ")}`);
};
