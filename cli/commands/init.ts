import type { CommandSpec } from "../command.js";
import { initWorkspace } from "../workspace.js";

export const init: CommandSpec = {
  path: ["init"],
  summary: "Create envplane/config.json, an empty envplane/.env and envplane/.gitignore (covering .env*) here.",
  details: "Files that already exist are left alone, so running it twice is harmless.",
  async run(ctx) {
    const { workspace, created } = initWorkspace(process.cwd());
    if (!created.length) return ctx.io.note("envplane/ is already set up here: nothing changed.");
    ctx.io.done(`Created ${created.map((f) => workspace.display(f)).join(", ")}.`);
    ctx.io.note(
      'Next: enable features in envplane/config.json, put local values in envplane/.env, and run "envplane dev". Link a platform project with "envplane link <project>".',
    );
  },
};
