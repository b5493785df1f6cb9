import type { CommandSpec } from "../../command.js";
import { json, yes } from "../options.js";

export const tokensRevoke: CommandSpec = {
  path: ["tokens", "revoke"],
  summary: "Revoke a token; it stops working at once.",
  args: [{ name: "id", required: true, description: 'The token id (see "envplane tokens list").' }],
  options: { yes, json },
  run: (ctx, invocation) => import("./revoke.run.js").then((m) => m.tokensRevoke(ctx, invocation)),
};
