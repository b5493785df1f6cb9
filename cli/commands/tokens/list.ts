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
    const { project: p } = await ctx.sdk().projectTokens({ slug });
    if (!p) throw new CliError(`Project "${slug}" not found, or your token cannot access it.`);
    if (opt.bool(options, "json")) return printJson(p.tokens);
    if (!p.tokens.length) return ctx.io.note(`No service tokens in ${slug}. Create one with "envplane tokens create --name <name>".`);
    const status = (t: (typeof p.tokens)[number]) =>
      t.revokedAt ? "revoked" : t.expiresAt && new Date(t.expiresAt) < new Date() ? "expired" : t.expiresAt ? `expires ${t.expiresAt.slice(0, 10)}` : "active";
    ctx.io.print(
      table([
        ["ID", "NAME", "HINT", "PERMISSIONS", "ENVIRONMENTS", "LAST USED", "STATUS"],
        ...p.tokens.map((t) => [t.id, t.name, t.hint, t.permissions.map((x) => x.toLowerCase()).join(","), t.environments?.join(",") ?? "all", t.lastUsedAt?.slice(0, 16) ?? "never", status(t)]),
      ]),
    );
  },
};
