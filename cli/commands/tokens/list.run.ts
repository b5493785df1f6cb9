import { allPages, MAX_PAGE_SIZE, type TokenFieldsFragment } from "../../../sdk/index.js";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { CliError } from "../../errors.js";
import { printJson, table } from "../../format.js";

export const tokensList: CommandSpec["run"] = async (ctx, { options }) => {
  const personal = await allPages(
    async (after) => (await ctx.sdk().personalTokens({ first: MAX_PAGE_SIZE, after })).viewer.personalTokens,
  );
  const slug = opt.bool(options, "personal") ? undefined : ctx.linkedProject(options);
  let service: TokenFieldsFragment[] = [];
  let hidden = false;
  if (slug) {
    const p = await ctx.loadProject(slug);
    if (p.viewerCanManageTokens)
      service = await allPages(async (after) => {
        const { project: found } = await ctx.sdk().projectTokens({ slug, first: MAX_PAGE_SIZE, after });
        if (!found) throw new CliError(`Project "${slug}" not found, or your token cannot access it.`);
        return found.tokens;
      });
    else hidden = true;
  }
  const tokens = [...service, ...personal];
  if (opt.bool(options, "json")) return printJson(tokens);
  if (hidden) ctx.io.note(`Service tokens of ${slug} are listed for its admins only.`);
  if (!tokens.length)
    return ctx.io.note(
      'No tokens to list. Create one with "envplane tokens create --name <name>" (add --personal for a personal one).',
    );
  const status = (t: TokenFieldsFragment) =>
    t.revokedAt
      ? "revoked"
      : t.expiresAt && new Date(t.expiresAt) < new Date()
        ? "expired"
        : t.expiresAt
          ? `expires ${t.expiresAt.slice(0, 10)}`
          : "active";
  ctx.io.print(
    table([
      ["ID", "KIND", "NAME", "HINT", "PERMISSIONS", "ENVIRONMENTS", "LAST USED", "STATUS"],
      ...tokens.map((t) => [
        t.id,
        t.kind === "PERSONAL" ? "personal" : `service (${slug})`,
        t.name,
        t.hint,
        t.kind === "PERSONAL" ? "your role" : t.permissions.map((x) => x.toLowerCase()).join(","),
        t.kind === "PERSONAL" ? "-" : (t.environments?.join(",") ?? "all"),
        t.lastUsedAt?.slice(0, 16) ?? "never",
        status(t),
      ]),
    ]),
  );
};
