import { noteLines } from "../../../core/notes.js";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { printJson, quote } from "../../format.js";
import { env, json, project } from "../options.js";

export const envList: CommandSpec = {
  path: ["env", "list"],
  summary: "List an environment's variables, with branch overrides under their base value (secrets as [secret]).",
  options: { env, project, json },
  async run(ctx, { options }) {
    const slug = ctx.project(options);
    const environment = await ctx.environment(options, slug);
    const { variables } = await ctx.loadEnvironment(slug, environment);
    if (opt.bool(options, "json"))
      return printJson(
        variables.map((v) => ({
          key: v.key,
          isSecret: v.isSecret,
          value: v.value ?? null,
          ...(v.note ? { note: v.note } : {}), // only when there is one
          overrides: v.overrides.map((o) => ({ branch: o.branch.name, value: o.value ?? null })),
        })),
      );
    const show = (secret: boolean, value: string | null | undefined) => (secret ? "[secret]" : quote(value ?? ""));
    const lines = variables.flatMap((v) => [
      ...noteLines(v.note),
      `${v.key} = ${show(v.isSecret, v.value)}`,
      ...v.overrides.map((o) => `└─ ${o.branch.name} = ${show(v.isSecret, o.value)}`),
    ]);
    ctx.io.print(`${environment} environment:\n\n${lines.join("\n") || "(no variables)"}`);
  },
};
