import type { CommandSpec } from "../command.js";

export const logout: CommandSpec = {
  path: ["logout"],
  summary: "Forget the stored server and token.",
  details: "The token itself stays valid on the server; revoke it there (envplane tokens revoke) if it leaked.",
  run: (ctx, invocation) => import("./logout.run.js").then((m) => m.logout(ctx, invocation)),
};
