import { FALLBACK_ENVIRONMENT } from "../../../core/mapping.js";
import { WILDCARD } from "../../../core/names.js";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { printJson, table } from "../../format.js";

export const envListEnvironments: CommandSpec["run"] = async (ctx, { options }) => {
  const p = await ctx.loadProject(ctx.project(options));
  const hasWildcard = p.mapping.some((m) => m.branch === WILDCARD);
  const rows = p.environments.map((e) => ({
    name: e.name,
    variables: e.variableCount,
    isDefault: e.isDefault,
    isProtected: e.isProtected,
    revision: e.revision,
    branches: [
      ...p.mapping.filter((m) => m.environment.name === e.name).map((m) => m.branch),
      ...(e.name === FALLBACK_ENVIRONMENT && !hasWildcard ? ["(fallback)"] : []),
    ],
  }));
  if (opt.bool(options, "json")) return printJson(rows);
  ctx.io.print(
    table([
      ["NAME", "VARIABLES", "BRANCHES", "NOTES"],
      ...rows.map((r) => [
        r.name,
        String(r.variables),
        r.name === "development" ? "(local: envplane dev)" : r.branches.join(", ") || "-",
        [r.isDefault ? "default" : "custom", r.isProtected ? "protected" : ""].filter(Boolean).join(", "),
      ]),
    ]),
  );
};
