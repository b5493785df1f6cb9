import { type OptionValues, opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import { plural, printJson } from "../../format.js";
import { readStdin } from "../../io.js";
import { naming, unwrap } from "../../remote.js";

/** KEY=VALUE pairs (split at the first "="); a usage error for anything else or a key given twice. */
function pairs(words: string[]): { key: string; value: string }[] {
  const seen = new Set<string>();
  return words.map((word, i) => {
    const at = word.indexOf("=");
    // The word is not quoted back: it may be part of a value.
    if (at <= 0)
      throw new UsageError(
        `Argument ${i + 1} is not KEY=VALUE. Set several variables as KEY=VALUE pairs (envplane env set A=1 B=2), or one as KEY VALUE.`,
      );
    const key = word.slice(0, at);
    if (seen.has(key)) throw new UsageError(`${key} is given twice. Give each key once.`);
    seen.add(key);
    return { key, value: word.slice(at + 1) };
  });
}

export const envSet: CommandSpec["run"] = async (ctx, { args, options, rest }) => {
  if (args.KEY!.includes("=")) {
    if (opt.string(options, "note") !== undefined)
      throw new UsageError("--note sets the note of one variable: envplane env set KEY VALUE --note <text>.");
    return setMany(ctx, options, pairs([args.KEY!, ...rest]));
  }
  if (rest.length === 0)
    throw new UsageError(
      `Missing <value>: the value of ${args.KEY} ("-" reads it from stdin). Or give KEY=VALUE pairs.\n\nUsage: envplane env set <KEY> <value> [options]`,
    );
  if (rest.length > 1)
    throw new UsageError(
      `Too many arguments for one variable: quote a value with spaces (envplane env set ${args.KEY} "a b"), or set several as KEY=VALUE pairs (envplane env set A=1 B=2).`,
    );
  const slug = ctx.project(options);
  let value = rest[0];
  if (value === "-") {
    if (process.stdin.isTTY && !ctx.io.interactive)
      throw new UsageError(
        '"-" reads the value from stdin, but stdin is a terminal and prompts are off (CI). Pipe the value in.',
      );
    value = process.stdin.isTTY ? await ctx.io.ask("Value (hidden): ", { hidden: true }) : await readStdin();
  }
  const environment = await ctx.environment(options, slug);
  const branch = opt.string(options, "branch");
  const secret = opt.bool(options, "secret");
  const r = await ctx.sdk().setVariable({
    input: {
      project: slug,
      environment,
      key: args.KEY!,
      value,
      branch,
      secret: secret || undefined,
      message: opt.string(options, "message"),
      note: opt.string(options, "note"),
    },
  });
  const set = unwrap(r.setVariable, "SetVariablePayload", naming({ key: args.KEY }));
  if (opt.bool(options, "json"))
    return printJson({
      environment,
      branch: set.branch ?? null,
      key: set.key,
      created: set.created,
      isSecret: set.isSecret,
      revision: set.revision,
    });
  const what = set.branch ? `override of ${set.key} for project branch ${set.branch}` : set.key;
  if (!set.changed)
    return ctx.io.done(
      `${what} in "${environment}" already has this value: nothing changed (revision ${set.revision}).`,
    );
  if (set.noteOnly)
    return ctx.io.done(`Note of ${what} updated in "${environment}" (value unchanged, revision ${set.revision}).`);
  ctx.io.done(
    `${set.created ? "Added" : "Updated"} ${what} in "${environment}"${set.isSecret ? " (secret)" : ""} (revision ${set.revision}).`,
  );
};

/** Several variables (or overrides of one branch) as one request: one write, one revision. */
async function setMany(ctx: Context, options: OptionValues, variables: { key: string; value: string }[]) {
  const slug = ctx.project(options);
  const environment = await ctx.environment(options, slug);
  const branch = opt.string(options, "branch");
  const secret = opt.bool(options, "secret") || undefined;
  const r = await ctx.sdk().setVariables({
    input: {
      project: slug,
      environment,
      branch,
      variables: variables.map((v) => ({ ...v, secret })),
      message: opt.string(options, "message"),
    },
  });
  const set = unwrap(r.setVariables, "SetVariablesPayload");
  if (opt.bool(options, "json"))
    return printJson({
      environment,
      branch: set.branch ?? null,
      created: set.created,
      updated: set.updated,
      unchanged: set.unchanged,
      secrets: set.secrets,
      revision: set.revision,
    });
  const what = set.branch
    ? `${plural(variables.length, "override")} for project branch ${set.branch}`
    : plural(variables.length, "variable");
  if (!set.created.length && !set.updated.length)
    return ctx.io.done(
      `${set.unchanged.join(", ")} in "${environment}" already ${set.unchanged.length === 1 ? "has this value" : "have these values"}: nothing changed (revision ${set.revision}).`,
    );
  const parts = [
    set.created.length ? `added ${set.created.join(", ")}` : "",
    set.updated.length ? `updated ${set.updated.join(", ")}` : "",
    set.unchanged.length ? `unchanged ${set.unchanged.join(", ")}` : "",
  ].filter(Boolean);
  const secrets = set.secrets.length ? ` Secrets: ${set.secrets.join(", ")}.` : "";
  ctx.io.done(`Set ${what} in "${environment}" (revision ${set.revision}): ${parts.join("; ")}.${secrets}`);
}
