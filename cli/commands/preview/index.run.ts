/**
 * `envplane preview create|list|delete`: preview environments `preview/<branch>`, cloned on the
 * server (secrets included) from the environment a project branch deploys with (admins).
 */
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import type { Context } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import { plural, printJson, table } from "../../format.js";
import { readStdin } from "../../io.js";
import { describePath, unwrap } from "../../remote.js";

/** --set KEY=VALUE (split at the first "="); a usage error for anything else or a key given twice. */
function assignments(words: string[]): { key: string; value: string }[] {
  const seen = new Set<string>();
  return words.map((word) => {
    const at = word.indexOf("=");
    if (at <= 0) throw new UsageError(`--set takes KEY=VALUE (e.g. --set 'APP_URL=\${PREVIEW_URL}'), not "${word}".`);
    const key = word.slice(0, at);
    if (seen.has(key)) throw new UsageError(`--set ${key} is given twice. Give each key once.`);
    seen.add(key);
    return { key, value: word.slice(at + 1) };
  });
}

/** --share-binding NAME and --binding NAME=VALUE ("-": stdin) as createPreview's bindings choices. */
async function bindingChoices(
  ctx: Context,
  shared: string[],
  own: string[],
): Promise<{ binding: string; share?: boolean; value?: string }[]> {
  const choices: { binding: string; share?: boolean; value?: string }[] = shared.map((binding) => ({
    binding,
    share: true,
  }));
  const fromStdin = own.filter((word) => word.endsWith("=-"));
  if (fromStdin.length > 1)
    throw new UsageError(`Only one --binding can read its value from stdin ("-"); give the others as NAME=VALUE.`);
  for (const word of own) {
    const at = word.indexOf("=");
    if (at <= 0)
      throw new UsageError(
        `--binding takes NAME=VALUE (the preview's own credential; VALUE "-" reads it from stdin), not "${word.slice(0, 40)}".`,
      );
    const binding = word.slice(0, at);
    if (choices.some((c) => c.binding === binding))
      throw new UsageError(`Binding "${binding}" is chosen twice (--share-binding / --binding). Choose once.`);
    let value = word.slice(at + 1);
    if (value === "-") {
      if (process.stdin.isTTY && !ctx.io.interactive)
        throw new UsageError(
          `"--binding ${binding}=-" reads the credential from stdin, but stdin is a terminal and prompts are off. Pipe it in.`,
        );
      value = process.stdin.isTTY
        ? await ctx.io.ask(`Credential of ${binding} (hidden): `, { hidden: true })
        : await readStdin();
    }
    choices.push({ binding, value });
  }
  return choices;
}

export const previewCreate: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  const url = opt.string(options, "url");
  if (!url)
    throw new UsageError("--url is required: the preview deployment's address, e.g. https://pr-42.example.com.");
  const overrides = assignments(opt.list(options, "set"));
  const bindings = await bindingChoices(ctx, opt.list(options, "share-binding"), opt.list(options, "binding"));
  const r = await ctx.sdk().createPreview({
    input: {
      project: slug,
      branch: args.branch!,
      url,
      from: opt.string(options, "from"),
      overrides,
      bindings,
      message: opt.string(options, "message"),
    },
  });
  const given = (path: readonly string[]) =>
    path[0] === "overrides" && overrides[Number(path[1])]
      ? `--set ${overrides[Number(path[1])].key}`
      : path[0] === "url"
        ? "--url"
        : path[0] === "from"
          ? "--from"
          : path[0] === "bindings" && bindings[Number(path[1])]
            ? bindings[Number(path[1])].share
              ? `--share-binding ${bindings[Number(path[1])].binding}`
              : `--binding ${bindings[Number(path[1])].binding}`
            : path[0] === "bindings"
              ? "--share-binding / --binding"
              : describePath(path);
  const p = unwrap(r.createPreview, "CreatePreviewPayload", given);
  if (opt.bool(options, "json")) return printJson(p);
  ctx.io.done(
    `Created ${p.environment.name} for project branch ${args.branch} from "${p.from}" ` +
      `(${plural(p.copied.length, "variable")} cloned, ${plural(p.overridden.length, "value")} set)` +
      `${p.branchCreated ? "; the branch was created" : ""}. The branch now deploys with it.` +
      p.bindings
        .map(
          (b) =>
            ` Binding ${b.binding}: ${String(b.mode).toLowerCase() === "shared" ? "shares the source's" : "its own"} credential.`,
        )
        .join(""),
  );
};

export const previewList: CommandSpec["run"] = async (ctx, { options }) => {
  const slug = ctx.project(options);
  const { project: found } = await ctx.sdk().previews({ slug });
  if (!found)
    throw new CliError(
      `Project "${slug}" not found, or your token cannot access it. Run "envplane projects list" to see yours.`,
    );
  const rows = found.previews.map((e) => ({
    branch: e.previewBranch?.name ?? null,
    environment: e.name,
    from: e.previewOf?.name ?? null,
    url: e.url ?? null,
    variables: e.variableCount,
    createdAt: e.createdAt,
  }));
  if (opt.bool(options, "json")) return printJson(rows);
  if (!rows.length)
    return ctx.io.note('No preview environments. Create one with "envplane preview create <branch> --url <url>".');
  ctx.io.print(
    table([
      ["BRANCH", "ENVIRONMENT", "FROM", "URL", "VARIABLES", "CREATED"],
      ...rows.map((r) => [
        r.branch ?? "-",
        r.environment,
        r.from ?? "(deleted)",
        r.url ?? "",
        String(r.variables),
        r.createdAt.slice(0, 16),
      ]),
    ]),
  );
};

export const previewDelete: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  await ctx.confirmDestructive(
    options,
    `Delete the preview environment of project branch "${args.branch}" in ${slug}, with its variables?`,
    `Deleting the preview environment of "${args.branch}" removes its variables; the branch deploys as mapped before.`,
    "Cancelled: the preview environment was not deleted.",
  );
  const r = unwrap(
    (await ctx.sdk().deletePreview({ input: { project: slug, branch: args.branch! } })).deletePreview,
    "DeletePreviewPayload",
  );
  if (opt.bool(options, "json")) return printJson({ ...r, deleted: true });
  ctx.io.done(`Deleted ${r.name}; project branch ${r.branch} stays and deploys as the mapping says.`);
};
