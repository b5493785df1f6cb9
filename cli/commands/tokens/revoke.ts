import { CliError, opt, UsageError, type CommandSpec } from "../../command.js";
import { unwrap } from "../../context.js";
import { yes } from "../options.js";

export const tokensRevoke: CommandSpec = {
  path: ["tokens", "revoke"],
  summary: "Revoke a token; it stops working at once.",
  args: [{ name: "id", required: true, description: 'The token id (see "envplane tokens list").' }],
  options: { yes },
  async run(ctx, { args, options }) {
    if (!opt.bool(options, "yes")) {
      if (!ctx.io.interactive) throw new UsageError(`Revoking token ${args.id} cannot be undone. Re-run with --yes to confirm.`);
      if (!(await ctx.io.confirm(`Revoke token ${args.id}? Anything using it stops working.`))) throw new CliError("Cancelled: the token still works.");
    }
    const { token } = unwrap((await ctx.sdk().revokeToken({ input: { id: args.id! } })).revokeToken, "RevokeTokenPayload");
    ctx.io.done(`Revoked token "${token.name}" (${token.hint}).`);
  },
};
