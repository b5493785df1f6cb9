import { get, isObject } from "../../../core/platform-config/features.js";
import type { CommandSpec } from "../../command.js";
import type { ProjectConfig } from "../../workspace.js";
import { switchableFeature } from "./enable.run.js";

export const configDisable: CommandSpec["run"] = async (ctx, { args }) => {
  const workspace = ctx.requireWorkspace();
  const config = workspace.readConfig();
  const feature = switchableFeature(args.feature!, config, "disabled");
  const node = get(config, feature.path.split("."));
  if (!isObject(node) || node.enabled !== true)
    return ctx.io.done(`${feature.path} is not enabled in envplane/config.json; nothing changed.`);
  const updated = structuredClone(config) as ProjectConfig;
  (get(updated, feature.path.split(".")) as Record<string, unknown>).enabled = false;
  workspace.writeConfig(updated);
  ctx.io.done(`Disabled ${feature.path} in envplane/config.json. Its variables are left as they are.`);
};
