import { formatAssignment } from "../../../core/dotenv.js";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { CliError, UsageError } from "../../errors.js";
import { unwrap } from "../../remote.js";
import { currentBranch } from "./branch.js";

type Variable = { key: string; value: string };

/** A string YAML reads back exactly: JSON's escapes, plus the line and paragraph separators escaped. */
const yamlString = (s: string) =>
  JSON.stringify(s)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");

/** Single quotes with '\'' for a quote inside: nothing in the value is expanded by the shell. */
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Each format: the text, or the keys it cannot hold (with why). */
const FORMATS: Record<string, (vars: Variable[]) => { text: string } | { refused: string[]; why: string }> = {
  dotenv(vars) {
    const lines = vars.map((v) => ({ key: v.key, line: formatAssignment(v.key, v.value) }));
    const refused = lines.filter((l) => l.line === null).map((l) => l.key);
    if (refused.length) return { refused, why: "no .env quoting can hold their values exactly" };
    return { text: lines.map((l) => `${l.line}\n`).join("") };
  },
  json: (vars) => ({ text: `${JSON.stringify(Object.fromEntries(vars.map((v) => [v.key, v.value])), null, 2)}\n` }),
  yaml: (vars) => ({ text: vars.map((v) => `${yamlString(v.key)}: ${yamlString(v.value)}\n`).join("") || "{}\n" }),
  shell: (vars) => ({ text: vars.map((v) => `export ${v.key}=${shellQuote(v.value)}\n`).join("") }),
  docker(vars) {
    // docker run --env-file reads one KEY=value per line, taken literally: no quoting, no line breaks.
    const refused = vars.filter((v) => /[\r\n]/.test(v.value)).map((v) => v.key);
    if (refused.length) return { refused, why: "docker --env-file cannot hold line breaks in a value" };
    return { text: vars.map((v) => `${v.key}=${v.value}\n`).join("") };
  },
};

export const envExport: CommandSpec["run"] = async (ctx, { options }) => {
  const format = opt.string(options, "format");
  if (!format) throw new UsageError("Missing --format <format>: one of dotenv, json, yaml, shell, docker.");
  const render = Object.hasOwn(FORMATS, format) ? FORMATS[format] : undefined;
  if (!render) throw new UsageError(`--format "${format}" is not one of dotenv, json, yaml, shell, docker.`);
  const slug = ctx.project(options);
  const environment = await ctx.environment(options, slug);
  const workspace = ctx.workspace();
  const branch = await currentBranch(ctx, opt.string(options, "branch"), slug, environment, workspace?.root ?? null);
  const pulled = unwrap(
    (await ctx.sdk().pullVariables({ project: slug, environment, branch })).pullVariables,
    "PulledEnvironment",
  );
  const out = render(pulled.variables.map((v) => ({ key: v.key, value: v.value })));
  if ("refused" in out)
    throw new CliError(
      `Cannot export ${out.refused.join(", ")} as ${format}: ${out.why}. Use another format (json, yaml, shell), or "envplane run" to inject them.`,
    );
  if (pulled.excludedSecrets.length)
    ctx.io.note(
      `Left out ${pulled.excludedSecrets.length === 1 ? "a secret" : `${pulled.excludedSecrets.length} secrets`} (write-only; "envplane run" injects them): ${pulled.excludedSecrets.join(", ")}.`,
    );
  process.stdout.write(out.text);
};
