/** envplane audit: the project's audit log (who did what, when, from where; never values) and its verification. */
import { type AuditEventFieldsFragment, EnvplaneRequestError } from "../../../sdk/index.js";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { CliError, UsageError } from "../../errors.js";
import { plural, printJson, table } from "../../format.js";
import { unwrap } from "../../remote.js";
import { MAX_LIMIT } from "./limits.js";

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** --since: a duration back from now (30m, 24h, 7d) or an ISO date (2030-01-31, 2030-01-31T12:00:00Z). */
export function parseSince(text: string, now = Date.now()): string {
  const relative = /^(\d+)([mhd])$/.exec(text.trim());
  if (relative) return new Date(now - Number(relative[1]) * UNITS[relative[2]]).toISOString();
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime()))
    throw new UsageError(
      `--since must be a duration back from now (e.g. 30m, 24h, 7d) or a date (e.g. 2030-01-31 or 2030-01-31T12:00:00Z); got "${text}".`,
    );
  return date.toISOString();
}

/** The server's refusal (not an admin, unknown project, bad filter) as a plain CLI error. */
async function asked<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof EnvplaneRequestError && ["FORBIDDEN", "NOT_FOUND", "VALIDATION"].includes(error.code ?? ""))
      throw new CliError(error.message);
    throw error;
  }
}

export const audit: CommandSpec["run"] = async (ctx, { options }) => {
  const limitText = opt.string(options, "limit") ?? "50";
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LIMIT}; got "${limitText}".`);
  const since = opt.string(options, "since");
  const filter = {
    environment: opt.string(options, "env"),
    actor: opt.string(options, "actor"),
    action: opt.string(options, "action"),
    since: since !== undefined ? parseSince(since) : undefined,
  };
  const slug = ctx.project(options);
  const { auditLog } = await asked(ctx.sdk().auditLog({ project: slug, filter, first: limit }));
  const events = auditLog.nodes;
  if (opt.bool(options, "json")) return printJson(events);
  if (!events.length) {
    // "--action environment" is an exact action; the prefix of every environment.* action is "environment.".
    const action = filter.action?.trim();
    const hint =
      action && !action.includes(".")
        ? ` --action takes a whole action (e.g. variable.set) or a prefix ending in "."; did you mean --action ${action}.?`
        : "";
    return ctx.io.note(`No audit events in ${slug} match.${hint}`);
  }
  ctx.io.print(
    table([
      ["#", "TIME (UTC)", "ACTION", "ACTOR", "ENVIRONMENT", "REV", "KEYS", "FROM"],
      ...events.map((e: AuditEventFieldsFragment) => [
        String(e.sequence),
        e.createdAt.slice(0, 19).replace("T", " "),
        e.action,
        e.actor.name || e.actor.type.toLowerCase(),
        [e.environment, e.branch].filter(Boolean).join("@") || "-",
        e.revision === null || e.revision === undefined ? "-" : String(e.revision),
        e.keys.length > 3 ? `${e.keys.slice(0, 3).join(",")} +${e.keys.length - 3}` : e.keys.join(",") || "-",
        e.clientAddress ?? "-",
      ]),
    ]),
  );
  if (auditLog.pageInfo.hasNextPage)
    ctx.io.note(`Showing the newest ${plural(events.length, "event")}; use --limit or --since for others.`);
};

export const auditVerify: CommandSpec["run"] = async (ctx, { options }) => {
  const slug = ctx.project(options);
  const result = unwrap((await asked(ctx.sdk().verifyAuditLog({ project: slug }))).verifyAuditLog, "AuditVerification");
  if (opt.bool(options, "json")) {
    const { ok, checked, problems } = result;
    printJson({
      ok,
      checked,
      problems: problems.map(({ sequence, eventId, message }) => ({ sequence, eventId, message })),
    });
    return ok ? 0 : 1;
  }
  if (result.ok) {
    ctx.io.print(`The audit log of ${slug} is intact: ${plural(result.checked, "event")} checked.`);
    return 0;
  }
  ctx.io.error(
    `The audit log of ${slug} has ${plural(result.problems.length, "problem")} (${plural(result.checked, "event")} checked):`,
  );
  // Each message names its event ("Event #10 was changed …").
  for (const p of result.problems) ctx.io.note(`  ${p.message}`);
  return 1;
};
