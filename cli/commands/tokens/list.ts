import type { CommandSpec } from "../../command.js";
import { json, project } from "../options.js";

export const tokensList: CommandSpec = {
  path: ["tokens", "list"],
  summary: "List your personal tokens and the project's service tokens (never their values).",
  options: {
    personal: { type: "boolean", description: "Only your personal tokens." },
    project,
    json,
  },
  details: "Service tokens are listed for the linked project (or --project) when you may manage its tokens (admins).",
  run: (ctx, invocation) => import("./list.run.js").then((m) => m.tokensList(ctx, invocation)),
};
