/**
 * `envplane env push`: a .env file → the base values of one environment. Shows the diff
 * against the revision it read, asks, then applies it with one bulk upsert carrying that
 * revision, so a push made by someone else meanwhile is refused rather than overwritten.
 */
import { computeBulkDiff, diffIsEmpty, type ExistingVariable, type IncomingVariable } from "../../core/diff.js";
import { check, variableKey, variableValue } from "../../core/names.js";
import { CliError, UsageError } from "../errors.js";
import type { Context } from "../context.js";
import { unwrap } from "../remote.js";
import type { ParsedDotenv } from "../../core/dotenv.js";
import { plural, preview, printJson } from "../format.js";
import { isSensitiveName } from "../../core/sensitive.js";

export interface PushInput {
  project: string;
  environment: string;
  parsed: ParsedDotenv;
  /** The file as the user sees it, e.g. envplane/.env. */
  shownFile: string;
  prune: boolean;
  dryRun: boolean;
  /** --yes: no questions; unannotated new keys are standard. */
  yes: boolean;
  /** false when the caller already asked (link's "Push them?"). */
  confirm: boolean;
  json: boolean;
}

export interface PushOutcome {
  applied: boolean;
  revision: number;
}

function validate(parsed: ParsedDotenv, shownFile: string): void {
  const problems = parsed.entries.flatMap((e) =>
    [...check(variableKey, e.key, []), ...check(variableValue, e.value, [])].map((p) => `  line ${e.line}: ${e.key.slice(0, 80)}: ${p.message}`),
  );
  if (problems.length) throw new CliError(`${shownFile} has ${plural(problems.length, "problem")}; nothing was pushed:\n${problems.join("\n")}`);
}

/** Which new, unannotated keys to store as secrets: asked on a TTY, standard otherwise. */
async function chooseSecrets(ctx: Context, candidates: { key: string; value: string }[], ask: boolean): Promise<Set<string>> {
  const secrets = new Set<string>();
  if (!ask || !candidates.length) return secrets;
  ctx.io.note("New variables detected:");
  for (const { key, value } of candidates)
    if (await ctx.io.confirm(`${key} = ${preview(value, 8)} Mark as secret?`, isSensitiveName(key))) secrets.add(key);
  ctx.io.note("");
  return secrets;
}

