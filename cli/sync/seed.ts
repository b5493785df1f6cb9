/**
 * Seeding: copy the source environment's variables into the target, as they are or reviewed
 * one by one ([K]eep / [E]dit / [S]kip; a secret can only be re-entered or skipped). Into an
 * existing environment it first shows what changes there; overwriting a value is confirmed
 * (a question on a terminal, --yes otherwise), and --dry-run stops after the diff. Everything
 * is then sent at once with the revisions it was diffed against, so a change meanwhile is
 * refused rather than overwritten.
 */

import { isSensitiveName } from "../../core/sensitive.js";
import type { SeedDecisionInput } from "../../sdk/index.js";
import type { Context } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { plural, preview, printJson, quote } from "../format.js";
import { unwrap } from "../remote.js";

type Variable = { key: string; isSecret: boolean; value?: string | null };

/** Unchanged keys listed one per line in the diff; beyond this they are counted. */
const LISTED_UNCHANGED = 10;

/**
 * Asks about each variable: [K]eep / [E]dit / [S]kip, a secret [E]nter new value / [S]kip (or
 * [C]arry it as-is with `carrySecrets`, promote). Keys in `unchanged` are the same in the target:
 * not asked, kept (a secret: skipped, which leaves the same value there).
 */
export async function review(
  ctx: Context,
  variables: Variable[],
  target: { name: string; variables: Map<string, Variable> },
  opts: { carrySecrets?: boolean; unchanged?: ReadonlySet<string> } = {},
): Promise<SeedDecisionInput[]> {
  const decisions: SeedDecisionInput[] = [];
  /** The type a new value gets: an existing key keeps its own (said, not asked); a new one is asked. */
  const typeFor = async (key: string, suggested: boolean): Promise<boolean> => {
    const existing = target.variables.get(key);
    if (!existing) return ctx.io.confirm("Mark as secret?", suggested, { tick: true });
    ctx.io.note(
      `Stays ${existing.isSecret ? "a secret" : "standard"}: ${key} already exists in "${target.name}" as ${existing.isSecret ? "a secret" : "a standard variable"}.`,
    );
    return existing.isSecret;
  };
  for (const v of variables) {
    if (opts.unchanged?.has(v.key)) {
      decisions.push({ key: v.key, action: v.isSecret ? "SKIP" : "KEEP" });
      continue;
    }
    ctx.io.note("");
    if (v.isSecret) {
      ctx.io.note(`${v.key} = [secret]`);
      if (target.variables.get(v.key)?.isSecret === false) {
        // A value entered for a secret would be readable there: not asked, and the fix is named.
        ctx.io.note(
          `Skipped: ${v.key} is a standard variable in "${target.name}", so a value entered here would be readable. ` +
            `To make it a secret there: envplane env unset ${v.key} --env ${target.name}, then envplane env set ${v.key} - --secret --env ${target.name}`,
        );
        decisions.push({ key: v.key, action: "SKIP" });
        continue;
      }
      const answer = opts.carrySecrets
        ? await ctx.io.choose("[C]arry as-is / [E]nter new value / [S]kip? ", ["c", "e", "s"], { tick: ["c"] })
        : await ctx.io.choose("[E]nter new value / [S]kip? ", ["e", "s"]);
      if (answer === "c") {
        decisions.push({ key: v.key, action: "KEEP" });
        continue;
      }
      if (answer === "s") {
        decisions.push({ key: v.key, action: "SKIP" });
        continue;
      }
      const value = await ctx.io.ask("New value (hidden): ", { hidden: true, tick: true });
      decisions.push({ key: v.key, action: "EDIT", value, secret: await typeFor(v.key, true) });
      continue;
    }
    ctx.io.note(`${v.key} = ${quote(v.value ?? "")}`);
    const answer = await ctx.io.choose("[K]eep / [E]dit / [S]kip? ", ["k", "e", "s"], { tick: ["k"] });
    if (answer === "k") decisions.push({ key: v.key, action: "KEEP" });
    else if (answer === "s") decisions.push({ key: v.key, action: "SKIP" });
    else {
      const value = await ctx.io.ask("New value: ", { tick: true });
      decisions.push({ key: v.key, action: "EDIT", value, secret: await typeFor(v.key, isSensitiveName(v.key)) });
    }
  }
  return decisions;
}

interface Incoming {
  key: string;
  /** null: a secret (its value is not shown). */
  value: string | null;
  isSecret: boolean;
}

/** What the seed does to the target, as diff lines, and whether it overwrites anything there. */
function plan(incoming: Incoming[], target: Map<string, Variable>, verbose: boolean) {
  const added: string[] = [];
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const v of incoming) {
    const current = target.get(v.key);
    const shown = v.isSecret || v.value === null ? "[secret]" : preview(v.value);
    if (!current) added.push(`+ ${v.key} = ${shown} (add)`);
    else if (current.isSecret) changed.push(`~ ${v.key} [secret, will be overwritten]`);
    else if (v.value !== null && current.value === v.value) unchanged.push(v.key);
    else
      changed.push(`~ ${v.key} = ${shown} (changed${current.value != null ? `, was ${preview(current.value)}` : ""})`);
  }
  const same =
    verbose || unchanged.length <= LISTED_UNCHANGED
      ? unchanged.map((k) => `= ${k} (unchanged)`)
      : [`= ${plural(unchanged.length, "unchanged variable")} (--verbose lists them)`];
  return { lines: [...added, ...changed, ...same], added: added.length, changed: changed.length };
}

