import fs from "node:fs";
import { appendEntries, parseDotenv } from "../../../core/dotenv.js";
import {
  enableFeature,
  type FeatureInfo,
  findFeature,
  knownFeaturePatterns,
  unknownWildcard,
} from "../../../core/platform-config/index.js";
import type { CommandSpec } from "../../command.js";
import type { Context } from "../../context.js";
import { CliError } from "../../errors.js";
import { plural } from "../../format.js";
import { unwrap } from "../../remote.js";
import type { ProjectConfig, Workspace } from "../../workspace.js";

type Variable = FeatureInfo["variables"][number];

/** The feature `path` names, for config enable/disable: an unknown feature or provider is an error listing the known ones. */
export function switchableFeature(path: string, config: unknown, verb: "enabled" | "disabled"): FeatureInfo {
  const feature = findFeature(path, config);
  if (!feature)
    throw new CliError(
      `"${path}" is not a feature that can be ${verb}. Known: ${knownFeaturePatterns().join(", ")} (e.g. auth.external.google).`,
    );
  const unknown = unknownWildcard(feature.path);
  if (unknown)
    throw new CliError(
      `"${unknown.value}" is not a known ${unknown.wildcard}, so ${feature.path} cannot be ${verb}. Known ${unknown.wildcard}s: ${unknown.known.join(", ")}.`,
    );
  return feature;
}

/** Asks for each variable's value on a terminal (hidden for secrets); empty answers are left out. */
async function askValues(ctx: Context, variables: Variable[]): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  if (!ctx.io.interactive) return values;
  for (const v of variables) {
    ctx.io.note(`\n${v.name}`);
    const value = await ctx.io.ask(v.sensitive ? "Value (hidden): " : "Value: ", { hidden: v.sensitive, tick: true });
    if (value) values.set(v.name, value);
    if (value && v.sensitive) ctx.io.note("Stored as secret.");
  }
  if (variables.length) ctx.io.note("");
  return values;
}

/**
 * Linked, before anything is written: a sensitive field must not already exist as a
 * standard variable. Then the missing variables are created empty and of the right type in
 * one transaction. Returns the variables still to fill (existing secrets are left alone:
 * their value cannot be read to tell).
 */
async function scaffoldRemote(ctx: Context, slug: string, environment: string, variables: Variable[]) {
  const current = await ctx.loadEnvironment(slug, environment);
  const existing = new Map(current.variables.map((v) => [v.key, v]));
  const exposed = variables.filter((v) => v.sensitive && existing.get(v.name)?.isSecret === false);
  if (exposed.length)
    throw new CliError(
      exposed
        .map(
          (v) =>
            `${v.name} exists in "${environment}" as a standard variable, but it holds a secret. ` +
            `Run "envplane env unset ${v.name} --env ${environment}" first; nothing was changed.`,
        )
        .join("\n"),
    );
  const missing = variables.filter((v) => !existing.has(v.name));
  if (missing.length) {
    const r = await ctx.sdk().bulkUpsertVariables({
      input: {
        project: slug,
        environment,
        variables: missing.map((v) => ({ key: v.name, value: "", secret: v.sensitive })),
        expectedRevision: current.revision,
      },
    });
    unwrap(r.bulkUpsertVariables, "BulkUpsertVariablesPayload");
  }
  return {
    toFill: variables.filter(
      (v) => !existing.has(v.name) || (!existing.get(v.name)!.isSecret && !existing.get(v.name)!.value),
    ),
    keptSecrets: variables.filter((v) => existing.get(v.name)?.isSecret),
  };
}

/** Asks for the values (terminal only) and stores the answers in one transaction; returns the ones left empty. */
async function fillRemote(ctx: Context, slug: string, environment: string, toFill: Variable[]): Promise<Variable[]> {
  const values = await askValues(ctx, toFill);
  if (values.size) {
    const r = await ctx.sdk().bulkUpsertVariables({
      input: {
        project: slug,
        environment,
        variables: toFill
          .filter((v) => values.has(v.name))
          .map((v) => ({ key: v.name, value: values.get(v.name)!, secret: v.sensitive })),
      },
    });
    unwrap(r.bulkUpsertVariables, "BulkUpsertVariablesPayload");
  }
  return toFill.filter((v) => !values.has(v.name));
}

/** Unlinked: empty entries appended to envplane/.env (# @secret above sensitive ones), filled with the values given. */
async function scaffoldLocal(ctx: Context, workspace: Workspace, variables: Variable[]): Promise<Map<string, string>> {
  const text = fs.existsSync(workspace.envPath) ? fs.readFileSync(workspace.envPath, "utf8") : "";
  const existing = new Set(parseDotenv(text).entries.map((e) => e.key));
  const missing = variables.filter((v) => !existing.has(v.name));
  const values = await askValues(ctx, missing);
  const entries = missing.map((v) => ({ key: v.name, value: values.get(v.name) ?? "", secret: v.sensitive }));
  fs.writeFileSync(workspace.envPath, appendEntries(text, entries), { mode: 0o600 });
  return values;
}

export const configEnable: CommandSpec["run"] = async (ctx, { args, options }) => {
  const workspace = ctx.requireWorkspace();
  const config = workspace.readConfig();
  const feature = switchableFeature(args.feature!, config, "enabled");
  let updated: ProjectConfig;
  try {
    updated = enableFeature(config, feature.path) as ProjectConfig;
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const variables = feature.variables.filter((v) => v.required);
  const slug = typeof config.project === "string" && config.project ? config.project : null;
  if (!slug) {
    workspace.writeConfig(updated);
    ctx.io.done(`Enabled ${feature.path} in envplane/config.json.`);
    if (!variables.length) return;
    ctx.io.note(`${feature.title} requires ${plural(variables.length, "variable")}:`);
    const values = await scaffoldLocal(ctx, workspace, variables);
    ctx.io.done("Added to envplane/.env.");
    if (values.size < variables.length)
      ctx.io.note("Fill in the empty values in envplane/.env (or envplane/.env.local) before running envplane dev.");
    return;
  }
  const environment = await ctx.environment(options, slug);
  const { toFill, keptSecrets } = await scaffoldRemote(ctx, slug, environment, variables);
  workspace.writeConfig(updated);
  ctx.io.done(`Enabled ${feature.path} in envplane/config.json.`);
  if (toFill.length) ctx.io.note(`${feature.title} requires ${plural(variables.length, "variable")}:`);
  const empty = await fillRemote(ctx, slug, environment, toFill);
  if (toFill.length) ctx.io.done(`Added to "${environment}" environment.`);
  if (empty.length)
    ctx.io.note(
      `Still empty; fill ${empty.length === 1 ? "it" : "them"} with:\n` +
        empty
          .map((v) => `envplane env set ${v.name} "your-value" --env ${environment}${v.sensitive ? " --secret" : ""}`)
          .join("\n"),
    );
  if (keptSecrets.length)
    ctx.io.note(`Already set as secrets, left alone: ${keptSecrets.map((v) => v.name).join(", ")}.`);
};
