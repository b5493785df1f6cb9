import { allPages, MAX_PAGE_SIZE } from "../../../sdk/index.js";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { CliError } from "../../errors.js";
import { printJson, table } from "../../format.js";
import { json, project } from "../options.js";

export const tokensList: CommandSpec = {
  path: ["tokens", "list"],
  summary: "List the project's service tokens (never their values).",
  options: { project, json },
  async run(ctx, { options }) {
    const slug = ctx.project(options);
    const tokens = await allPages(async (after) => {
      const { project: p } = await ctx.sdk().projectTokens({ slug, first: MAX_PAGE_SIZE, after });
      if (!p) throw new CliError(`Project "${slug}" not found, or your token cannot access it.`);
      return p.tokens;
    });
    if (opt.bool(options, "json")) return printJson(tokens);
    if (!tokens.length)
      return ctx.io.note(`No service tokens in ${slug}. Create one with "envplane tokens create --name <name>".`);
    const status = (t: (typeof tokens)[number]) =>
      t.revokedAt
        ? "revoked"
        : t.expiresAt && new Date(t.expiresAt) < new Date()
          ? "expired"
          : t.expiresAt
            ? `expires ${t.expiresAt.slice(0, 10)}`
            : "active";
    ctx.io.print(
      table([
        ["ID", "NAME", "HINT", "PERMISSIONS", "ENVIRONMENTS", "LAST USED", "STATUS"],
        ...tokens.map((t) => [
          t.id,
          t.name,
          t.hint,
          t.permissions.map((x) => x.toLowerCase()).join(","),
          t.environments?.join(",") ?? "all",
          t.lastUsedAt?.slice(0, 16) ?? "never",
          status(t),
        ]),
      ]),
    );
  },
};
