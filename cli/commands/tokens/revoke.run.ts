import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { printJson } from "../../format.js";
import { unwrap } from "../../remote.js";

export const tokensRevoke: CommandSpec["run"] = async (ctx, { args, options }) => {
  await ctx.confirmDestructive(
    options,
    `Revoke token ${args.id}? Anything using it stops working.`,
    `Revoking token ${args.id} cannot be undone.`,
    "Cancelled: the token still works.",
  );
  const { token } = unwrap(
    (await ctx.sdk().revokeToken({ input: { id: args.id! } })).revokeToken,
    "RevokeTokenPayload",
  );
  if (opt.bool(options, "json")) return printJson(token);
  ctx.io.done(`Revoked token "${token.name}" (${token.hint}).`);
};
