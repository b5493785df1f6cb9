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
          overrides: v.overrides.map((o) => ({ branch: o.branch.name, value: o.value ?? null })),
          // Only values with ${{project.KEY}} references carry these (the JSON of others is unchanged).
          ...(v.references.length ? { references: v.references, resolvedPreview: v.resolvedPreview ?? null } : {}),
        })),
      );
    const show = (secret: boolean, value: string | null | undefined) => (secret ? "[secret]" : quote(value ?? ""));
    // A value with ${{project.KEY}} references: as written, then what it resolves to (•••• for a secret).
    const resolved = (v: { references: string[]; resolvedPreview?: string | null }) =>
      v.references.length ? `  → ${v.resolvedPreview ?? "(a referenced shared variable is missing)"}` : "";
    const lines = variables.flatMap((v) => [
      `${v.key} = ${show(v.isSecret, v.value)}${resolved(v)}`,
      ...v.overrides.map((o) => `└─ ${o.branch.name} = ${show(v.isSecret, o.value)}`),
    ]);
    ctx.io.print(`${environment} environment:\n\n${lines.join("\n") || "(no variables)"}`);
  },
};
