/** `envplane secrets cancel ID`: cancels a pending secret request (its link stops working). */
import type { CommandSpec } from "../../command.js";
import { json } from "../options.js";

export const secretsCancel: CommandSpec = {
  path: ["secrets", "cancel"],
  summary: "Cancel a pending secret request: its link stops working (the asker, or who may write there).",
  args: [{ name: "ID", required: true, description: 'The request\'s id (see "envplane secrets requests").' }],
  options: { json },
  run: (ctx, invocation) => import("./cancel.run.js").then((m) => m.secretsCancel(ctx, invocation)),
};
