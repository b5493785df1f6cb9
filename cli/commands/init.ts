import type { CommandSpec } from "../command.js";

export const init: CommandSpec = {
  path: ["init"],
  summary: "Create envplane/config.json, an empty envplane/.env and envplane/.gitignore (covering .env*) here.",
  options: {
    here: { type: "boolean", description: "Create a separate envplane/ here even inside another envplane project." },
  },
  details: "Files that already exist are left alone, so running it twice is harmless.",
  run: (ctx, invocation) => import("./init.run.js").then((m) => m.init(ctx, invocation)),
};
