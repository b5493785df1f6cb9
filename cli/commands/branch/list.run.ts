import { resolveBranch } from "../../../core/mapping.js";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { printJson, table } from "../../format.js";
import { rulesOf } from "../../remote.js";

export const branchList: CommandSpec["run"] = async (ctx, { options }) => {
  const p = await ctx.loadProject(ctx.project(options));
  const rules = rulesOf(p);
  const rows = p.branches.map((b) => ({ name: b.name, ...resolveBranch(rules, b.name), createdAt: b.createdAt }));
  if (opt.bool(options, "json")) return printJson(rows);
  ctx.io.print(
    table([["BRANCH", "ENVIRONMENT", "MATCHED BY"], ...rows.map((r) => [r.name, r.environment, r.matchedBy])]),
  );
};
