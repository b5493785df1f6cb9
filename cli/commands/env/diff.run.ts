import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { UsageError } from "../../errors.js";
import { plural, preview, printJson, quote, table } from "../../format.js";
import { unwrap } from "../../remote.js";

/** "production" or "production@12" → the environment and the revision (null: its current state). */
export function parseRef(text: string, what: string): { environment: string; revision: number | null } {
  const at = text.lastIndexOf("@");
  if (at < 0) return { environment: text, revision: null };
  const environment = text.slice(0, at);
  const revision = text.slice(at + 1);
  if (!environment || !/^\d{1,9}$/.test(revision))
    throw new UsageError(
      `${what} "${text}" is not an environment or environment@revision, e.g. production or production@12.`,
    );
  return { environment, revision: Number(revision) };
}

export const SYMBOL = { ADDED: "+", REMOVED: "-", CHANGED: "~", UNCHANGED: "=", SECRET_NOT_COMPARED: "?" } as const;

/** The last column of a secret present on both sides. */
export function secretNote(status: keyof typeof SYMBOL): string {
  if (status === "SECRET_NOT_COMPARED") return "secret, not compared: needs write on both";
  return status === "ADDED" || status === "REMOVED" ? "" : status.toLowerCase();
}

/**
 * A value as a table cell: secrets as [secret], no value as empty. Long values are cut to 30 characters, unless
 * the other side's value differs only after that: then it is shown whole, so a change is never two equal cells.
 */
export function cell(
  entry: { isSecret: boolean },
  value: string | null | undefined,
  present: boolean,
  other?: string | null,
): string {
  if (!present) return "";
  if (entry.isSecret) return "[secret]";
  if (value == null) return "";
  const cut = preview(value, 30);
  return other != null && other !== value && preview(other, 30) === cut ? quote(value) : cut;
}

export const envDiff: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  const base = parseRef(args.base!, "Base");
  const head = parseRef(args.head!, "Head");
  const result = unwrap(
    (await ctx.sdk().compareEnvironments({ project: slug, base, head })).compareEnvironments,
    "EnvironmentComparison",
  );
  const { added, removed, changed, unchanged, notCompared, entries } = result;
  const name = (side: typeof result.base) => `${side.environment.name}@${side.revision}`;
  if (opt.bool(options, "json"))
    return printJson({
      base: { environment: result.base.environment.name, revision: result.base.revision },
      head: { environment: result.head.environment.name, revision: result.head.revision },
      added,
      removed,
      changed,
      unchanged,
      notCompared,
      entries: entries.map(({ key, status, isSecret, baseValue, headValue }) => ({
        key,
        status,
        isSecret,
        baseValue: baseValue ?? null,
        headValue: headValue ?? null,
      })),
    });
  const shown = opt.bool(options, "all") ? entries : entries.filter((e) => e.status !== "UNCHANGED");
  const rows = shown.map((e) => [
    SYMBOL[e.status],
    e.key,
    cell(e, e.baseValue, e.status !== "ADDED", e.headValue),
    cell(e, e.headValue, e.status !== "REMOVED", e.baseValue),
    e.isSecret ? secretNote(e.status) : "",
  ]);
  const summary =
    `${plural(added + removed + changed + unchanged + notCompared, "key")}: ${added} added, ${removed} removed, ` +
    `${changed} changed, ${unchanged} unchanged` +
    (notCompared
      ? `, ${notCompared} not compared (${notCompared === 1 ? "a secret" : "secrets"} in both; comparing them ` +
        "needs write on both environments)."
      : ".");
  ctx.io.print(
    `${name(result.base)} → ${name(result.head)}\n\n` +
      (rows.length
        ? `${table([["", "KEY", name(result.base).toUpperCase(), name(result.head).toUpperCase(), ""], ...rows])}\n\n`
        : "No differences.\n\n") +
      summary,
  );
};
