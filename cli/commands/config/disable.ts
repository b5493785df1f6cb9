import { get, isObject } from "../../../core/platform-config/features.js";
import type { CommandSpec } from "../../command.js";
import type { ProjectConfig } from "../../workspace.js";
import { switchableFeature } from "./enable.js";

export const configDisable: CommandSpec = {
  path: ["config", "disable"],
  summary: "Disable a platform feature in envplane/config.json (its variables are left as they are).",
  args: [{ name: "feature", required: true, description: "e.g. auth.external.google" }],
  details: `Sets "enabled": false for the feature in envplane/config.json; its other settings stay, so
"envplane config enable" turns it back on as it was. Nothing on the platform changes: the feature's
variables keep their values in every environment.`,
  async run(ctx, { args }) {
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
  },
};
