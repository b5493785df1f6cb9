/**
 * `envplane env push`: a .env file → the base values of one environment. Shows the server's
 * diff (a dry run: no value is downloaded), asks, then applies it with one bulk upsert carrying
 * the revision the dry run diffed against, so a push made by someone else meanwhile is refused
 * rather than overwritten.
 */
import { type BulkDiff, diffIsEmpty, type IncomingVariable } from "../../core/diff.js";
import type { ParsedDotenv } from "../../core/dotenv.js";
import { MAX_BULK_ITEMS } from "../../core/limits.js";
import { check, variableKey, variableValue } from "../../core/names.js";
import { isSensitiveName } from "../../core/sensitive.js";
import type { Context } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { plural, preview, printJson } from "../format.js";
import { unwrap } from "../remote.js";

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
  /**
   * true: ask before applying; "destructive": only when remote values would be removed or
   * overwritten (link, which already asked "Push them?"); false: never.
   */
  confirm: boolean | "destructive";
  json: boolean;
  /** List every unchanged key (else more than LISTED_UNCHANGED are counted on one line). */
  verbose?: boolean;
  /** Why: kept with the revision the push makes. */
  message?: string;
  /** The flag that confirms without a terminal (link has no --yes: it names its own way). */
  confirmHint?: string;
  /**
   * The file's notes and blank lines (dotenvLayout): sent with the values, the file is the truth for the keys it
   * names (a key without a comment block above it has no note), and its order is kept. Absent: values only.
   */
  layout?: Map<string, { note: string | null; blankLineBefore: boolean }>;
}

/** Unchanged keys listed one per line in the diff; beyond this they are counted. */
const LISTED_UNCHANGED = 10;

export interface PushOutcome {
  applied: boolean;
  revision: number;
}

function validate(parsed: ParsedDotenv, shownFile: string): void {
  if (parsed.entries.length > MAX_BULK_ITEMS)
    throw new CliError(
      `${shownFile} has ${parsed.entries.length.toLocaleString("en-US")} variables; one push carries at most ` +
        `${MAX_BULK_ITEMS.toLocaleString("en-US")} (the server's limit per request), so nothing was pushed. ` +
        "Split the variables across environments, or remove the ones no longer used.",
    );
  const problems = parsed.entries.flatMap((e) =>
    [...check(variableKey, e.key, []), ...check(variableValue, e.value, [])].map(
      (p) => `  line ${e.line}: ${e.key.slice(0, 80)}: ${p.message}`,
    ),
  );
  if (problems.length)
    throw new CliError(
      `${shownFile} has ${plural(problems.length, "problem")}; nothing was pushed:\n${problems.join("\n")}`,
    );
}

/** Which new, unannotated keys to store as secrets: asked on a TTY, standard otherwise. */
async function chooseSecrets(
  ctx: Context,
  candidates: { key: string; value: string }[],
  ask: boolean,
): Promise<Set<string>> {
  const secrets = new Set<string>();
  if (!ask || !candidates.length) return secrets;
  ctx.io.note("New variables detected:");
  for (const { key, value } of candidates)
    if (await ctx.io.confirm(`${key} = ${preview(value, 8)} Mark as secret?`, isSensitiveName(key))) secrets.add(key);
  ctx.io.note("");
  return secrets;
}

/**
 * The server's diff of the file against the environment (a dry run, nothing written) with
 * prune on, so `removed` lists every key the environment has that the file does not.
 */