export async function pushFile(ctx: Context, input: PushInput): Promise<PushOutcome> {
  const { parsed, environment } = input;
  for (const warning of parsed.warnings) ctx.io.warn(`${input.shownFile}: ${warning}`);
  validate(parsed, input.shownFile);
  const remote = await ctx.loadEnvironment(input.project, environment);
  const existing: ExistingVariable[] = remote.variables.map((v) => ({ key: v.key, isSecret: v.isSecret, value: v.value ?? null }));
  const known = new Set(existing.map((v) => v.key));

  const unannotated = parsed.entries.filter((e) => !known.has(e.key) && !e.secret);
  const asked = await chooseSecrets(ctx, unannotated, ctx.io.interactive && !input.yes && !input.dryRun && !input.json);
  // An existing key without `# @secret` states no type (it keeps its own); only an annotation on a standard key asks for a change.
  const incoming: IncomingVariable[] = parsed.entries.map((e) => ({ key: e.key, value: e.value, secret: e.secret || asked.has(e.key) || (known.has(e.key) ? undefined : false) }));
  // Keys a pulled file lists as left out (secrets, and values no quoting could write) are not "missing": prune keeps them.
  const keep = input.prune ? [...parsed.excludedSecrets, ...parsed.leftOut].filter((k) => known.has(k) && !parsed.entries.some((e) => e.key === k)) : [];
  const diff = computeBulkDiff(existing, incoming, input.prune, keep);
  const changes = diff.added.length + diff.changed.length + diff.secretOverwritten.length;

  // Only a # @secret annotation on a standard key can differ from the stored type: pushing it
  // would leave a value the user calls secret readable, so nothing is pushed.
  if (diff.typeKept.length)
    throw new CliError(
      diff.typeKept
        .map((key) => `${key} is marked # @secret in ${input.shownFile} but is a standard variable in "${environment}", so its value would stay readable. Run "envplane env unset ${key} --env ${environment}" and push again to create it as a secret.`)
        .join("\n") + "\nNothing was pushed.",
    );

  if (!input.json) {
    const types = new Map(incoming.map((v) => [v.key, v.secret]));
    const lines = [
      ...diff.added.map((v) => `+ ${v.key} = ${types.get(v.key) ? "[secret]" : preview(v.value)} (add)`),
      ...diff.changed.map((v) => `~ ${v.key} = ${preview(v.value)} (changed)`),
      ...diff.secretOverwritten.map((v) => `~ ${v.key} [secret, will be overwritten]`),
      ...diff.unchanged.map((k) => `= ${k} (unchanged, skipped)`),
      ...diff.removed.map((k) => `- ${k} (remove)`),
      ...keep.map((k) => `  ${k} (${parsed.excludedSecrets.includes(k) ? "secret " : ""}left out by pull, kept)`),
    ];
    ctx.io.print(`Pushing to "${environment}" environment:\n\n${lines.join("\n") || "(the file has no variables)"}\n`);
    const untouched = existing.filter((v) => !incoming.some((i) => i.key === v.key)).length;
    if (!input.prune && untouched) ctx.io.note(`${plural(untouched, "variable")} in "${environment}" not in ${input.shownFile} ${untouched === 1 ? "is" : "are"} left alone (--prune removes them).`);
  }

  const summary = `${plural(changes, "addition/change", "additions/changes")}, ${plural(diff.removed.length, "removal")}.`;
  const report = (applied: boolean, revision: number) =>
    input.json && printJson({ environment, revision, applied, dryRun: input.dryRun, added: diff.added.map((v) => v.key), changed: diff.changed.map((v) => v.key), secretOverwritten: diff.secretOverwritten.map((v) => v.key), unchanged: diff.unchanged, removed: diff.removed, kept: keep });

  if (diffIsEmpty(diff)) {
    report(false, remote.revision);
    if (!input.json) ctx.io.done(`Nothing to push: every value in ${input.shownFile} already matches "${environment}".`);
    return { applied: false, revision: remote.revision };
  }
  if (input.dryRun) {
    report(false, remote.revision);
    if (!input.json) ctx.io.print(`${summary} Dry run: nothing was pushed.`);
    return { applied: false, revision: remote.revision };
  }
  if (input.confirm && !input.yes) {
    if (!ctx.io.interactive) {
      if (!input.json) ctx.io.print(summary);
      throw new UsageError(
        "Pushing needs a confirmation and there is no terminal to ask on. Re-run with --yes to apply it (new keys without a # @secret annotation are stored as standard variables), or with --dry-run to only see the diff.",
      );
    }
    if (!(await ctx.io.confirm(`${summary} Continue?`))) throw new CliError("Cancelled: nothing was pushed.");
  }

  const r = await ctx.sdk().bulkUpsertVariables({
    input: { project: input.project, environment, variables: incoming, prune: input.prune, keep, expectedRevision: remote.revision },
  });
  if (r.bulkUpsertVariables.__typename === "ConflictError")
    throw new CliError(
      `Someone else changed "${environment}" while you were pushing (it was at revision ${remote.revision}, it is now at ${r.bulkUpsertVariables.currentRevision}). Nothing was pushed. Run the push again to see the new diff.`,
    );
  const applied = unwrap(r.bulkUpsertVariables, "BulkUpsertVariablesPayload");
  report(true, applied.revision);
  if (!input.json) {
    const overwritten = applied.secretOverwritten.length ? ` (${applied.secretOverwritten.length} secret overwritten)` : "";
    ctx.io.done(
      `Pushed to "${environment}": ${applied.added.length} added, ${applied.changed.length + applied.secretOverwritten.length} changed${overwritten}, ${applied.removed.length} removed (revision ${applied.revision}).`,
    );
  }
  return { applied: true, revision: applied.revision };
}
