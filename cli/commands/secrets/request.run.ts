/** `envplane secrets request KEY --env E`: a single-use dashboard link asking a person to type a secret's value. */
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { UsageError } from "../../errors.js";
import { printJson } from "../../format.js";
import { unwrap } from "../../remote.js";

export const secretsRequest: CommandSpec["run"] = async (ctx, { args, options }) => {
  const slug = ctx.project(options);
  const environment = opt.string(options, "env");
  if (!environment)
    throw new UsageError(`--env is required: the environment ${args.KEY} goes into (e.g. --env production).`);
  const raw = opt.string(options, "expires");
  const hours = raw === undefined ? undefined : Number(raw);
  if (hours !== undefined && !(Number.isInteger(hours) && hours >= 1 && hours <= 168))
    throw new UsageError(`--expires takes whole hours from 1 to 168 (a week), not "${raw}".`);
  const r = await ctx.sdk().CreateSecretRequest({
    input: {
      project: slug,
      environment,
      key: args.KEY!,
      branch: opt.string(options, "branch"),
      note: opt.string(options, "note"),
      expiresInHours: hours,
    },
  });
  const given = (path: readonly string[]) =>
    path[0] === "expiresInHours" ? "--expires" : path[0] === "key" ? "KEY" : `--${path[0]}`;
  const { request, url } = unwrap(r.createSecretRequest, "CreateSecretRequestPayload", given);
  if (opt.bool(options, "json"))
    return printJson({ id: request.id, url, status: request.status, expiresAt: request.expiresAt });
  ctx.io.print(url);
  ctx.io.note(
    `Asked for ${request.key} in "${request.environment}"${request.branch ? ` (branch ${request.branch})` : ""}; ` +
      `request ${request.id}, the link works until ${request.expiresAt}. ` +
      `Open it signed in to the dashboard, or send it to someone who may write there. ` +
      `"envplane secrets requests" shows its status.`,
  );
};