async function plan(ctx: Context, input: PushInput, incoming: IncomingVariable[]) {
  const r = await ctx.sdk().bulkUpsertVariables({
    input: {
      project: input.project,
      environment: input.environment,
      variables: incoming,
      prune: true,
      dryRun: true,
      layout: input.layout ? true : null,
    },
  });
  // Only a # @secret annotation on a standard key can differ from the stored type: pushing it
  // would leave a value the user calls secret readable, so the server refuses and nothing is pushed.
  const annotatedStandard = (
    r.bulkUpsertVariables.__typename === "ValidationError" ? r.bulkUpsertVariables.fieldErrors : []
  )
    .filter((f) => f.path[0] === "variables" && f.path[2] === "secret")
    .map((f) => incoming[Number(f.path[1])]?.key)
    .filter((key): key is string => key !== undefined);
  if (annotatedStandard.length)
    throw new CliError(
      `${annotatedStandard
        .map(
          (key) =>
            `${key} is marked # @secret in ${input.shownFile} but is a standard variable in ` +
            `"${input.environment}", so its value would stay readable. ` +
            `Run "envplane env unset ${key} --env ${input.environment}" and push again to create it as a secret.`,
        )
        .join("\n")}\nNothing was pushed.`,
    );
  return unwrap(r.bulkUpsertVariables, "BulkUpsertVariablesPayload");
}

export async function pushFile(ctx: Context, input: PushInput): Promise<PushOutcome> {
  const { parsed, environment } = input;
  for (const warning of parsed.warnings) ctx.io.warn(`${input.shownFile}: ${warning}`);
  validate(parsed, input.shownFile);
  // Only a `# @secret` annotation states a type here; new keys get theirs below, existing ones keep their own.
  const planned = await plan(
    ctx,
    input,
    parsed.entries.map((e) => ({
      key: e.key,
      value: e.value,
      secret: e.secret || null,
      ...noteFields(input.layout, e.key),
    })),
  );
  const added = new Set(planned.added);
  const absent = planned.removed;

  const unannotated = parsed.entries.filter((e) => added.has(e.key) && !e.secret);
  const asked = await chooseSecrets(ctx, unannotated, ctx.io.interactive && !input.yes && !input.dryRun && !input.json);
  // An existing key without `# @secret` states no type (it keeps its own); only an annotation on a standard key asks for a change.
  const incoming: IncomingVariable[] = parsed.entries.map((e) => ({
    key: e.key,
    value: e.value,
    secret: e.secret || asked.has(e.key) || (added.has(e.key) ? false : undefined),
    ...noteFields(input.layout, e.key),
  }));
  // Keys a pulled file lists as left out (secrets, and values no quoting could write) are not "missing": prune keeps them.
  const keep = input.prune ? [...parsed.excludedSecrets, ...parsed.leftOut].filter((k) => absent.includes(k)) : [];
  const byKey = new Map(incoming.map((v) => [v.key, v]));
  const values = (keys: string[]) => keys.map((k) => byKey.get(k)!);
  const diff: BulkDiff = {
    added: values(planned.added),
    changed: values(planned.changed),
    unchanged: planned.unchanged,
    secretOverwritten: values(planned.secretOverwritten),
    removed: input.prune ? absent.filter((k) => !keep.includes(k)) : [],
    typeKept: planned.typeKept,
    notesChanged: planned.notesChanged,
    referencesReplaced: planned.referencesReplaced,
  };
  const changes = diff.added.length + diff.changed.length + diff.secretOverwritten.length + diff.notesChanged.length;
  // Service bindings: prune never removes their variables (only "envplane bindings" does).
  const managedKept = input.prune ? planned.managedKept.filter((k) => !keep.includes(k)) : [];

  // A pushed literal that replaces a ${{project.KEY}} reference (e.g. a stale pulled file) is asked for apart.
  const replaced = new Set(diff.referencesReplaced);
  if (!input.json) {
    const types = new Map(incoming.map((v) => [v.key, v.secret]));
    // Each key once: its value change and its note change on one line.
    const notes = new Set(diff.notesChanged);
    const note = (k: string) => (notes.has(k) ? `, note ${byKey.get(k)?.note ? "changed" : "removed"}` : "");
    const valueKeys = new Set([...diff.added, ...diff.changed, ...diff.secretOverwritten].map((v) => v.key));
    const unchanged = diff.unchanged.filter((k) => !notes.has(k));
    const lines = [
      ...diff.added.map((v) => `+ ${v.key} = ${types.get(v.key) ? "[secret]" : preview(v.value)} (add)`),
      ...diff.changed.map(
        (v) =>
          `~ ${v.key} = ${preview(v.value)} (changed` +
          `${replaced.has(v.key) ? ": replaces its ${{project.…}} reference with a literal value" : ""}${note(v.key)})`,
      ),
      ...diff.secretOverwritten.map((v) => `~ ${v.key} [secret, will be overwritten${note(v.key)}]`),
      ...diff.notesChanged.filter((k) => !valueKeys.has(k)).map((k) => `~ ${k} (${note(k).slice(2)})`),
      ...(planned.layoutChanged ? ["~ key order or blank lines changed"] : []),
      ...(input.verbose || unchanged.length <= LISTED_UNCHANGED
        ? unchanged.map((k) => `= ${k} (unchanged, skipped)`)
        : [`= ${plural(unchanged.length, "unchanged variable")}, skipped (--verbose lists them)`]),
      ...diff.removed.map((k) => `- ${k} (remove)`),
      ...keep.map((k) => `  ${k} (${parsed.excludedSecrets.includes(k) ? "secret " : ""}left out by pull, kept)`),
      ...managedKept.map((k) => `  ${k} (managed by a service binding, kept)`),
    ];
    ctx.io.print(`Pushing to "${environment}" environment:\n\n${lines.join("\n") || "(the file has no variables)"}\n`);
    const untouched = absent.length;
    if (!input.prune && untouched)
      ctx.io.note(
        `${plural(untouched, "variable")} in "${environment}" not in ${input.shownFile} ` +
          `${untouched === 1 ? "is" : "are"} left alone (--prune removes them).`,
      );
  }

  const summary = `${plural(changes, "addition/change", "additions/changes")}, ${plural(diff.removed.length, "removal")}.`;
  const report = (applied: boolean, revision: number) =>
    input.json &&
    printJson({
      environment,
      revision,
      applied,
      dryRun: input.dryRun,
      added: diff.added.map((v) => v.key),
      changed: diff.changed.map((v) => v.key),
      secretOverwritten: diff.secretOverwritten.map((v) => v.key),
      unchanged: diff.unchanged,
      removed: diff.removed,
      kept: keep,
      // Only when prune kept a service binding's variable (the key is absent otherwise).
      ...(managedKept.length ? { managedKept } : {}),
      // Only when there are some: the JSON of a push without notes stays as it was.
      ...(diff.notesChanged.length ? { notesChanged: diff.notesChanged } : {}),
      ...(planned.layoutChanged ? { layoutChanged: true } : {}),
      ...(replaced.size ? { referencesReplaced: diff.referencesReplaced } : {}),
    });

  if (diffIsEmpty(diff) && !planned.layoutChanged) {
    report(false, planned.revision);
    if (!input.json)
      ctx.io.done(`Nothing to push: every value in ${input.shownFile} already matches "${environment}".`);
    return { applied: false, revision: planned.revision };
  }
  if (input.dryRun) {
    report(false, planned.revision);
    if (!input.json) ctx.io.print(`${summary} Dry run: nothing was pushed.`);
    return { applied: false, revision: planned.revision };
  }
  const destructive = diff.removed.length + diff.changed.length + diff.secretOverwritten.length > 0;
  if (replaced.size) {
    const message =
      `${[...replaced].join(", ")}: the pushed value replaces ${replaced.size > 1 ? "their" : "its"} reference to a ` +
      "project variable (${{project.…}}) with a literal value, so it no longer follows the project variable.";
    if (input.yes) ctx.io.warn(message);
    else if (!ctx.io.interactive)
      throw new UsageError(
        `${message} Nothing was pushed. Re-run with --yes to replace it, or pull first (envplane env pull) ` +
          "so the file holds the current values.",
      );
    else if (!(await ctx.io.confirm(`${message} Replace?`))) throw new CliError("Cancelled: nothing was pushed.");
  }
  if ((input.confirm === true || (input.confirm === "destructive" && destructive)) && !input.yes) {
    if (!ctx.io.interactive) {
      if (!input.json) ctx.io.print(summary);
      throw new UsageError(
        input.confirmHint ??
          "Pushing needs a confirmation and there is no terminal to ask on. " +
            "Re-run with --yes to apply it (new keys without a # @secret annotation are stored as standard " +
            "variables), or with --dry-run to only see the diff.",
      );
    }
    if (!(await ctx.io.confirm(`${summary} Continue?`))) throw new CliError("Cancelled: nothing was pushed.");
  }

  const r = await ctx.sdk().bulkUpsertVariables({
    input: {
      project: input.project,
      environment,
      variables: incoming,
      prune: input.prune,
      keep,
      expectedRevision: planned.revision,
      message: input.message,
      layout: input.layout ? true : null,
    },
  });
  if (r.bulkUpsertVariables.__typename === "ConflictError")
    throw new CliError(
      `Someone else changed "${environment}" while you were pushing (it was at revision ${planned.revision}, ` +
        `it is now at ${r.bulkUpsertVariables.currentRevision}). Nothing was pushed. ` +
        `Run the push again to see the new diff.`,
    );
  const applied = unwrap(r.bulkUpsertVariables, "BulkUpsertVariablesPayload");
  report(true, applied.revision);
  if (!input.json) {
    const overwritten = applied.secretOverwritten.length
      ? ` (${applied.secretOverwritten.length} secret overwritten)`
      : "";
    const notes = applied.notesChanged.length ? `, ${plural(applied.notesChanged.length, "note")} changed` : "";
    const order = applied.layoutChanged ? ", order or blank lines changed" : "";
    ctx.io.done(
      `Pushed to "${environment}": ${applied.added.length} added, ` +
        `${applied.changed.length + applied.secretOverwritten.length} changed${overwritten}, ` +
        `${applied.removed.length} removed${notes}${order} (revision ${applied.revision}).`,
    );
  }
  return { applied: true, revision: applied.revision };
}

/** What a push sends of a key's note and blank line: the file's, "" when it has no note (cleared). */
function noteFields(layout: PushInput["layout"], key: string) {
  if (!layout) return {};
  const entry = layout.get(key);
  return { note: entry?.note ?? "", blankLineBefore: entry?.blankLineBefore ?? false };
}
