import path from "node:path";
import { opt } from "../args.js";
import type { CommandSpec } from "../command.js";
import { CliError } from "../errors.js";
import { findWorkspace, initWorkspace } from "../workspace.js";

export const init: CommandSpec["run"] = async (ctx, { options }) => {
  const outer = findWorkspace(process.cwd());
  if (outer && outer.root !== path.resolve(process.cwd()) && !opt.bool(options, "here"))
    throw new CliError(
      `This folder is inside the envplane project at ${outer.root}; its commands already work here. ` +
        `Pass --here to start a separate envplane/ in this folder anyway.`,
    );
  const { workspace, created } = initWorkspace(process.cwd());
  if (!created.length) return ctx.io.note("envplane/ is already set up here: nothing changed.");
  ctx.io.done(`Created ${created.map((f) => workspace.display(f)).join(", ")}.`);
  ctx.io.note(
    'Next: enable features in envplane/config.json, put local values in envplane/.env, and run "envplane dev". ' +
      'Link a platform project with "envplane link <project>".',
  );
};
