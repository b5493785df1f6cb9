import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { CliError, UsageError } from "../../errors.js";
import { printJson, table } from "../../format.js";

/** 2030-01-31 14:05 (UTC, to the minute). */
const minute = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;

export const envHistory: CommandSpec["run"] = async (ctx, { options }) => {
  const slug = ctx.project(options);
  const environment = await ctx.environment(options, slug);
  const limitText = opt.string(options, "limit");
  const limit = limitText === undefined ? 20 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new UsageError(`--limit must be a whole number from 1 to 500 (got "${limitText}").`);
  const r = await ctx.sdk().environmentHistory({ project: slug, environment, first: limit });
  const e = r.project?.environment;
  if (!e)
    throw new CliError(
      `Environment "${environment}" not found in project "${slug}". Run "envplane env list-environments" to see them.`,
    );
  const revisions = e.revisions.nodes;
  if (opt.bool(options, "json"))
    return printJson({
      environment: e.name,
      revision: e.revision,
      historySince: e.historySince,
      total: e.revisions.totalCount,
      revisions: revisions.map((n) => ({
        number: n.number,
        createdAt: n.createdAt,
        action: n.action,
        actor: n.actor,
        message: n.message ?? null,
        added: n.added,
        changed: n.changed,
        removed: n.removed,
      })),
    });
  if (!revisions.length) return ctx.io.print(`"${e.name}" has no revisions yet.`);
  const rows = revisions.map((n) => [
    String(n.number),
    minute(n.createdAt),
    n.actor.name,
    `+${n.added} ~${n.changed} -${n.removed}`,
    n.message ?? (n.action === "variables.set" || n.action.startsWith("variable") ? "" : `(${n.action})`),
  ]);
  ctx.io.print(
    `${e.name}, revision ${e.revision}:\n\n${table([["REV", "TIME (UTC)", "BY", "CHANGES", "MESSAGE"], ...rows])}`,
  );
  const more = e.revisions.totalCount - revisions.length;
  if (more > 0)
    ctx.io.note(
      `${more} older revision${more === 1 ? "" : "s"} not shown (--limit ${Math.min(500, e.revisions.totalCount)}).`,
    );
  if (e.historySince > 0)
    ctx.io.note(
      `History starts at revision ${e.historySince}: older revisions were made before envplane recorded them.`,
    );
};
