/**
 * `envplane shared list|set|unset`: project-shared variables, which environments reference as
 * ${{project.KEY}} (whole value or inside a string). They feed every environment, so changing
 * them takes what changing every environment takes (admins when production is protected).
 */
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { CliError, UsageError } from "../../errors.js";
import { printJson, quote, table } from "../../format.js";
import { readStdin } from "../../io.js";
import { unwrap } from "../../remote.js";

export const sharedList: CommandSpec["run"] = async (ctx, { options }) => {
  const slug = ctx.project(options);
  const { project: found } = await ctx.sdk().sharedVariables({ slug });
  if (!found)
    throw new CliError(
      `Project "${slug}" not found, or your token cannot access it. Run "envplane projects list" to see yours.`,
    );
  const list = found.sharedVariables.map((v) => ({
    key: v.key,
    isSecret: v.isSecret,
    value: v.value ?? null,
    usedBy: v.usedBy,
  }));
  if (opt.bool(options, "json")) return printJson({ revision: found.sharedRevision, variables: list });
  if (!list.length) return ctx.io.note('No shared variables. Create one with "envplane shared set KEY <value>".');
  ctx.io.print(
    table([
      ["KEY", "VALUE", "USED BY"],
      ...list.map((v) => [v.key, v.isSecret ? "[secret]" : quote(v.value ?? ""), v.usedBy.join(", ") || "-"]),
    ]),
  );
  ctx.io.note("Reference one in an environment's value as ${{project.KEY}}.");
};

export const sharedSet: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  let value = args.value!;
  if (value === "-") {
    if (process.stdin.isTTY && !ctx.io.interactive)
      throw new UsageError(
        '"-" reads the value from stdin, but stdin is a terminal and prompts are off (CI). Pipe the value in.',
      );
    value = process.stdin.isTTY ? await ctx.io.ask("Value (hidden): ", { hidden: true }) : await readStdin();
  }
  const r = await ctx.sdk().setSharedVariable({
    input: {
      project: slug,
      key: args.KEY!,
      value,
      secret: opt.bool(options, "secret") || undefined,
      message: opt.string(options, "message"),
    },
  });
  const set = unwrap(r.setSharedVariable, "SetSharedVariablePayload");
  if (opt.bool(options, "json"))
    return printJson({ key: set.key, created: set.created, isSecret: set.isSecret, revision: set.revision });
  ctx.io.done(
    `${set.created ? "Added" : "Updated"} shared variable ${set.key}${set.isSecret ? " (secret)" : ""} ` +
      `(revision ${set.revision}). Reference it as \${{project.${set.key}}}.`,
  );
};

export const sharedUnset: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  const r = await ctx.sdk().unsetSharedVariable({
    input: {
      project: slug,
      key: args.KEY!,
      force: opt.bool(options, "force") || undefined,
      message: opt.string(options, "message"),
    },
  });
  if (r.unsetSharedVariable.__typename === "ConflictError")
    throw new CliError(`${r.unsetSharedVariable.message} (envplane shared unset ${args.KEY} --force)`);
  const unset = unwrap(r.unsetSharedVariable, "UnsetSharedVariablePayload");
  if (opt.bool(options, "json")) return printJson(unset);
  if (!unset.removed) return ctx.io.note(`No shared variable ${unset.key}: nothing changed.`);
  ctx.io.done(`Deleted shared variable ${unset.key} (revision ${unset.revision}).`);
  if (unset.usedBy.length)
    ctx.io.warn(
      `${unset.usedBy.join(", ")} still ${unset.usedBy.length > 1 ? "use" : "uses"} \${{project.${unset.key}}}: pulls and runtime resolution there ` +
        `fail until you set it again (envplane shared set ${unset.key} <value>) or change those values.`,
    );
};
