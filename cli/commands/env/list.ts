import { CliError, opt, type CommandSpec } from "../../command.js";
import { printJson, quote } from "../../format.js";
import { env, json, project } from "../options.js";

export const envList: CommandSpec = {
  path: ["env", "list"],
  summary: "List an environment's variables, with branch overrides under their base value (secrets as [secret]).",
  options: { env, project, json },
  async run(ctx, { options }) {
    const slug = ctx.project(options);
    const environment = await ctx.environment(options, slug);
    const { project: p } = await ctx.sdk().environmentVariables({ project: slug, environment });
    if (!p) throw new CliError(`Project "${slug}" not found, or your token cannot access it.`);
    if (!p.environment) throw new CliError(`Environment "${environment}" not found in project "${slug}". Run "envplane env list-environments".`);
    const variables = p.environment.variables;
    if (opt.bool(options, "json"))
      return printJson(
        variables.map((v) => ({ key: v.key, isSecret: v.isSecret, value: v.value ?? null, overrides: v.overrides.map((o) => ({ branch: o.branch.name, value: o.value ?? null })) })),
      );
    const show = (secret: boolean, value: string | null | undefined) => (secret ? "[secret]" : quote(value ?? ""));
    const lines = variables.flatMap((v) => [
      `${v.key} = ${show(v.isSecret, v.value)}`,
      ...v.overrides.map((o) => `└─ ${o.branch.name} = ${show(v.isSecret, o.value)}`),
    ]);
    ctx.io.print(`${environment} environment:\n\n${lines.join("\n") || "(no variables)"}`);
  },
};
