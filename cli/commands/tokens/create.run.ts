import type { TokenPermission } from "../../../sdk/index.js";
import { opt } from "../../args.js";
import type { CommandSpec } from "../../command.js";
import { UsageError } from "../../errors.js";
import { printJson } from "../../format.js";
import { unwrap } from "../../remote.js";

const PERMISSIONS: Record<string, TokenPermission> = { read: "READ", write: "WRITE", runtime: "RUNTIME" };

const MAX_DAYS = 3650;

/** "30d", "12h", "90m" → a date that far ahead (1 minute to 10 years). */
function expiry(text: string): Date {
  const match = /^(\d+)([dhm])$/.exec(text);
  if (!match) throw new UsageError(`--expires-in "${text}" is not a duration. Use a number and d, h or m, e.g. 30d.`);
  const ms = Number(match[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as "d" | "h" | "m"];
  if (ms < 60_000 || ms > MAX_DAYS * 86_400_000)
    throw new UsageError(`--expires-in "${text}" is out of range: give 1m to ${MAX_DAYS}d.`);
  return new Date(Date.now() + ms);
}

export const tokensCreate: CommandSpec["run"] = async (ctx, { options }) => {
  const name = opt.string(options, "name");
  if (!name) throw new UsageError("Missing --name <name>: say what the token is for, e.g. --name ci-preview.");
  const expiresIn = opt.string(options, "expires-in");
  if (opt.bool(options, "personal")) {
    const given = ["env", "permission", "project"].filter((o) => options[o] !== undefined);
    if (given.length)
      throw new UsageError(
        `--personal tokens act with your role in every project: drop ${given.map((o) => `--${o}`).join(", ")} (or drop --personal for a service token).`,
      );
    const r = await ctx.sdk().createToken({
      input: { kind: "PERSONAL", name, expiresAt: expiresIn ? expiry(expiresIn).toISOString() : undefined },
    });
    const created = unwrap(r.createToken, "CreateTokenPayload");
    if (opt.bool(options, "json")) return printJson({ token: created.plaintextToken, ...created.token });
    ctx.io.print(created.plaintextToken);
    const t = created.token;
    ctx.io.note(
      `Created personal token "${t.name}" (id ${t.id})${t.expiresAt ? `, expires ${t.expiresAt}` : ""}: it acts for you, with your role in each project.`,
    );
    ctx.io.note("It is shown once: store it now.");
    return;
  }
  const permissions = opt.list(options, "permission").map((p) => {
    const permission = PERMISSIONS[p.toLowerCase()];
    if (!permission) throw new UsageError(`--permission "${p}" is not one of read, write, runtime.`);
    return permission;
  });
  const environments = opt.list(options, "env");
  const r = await ctx.sdk().createToken({
    input: {
      kind: "SERVICE",
      name,
      project: ctx.project(options),
      permissions: permissions.length ? permissions : undefined,
      environments: environments.length ? environments : undefined,
      expiresAt: expiresIn ? expiry(expiresIn).toISOString() : undefined,
    },
  });
  const created = unwrap(r.createToken, "CreateTokenPayload");
  if (opt.bool(options, "json")) return printJson({ token: created.plaintextToken, ...created.token });
  ctx.io.print(created.plaintextToken);
  const t = created.token;
  ctx.io.note(
    `Created service token "${t.name}" (id ${t.id}): ${t.permissions.map((p) => p.toLowerCase()).join(", ")} ` +
      `on ${t.environments?.join(", ") ?? "every environment"}${t.expiresAt ? `, expires ${t.expiresAt}` : ""}.`,
  );
  ctx.io.note("It is shown once: store it now (e.g. as ENVPLANE_TOKEN in your CI secrets).");
};
