/** `envplane secrets requests`: the project's secret requests and their status (never a value). */

import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { CliError, UsageError } from "../../errors.js";
import { printJson, table } from "../../format.js";
import { STATUSES, type Status } from "./statuses.js";

export const secretsRequests: CommandSpec["run"] = async (ctx, { options }) => {
  const slug = ctx.project(options);
  const status = opt.string(options, "status")?.toLowerCase();
  if (status !== undefined && !STATUSES.includes(status as Status))
    throw new UsageError(`--status takes ${STATUSES.join(", ")}, not "${opt.string(options, "status")}".`);
  const environment = opt.string(options, "env");
  const rows = [];
  let after: string | null = null;
  do {
    const { project: found } = await ctx.sdk().ProjectSecretRequests({
      project: slug,
      status: status ? (status.toUpperCase() as Uppercase<Status>) : undefined,
      first: 500,
      after,
    });
    if (!found)
      throw new CliError(
        `Project "${slug}" not found, or your token cannot access it. Run "envplane projects list" to see yours.`,
      );
    rows.push(...found.secretRequests.nodes);
    after = found.secretRequests.pageInfo.hasNextPage ? found.secretRequests.pageInfo.endCursor : null;
  } while (after);
  const list = environment ? rows.filter((r) => r.environment === environment) : rows;
  if (opt.bool(options, "json"))
    return printJson(
      list.map((r) => ({
        id: r.id,
        key: r.key,
        environment: r.environment,
        branch: r.branch,
        status: r.status.toLowerCase(),
        note: r.note,
        requestedBy: r.requestedBy,
        createdAt: r.createdAt,
        expiresAt: r.expiresAt,
        fulfilledAt: r.fulfilledAt,
        fulfilledBy: r.fulfilledBy,
        cancelledAt: r.cancelledAt,
        url: r.url,
      })),
    );
  if (!list.length)
    return ctx.io.note('No secret requests. Ask for one with "envplane secrets request KEY --env <env>".');
  ctx.io.print(
    table([
      ["ID", "KEY", "ENVIRONMENT", "STATUS", "REQUESTED BY", "EXPIRES"],
      ...list.map((r) => [
        r.id,
        r.key,
        r.environment + (r.branch ? ` (${r.branch})` : ""),
        r.status.toLowerCase() + (r.fulfilledBy ? ` by ${r.fulfilledBy}` : ""),
        r.requestedBy,
        r.status === "PENDING" ? r.expiresAt : "-",
      ]),
    ]),
  );
};
