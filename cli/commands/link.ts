import type { CommandSpec } from "../command.js";

export const link: CommandSpec = {
  path: ["link"],
  summary: "Link this folder to a platform project (writes it into envplane/config.json).",
  args: [
    {
      name: "project",
      description: "The project slug (see envplane projects list); asked on a terminal when left out.",
    },
  ],
  options: {
    push: {
      type: "boolean",
      description:
        "Push the local envplane/.env to development; removing or overwriting remote values is confirmed after the diff.",
    },
    "keep-remote": {
      type: "boolean",
      description: "Replace the local envplane/.env with the remote development values.",
    },
    "no-push": { type: "boolean", description: "Link only; leave both sides alone." },
    yes: {
      type: "boolean",
      short: "y",
      description:
        "Answer yes to pushing envplane/.env when development is empty. With remote variables, give --push or --keep-remote.",
    },
  },
  details:
    "When envplane/.env has variables, link asks whether to push them (on a terminal) or takes --push, --keep-remote or --no-push.",
  run: (ctx, invocation) => import("./link.run.js").then((m) => m.link(ctx, invocation)),
};
