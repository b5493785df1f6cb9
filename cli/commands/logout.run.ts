import type { CommandSpec } from "../command.js";
import { credentialsPath, deleteCredentials } from "../credentials.js";

export const logout: CommandSpec["run"] = async (ctx) => {
  if (deleteCredentials(ctx.env)) ctx.io.done(`Logged out: removed ${credentialsPath(ctx.env)}.`);
  else ctx.io.note("Not logged in: nothing to remove.");
  if (ctx.env.ENVPLANE_TOKEN) ctx.io.warn("ENVPLANE_TOKEN is still set in your environment; unset it too.");
};
