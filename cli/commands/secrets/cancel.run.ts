/** `envplane secrets cancel ID`: cancels a pending secret request (its link stops working). */
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { printJson } from "../../format.js";
import { unwrap } from "../../remote.js";

export const secretsCancel: CommandSpec["run"] = async (ctx, { args, options }) => {
  const r = await ctx.sdk().CancelSecretRequest({ input: { id: args.ID! } });
  const { request } = unwrap(r.cancelSecretRequest, "CancelSecretRequestPayload");
  if (opt.bool(options, "json")) return printJson({ id: request.id, status: request.status });
  ctx.io.done(`Cancelled the request for ${request.key} in "${request.environment}"; its link no longer works.`);
};
