import type { CommandSpec } from "../../command.js";
import { json, project } from "../options.js";

export const envCreate: CommandSpec = {
  path: ["env", "create"],
  summary: "Create a custom environment, optionally seeded from another.",
  args: [{ name: "name", required: true, description: "The new environment, e.g. staging." }],
  options: {
    from: {
      type: "string",
      value: "<env>",
      description: "Seed it from this environment (everything as-is, secrets included).",
    },
    interactive: { type: "boolean", short: "i", description: "Review each variable of --from: keep, edit or skip." },
    protected: { type: "boolean", description: "Only admins may write it (like production)." },
    project,
    json,
  },
  run: (ctx, invocation) => import("./create.run.js").then((m) => m.envCreate(ctx, invocation)),
};
