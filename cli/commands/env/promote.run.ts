/**
 * envplane env promote <from> <to>: plan (a dry run on the server) → confirm → apply, pinned
 * to the source revision and the target revision that were shown, so a change meanwhile is
 * refused rather than overwritten. --interactive reviews each changed key the way env seed does.
 */
import type { SeedDecisionInput } from "../../../sdk/index.js";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import type { Context } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import { plural, printJson, table } from "../../format.js";
import { unwrap } from "../../remote.js";
import { review } from "../../sync/seed.js";
import { cell, parseRef, SYMBOL } from "./diff.run.js";

/** The source's keys as the review asks about them (values of standard ones), and which are the same in the target. */
async function reviewed(
  ctx: Context,
  slug: string,
  from: { environment: string; revision: number | null },
  to: string,
) {
  const compared = unwrap(
    (await ctx.sdk().compareEnvironments({ project: slug, base: { environment: to }, head: from })).compareEnvironments,
    "EnvironmentComparison",
  );
  const target = await ctx.loadEnvironment(slug, to);
  const source = compared.entries.filter((e) => e.status !== "REMOVED");
  const differing = source.filter((e) => e.status !== "UNCHANGED").length;
  ctx.io.note(
    `Promoting "${from.environment}@${compared.head.revision}" to "${to}": ${plural(differing, "key")} to review` +
      ` (${plural(source.length - differing, "unchanged key")} kept as they are).`,
  );
  const decisions = await review(
    ctx,
    source.map((e) => ({ key: e.key, isSecret: e.isSecret, value: e.headValue })),
    { name: to, variables: new Map(target.variables.map((v) => [v.key, v])) },
    {
      carrySecrets: compared.head.environment.viewerCanWrite,
      unchanged: new Set(source.filter((e) => e.status === "UNCHANGED").map((e) => e.key)),
    },
  );
  ctx.io.note("");
  return { decisions, fromRevision: compared.head.revision };
}

export const envPromote: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  const ref = parseRef(args.from!, "Source");
  const to = args.to!;
  const fromRevisionText = opt.string(options, "from-revision");
  if (fromRevisionText !== undefined) {
    if (!/^\d{1,9}$/.test(fromRevisionText))
      throw new UsageError(
        `--from-revision takes a revision number, e.g. --from-revision 12 (got "${fromRevisionText}").`,
      );
    if (ref.revision !== null && ref.revision !== Number(fromRevisionText))
      throw new UsageError(`Give the source revision once: ${args.from} or --from-revision ${fromRevisionText}.`);
    ref.revision = Number(fromRevisionText);
  }
  const asJson = opt.bool(options, "json");
  const interactive = opt.bool(options, "interactive");
  if (interactive && !ctx.io.interactive)
    throw new UsageError(
      "--interactive needs a terminal to ask on. Without it, every key is promoted as-is; use --dry-run to see the plan.",
    );
  let decisions: SeedDecisionInput[] | undefined;
  let fromRevision = ref.revision;
  if (interactive) ({ decisions, fromRevision } = await reviewed(ctx, slug, ref, to));
  const base = {
    project: slug,
    from: ref.environment,
    to,
    decisions,
    prune: opt.bool(options, "prune"),
    message: opt.string(options, "message"),
  };
  const plan = unwrap(
    (await ctx.sdk().promoteEnvironment({ input: { ...base, fromRevision, dryRun: true } })).promoteEnvironment,
    "PromoteEnvironmentPayload",
  );
  const changes = plan.entries.filter((e) => e.status !== "UNCHANGED");
  const counts = (s: string) => changes.filter((e) => e.status === s).length;
  const summary = `${counts("ADDED")} added, ${counts("CHANGED")} changed, ${counts("REMOVED")} removed`;
  const show = (text: string) => (asJson ? undefined : ctx.io.print(text));
  const title = `Promoting "${ref.environment}@${plan.fromRevision}" to "${to}" (revision ${plan.revision})`;
  show(
    `${title}:\n\n` +
      (changes.length
        ? table([
            ["", "KEY", to.toUpperCase(), "AFTER"],
            ...changes.map((e) => [
              SYMBOL[e.status],
              e.key,
              cell(e, e.baseValue, e.status !== "ADDED", e.headValue),
              cell(e, e.headValue, e.status !== "REMOVED", e.baseValue),
            ]),
          ])
        : "(nothing changes)") +
      "\n",
  );
  const warnSkipped = (keys: readonly string[]) => {
    for (const key of keys)
      ctx.io.warn(
        `${key} is a secret of "${ref.environment}", which you may read but not write, so it is not carried. ` +
          `Set it in "${to}" with envplane env set ${key} - --secret --env ${to}.`,
      );
  };
  const output = (p: typeof plan, applied: boolean) =>
    printJson({
      environment: to,
      from: ref.environment,
      fromRevision: p.fromRevision,
      revision: p.revision,
      applied,
      dryRun: p.dryRun,
      entries: p.entries.map(({ key, status, isSecret, baseValue, headValue }) => ({
        key,
        status,
        isSecret,
        baseValue: baseValue ?? null,
        headValue: headValue ?? null,
      })),
      copied: p.copied,
      edited: p.edited,
      skipped: p.skipped,
      removed: p.removed,
      skippedSecrets: p.skippedSecrets,
    });
  // Keys of the target the source does not have: they stay unless --prune (which lists them as removed).
  const fromSource = new Set([...plan.copied, ...plan.edited, ...plan.skipped]);
  const staying = base.prune ? [] : plan.entries.filter((e) => e.status !== "ADDED" && !fromSource.has(e.key));
  if (opt.bool(options, "dry-run") || !changes.length) {
    if (!asJson) warnSkipped(plan.skippedSecrets);
    if (staying.length && opt.bool(options, "dry-run"))
      show(
        `${plural(staying.length, "key")} only in ${to} ${staying.length === 1 ? "stays" : "stay"} (--prune removes ` +
          `${staying.length === 1 ? "it" : "them"}): ` +
          `${staying.map((e) => e.key).join(", ")}`,
      );
    show(changes.length ? `${summary}. Dry run: nothing was promoted.` : `"${to}" already matches; nothing to do.`);
    if (asJson) output(plan, false);
    return;
  }
  if (!opt.bool(options, "yes")) {
    const where = `"${to}"${plan.environment.isProtected ? " (protected)" : ""}`;
    if (!ctx.io.interactive)
      throw new UsageError(
        `${summary}. Promoting changes ${where} and there is no terminal to confirm it; nothing was promoted. ` +
          `Re-run with --yes to apply it, or with --dry-run to only see the plan.`,
      );
    if (!(await ctx.io.confirm(`${summary}. Apply to ${where}?`)))
      throw new CliError("Cancelled: nothing was promoted.");
  }
  const result = (
    await ctx.sdk().promoteEnvironment({
      input: { ...base, fromRevision: plan.fromRevision, expectedRevision: plan.revision },
    })
  ).promoteEnvironment;
  if (result.__typename === "ConflictError")
    throw new CliError(
      `"${to}" changed while you were promoting. Nothing was promoted; run the command again to see the new plan.`,
    );
  const done = unwrap(result, "PromoteEnvironmentPayload");
  if (asJson) return output(done, done.applied);
  warnSkipped(done.skippedSecrets);
  ctx.io.done(`Promoted "${ref.environment}@${done.fromRevision}" to "${to}": ${summary} (revision ${done.revision}).`);
};
