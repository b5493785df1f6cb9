/** Keeps config.json's `environments` block and the server's mapping the same. */
import type { MappingRule } from "../../../core/mapping.js";
import { WILDCARD } from "../../../core/names.js";
import type { Context } from "../../context.js";
import { describePath, rulesOf, unwrap } from "../../remote.js";
import { configFromMapping, type Workspace } from "../../workspace.js";

/**
 * Sends the whole mapping to the server, then writes the block it accepted into config.json
 * when the folder is linked to that project.
 */
export async function applyMapping(
  ctx: Context,
  workspace: Workspace | null,
  slug: string,
  rules: MappingRule[],
): Promise<MappingRule[]> {
  const r = await ctx.sdk().updateBranchMapping({ input: { project: slug, entries: rules } });
  // A field error names the rule as the user wrote it: branch → environment.
  const rule = (path: readonly string[]) => {
    const given = path[0] === "entries" ? rules[Number(path[1])] : undefined;
    return given ? `${given.branch} → ${given.environment}` : describePath(path);
  };
  const accepted = rulesOf(unwrap(r.updateBranchMapping, "UpdateBranchMappingPayload", rule));
  const config = workspace?.readConfig();
  if (workspace && config?.project === slug)
    workspace.writeConfig({ ...config, environments: configFromMapping(accepted) });
  return accepted;
}

export function describeRules(rules: readonly MappingRule[]): string {
  return rules
    .map((r) => `  ${r.branch === WILDCARD ? '"*" (every other branch)' : r.branch} → ${r.environment}`)
    .join("\n");
}
