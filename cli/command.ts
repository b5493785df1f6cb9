/**
 * Declarative command definitions: one spec per command drives argument parsing, the
 * usage errors and `--help`, so the help text cannot drift from what the parser accepts.
 */
import { parseArgs } from "node:util";
import type { OptionValues } from "./args.js";
import type { Context } from "./context.js";
import { UsageError } from "./errors.js";

export interface OptionSpec {
  type: "string" | "boolean";
  /** May be given several times (`--env a --env b`). */
  multiple?: boolean;
  short?: string;
  /** Placeholder in help, e.g. "<env>". */
  value?: string;
  description: string;
}

export interface ArgumentSpec {
  name: string;
  required?: boolean;
  /** The last argument only: takes every remaining positional (see Invocation.rest). */
  variadic?: boolean;
  /** The values it takes, when there is a fixed set (offered by shell completion). */
  choices?: string[];
  description: string;
}

export interface Invocation {
  args: Record<string, string | undefined>;
  options: OptionValues;
  /** What follows `--` (the command of `dev` and `run`). */
  command: string[];
  /** Every positional from the variadic argument on (its first is also in `args`). */
  rest: string[];
}

export interface CommandSpec {
  /** e.g. ["env", "push"] */
  path: string[];
  summary: string;
  args?: ArgumentSpec[];
  options?: Record<string, OptionSpec>;
  /** Accepts `-- <command> [args…]`. */
  passthrough?: { name: string; required: boolean };
  /** Extra help: behaviour, examples. */
  details?: string;
  /** Runs without the context (so without the SDK, login or workspace code loading): completion. */
  contextFree?: boolean;
  /** Resolves to the exit code, or to nothing for 0. Import the code it runs lazily (start-up). */
  run(ctx: Context, invocation: Invocation): Promise<unknown>;
}

const help: OptionSpec = { type: "boolean", short: "h", description: "Show this help." };

/** Parses argv for `spec` (argv is what follows the command path). */
export function parseInvocation(spec: CommandSpec, argv: string[]): Invocation & { help: boolean } {
  // For commands that run one, `--` starts the command; elsewhere parseArgs reads it as the
  // end of options, so a value may start with "-" (envplane env set OFFSET -- -5).
  const dashes = spec.passthrough ? argv.indexOf("--") : -1;
  const own = dashes === -1 ? argv : argv.slice(0, dashes);
  const command = dashes === -1 ? [] : argv.slice(dashes + 1);
  const options = { ...spec.options, help };
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: own,
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [
          name,
          { type: o.type, multiple: !!o.multiple, ...(o.short ? { short: o.short } : {}) },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, ".");
    const hint = /^Unknown option/.test(message)
      ? '\nIf it is a value, not an option, put "--" before it (e.g. envplane env set OFFSET -- -5).'
      : "";
    throw new UsageError(
      `${message}${hint}\n\n${usageLine(spec)}\nRun "envplane ${spec.path.join(" ")} --help" for the options.`,
    );
  }
  if (parsed.values.help) return { args: {}, options: parsed.values, command, rest: [], help: true };
  const specArgs = spec.args ?? [];
  const variadic = specArgs.at(-1)?.variadic ? specArgs.length - 1 : -1;
  if (variadic === -1 && parsed.positionals.length > specArgs.length)
    throw new UsageError(`Unexpected argument "${parsed.positionals[specArgs.length]}".\n\n${usageLine(spec)}`);
  const args: Record<string, string | undefined> = {};
  specArgs.forEach((a, i) => {
    args[a.name] = parsed.positionals[i];
    if (a.required && args[a.name] === undefined)
      throw new UsageError(`Missing <${a.name}>: ${a.description}\n\n${usageLine(spec)}`);
  });
  if (spec.passthrough?.required && command.length === 0)
    throw new UsageError(`Missing the command to run after "--".\n\n${usageLine(spec)}`);
  const rest = variadic === -1 ? [] : parsed.positionals.slice(variadic);
  return { args, options: parsed.values, command, rest, help: false };
}

function usageLine(spec: CommandSpec): string {
  const args = (spec.args ?? []).map((a) => {
    const name = `${a.name}${a.variadic ? "…" : ""}`;
    return a.required ? `<${name}>` : `[${name}]`;
  });
  const tail = spec.passthrough
    ? spec.passthrough.required
      ? `-- <${spec.passthrough.name}…>`
      : `[-- <${spec.passthrough.name}…>]`
    : "";
  return [
    "Usage: envplane",
    ...spec.path,
    ...args,
    spec.options && Object.keys(spec.options).length ? "[options]" : "",
    tail,
  ]
    .filter(Boolean)
    .join(" ");
}

function table(rows: [string, string][], indent = "  "): string {
  const width = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${indent}${a.padEnd(width)}  ${b}`).join("\n");
}

export function commandHelp(spec: CommandSpec): string {
  const parts = [usageLine(spec), "", spec.summary];
  if (spec.args?.length) parts.push("", "Arguments:", table(spec.args.map((a) => [`<${a.name}>`, a.description])));
  const options = Object.entries({ ...spec.options, help });
  parts.push(
    "",
    "Options:",
    table(
      options.map(([name, o]) => [
        `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? ` ${o.value ?? "<value>"}` : ""}`,
        `${o.description}${o.multiple ? " Repeatable." : ""}`,
      ]),
    ),
  );
  if (spec.details) parts.push("", spec.details.trim());
  return `${parts.join("\n")}\n`;
}

/** The environment variables the CLI reads, for the top-level help. */
export const ENVIRONMENT_VARIABLES: [string, string][] = [
  ["ENVPLANE_SERVER", "The server URL (instead of the one stored by envplane login)."],
  ["ENVPLANE_TOKEN", "The token to use (instead of the stored one); needs ENVPLANE_SERVER or a stored login."],
  ["ENVPLANE_BRANCH", "The project branch of a deployment: picks the environment it maps to (run, env commands)."],
  ["NO_COLOR", "Set (to anything) to turn colours off."],
  ["CI", "Set (not 0 or false) to never prompt: commands that would ask need their flags (e.g. --yes)."],
];

/** Help for the whole program or a group (`envplane env --help`). */
export function groupHelp(specs: CommandSpec[], prefix: string[]): string {
  const members = specs.filter((s) => prefix.every((p, i) => s.path[i] === p));
  const title = prefix.length
    ? `Usage: envplane ${prefix.join(" ")} <command> [options]`
    : "Usage: envplane <command> [options]";
  const intro = prefix.length
    ? ""
    : "\nenvplane keeps environment variables and secrets per environment and project branch.\n";
  const globals = prefix.length
    ? ""
    : `\n\nOptions:\n${table([
        ["-h, --help", "Show this help."],
        ["-v, --version", "Print the envplane version."],
      ])}\n\nEnvironment variables:\n${table(ENVIRONMENT_VARIABLES)}`;
  return `${title}\n${intro}\nCommands:\n${table(members.map((s) => [s.path.join(" "), s.summary]))}${globals}\n\nRun "envplane <command> --help" for a command's options.\n`;
}

/** The spec whose path is the longest prefix of argv, and the rest of argv. */
export function findCommand(specs: CommandSpec[], argv: string[]): { spec: CommandSpec; rest: string[] } | null {
  let best: CommandSpec | null = null;
  for (const spec of specs)
    if (spec.path.every((p, i) => argv[i] === p) && (!best || spec.path.length > best.path.length)) best = spec;
  return best ? { spec: best, rest: argv.slice(best.path.length) } : null;
}
