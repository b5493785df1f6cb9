import type { MappingRule } from "../../../core/mapping.js";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { printJson } from "../../format.js";
import { rulesOf } from "../../remote.js";
import { mappingFromConfig, sameMapping } from "../../workspace.js";
import { describeRules } from "./sync.js";

export const mappingShow: CommandSpec["run"] = async (ctx, { options }) => {
  const slug = ctx.project(options);
  const rules = rulesOf(await ctx.loadProject(slug));
  if (opt.bool(options, "json")) return printJson(rules);
  ctx.io.print(`Branch mapping of ${slug}:\n${describeRules(rules)}`);
  const config = ctx.workspace()?.readConfig();
  if (config?.project !== slug) return;
  try {
    // Preview entries (preview/<name>) are the server's: created and deleted with the preview, never in the file.
    const own = (list: MappingRule[]) => list.filter((r) => !r.environment.startsWith("preview/"));
    if (!sameMapping(own(mappingFromConfig(config.environments)), own(rules)))
      ctx.io.warn(
        'The "environments" block of envplane/config.json differs from the server\'s mapping. ' +
          'Run "envplane mapping set --from-config" to apply the file.',
      );
  } catch (error) {
    ctx.io.warn((error as Error).message);
  }
};
