/**
 * `envplane preview create|list|delete`: preview environments `preview/<branch>`, cloned on the
 * server (secrets included) from the environment a project branch deploys with (admins).
 */
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { CliError, UsageError } from "../../errors.js";
import { plural, printJson, table } from "../../format.js";
import { describePath, unwrap } from "../../remote.js";
import { json, message, project, yes } from "../options.js";

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

export const previewCreate: CommandSpec = {
  path: ["preview", "create"],
  summary:
    "Create preview/<branch>: a clone of the environment the branch deploys with, mapped to the branch (admins).",
  args: [{ name: "branch", required: true, description: "The project branch (created when missing), e.g. feature/x." }],
  options: {
    url: { type: "string", value: "<url>", description: "The deployment's URL (http or https). Required." },
    from: { type: "string", value: "<env>", description: "Clone this environment instead of the mapped one." },
    set: {
      type: "string",
      multiple: true,
      value: "<KEY=VALUE>",
      description: "Set a value on top of the clone (repeat for more); ${PREVIEW_URL} in it becomes --url.",
    },
    message,
    project,
    json,
  },
  details: `
Clones on the server, secrets included (only admins who may write the source can), applies the --set
values and maps the branch to the new environment with an exact entry. Quote \${PREVIEW_URL} so the
shell keeps it:

  envplane preview create feature/login --url https://pr-42.example.com --set 'APP_URL=\${PREVIEW_URL}'`,
  async run(ctx, { args, options }) {
    const slug = ctx.project(options);
    const url = opt.string(options, "url");
    if (!url)
      throw new UsageError("--url is required: the preview deployment's address, e.g. https://pr-42.example.com.");
    const overrides = assignments(opt.list(options, "set"));
    const r = await ctx.sdk().createPreview({
      input: {
        project: slug,
        branch: args.branch!,
        url,
        from: opt.string(options, "from"),
        overrides,
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
            : describePath(path);
    const p = unwrap(r.createPreview, "CreatePreviewPayload", given);
    if (opt.bool(options, "json")) return printJson(p);
    ctx.io.done(
      `Created ${p.environment.name} for project branch ${args.branch} from "${p.from}" ` +
        `(${plural(p.copied.length, "variable")} cloned, ${plural(p.overridden.length, "value")} set)` +
        `${p.branchCreated ? "; the branch was created" : ""}. The branch now deploys with it.`,
    );
  },
};

export const previewList: CommandSpec = {
  path: ["preview", "list"],
  summary: "List the project's preview environments: branch, environment, source, URL.",
  options: { project, json },
  async run(ctx, { options }) {
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
  },
};

export const previewDelete: CommandSpec = {
  path: ["preview", "delete"],
  summary: "Delete a branch's preview environment and its mapping entry (admins); the branch stays.",
  args: [{ name: "branch", required: true, description: "The project branch whose preview to delete." }],
  options: { project, yes, json },
  async run(ctx, { args, options }) {
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
  },
};

export const previewCommands = [previewCreate, previewList, previewDelete];
