/**
 * `envplane git connect|status|rotate-secret|previews|disconnect`: the project's GitHub webhook,
 * through which pushed branches become project branches and deleted ones are deleted (admins).
 */
import { EnvplaneRequestError } from "../../../sdk/index.js";
import { type OptionValues, opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import type { Context } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import { printJson, table } from "../../format.js";
import { unwrap } from "../../remote.js";

/** A field the server refuses to non-admins: its message, not "the server failed". */
async function managing<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof EnvplaneRequestError && error.code === "FORBIDDEN") throw new CliError(error.message);
    throw error;
  }
}

const GITHUB_STEPS =
  "In GitHub: the repository's Settings → Webhooks → Add webhook. Payload URL and Secret as above, Content type " +
  "application/json, events: Pushes, Branch or tag creation, Branch or tag deletion. If GitHub reaches this server " +
  "at another address, keep the path and change the host. The secret is shown once.";

function printSecret(ctx: Context, options: OptionValues, r: { url: string; secret: string; createPreviews: boolean }) {
  if (opt.bool(options, "json")) return printJson(r);
  // One write: a reader that stops early (| head) must not meet a second write (EPIPE).
  ctx.io.print(`Payload URL:  ${r.url}\nContent type: application/json\nSecret:       ${r.secret}\n\n${GITHUB_STEPS}`);
}

export const gitConnect: CommandSpec["run"] = async (ctx, { options }) => {
  const slug = ctx.project(options);
  const previewUrl = opt.string(options, "previews");
  const r = unwrap(
    (
      await ctx.sdk().connectGit({
        input: { project: slug, createPreviews: previewUrl !== undefined, previewUrl },
      })
    ).connectGit,
    "GitSecretPayload",
  );
  printSecret(ctx, options, { url: r.url, secret: r.secret, createPreviews: r.git.createPreviews });
};

export const gitRotateSecret: CommandSpec["run"] = async (ctx, { options }) => {
  const slug = ctx.project(options);
  const r = unwrap((await ctx.sdk().rotateGitSecret({ input: { project: slug } })).rotateGitSecret, "GitSecretPayload");
  printSecret(ctx, options, { url: r.url, secret: r.secret, createPreviews: r.git.createPreviews });
};

export const gitPreviews: CommandSpec["run"] = async (ctx, { args, options }) => {
  const value = args["on|off"]!.toLowerCase();
  if (value !== "on" && value !== "off") throw new UsageError(`Give on or off, not "${args["on|off"]}".`);
  const slug = ctx.project(options);
  const r = unwrap(
    (
      await ctx.sdk().updateGit({
        input: { project: slug, createPreviews: value === "on", previewUrl: opt.string(options, "url") },
      })
    ).updateGit,
    "UpdateGitPayload",
  );
  if (opt.bool(options, "json")) return printJson(r.git);
  ctx.io.done(`Branches GitHub creates ${r.git.createPreviews ? "now get" : "no longer get"} a preview environment.`);
};

export const gitStatus: CommandSpec["run"] = async (ctx, { options }) => {
  const slug = ctx.project(options);
  const limitText = opt.string(options, "limit") ?? "20";
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new UsageError(`--limit "${limitText}" must be a whole number from 1 to 100.`);
  const { project: found } = await managing(() => ctx.sdk().gitConnection({ slug, first: limit }));
  if (!found)
    throw new CliError(`Project "${slug}" not found, or your token cannot access it. Run "envplane projects list".`);
  const git = found.git;
  if (opt.bool(options, "json")) return printJson(git ? { connected: true, ...git } : { connected: false });
  if (!git) return ctx.io.note(`Project "${slug}" is not connected to GitHub. Run "envplane git connect".`);
  const header =
    `Payload URL:    ${git.url}\nPreviews:       ${git.createPreviews ? `on (${git.previewUrl})` : "off"}\n` +
    `Connected:      ${git.connectedAt.slice(0, 19)}\nLast delivery:  ${git.lastDeliveryAt?.slice(0, 19) ?? "none yet"}`;
  // One write to stdout: "git status | head -3" closes the pipe early, and a second write would fail with EPIPE.
  if (!git.deliveries.length) {
    ctx.io.print(header);
    return ctx.io.note("No deliveries yet: GitHub sends a ping when the webhook is added.");
  }
  ctx.io.print(
    `${header}\n${table([
      ["RECEIVED", "EVENT", "BRANCH", "OUTCOME", "REASON", "DELIVERY"],
      ...git.deliveries.map((d) => [
        d.receivedAt.slice(0, 19),
        d.event,
        d.branch ?? "",
        d.outcome.toLowerCase() +
          (d.overridesRemoved ? ` (${d.overridesRemoved} override${d.overridesRemoved === 1 ? "" : "s"} removed)` : ""),
        [d.preview ? `preview ${d.preview}.` : "", d.reason ?? ""].filter(Boolean).join(" "),
        d.deliveryId,
      ]),
    ])}`,
  );
};

export const gitDisconnect: CommandSpec["run"] = async (ctx, { options }) => {
  const slug = ctx.project(options);
  await ctx.confirmDestructive(
    options,
    `Disconnect ${slug} from GitHub? Pushes will no longer create or delete branches.`,
    `Disconnecting ${slug} from GitHub stops branch creation and deletion from pushes.`,
    "Cancelled: the project stays connected.",
  );
  unwrap((await ctx.sdk().disconnectGit({ input: { project: slug } })).disconnectGit, "DisconnectGitPayload");
  if (opt.bool(options, "json")) return printJson({ project: slug, disconnected: true });
  ctx.io.done(`Disconnected ${slug} from GitHub. Remove the webhook in GitHub's settings too.`);
};
