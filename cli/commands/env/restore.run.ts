import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { CliError, UsageError } from "../../errors.js";
import { plural, printJson, quote } from "../../format.js";
import { unwrap } from "../../remote.js";

export const envRestore: CommandSpec["run"] = async (ctx, { args, options }) => {
  const target = Number(args.revision);
  if (!/^\d+$/.test(args.revision!) || !Number.isSafeInteger(target))
    throw new UsageError(`<revision> must be a revision number, e.g. 12 (got "${args.revision}").`);
  const slug = ctx.project(options);
  const environment = await ctx.environment(options, slug);
  const json = opt.bool(options, "json");
  const why = opt.string(options, "message");
  const sdk = ctx.sdk();
  const plan = unwrap(
    (await sdk.restoreEnvironment({ input: { project: slug, environment, revision: target, dryRun: true } }))
      .restoreEnvironment,
    "RestoreEnvironmentPayload",
  );
  const value = (v: string | null | undefined, secret: boolean) => (secret ? "[secret]" : v == null ? "" : quote(v));
  type Entry = {
    key: string;
    status: string;
    isSecret: boolean;
    baseValue?: string | null;
    headValue?: string | null;
  };
  const line = (e: Entry, name: string) =>
    e.status === "ADDED"
      ? `+ ${name} = ${value(e.headValue, e.isSecret)}`
      : e.status === "REMOVED"
        ? `- ${name}`
        : `~ ${name}: ${e.isSecret ? "[secret]" : `${value(e.baseValue, false)} → ${value(e.headValue, false)}`}`;
  const lines = [
    ...plan.entries.map((e) => line(e, e.key)),
    // Branch overrides, labelled with their branch: ~ API_URL [feature-x]: "a" → "b"
    ...plan.overrideEntries.map((e) => line(e, `${e.key} [${e.branch}]`)),
  ];
  const nothing = !plan.entries.length && plan.overridesRestored === 0;
  const summary =
    `Restoring revision ${target} of "${environment}" (now at revision ${plan.revision}): ` +
    `${plural(plan.entries.length, "variable")} and ${plural(plan.overridesRestored, "branch override")} change.`;
  const skipped = plan.skippedBranches.length
    ? `Overrides of deleted branches are not restored: ${plan.skippedBranches.join(", ")}.`
    : "";
  const show = () => {
    if (json) return;
    ctx.io.print([summary, ...lines].join("\n"));
    if (skipped) ctx.io.note(skipped);
  };
  const asJson = (applied: boolean, revision: number) =>
    printJson({
      environment,
      restoredFrom: target,
      revision,
      applied,
      dryRun: opt.bool(options, "dry-run"),
      entries: plan.entries,
      overrideEntries: plan.overrideEntries,
      overridesRestored: plan.overridesRestored,
      skippedBranches: plan.skippedBranches,
    });
  if (nothing) {
    if (json) return asJson(false, plan.revision);
    if (skipped) ctx.io.note(skipped);
    return ctx.io.done(`"${environment}" already has the state of revision ${target}: nothing to restore.`);
  }
  if (opt.bool(options, "dry-run")) {
    show();
    if (json) return asJson(false, plan.revision);
    return ctx.io.print("Dry run: nothing was restored.");
  }
  show();
  if (!opt.bool(options, "yes")) {
    if (!ctx.io.interactive)
      throw new UsageError(
        "Restoring needs a confirmation and there is no terminal to ask on. Re-run with --yes to apply it, " +
          "or with --dry-run to only see the changes.",
      );
    if (!(await ctx.io.confirm("Restore?"))) throw new CliError("Cancelled: nothing was restored.");
  }
  const r = (
    await sdk.restoreEnvironment({
      input: { project: slug, environment, revision: target, expectedRevision: plan.revision, message: why },
    })
  ).restoreEnvironment;
  if (r.__typename === "ConflictError")
    throw new CliError(
      `Someone changed "${environment}" while you were restoring (it was at revision ${plan.revision}, it is now at ` +
        `${r.currentRevision}). Nothing was restored; run the command again to see the new changes.`,
    );
  const done = unwrap(r, "RestoreEnvironmentPayload");
  if (json) return asJson(done.applied, done.revision);
  ctx.io.done(`Restored revision ${target} of "${environment}" as revision ${done.revision}.`);
};
