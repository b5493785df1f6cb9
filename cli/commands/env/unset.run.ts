import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { UsageError } from "../../errors.js";
import { plural, printJson } from "../../format.js";
import { unwrap } from "../../remote.js";

export const envUnset: CommandSpec["run"] = async (ctx, { options, rest }) => {
  const keys = rest;
  const twice = keys.find((k, i) => keys.indexOf(k) !== i);
  if (twice) throw new UsageError(`${twice} is given twice. Give each key once.`);
  const slug = ctx.project(options);
  const environment = await ctx.environment(options, slug);
  const branch = opt.string(options, "branch");
  const json = opt.bool(options, "json");
  const why = opt.string(options, "message");
  if (keys.length > 1) {
    const r = await ctx.sdk().unsetVariables({ input: { project: slug, environment, keys, branch, message: why } });
    const unset = unwrap(r.unsetVariables, "UnsetVariablesPayload");
    if (json)
      return printJson({
        environment,
        branch: unset.branch ?? null,
        removed: unset.removed,
        notFound: unset.notFound,
        missing: unset.notFound,
        overridesRemoved: unset.overridesRemoved,
        revision: unset.revision,
      });
    if (unset.notFound.length) {
      const one = unset.notFound.length === 1;
      const what = branch
        ? `${one ? "has" : "have"} no override for project branch ${branch}`
        : `${one ? "was" : "were"} not set`;
      const rest = unset.removed.length ? ` (nothing to remove for ${one ? "it" : "them"}).` : ": nothing to remove.";
      ctx.io.note(`${unset.notFound.join(", ")} ${what} in "${environment}"${rest}`);
    }
    if (!unset.removed.length) return;
    if (unset.branch)
      ctx.io.done(
        `Removed the overrides of ${unset.removed.join(", ")} for project branch ${unset.branch} in "${environment}" (revision ${unset.revision}); the base values stay.`,
      );
    else
      ctx.io.done(
        `Removed ${unset.removed.join(", ")} from "${environment}"${unset.overridesRemoved ? ` with ${plural(unset.overridesRemoved, "override")}` : ""} (revision ${unset.revision}).`,
      );
    return;
  }
  const key = keys[0];
  const r = await ctx.sdk().unsetVariable({ input: { project: slug, environment, key, branch, message: why } });
  // A missing key or override is `removed: false`; NotFoundError means the project, environment or branch does not exist.
  const unset = unwrap(r.unsetVariable, "UnsetVariablePayload");
  if (json)
    return printJson({
      environment,
      branch: unset.branch ?? null,
      removed: unset.removed ? [key] : [],
      notFound: unset.removed ? [] : [key],
      missing: unset.removed ? [] : [key],
      overridesRemoved: unset.overridesRemoved,
      revision: unset.revision,
    });
  if (!unset.removed) {
    ctx.io.note(
      `${branch ? `No override of ${key} for ${branch}` : `${key} is not set`} in "${environment}": nothing to remove.`,
    );
    return;
  }
  if (unset.branch)
    ctx.io.done(
      `Removed the override of ${unset.key} for project branch ${unset.branch} in "${environment}" (revision ${unset.revision}); the base value stays.`,
    );
  else
    ctx.io.done(
      `Removed ${unset.key} from "${environment}"${unset.overridesRemoved ? ` with ${plural(unset.overridesRemoved, "override")}` : ""} (revision ${unset.revision}).`,
    );
};
