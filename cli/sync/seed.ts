/**
 * Interactive seeding: walk the source environment's variables, decide each one
 * ([K]eep / [E]dit / [S]kip; a secret can only be re-entered or skipped), then send every
 * decision at once with the revisions reviewed, so a change meanwhile is refused.
 */

import { isSensitiveName } from "../../core/sensitive.js";
import type { SeedDecisionInput } from "../../sdk/index.js";
import type { Context } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { plural, printJson, quote } from "../format.js";
import { unwrap } from "../remote.js";

async function review(
  ctx: Context,
  variables: { key: string; isSecret: boolean; value?: string | null }[],
): Promise<SeedDecisionInput[]> {
  const decisions: SeedDecisionInput[] = [];
  for (const v of variables) {
    ctx.io.note("");
    if (v.isSecret) {
      ctx.io.note(`${v.key} = [secret]`);
      const answer = await ctx.io.choose("[E]nter new value / [S]kip? ", ["e", "s"]);
      if (answer === "s") {
        decisions.push({ key: v.key, action: "SKIP" });
        continue;
      }
      const value = await ctx.io.ask("New value (hidden): ", { hidden: true, tick: true });
      const secret = await ctx.io.confirm("Mark as secret?", true, { tick: true });
      decisions.push({ key: v.key, action: "EDIT", value, secret });
      continue;
    }
    ctx.io.note(`${v.key} = ${quote(v.value ?? "")}`);
    const answer = await ctx.io.choose("[K]eep / [E]dit / [S]kip? ", ["k", "e", "s"], { tick: ["k"] });
    if (answer === "k") decisions.push({ key: v.key, action: "KEEP" });
    else if (answer === "s") decisions.push({ key: v.key, action: "SKIP" });
    else {
      const value = await ctx.io.ask("New value: ", { tick: true });
      const secret = await ctx.io.confirm("Mark as secret?", isSensitiveName(v.key), { tick: true });
      decisions.push({ key: v.key, action: "EDIT", value, secret });
    }
  }
  return decisions;
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
  },
): Promise<void> {
  const { project, target, source } = input;
  let decisions: SeedDecisionInput[] | undefined;
  let revisions: { expectedSourceRevision: number; expectedRevision?: number } | undefined;
  if (input.interactive) {
    if (!ctx.io.interactive)
      throw new UsageError(
        "--interactive needs a terminal to ask on. Without it, every variable is copied as-is (secrets included) " +
          "and you can change them afterwards with envplane env set.",
      );
    const from = await ctx.loadEnvironment(project, source);
    const to = input.create ? null : await ctx.loadEnvironment(project, target);
    ctx.io.note(`Seeding "${target}" from "${source}" (${plural(from.variables.length, "variable")}):`);
    decisions = await review(ctx, from.variables);
    ctx.io.note("");
    revisions = { expectedSourceRevision: from.revision, ...(to ? { expectedRevision: to.revision } : {}) };
  }
  const sdk = ctx.sdk();
  const result = input.create
    ? (
        await sdk.createEnvironment({
          input: { project, name: target, from: source, decisions, isProtected: input.isProtected },
        })
      ).createEnvironment
    : (await sdk.seedEnvironment({ input: { project, target, from: source, decisions, ...revisions } }))
        .seedEnvironment;
  if (result.__typename === "ConflictError" && decisions && !input.create)
    throw new CliError(`${result.message} Nothing was seeded; run the command again to review the current values.`);
  const { seed: summary, environment } = unwrap(result, "EnvironmentPayload");
  if (input.json) return printJson({ environment: environment.name, revision: environment.revision, ...summary });
  const stored = (summary?.copied.length ?? 0) + (summary?.edited.length ?? 0);
  const skipped = summary?.skipped.length ?? 0;
  // The spec's summary line says "Created" for a seed into an existing environment too.
  ctx.io.done(`Created "${target}" with ${plural(stored, "variable")}${skipped ? ` (${skipped} skipped)` : ""}.`);
  for (const key of summary?.skippedSecrets ?? [])
    ctx.io.warn(
      `${key} is a secret of "${source}", which you may read but not write, so it was not copied. ` +
        `Set it in "${target}" with envplane env set ${key} - --secret --env ${target}.`,
    );
  for (const key of summary?.typeKept ?? [])
    ctx.io.warn(`${key} already existed in "${target}" with another type and kept it.`);
}
