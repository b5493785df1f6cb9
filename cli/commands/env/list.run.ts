import { noteLines } from "../../../core/notes.js";
import { MAX_PAGE_SIZE } from "../../../sdk/index.js";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import type { Context } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import { printJson, quote } from "../../format.js";

const SECRET = "••••";

export const envList: CommandSpec["run"] = async (ctx, { options }) => {
  const slug = ctx.project(options);
  const environment = await ctx.environment(options, slug);
  const asJson = opt.bool(options, "json");
  if (opt.bool(options, "names-only")) {
    if (opt.bool(options, "values")) throw new UsageError("--names-only and --values exclude each other: pick one.");
    const { keys, count } = await names(ctx, slug, environment);
    if (asJson) return printJson({ environment, count, keys });
    for (const key of keys) ctx.io.print(key);
    ctx.io.note(`${count} ${count === 1 ? "variable" : "variables"} in "${environment}".`);
    return;
  }
  let lines: string[];
  if (opt.bool(options, "values")) {
    // The full values keep the layout envplane always printed: secrets as [secret].
    const show = (secret: boolean, text: string | null | undefined) => (secret ? "[secret]" : quote(text ?? ""));
    const { variables, viewerCanRead } = await ctx.loadEnvironment(slug, environment);
    if (!viewerCanRead) cannotRead(slug, environment);
    if (asJson)
      return printJson(
        variables.map((v) => ({
          key: v.key,
          isSecret: v.isSecret,
          value: v.value ?? null,
          ...(v.note ? { note: v.note } : {}), // only when there is one
          overrides: v.overrides.map((o) => ({ branch: o.branch.name, value: o.value ?? null, ...refs(o) })),
          ...refs(v),
        })),
      );
    lines = variables.flatMap((v) => [
      ...noteLines(v.note),
      `${v.key} = ${show(v.isSecret, v.value)}${resolved(v)}`,
      ...v.overrides.map((o) => `└─ ${o.branch.name} = ${show(v.isSecret, o.value)}${resolved(o)}`),
    ]);
  } else {
    const show = (secret: boolean, text: string | null | undefined) => (secret ? SECRET : quote(text ?? ""));
    const variables = await previews(ctx, slug, environment);
    if (asJson)
      return printJson(
        variables.map((v) => ({
          key: v.key,
          isSecret: v.isSecret,
          preview: v.preview,
          ...(v.note ? { note: v.note } : {}), // only when there is one
          overrides: v.overrides.map((o) => ({ branch: o.branch.name, preview: o.preview, ...refs(o) })),
          ...refs(v),
        })),
      );
    lines = variables.flatMap((v) => [
      ...noteLines(v.note),
      `${v.key} = ${show(v.isSecret, v.preview)}${resolved(v)}`,
      ...v.overrides.map((o) => `└─ ${o.branch.name} = ${show(v.isSecret, o.preview)}${resolved(o)}`),
    ]);
  }
  ctx.io.print(`${environment} environment:\n\n${lines.join("\n") || "(no variables)"}`);
};

type Referencing = { references: string[]; resolvedPreview?: string | null; resolvesAsSecret: boolean };

/**
 * Only values with ${{project.KEY}} references carry these in JSON (the JSON of others is unchanged):
 * resolvesAsSecret is true when one of them is a secret project variable (pull leaves the value out).
 */
function refs(v: Referencing) {
  if (!v.references.length) return {};
  return { references: v.references, resolvedPreview: v.resolvedPreview ?? null, resolvesAsSecret: v.resolvesAsSecret };
}

/** A value with ${{project.KEY}} references: as written, then what it resolves to (•••• for a secret). */
function resolved(v: Referencing): string {
  if (!v.references.length) return "";
  const secret = v.resolvesAsSecret ? " (secret: references a secret project variable)" : "";
  return `  → ${v.resolvedPreview ?? "(a referenced shared variable is missing)"}${secret}`;
}

function notFound(project: string, environment: string, found: { environment: unknown } | null): never {
  if (!found) throw new CliError(`Project "${project}" not found, or your token cannot access it.`);
  throw new CliError(
    `Environment "${environment}" not found in project "${project}". Run "envplane env list-environments".`,
  );
}

/** A token that may only write lists no values: say so instead of "(no variables)". */
function cannotRead(project: string, environment: string): never {
  throw new CliError(
    `Your token may not read the values of "${environment}" in project "${project}". ` +
      `"envplane env list --names-only --env ${environment}" lists its keys.`,
  );
}

async function names(ctx: Context, project: string, environment: string) {
  const { project: p } = await ctx.sdk().environmentKeys({ project, environment });
  if (!p?.environment) notFound(project, environment, p);
  return p.environment;
}

/** Every page of previews, at one revision (re-read from the start when it changed in between, up to 3 times). */
async function previews(ctx: Context, project: string, environment: string) {
  for (let attempt = 1; ; attempt++) {
    let revision: number | null = null;
    let consistent = true;
    let after: string | null = null;
    const variables = [];
    for (;;) {
      const { project: p } = await ctx.sdk().environmentPreviews({ project, environment, first: MAX_PAGE_SIZE, after });
      if (!p?.environment) notFound(project, environment, p);
      if (!p.environment.viewerCanRead) cannotRead(project, environment);
      revision ??= p.environment.revision;
      if (p.environment.revision !== revision) consistent = false;
      const page = p.environment.variables;
      variables.push(...page.nodes);
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
      after = page.pageInfo.endCursor;
    }
    if (consistent) return variables;
    if (attempt === 3)
      throw new CliError(
        `Environment "${environment}" of project "${project}" kept changing while it was read. Try again.`,
      );
  }
}
