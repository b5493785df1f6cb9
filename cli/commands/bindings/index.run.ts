import type { BindingService } from "../../../sdk/index.js";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import type { Context } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import { printJson, table } from "../../format.js";
import { readStdin } from "../../io.js";
import { unwrap } from "../../remote.js";
import { SERVICES } from "./services.js";

function service(text: string): BindingService {
  const normal = text.trim().toLowerCase();
  if (!(SERVICES as readonly string[]).includes(normal))
    throw new UsageError(`--service "${text}" is not a service kind. Use one of: ${SERVICES.join(", ")}.`);
  return normal.toUpperCase() as BindingService;
}

const shown = <T extends { service: string }>(b: T) => ({ ...b, service: b.service.toLowerCase() });

async function loadBindings(ctx: Context, slug: string) {
  const { project: found } = await ctx.sdk().bindings({ slug });
  if (!found)
    throw new CliError(
      `Project "${slug}" not found, or your token cannot access it. Run "envplane projects list" to see yours.`,
    );
  return found.bindings;
}

/** The credential: the option's text, or stdin with "-" (a hidden prompt on a terminal). */
async function credential(ctx: Context, value: string): Promise<string> {
  if (value !== "-") return value;
  if (process.stdin.isTTY && !ctx.io.interactive)
    throw new UsageError(
      '"--value -" reads the credential from stdin, but stdin is a terminal and prompts are off (CI). Pipe it in.',
    );
  return process.stdin.isTTY ? await ctx.io.ask("Credential (hidden): ", { hidden: true }) : await readStdin();
}

type Change = { environment: string; kind: string; revision?: number | null };
const describeChange = (c: Change) =>
  `${c.environment}: ${c.kind.toLowerCase()}${c.revision != null ? ` (revision ${c.revision})` : ""}`;

export const bindingsList: CommandSpec["run"] = async (ctx, { options }) => {
  const bindings = await loadBindings(ctx, ctx.project(options));
  if (opt.bool(options, "json")) return printJson(bindings.map(shown));
  if (!bindings.length)
    return ctx.io.note(
      'No bindings. Create one with "envplane bindings set <name> --service postgres --env production --value -".',
    );
  ctx.io.print(
    table([
      ["NAME", "SERVICE", "VARIABLE", "ENVIRONMENTS"],
      ...bindings.map((b) => [b.name, b.service.toLowerCase(), b.variable, b.environments.join(", ") || "-"]),
    ]),
  );
};

export const bindingsSet: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  const name = args.name!;
  const environment = opt.string(options, "env");
  const given = opt.string(options, "value");
  if ((environment === undefined) !== (given === undefined))
    throw new UsageError(
      environment === undefined
        ? "--value needs --env: the environment whose credential it is."
        : `--env ${environment} needs --value: the credential ("-" reads it from stdin).`,
    );
  const environments = environment ? [{ environment, value: await credential(ctx, given!) }] : [];
  const existing = (await loadBindings(ctx, slug)).find((b) => b.name === name);
  const kind = opt.string(options, "service");
  const variable = opt.string(options, "variable");
  if (existing && ((kind && service(kind) !== existing.service) || (variable && variable !== existing.variable)))
    throw new UsageError(
      `Binding "${name}" exists (${existing.service.toLowerCase()}, ${existing.variable}): its service and ` +
        `variable cannot change. Leave out --service/--variable, or remove it first (envplane bindings remove ${name}).`,
    );
  if (existing && !environments.length)
    throw new UsageError(`Binding "${name}" exists. Give --env and --value to set a credential.`);
  const describe = (path: readonly string[]) =>
    path[0] === "environments" ? `--env ${environment}` : path[0] === "variable" ? "--variable" : `--${path[0]}`;
  const r = existing
    ? unwrap(
        (
          await ctx.sdk().updateBinding({
            input: { project: slug, name, environments, message: opt.string(options, "message") },
          })
        ).updateBinding,
        "BindingPayload",
        describe,
      )
    : unwrap(
        (
          await ctx.sdk().bindService({
            input: {
              project: slug,
              name,
              service: service(kind ?? "postgres"),
              variable,
              environments,
              message: opt.string(options, "message"),
            },
          })
        ).bindService,
        "BindingPayload",
        describe,
      );
  if (opt.bool(options, "json")) return printJson({ binding: shown(r.binding), changes: r.changes });
  const b = r.binding;
  const what = existing
    ? `Binding "${b.name}"`
    : `Created binding "${b.name}" (${b.service.toLowerCase()}, ${b.variable})`;
  ctx.io.done(`${what}${r.changes.length ? `: ${r.changes.map(describeChange).join(", ")}` : "."}`);
};

export const bindingsRemove: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  const name = args.name!;
  const environment = opt.string(options, "env");
  const keep = opt.bool(options, "keep-variables");
  if (environment && keep)
    throw new UsageError("--keep-variables applies to removing the whole binding; leave out --env.");
  let changes: Change[];
  if (environment) {
    changes = unwrap(
      (
        await ctx.sdk().updateBinding({
          input: { project: slug, name, removeEnvironments: [environment], message: opt.string(options, "message") },
        })
      ).updateBinding,
      "BindingPayload",
    ).changes;
  } else {
    await ctx.confirmDestructive(
      options,
      `Remove binding "${name}" of ${slug}${keep ? "" : " and delete its credentials in every environment"}?`,
      `Removing binding "${name}" ${keep ? "turns its credentials into plain secrets" : "deletes its credentials"}.`,
      "Cancelled: the binding was not removed.",
    );
    changes = unwrap(
      (
        await ctx.sdk().unbindService({
          input: { project: slug, name, keepVariables: keep || undefined, message: opt.string(options, "message") },
        })
      ).unbindService,
      "UnbindServicePayload",
    ).changes;
  }
  if (opt.bool(options, "json")) return printJson({ name, environment: environment ?? null, changes });
  const where = changes.length ? `: ${changes.map(describeChange).join(", ")}` : "";
  if (environment && !changes.length)
    return ctx.io.done(`Binding "${name}" had no credential in "${environment}": nothing changed.`);
  ctx.io.done(`${environment ? `Removed the credential of "${name}"` : `Removed binding "${name}"`}${where}.`);
};
