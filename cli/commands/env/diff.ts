import type { CommandSpec } from "../../command.js";
import { json, project } from "../options.js";

export const envDiff: CommandSpec = {
  path: ["env", "diff"],
  summary: "Compare two environments (or revisions of them): env diff <base> <head>, e.g. staging production@12.",
  args: [
    { name: "base", required: true, description: "The environment compared from: a name, or name@revision." },
    { name: "head", required: true, description: "The environment compared to: a name, or name@revision." },
  ],
  options: {
    all: { type: "boolean", description: "List unchanged keys too (by default they are counted)." },
    project,
    json,
  },
  details: `Example: envplane env diff staging production      (what production has that staging does not, and so on)
         envplane env diff production@12 production   (what changed in production since revision 12)

Each key is + added (only in <head>), - removed (only in <base>), ~ changed or = unchanged. Secrets are
compared on the server and shown as [secret], changed or unchanged, never with their values, and only if
you may write both environments (one against its own past revision: write on it); otherwise a secret in
both is ? "not compared" (SECRET_NOT_COMPARED in --json).`,
  run: (ctx, invocation) => import("./diff.run.js").then((m) => m.envDiff(ctx, invocation)),
};
