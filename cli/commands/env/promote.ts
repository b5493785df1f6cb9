import type { CommandSpec } from "../../command.js";
import { json, message, project, yes } from "../options.js";

export const envPromote: CommandSpec = {
  path: ["env", "promote"],
  summary: "Apply one environment's variables to another: env promote <from> <to>, e.g. staging production.",
  args: [
    { name: "from", required: true, description: "The source: a name, or name@revision." },
    { name: "to", required: true, description: "The target, e.g. production." },
  ],
  options: {
    interactive: {
      type: "boolean",
      short: "i",
      description: "Review each changed key: [K]eep / [E]dit / [S]kip (a secret: carry, re-enter or skip).",
    },
    "dry-run": { type: "boolean", description: "Show what would change in the target; change nothing." },
    prune: { type: "boolean", description: "Also remove the target's keys the source does not have." },
    "from-revision": { type: "string", value: "<n>", description: "Promote the source as it was at this revision." },
    message,
    yes,
    project,
    json,
  },
  details: `Example: envplane env promote staging production            (staging's variables into production)
         envplane env promote staging production --prune -m "release 1.4"

First the plan is shown: + added, ~ changed, - removed (with --prune), secrets as [secret]. Applying is
confirmed on a terminal and needs --yes without one; --dry-run stops after the plan. Keys of the target
that the source lacks stay unless --prune. Secrets are carried on the server, never shown, and only when
you may write the source too; otherwise they are listed as skipped.`,
  run: (ctx, invocation) => import("./promote.run.js").then((m) => m.envPromote(ctx, invocation)),
};
