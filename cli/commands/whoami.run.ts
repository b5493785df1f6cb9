import type { ViewerQuery } from "../../sdk/index.js";
import { opt } from "../args.js";
import type { CommandSpec } from "../command.js";
import { graphqlUrl } from "../credentials.js";
import { printJson } from "../format.js";

export function describeViewer(viewer: ViewerQuery["viewer"]): string {
  const token = viewer.token;
  if (!token) return "without a token";
  if (token.kind === "SERVICE")
    return (
      `with service token "${token.name}" (${token.hint}) of ` +
      `project ${viewer.project?.slug ?? "?"}: ${token.permissions.map((p) => p.toLowerCase()).join(", ")} ` +
      `on ${token.environments?.join(", ") ?? "every environment"}`
    );
  const user = viewer.user;
  return (
    `as ${user?.name ?? "?"}${user?.email ? ` <${user.email}>` : ""} with personal ` +
    `token ${token.hint}${user?.isInstanceAdmin ? " (instance admin)" : ""}`
  );
}

export const whoami: CommandSpec["run"] = async (ctx, { options }) => {
  const credentials = ctx.credentials();
  const { viewer } = await ctx.sdk().viewer();
  if (opt.bool(options, "json"))
    return printJson({ server: graphqlUrl(credentials!.server), source: credentials!.source, ...viewer });
  ctx.io.print(`Logged in to ${graphqlUrl(credentials!.server)} ${describeViewer(viewer)}.`);
  if (credentials!.source === "environment") ctx.io.note("(from ENVPLANE_SERVER / ENVPLANE_TOKEN)");
};
