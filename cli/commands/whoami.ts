import type { CommandSpec } from "../command.js";
import { json } from "./options.js";

export const whoami: CommandSpec = {
  path: ["whoami"],
  summary: "Show the server and identity the CLI uses.",
  options: { json },
  run: (ctx, invocation) => import("./whoami.run.js").then((m) => m.whoami(ctx, invocation)),
};