/** Seeds `target` from `source`, asking about each variable when `interactive`; creates `target` first when `create`. */
export async function seed(
  ctx: Context,
  input: {
    project: string;
    target: string;
    source: string;
    interactive: boolean;
    create: boolean;
    isProtected?: boolean;
    /** Print the result as JSON (stdout) instead of the summary. */
    json?: boolean;
    dryRun?: boolean;
    yes?: boolean;
    verbose?: boolean;
    /** Why: kept with the revision (seeding an existing environment). */
    message?: string;
  },
): Promise<void> {
  const { project, target, source } = input;
  let decisions: SeedDecisionInput[] | undefined;
  let revisions: { expectedSourceRevision: number; expectedRevision?: number } | undefined;
  if (input.interactive && !ctx.io.interactive)
    throw new UsageError(
      "--interactive needs a terminal to ask on. Without it, every variable is copied as-is (secrets included) and you can change them afterwards with envplane env set.",
    );
  if (input.interactive || !input.create) {
    const from = await ctx.loadEnvironment(project, source);
    const to = input.create ? null : await ctx.loadEnvironment(project, target);
    const existing = new Map((to?.variables ?? []).map((v) => [v.key, v]));
    let incoming: Incoming[];
    if (input.interactive) {
      ctx.io.note(`Seeding "${target}" from "${source}" (${plural(from.variables.length, "variable")}):`);
      decisions = await review(ctx, from.variables, { name: target, variables: existing });
      ctx.io.note("");
      const byKey = new Map(from.variables.map((v) => [v.key, v]));
      incoming = decisions.flatMap((d) => {
        const v = byKey.get(d.key)!;
        if (d.action === "SKIP") return [];
        if (d.action === "EDIT") return [{ key: d.key, value: d.secret ? null : d.value!, isSecret: !!d.secret }];
        return [{ key: d.key, value: v.isSecret ? null : (v.value ?? null), isSecret: v.isSecret }];
      });
    } else incoming = from.variables.map((v) => ({ key: v.key, value: v.value ?? null, isSecret: v.isSecret }));
    revisions = { expectedSourceRevision: from.revision, ...(to ? { expectedRevision: to.revision } : {}) };
    if (to) {
      const diff = plan(incoming, existing, !!input.verbose);
      // Reviewed interactively, new values need no second look; what the target loses does.
      // With --json, stdout carries only the JSON result, and the human diff is not printed.
      const show = (text: string) => (input.json ? undefined : ctx.io.print(text));
      if (!input.interactive || diff.changed || input.dryRun)
        show(
          `Seeding "${target}" from "${source}":\n\n${diff.lines.join("\n") || `(nothing to copy from "${source}")`}\n`,
        );
      const left = to.variables.filter((v) => !incoming.some((i) => i.key === v.key)).length;
      if (left && !input.json)
        ctx.io.note(`${plural(left, "other variable")} in "${target}" ${left === 1 ? "is" : "are"} left alone.`);
      const summary = `${plural(diff.added, "addition")}, ${plural(diff.changed, "overwritten value")}.`;
      if (input.dryRun) {
        show(`${summary} Dry run: nothing was seeded.`);
        if (input.json) printJson({ environment: target, dryRun: true, added: diff.added, overwritten: diff.changed });
        return;
      }
      if (diff.changed && !input.yes) {
        const where = `"${target}"${to.isProtected ? " (protected)" : ""}`;
        if (!ctx.io.interactive)
          throw new UsageError(
            `${summary} Seeding overwrites ${plural(diff.changed, "value")} in ${where} and there is no terminal to confirm it; nothing was seeded. Re-run with --yes to apply it, or with --dry-run to only see the diff.`,
          );
        if (!(await ctx.io.confirm(`${summary} Overwrite ${plural(diff.changed, "value")} in ${where}?`)))
          throw new CliError("Cancelled: nothing was seeded.");
      }
    }
  }
  const sdk = ctx.sdk();
  const result = input.create
    ? (
        await sdk.createEnvironment({
          input: { project, name: target, from: source, decisions, isProtected: input.isProtected },
        })
      ).createEnvironment
    : (
        await sdk.seedEnvironment({
          input: { project, target, from: source, decisions, ...revisions, message: input.message },
        })
      ).seedEnvironment;
  if (result.__typename === "ConflictError" && !input.create)
    throw new CliError(
      `"${target}" or "${source}" changed while you were seeding. Nothing was seeded; run the command again to see the new diff.`,
    );
  const { seed: summary, environment } = unwrap(result, "EnvironmentPayload");
  if (input.json) return printJson({ environment: environment.name, revision: environment.revision, ...summary });
  const stored = (summary?.copied.length ?? 0) + (summary?.edited.length ?? 0);
  const skipped = summary?.skipped.length ?? 0;
  ctx.io.done(
    `${input.create ? "Created" : "Seeded"} "${target}" with ${plural(stored, "variable")}${skipped ? ` (${skipped} skipped)` : ""}.`,
  );
  for (const key of summary?.skippedSecrets ?? [])
    ctx.io.warn(
      `${key} is a secret of "${source}", which you may read but not write, so it was not copied. ` +
        `Set it in "${target}" with envplane env set ${key} - --secret --env ${target}.`,
    );
  for (const key of summary?.typeKept ?? [])
    ctx.io.warn(`${key} already existed in "${target}" with another type and kept it.`);
}
